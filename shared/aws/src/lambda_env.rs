//! The Lambdas' configuration from their environment, read once at cold start: what every
//! function needs to reach the stores.

use mozdef_service::ServiceError;
use mozdef_store_opensearch::OpenSearchStore;

/// A configuration problem, naming the variable.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// A required variable is unset or empty.
    #[error("{0} is not set")]
    Missing(String),
    /// A variable's value is not valid.
    #[error("{name}: {message}")]
    Invalid {
        /// The variable.
        name: String,
        /// What is wrong.
        message: String,
    },
}

/// The value of a required variable.
pub fn required(name: &str) -> Result<String, EnvError> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or_else(|| EnvError::Missing(name.to_owned()))
}

/// The value of an optional variable (unset or empty: `None`).
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A comma-separated list (unset: empty).
pub fn list(name: &str) -> Vec<String> {
    optional(name)
        .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The OpenSearch store the environment names (`MOZDEF_OPENSEARCH_URL`, required;
/// `MOZDEF_OPENSEARCH_PREFIX`; `MOZDEF_OPENSEARCH_SIGV4` `es` or `aoss`), read as `mozdef dev`
/// reads the same settings.
pub async fn opensearch_from_env() -> Result<OpenSearchStore, ServiceError> {
    let options: mozdef_service::OpenSearchOptions = mozdef_service::from_env()?;
    let config = crate::opensearch_config(&options)
        .await?
        .ok_or_else(|| ServiceError::config("MOZDEF_OPENSEARCH_URL", "is not set"))?;
    OpenSearchStore::open(config).map_err(|e| ServiceError::config(crate::opensearch::URL, e))
}

/// Every function's logging, set once at cold start: JSON lines on standard output (CloudWatch
/// keeps them), filtered by `RUST_LOG`, else `info` — the functions' summary lines are their
/// record of their work.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().json().with_env_filter(filter).init();
}
