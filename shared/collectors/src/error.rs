//! The one error type of the collectors.

/// Why a collection failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectorError {
    /// The site's collector configuration is wrong.
    #[error("collector configuration: {0}")]
    Config(String),
    /// A secret could not be read.
    #[error("secret {name}: {reason}")]
    Secret {
        /// The secret's name.
        name: String,
        /// Why.
        reason: String,
    },
    /// The provider refused the credentials (401/403, expired token): retrying will not help
    /// until someone fixes them.
    #[error("{provider}: credentials refused: {reason}")]
    Credentials {
        /// The provider.
        provider: String,
        /// What it said.
        reason: String,
    },
    /// The request failed after its retries (network, 429, 5xx).
    #[error("{provider}: {reason}")]
    Http {
        /// The provider.
        provider: String,
        /// What failed.
        reason: String,
    },
    /// The response is not what the API documents.
    #[error("{provider}: unexpected response: {reason}")]
    Response {
        /// The provider.
        provider: String,
        /// What is wrong.
        reason: String,
    },
    /// The events could not be queued, or the cursor saved.
    #[error("{0}")]
    Storage(String),
}

impl CollectorError {
    /// Whether the next scheduled run may succeed without anyone fixing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, CollectorError::Http { .. } | CollectorError::Storage(_))
    }
}
