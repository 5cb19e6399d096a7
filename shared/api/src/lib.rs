//! The HTTP face of MozDef in Rust, as axum routers shared by the Lambdas and `mozdef dev`:
//!
//! * [`loginput`]: MozDef's loginput routes (`/events`, `/nxlog`, `/cef`, `/custom/<app>`,
//!   `/_bulk`, `/status`, `/test`), which validate what shippers send and hand it to the
//!   durable [`EventQueue`](mozdef_store::EventQueue);
//! * [`rest`]: the REST API under `/api` (search, events, status);
//! * [`alerts`]: alerts, running them, and their schedules under `/api`.
//!
//! Bad input gets a 4xx with a JSON body that names the problem; nothing here panics on input.

pub mod alerts;
mod body;
mod error;
pub mod loginput;
pub mod rest;

use std::sync::Arc;

use axum::Router;
use mozdef_model::Clock;
use mozdef_store::alert_runner::AlertRunner;
use mozdef_store::ingest::IngestStats;
use mozdef_store::{EventQueue, EventStore};

pub use error::ApiError;

/// Size and shape limits of what loginput accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest body of a single-event route (`/events`, `/cef`, ...), in bytes.
    pub max_event_bytes: usize,
    /// The largest `/_bulk` body, in bytes.
    pub max_bulk_bytes: usize,
    /// The deepest nesting of arrays and objects accepted in an event.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_event_bytes: 1 << 20, max_bulk_bytes: 10 << 20, max_depth: 64 }
    }
}

/// What the routers need: where accepted events go, where events are searched, the clock.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The durable queue loginput hands accepted events to.
    pub queue: Arc<dyn EventQueue>,
    /// The event store the REST API reads.
    pub store: Arc<dyn EventStore>,
    /// The clock ("now" of search windows).
    pub clock: Arc<dyn Clock>,
    /// loginput's limits.
    pub limits: Limits,
    /// The counters of the ingest path behind the queue (`GET /api/stats`).
    pub stats: Arc<IngestStats>,
    /// The alert catalogue and its schedules (`None`: the alert routes answer 503).
    pub alerts: Option<Arc<AlertRunner>>,
}

/// loginput on MozDef's paths and the REST API under `/api`, in one router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(loginput::router())
        .nest("/api", rest::router().merge(alerts::router()))
        .fallback(error::not_found)
        .with_state(state)
}
