//! Storage traits every MozDef backend implements (the embedded tantivy store locally,
//! OpenSearch on AWS): the [`EventStore`] of events and alerts and the durable
//! [`EventQueue`] between loginput and ingest; the [`ShipperTokenStore`] of loginput's
//! shipper tokens (SQLite locally, DynamoDB on AWS); MozDef's index naming ([`indices`], kept in
//! `mozdef-model` and re-exported here); and one conformance suite that every backend must
//! pass unchanged ([`conformance`] and the scenario runner [`scenarios`], behind the
//! `conformance` feature). It knows neither the pipeline nor the alert framework: the
//! application layer (`mozdef-service`) joins them.

mod error;
mod queue;
pub mod records;
pub mod shipper_tokens;

#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(feature = "conformance")]
pub mod scenarios;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_query::{Hit, SearchQuery, SearchResults};

/// MozDef's index names and their resolution, kept in `mozdef-model` (below the query crate,
/// so the alert domain's in-memory backend resolves names as the stores do).
pub use mozdef_model::indices;
pub use mozdef_model::{EventRef, tag_alert_source};

pub use error::StoreError;
pub use queue::{EventQueue, QueueDepth, QueueError, QueueStatus, StorageStatus};
pub use records::{Author, Change, ChangeKind, NewRecord, Presence, Record, RecordStore, Scan};
pub use shipper_tokens::{ShipperToken, ShipperTokenStore};

/// One document to index: an upsert of `source` under `id` in the concrete index `index`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRequest {
    /// The concrete index (e.g. `events-20261125`), never an alias.
    pub index: String,
    /// The deterministic document id.
    pub id: String,
    /// The document.
    pub source: Document,
}

/// What became of one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Stored (created or replaced).
    Indexed,
    /// Not stored for a passing reason; the caller should deliver it again.
    Retry(String),
    /// Not stored and never will be as it is (mapping or validation error): quarantine it.
    Reject(String),
}

/// A search request against a [`EventStore`].
#[derive(Debug, Clone, Copy)]
pub struct SearchRequest<'a> {
    /// Index names: concrete (`events-20261125`), logical (`events`, `events-previous`,
    /// `events-weekly`, `alerts`) or a prefix pattern (`events-*`).
    pub indices: &'a [String],
    /// The query.
    pub query: &'a SearchQuery,
    /// At most this many hits (the total is still counted and aggregations see every match).
    pub size: usize,
    /// The time the query's window ends at.
    pub now: DateTime<Utc>,
}

/// The document store: events and alerts in daily and monthly indices.
#[async_trait]
pub trait EventStore: Send + Sync + std::fmt::Debug {
    /// Upserts documents by id; one outcome per request, in order. An `Err` means the whole
    /// batch failed and every record may be retried.
    async fn index(&self, docs: &[IndexRequest]) -> Result<Vec<ItemOutcome>, StoreError>;

    /// Makes everything indexed so far durable and visible to searches.
    async fn refresh(&self) -> Result<(), StoreError>;

    /// Runs a MozDef `SearchQuery`; hits come newest first (by `utctimestamp`).
    async fn search(&self, request: SearchRequest<'_>) -> Result<SearchResults, StoreError>;

    /// Fetches one document by id from the given indices (MozDef's `get_object_by_id`).
    async fn get(&self, indices: &[String], id: &str, now: DateTime<Utc>) -> Result<Option<Hit>, StoreError>;

    /// The concrete indices that exist, sorted.
    async fn list_indices(&self) -> Result<Vec<String>, StoreError>;

    /// MozDef's `tagEventsAlert` as a partial update: adds `alert_name` to each event's
    /// `alert_names` (once) and appends `alert` (`{"index", "id"}` of the alert document) to
    /// its `alerts`, leaving the rest of the event as it is ([`tag_alert_source`] is the
    /// rule). One outcome per event; a missing event is a `Reject`. Not visible until
    /// [`refresh`](Self::refresh).
    async fn tag_alert(
        &self,
        events: &[EventRef],
        alert_name: &str,
        alert: &EventRef,
    ) -> Result<Vec<ItemOutcome>, StoreError>;

    /// The backend's health and size (MozDef's `get_cluster_health` plus document counts).
    async fn health(&self) -> Result<StoreHealth, StoreError>;

    /// The dashboards a companion UI holds (OpenSearch Dashboards' saved objects of type
    /// `dashboard`, MozDef's `/kibanadashboards`); none by default.
    async fn dashboards(&self) -> Result<Vec<Dashboard>, StoreError> {
        Ok(Vec::new())
    }

    /// Per-node figures (CPU, load, JVM heap, old-generation GC, disk), MozDef's
    /// `healthesnodes`; none by default (one embedded process has no nodes).
    async fn node_stats(&self) -> Result<Vec<serde_json::Value>, StoreError> {
        Ok(Vec::new())
    }
}

/// A dashboard of the store's companion UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// Its title.
    pub name: String,
    /// Its id (without the `dashboard:` prefix of the saved object's document id).
    pub id: String,
}

/// The health of a store, as the status routes and the health checks report it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoreHealth {
    /// `embedded` or `opensearch`.
    pub backend: &'static str,
    /// `green`, `yellow` or `red`, as OpenSearch reports cluster health.
    pub status: String,
    /// MozDef indices (open and closed).
    pub indices: usize,
    /// Documents in them (open indices only).
    pub documents: u64,
    /// Backend-specific figures (OpenSearch: the cluster health answer).
    pub details: serde_json::Value,
}
