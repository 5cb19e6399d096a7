//! The application layer of MozDef in Rust: what every entry point (`mozdef dev`, `mozdef
//! normalize`, each Lambda) calls, so that none copies another's wiring. It joins the domain
//! crates (the pipeline, the alert framework) with the storage traits, and depends on no
//! backend: the entry points choose the stores and hand them in.
//!
//! * [`ingest`]: a batch of records (a log's requests, an SQS batch) through the pipeline
//!   into the store, with MozDef's routing and the quarantine, and an outcome per record
//!   ([`Ingest::ingest_batch`]);
//! * [`alert_runner`]: the alert catalogue run on schedule or on demand over a store
//!   ([`AlertRunner`], [`RunAlertsNow`]); [`alert_actions`]: the actions run on stored alerts
//!   ([`ActionRunner`]); [`alert_backend`]: the alert framework's backend on any store;
//! * [`shipper_tokens`]: loginput's shipper tokens, created, listed, revoked and checked
//!   through a short cache ([`ShipperTokens`]);
//! * [`site`]: the one site configuration ([`PipelineOptions`], [`AlertOptions`],
//!   [`OpenSearchOptions`]), read from flags or the environment ([`from_env`]).

pub mod alert_actions;
pub mod alert_backend;
pub mod alert_runner;
pub mod collectors;
mod error;
pub mod ingest;
pub mod lists;
mod options;
pub mod records;
pub mod shipper_tokens;
pub mod site;
pub mod ui_config;
pub mod veris;

pub use alert_actions::{ActionRunner, InProcessActions};
pub use alert_backend::StoreAlertBackend;
pub use alert_runner::{AlertRunner, RunAlertsNow, RunFailure, RunNow, RunReport};
pub use error::ServiceError;
pub use ingest::{
    EventOutcome, Ingest, IngestBatch, IngestRecord, IngestStats, RecordContent, RecordOutcome, STREAM_CHUNK,
    StreamOutcome,
};
pub use options::from_env;
pub use shipper_tokens::{ShipperTokens, TokenError};
pub use site::{AlertOptions, OpenSearchOptions, PipelineOptions, RestOptions};
