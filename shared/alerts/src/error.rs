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
    /// The store failed; the run may succeed later.
    #[error("alert {alert}: store: {message}")]
    Store {
        /// The alert name.
        alert: String,
        /// What the store said.
        message: String,
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
