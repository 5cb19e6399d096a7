//! The embedded MozDef store for `mozdef dev`: no Java, no AWS, one data directory.
//!
//! * [`EmbeddedStore`] keeps each MozDef index (`events-YYYYMMDD`, `alerts-YYYYMM`, ...) as a
//!   tantivy index under `<data-dir>/indices/<name>`. Documents are stored whole; the two
//!   window fields (`utctimestamp`, `receivedtimestamp`) are indexed as dates so a window
//!   narrows the candidates, and every candidate is then checked with the query model's own
//!   evaluator, which carries MozDef's mapping semantics — the same answers OpenSearch gives.
//! * [`Wal`] is the durable local queue in front of the pipeline: an accepted request is
//!   framed, checksummed and `fsync`ed before loginput answers, and replayed after a crash.

mod error;
mod index;
mod localities;
mod records;
mod schedules;
mod shipper_tokens;
mod sqlite;
mod store;
pub mod wal;

pub use error::EmbeddedError;
pub use localities::SqliteLocalities;
pub use records::SqliteRecords;
pub use schedules::SqliteSchedules;
pub use shipper_tokens::SqliteShipperTokens;
pub use store::EmbeddedStore;
pub use wal::{Checkpointer, Wal, WalEntry, WalPosition, WalReader};
