/// Errors of the OpenSearch backend.
#[derive(Debug, thiserror::Error)]
pub enum OpenSearchError {
    /// The connection settings are unusable (bad URL, unknown signing service).
    #[error("invalid OpenSearch configuration: {0}")]
    Config(String),
    /// The cluster could not be reached or did not answer in time; trying again may work.
    #[error("OpenSearch unreachable: {0}")]
    Unreachable(String),
    /// OpenSearch answered with an error status.
    #[error("OpenSearch answered {status} to {what}: {reason}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The request, e.g. `PUT _index_template/mozdef`.
        what: String,
        /// OpenSearch's error type and reason, or the start of the body.
        reason: String,
    },
    /// OpenSearch answered with a body this client does not understand.
    #[error("unexpected answer from OpenSearch to {what}: {message}")]
    Response {
        /// The request.
        what: String,
        /// What was wrong with the answer.
        message: String,
    },
    /// A query that cannot be expressed or run.
    #[error(transparent)]
    Query(#[from] mozdef_query::QueryError),
    /// An index name outside MozDef's naming rules.
    #[error("invalid index name {0:?}")]
    IndexName(String),
}

impl OpenSearchError {
    /// Whether trying again later may succeed: unreachable, 429 and 5xx answers.
    pub fn is_retryable(&self) -> bool {
        match self {
            OpenSearchError::Unreachable(_) => true,
            OpenSearchError::Status { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }
}

/// Whether an HTTP status (of a request or a bulk item) is worth retrying: 429 (rejected
/// execution, circuit breakers), 408, 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || status == 408 || status >= 500
}

impl From<OpenSearchError> for mozdef_store::StoreError {
    fn from(e: OpenSearchError) -> Self {
        match e {
            OpenSearchError::Query(q) => mozdef_store::StoreError::Query(q),
            OpenSearchError::IndexName(n) => mozdef_store::StoreError::IndexName(n),
            e if e.is_retryable() => mozdef_store::StoreError::Unavailable(e.to_string()),
            e => mozdef_store::StoreError::Backend(e.to_string()),
        }
    }
}
