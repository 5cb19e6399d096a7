/// Errors of the alert framework.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// The alert's query cannot be built (a bad query string or CIDR in its configuration).
    #[error("alert {alert}: invalid query: {source}")]
    Query {
        /// The alert name.
        alert: String,
        /// The query error.
        source: mozdef_query::QueryError,
    },
    /// A port (the event store, GeoModel's state) failed; [`BackendError::is_retryable`]
    /// says whether the run may succeed later.
    #[error("alert {alert}: store: {source}")]
    Store {
        /// The alert name.
        alert: String,
        /// What the port said.
        source: BackendError,
    },
    /// A configuration value an alert needs is missing or malformed.
    #[error("alert {alert}: configuration: {message}")]
    Config {
        /// The alert name.
        alert: String,
        /// What is wrong.
        message: String,
    },
}

impl AlertError {
    /// Whether running the alert again later may succeed (a passing store failure); a bad
    /// query or configuration fails the same way every time.
    pub fn is_retryable(&self) -> bool {
        matches!(self, AlertError::Store { source, .. } if source.is_retryable())
    }
}

/// A failure of one of the alert domain's ports ([`AlertBackend`](crate::AlertBackend),
/// [`LocalityStore`](crate::localities::LocalityStore),
/// [`ScheduleStore`](crate::ScheduleStore), [`AlertSink`](crate::AlertSink)), with what the
/// caller needs to choose between a retry and giving up, without parsing text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// A passing failure (unreachable, throttled, timed out, a conflict): the same call may
    /// succeed later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A lasting failure (a refused document, corrupt data, bad configuration): the same call
    /// fails again.
    #[error("{0}")]
    Failed(String),
}

impl BackendError {
    /// Whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, BackendError::Unavailable(_))
    }
}
