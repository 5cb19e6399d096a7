//! The one builder of the OpenSearch store's configuration from the site's settings
//! ([`OpenSearchOptions`]: URL, index prefix, SigV4 service), for `mozdef dev --opensearch`
//! and every Lambda alike.

use mozdef_service::{OpenSearchOptions, ServiceError};
use mozdef_store_opensearch::{Auth, OpenSearchConfig, SigningService};

use crate::config::{AwsOptions, load};

/// The configuration `options` describe, or `None` when they name no cluster. With a SigV4
/// service, requests are signed with the default AWS credential chain and region.
pub async fn opensearch_config(options: &OpenSearchOptions) -> Result<Option<OpenSearchConfig>, ServiceError> {
    let Some(url) = options.url.as_deref().filter(|u| !u.is_empty()) else { return Ok(None) };
    let mut config = OpenSearchConfig::from_url(url).map_err(|e| ServiceError::config(URL, e))?;
    config.index_prefix = options.prefix.clone();
    if let Some(service) = options.sigv4.as_deref().filter(|s| !s.is_empty()) {
        let service: SigningService = service.parse().map_err(|e| ServiceError::config(SIGV4, e))?;
        let sdk = load(&AwsOptions::default()).await;
        config.auth = Auth::SigV4 { config: Box::new(sdk), service };
    }
    config.validate().map_err(|e| ServiceError::config(PREFIX, e))?;
    Ok(Some(config))
}

/// The setting that names the cluster (flag and variable).
pub const URL: &str = "--opensearch / MOZDEF_OPENSEARCH_URL";
const SIGV4: &str = "--opensearch-sigv4 / MOZDEF_OPENSEARCH_SIGV4";
const PREFIX: &str = "--opensearch-prefix / MOZDEF_OPENSEARCH_PREFIX";
