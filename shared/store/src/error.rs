/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The query cannot run (bad pattern, unknown index name form).
    #[error("invalid query: {0}")]
    Query(#[from] mozdef_query::QueryError),
    /// An index name that is not a MozDef index name.
    #[error("invalid index name {0:?}")]
    IndexName(String),
    /// The backend failed; the operation may succeed if tried again.
    #[error("storage backend unavailable: {0}")]
    Unavailable(String),
    /// The backend failed in a way retrying will not fix (corrupt data, bad configuration).
    #[error("storage backend error: {0}")]
    Backend(String),
    /// A record changed since the caller read it, or already exists: the current one.
    #[error("{} {:?} is at version {}", .0.collection, .0.id, .0.version)]
    Conflict(Box<crate::records::Record>),
    /// The request would need more memory than the store allows (what and the limit): the
    /// caller narrows the query or the window.
    #[error("{0}")]
    TooLarge(String),
    /// No such record (what is missing).
    #[error("{0}")]
    NotFound(String),
}

impl StoreError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}
