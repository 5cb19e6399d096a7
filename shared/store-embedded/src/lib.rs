//! The embedded MozDef store for `mozdef dev`: no Java, no AWS, one data directory.
//!
//! * [`EmbeddedStore`] keeps each MozDef index (`events-YYYYMMDD`, `alerts-YYYYMM`, ...) as a
//!   tantivy index under `<data-dir>/indices/<name>`. Documents are stored whole; the two
//!   window fields (`utctimestamp`, `receivedtimestamp`) are indexed as dates so a window
//!   narrows the candidates, and every candidate is then checked with the query model's own
//!   evaluator, which carries MozDef's mapping semantics — the same answers OpenSearch gives.
//! * [`Wal`] is the durable local queue in front of the pipeline: an accepted request is
//!   framed, checksummed and `fsync`ed before loginput answers, and replayed after a crash.
//! * Local upkeep: [`EmbeddedStore::apply_retention`] deletes daily event indices past the
//!   retention; the [`DiskGuard`] refuses events while the data directory's disk is short of
//!   room ([`disk`]); [`LocalStorage`] reports what is stored and the room left.

mod catalog;
pub mod disk;
mod error;
mod footprint;
mod index;
mod localities;
mod planned;
mod records;
mod retention;
mod schedules;
mod shipper_tokens;
mod sqlite;
mod storage;
mod store;
pub mod wal;

pub use disk::{DiskGuard, DiskSpace, GuardedQueue, MinFreeDisk, SystemDisk};
pub use error::EmbeddedError;
pub use footprint::IndexFigures;
pub use localities::SqliteLocalities;
pub use records::SqliteRecords;
pub use schedules::SqliteSchedules;
pub use shipper_tokens::SqliteShipperTokens;
pub use storage::{LocalStorage, LogFigures, StorageReport};
pub use store::{EmbeddedStore, SearchLimits};
pub use wal::{Checkpointer, Wal, WalEntry, WalPosition, WalReader, WalStatus};
