//! Where GeoModel keeps its state (MozDef's `localities` index): one document per user with
//! a version for conditional writes (two concurrent runs never lose an update: the second
//! writer sees a conflict, reloads and merges), and the time of the last execution.
//! Implemented by SQLite in `mozdef dev` and DynamoDB on AWS.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::Document;

use crate::error::BackendError;

/// A stored document and the version it was read at.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned {
    /// The document.
    pub document: Document,
    /// Its version (1 after the first write, +1 on each).
    pub version: u64,
}

/// GeoModel's state.
#[async_trait]
pub trait LocalityStore: Send + Sync + std::fmt::Debug {
    /// The state of `username`, if any.
    async fn get(&self, username: &str) -> Result<Option<Versioned>, BackendError>;

    /// Writes the state of `username` if the stored version is still `expected` (`None`: no
    /// state yet). `Ok(false)` on a conflict: someone wrote in between; read again and merge.
    async fn put(&self, username: &str, document: &Document, expected: Option<u64>) -> Result<bool, BackendError>;

    /// When the analysis named `name` last ran to completion.
    async fn execution_time(&self, name: &str) -> Result<Option<DateTime<Utc>>, BackendError>;

    /// Records that the analysis named `name` ran up to `at`.
    async fn set_execution_time(&self, name: &str, at: DateTime<Utc>) -> Result<(), BackendError>;
}
