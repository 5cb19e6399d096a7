//! The Lambdas' configuration from their environment, read once at cold start: what every
//! function needs to reach the stores.

use aws_config::SdkConfig;
use mozdef_store_opensearch::{Auth, OpenSearchConfig, OpenSearchStore, SigningService};

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

/// The OpenSearch store of `MOZDEF_OPENSEARCH_URL`, with `MOZDEF_OPENSEARCH_PREFIX` and
/// `MOZDEF_OPENSEARCH_SIGV4` (`es` for a domain, `aoss` for serverless) signing with `sdk`'s
/// credentials.
pub fn opensearch_from_env(sdk: &SdkConfig) -> Result<OpenSearchStore, EnvError> {
    let invalid = |name: &str| {
        let name = name.to_owned();
        move |e: mozdef_store_opensearch::OpenSearchError| EnvError::Invalid { name, message: e.to_string() }
    };
    let mut config =
        OpenSearchConfig::from_url(&required("MOZDEF_OPENSEARCH_URL")?).map_err(invalid("MOZDEF_OPENSEARCH_URL"))?;
    config.index_prefix = optional("MOZDEF_OPENSEARCH_PREFIX").unwrap_or_default();
    if let Some(service) = optional("MOZDEF_OPENSEARCH_SIGV4") {
        let service: SigningService = service.parse().map_err(invalid("MOZDEF_OPENSEARCH_SIGV4"))?;
        config.auth = Auth::SigV4 { config: Box::new(sdk.clone()), service };
    }
    OpenSearchStore::open(config).map_err(invalid("MOZDEF_OPENSEARCH_URL"))
}
