//! The OpenSearch backend of MozDef in Rust: [`OpenSearchStore`] implements the storage
//! traits on a cluster (a local node, an Amazon OpenSearch Service domain with SigV4, or
//! OpenSearch Serverless), with the same answers as the embedded store.
//!
//! * [`config`]: URL, basic or SigV4 auth, index prefix, bulk bounds, retries.
//! * [`translate`]: MozDef's query model in OpenSearch's DSL (filter context).
//! * [`bulk`]: bulk indexing that classifies every record (indexed, reject, retry).
//! * [`dashboards`]: OpenSearch Dashboards index patterns for events and alerts.
//! * [`kibana`]: the dashboards Dashboards has saved (MozDef's `/kibanadashboards`).
//! * [`nodes`]: per-node CPU, heap, GC and disk figures (MozDef's `healthesnodes`).
//! * [`lifecycle`]: MozDef's index template, daily and monthly indices, aliases, pruning and
//!   closing (the rotateIndexes, pruneIndexes and closeIndices crons).

pub mod bulk;
pub mod client;
pub mod config;
pub mod dashboards;
mod error;
pub mod kibana;
pub mod lifecycle;
pub mod nodes;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod translate;

pub use client::Client;
pub use config::{Auth, BulkLimits, OpenSearchConfig, RetryPolicy, SigningService};
pub use error::{OpenSearchError, is_retryable_status};
pub use store::{IndexInfo, OpenSearchStore, list};
