//! What the framework needs from a store (a port of the alert domain); the application
//! layer (`mozdef-service`) implements it over every `EventStore`, so alerts run on the
//! embedded store and on OpenSearch alike, and [`crate::testing`] has an in-memory one.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_query::{SearchQuery, SearchResults};

use crate::alert::EventRef;
use crate::error::BackendError;

/// Searching events, saving alerts and tagging events.
#[async_trait]
pub trait AlertBackend: Send + Sync {
    /// Runs `query` over `indices` (logical names such as `events` resolve at `now`).
    async fn search(
        &self,
        indices: &[String],
        query: &SearchQuery,
        size: usize,
        now: DateTime<Utc>,
    ) -> Result<SearchResults, BackendError>;

    /// Saves an alert document under `id` in the alerts index of `now` (`alerts-YYYYMM`),
    /// makes it visible, and returns where it went.
    async fn save_alert(&self, id: &str, alert: &Document, now: DateTime<Utc>) -> Result<EventRef, BackendError>;

    /// MozDef's `tagEventsAlert`: appends `alert_name` to each event's `alert_names` and
    /// `{index, id}` of the alert to its `alerts` (a partial update), then makes the change
    /// visible, so the next run's dedup clause skips these events.
    async fn tag_events(&self, events: &[EventRef], alert_name: &str, alert: &EventRef) -> Result<(), BackendError>;
}
