//! The HTTP face of MozDef in Rust, as axum routers shared by the Lambdas and `mozdef dev`:
//!
//! * [`loginput`]: MozDef's loginput routes (`/events`, `/nxlog`, `/cef`, `/custom/<app>`,
//!   `/_bulk`, `/status`, `/test`), which validate what shippers send and hand it to the
//!   durable [`EventQueue`](mozdef_store::EventQueue);
//! * [`rest`]: the REST API under `/api` (search, events, status);
//! * [`alerts`]: alerts, running them, and their schedules under `/api`;
//! * [`shipper_auth`]: the optional shipper token check in front of loginput's event routes;
//! * [`web`]: the web UI at `/` (its built files, `/config.json`, its security headers), behind
//!   either router as the fallback.
//!
//! Each router has its own state ([`LoginputState`]: a queue and limits; [`ApiState`]:
//! stores and a clock), so a loginput Lambda builds no store and an API Lambda no ingest
//! worker; `mozdef dev` serves both from one listener ([`router`]).
//!
//! Bad input gets a 4xx with a JSON body that names the problem; nothing here panics on input.

pub mod admin;
pub mod alerts;
pub mod auth;
mod body;
mod error;
pub mod health;
pub mod loginput;
pub mod lookups;
pub mod mozdef_routes;
pub mod openapi;
pub mod records;
pub mod rest;
pub mod routes;
pub mod shipper_auth;
pub mod site;
pub mod web;

use std::sync::Arc;

use axum::Router;
use mozdef_alerts::ScheduleStore;
use mozdef_model::Clock;
use mozdef_service::records::Records;
use mozdef_service::{IngestStats, RunAlertsNow, ShipperTokens};
use mozdef_store::{EventQueue, EventStore, QueueStatus, StorageStatus};

pub use auth::{Authentication, Identity, Role};
pub use error::ApiError;
pub use routes::RouteDoc;
pub use shipper_auth::{Shipper, ShipperAuth};

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

/// What loginput needs: where accepted events go, and its limits. No store: the loginput
/// Lambda builds none.
#[derive(Debug, Clone)]
pub struct LoginputState {
    /// The durable queue loginput hands accepted events to (the write-ahead log, SQS).
    pub queue: Arc<dyn EventQueue>,
    /// loginput's limits.
    pub limits: Limits,
}

/// What the REST API needs: the stores it reads and writes, the clock, and (where they
/// exist) a way to run alerts now and this process's ingest counters. No ingest worker: the
/// API Lambda builds none.
#[derive(Clone)]
pub struct ApiState {
    /// The event store (events, alerts, the quarantine).
    pub store: Arc<dyn EventStore>,
    /// The alert schedules.
    pub schedules: Arc<dyn ScheduleStore>,
    /// The clock ("now" of search windows).
    pub clock: Arc<dyn Clock>,
    /// Runs alerts on demand (`None`: `POST /api/alerts/run` answers 503).
    pub run_alerts: Option<Arc<dyn RunAlertsNow>>,
    /// The counters of an ingest path running in this same process (`mozdef dev`); `None`
    /// where the API runs alone (a Lambda): `GET /api/stats` then counts from the store.
    pub ingest_stats: Option<Arc<IngestStats>>,
    /// The incident handlers' records (`None`: their routes answer 503).
    pub records: Option<Records>,
    /// The outbound lookups of `/ipwhois` and `/ipdshieldquery` (`None`: they answer 503).
    pub lookups: Option<Arc<lookups::Lookups>>,
    /// How callers are authenticated.
    pub authentication: Authentication,
    /// Shipper tokens, managed by admins (`None`: their routes answer 503).
    pub shipper_tokens: Option<Arc<ShipperTokens>>,
    /// The event queues' depth (the local log's backlog, or the SQS queues).
    pub queues: Option<Arc<dyn QueueStatus>>,
    /// The local storage's figures for `/api/status` (`mozdef dev`: what the data directory
    /// holds, the room left, whether events are refused); `None` where there is none.
    pub storage: Option<Arc<dyn StorageStatus>>,
    /// The longest a request may take to start answering ([`REQUEST_TIME_LIMIT`]).
    pub time_limit: std::time::Duration,
    /// Whether `GET /api/changes/stream` is served: not behind API Gateway, which buffers a
    /// response whole (clients long-poll `GET /api/changes` there).
    pub change_stream: bool,
}

impl ApiState {
    /// The REST API over `store`, `schedules` and `clock`, open (no authentication), with
    /// nothing else configured: set the other fields for more.
    pub fn new(store: Arc<dyn EventStore>, schedules: Arc<dyn ScheduleStore>, clock: Arc<dyn Clock>) -> Self {
        ApiState {
            store,
            schedules,
            clock,
            run_alerts: None,
            ingest_stats: None,
            records: None,
            lookups: None,
            authentication: Authentication::Open,
            shipper_tokens: None,
            queues: None,
            storage: None,
            time_limit: REQUEST_TIME_LIMIT,
            change_stream: true,
        }
    }
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiState")
            .field("store", &self.store)
            .field("schedules", &self.schedules)
            .field("run_alerts", &self.run_alerts.is_some())
            .field("records", &self.records)
            .field("authentication", &self.authentication)
            .finish_non_exhaustive()
    }
}

/// loginput on MozDef's paths, open to any shipper, with a JSON 404 for anything else.
pub fn loginput_router(state: LoginputState) -> Router {
    loginput_router_with_auth(state, None)
}

/// loginput on MozDef's paths with a JSON 404 for anything else (the loginput Lambda); with
/// `auth`, the event routes need a shipper token ([`shipper_auth`]).
pub fn loginput_router_with_auth(state: LoginputState, auth: Option<Arc<dyn ShipperAuth>>) -> Router {
    loginput_routes(state, auth).fallback(error::not_found)
}

/// The REST API under `/api`, with a JSON 404 for anything else (the API Lambda).
pub fn api_router(state: ApiState) -> Router {
    Router::new().nest("/api", rest_routes(state)).fallback(error::not_found)
}

/// loginput on MozDef's paths and the REST API under `/api`, in one router, loginput open.
pub fn router(loginput: LoginputState, api: ApiState) -> Router {
    router_with_auth(loginput, None, api)
}

/// loginput on MozDef's paths (with `auth`, the event routes need a shipper token) and the
/// REST API under `/api`, in one router (`mozdef dev`).
pub fn router_with_auth(loginput: LoginputState, auth: Option<Arc<dyn ShipperAuth>>, api: ApiState) -> Router {
    loginput_routes(loginput, auth).nest("/api", rest_routes(api)).fallback(error::not_found)
}

fn loginput_routes(state: LoginputState, auth: Option<Arc<dyn ShipperAuth>>) -> Router {
    let events = match auth {
        Some(auth) => shipper_auth::require_shipper_token(loginput::event_routes(), auth),
        None => loginput::event_routes(),
    };
    loginput::health_routes().merge(events).with_state(state)
}

/// Every REST route under `/api` with the least role that may call it (what
/// `/api/openapi.json` documents).
pub fn api_routes() -> Vec<RouteDoc> {
    all_routes().into_parts().1
}

fn all_routes() -> routes::Routes {
    rest::routes()
        .merge(alerts::routes())
        .merge(records::routes())
        .merge(mozdef_routes::routes())
        .merge(health::routes())
        .merge(admin::routes())
        .merge(openapi::routes())
}

fn rest_routes(state: ApiState) -> Router {
    let authentication = state.authentication.clone();
    let time_limit = state.time_limit;
    let (router, _) = all_routes().into_parts();
    router
        .layer(axum::middleware::from_fn_with_state(authentication, auth::authenticate))
        .layer(axum::middleware::from_fn_with_state(time_limit, limit_time))
        .with_state(state)
}

/// The longest a REST request may take to start answering (under API Gateway's 30 s; a
/// change feed's long poll waits at most 25 s; a stream's events flow after its start).
pub const REQUEST_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(28);

/// Answers 503 when a request takes longer than `limit` ([`ApiState::time_limit`]).
async fn limit_time(
    axum::extract::State(limit): axum::extract::State<std::time::Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = request.uri().path().to_owned();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Unavailable(format!(
            "{path} took longer than {} s; narrow the request (a shorter window, fewer hits)",
            limit.as_secs_f64()
        ))
        .into_response(),
    }
}
