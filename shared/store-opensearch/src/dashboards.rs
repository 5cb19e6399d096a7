//! OpenSearch Dashboards index patterns for MozDef's indices (`events*`, `alerts*`, time field
//! `utctimestamp`), through the Dashboards saved-objects API: each pattern is created or
//! overwritten under a fixed id, so installing them again changes nothing. Requests
//! authenticate as the cluster's do (basic or SigV4), carry `osd-xsrf` (Dashboards refuses
//! writes without it) and go to the global tenant where the security plugin has tenants.

use std::time::Duration;

use opensearch::http::headers::{HeaderMap, HeaderName, HeaderValue};
use opensearch::http::transport::{SingleNodeConnectionPool, Transport, TransportBuilder};
use opensearch::http::{Method, Url};
use serde_json::json;

use crate::OpenSearchError;
use crate::client::error_reason;
use crate::config::Auth;

/// The time field of every pattern.
pub const TIME_FIELD: &str = "utctimestamp";

/// The indices MozDef's patterns cover (before the prefix; each pattern is `<name>*`).
pub const PATTERN_INDICES: [&str; 2] = ["events", "alerts"];

/// One index pattern as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPattern {
    /// The saved object's id (`mozdef-events`, with the prefix: `mozdef-<prefix>events`).
    pub id: String,
    /// The pattern (`events*`, with the prefix: `<prefix>events*`).
    pub title: String,
}

/// The index patterns of a deployment whose indices carry `prefix`.
pub fn index_patterns(prefix: &str) -> Vec<IndexPattern> {
    PATTERN_INDICES
        .iter()
        .map(|name| IndexPattern { id: format!("mozdef-{prefix}{name}"), title: format!("{prefix}{name}*") })
        .collect()
}

/// A client of one Dashboards server.
#[derive(Debug, Clone)]
pub struct Dashboards {
    transport: Transport,
    url: String,
}

impl Dashboards {
    /// A client of the Dashboards at `url` (on Amazon OpenSearch Service:
    /// `https://<domain endpoint>/_dashboards`), authenticating with `auth`. No request is
    /// made.
    pub fn connect(url: &str, auth: &Auth, timeout: Duration) -> Result<Self, OpenSearchError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let parsed = Url::parse(url)
            .map_err(|e| OpenSearchError::Config(format!("Dashboards URL {url:?} does not parse: {e}")))?;
        let mut builder = TransportBuilder::new(SingleNodeConnectionPool::new(parsed)).timeout(timeout).disable_proxy();
        builder = match auth {
            Auth::None => builder,
            Auth::Basic { username, password } => {
                builder.auth(opensearch::auth::Credentials::Basic(username.clone(), password.clone()))
            }
            #[cfg(feature = "aws-auth")]
            Auth::SigV4 { config, service } => builder
                .auth(opensearch::auth::Credentials::try_from(config.as_ref()).map_err(|e| {
                    OpenSearchError::Config(format!("SigV4 for Dashboards needs AWS credentials and a region: {e}"))
                })?)
                .service_name(service.name()),
        };
        let transport = builder
            .build()
            .map_err(|e| OpenSearchError::Config(format!("cannot build the Dashboards HTTP client: {e}")))?;
        Ok(Dashboards { transport, url: url.trim_end_matches('/').to_owned() })
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Creates or overwrites the index patterns of `prefix` ([`index_patterns`]) and returns
    /// them.
    pub async fn install_index_patterns(&self, prefix: &str) -> Result<Vec<IndexPattern>, OpenSearchError> {
        let patterns = index_patterns(prefix);
        for pattern in &patterns {
            self.save_index_pattern(pattern).await?;
        }
        Ok(patterns)
    }

    /// `POST api/saved_objects/index-pattern/<id>?overwrite=true`.
    async fn save_index_pattern(&self, pattern: &IndexPattern) -> Result<(), OpenSearchError> {
        let path = format!("api/saved_objects/index-pattern/{}", pattern.id);
        let what = format!("POST {}/{path}", self.url);
        let body = json!({"attributes": {"title": pattern.title, "timeFieldName": TIME_FIELD}});
        let mut headers = HeaderMap::new();
        headers.insert(HeaderName::from_static("osd-xsrf"), HeaderValue::from_static("true"));
        headers.insert(HeaderName::from_static("securitytenant"), HeaderValue::from_static("global"));
        let response = self
            .transport
            .send(Method::Post, &path, headers, Some(&[("overwrite", "true")]), Some(body.to_string()), None)
            .await
            .map_err(|e| OpenSearchError::Unreachable(format!("{what}: {e}")))?;
        let status = response.status_code().as_u16();
        let text = response
            .bytes()
            .await
            .map_err(|e| OpenSearchError::Unreachable(format!("{what}: reading the answer: {e}")))?;
        if !(200..300).contains(&status) {
            return Err(OpenSearchError::Status { status, what, reason: error_reason(&text) });
        }
        tracing::info!(id = %pattern.id, title = %pattern.title, "Dashboards index pattern saved");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_carry_the_prefix_in_id_and_title() {
        let plain = index_patterns("");
        assert_eq!(plain[0], IndexPattern { id: "mozdef-events".into(), title: "events*".into() });
        assert_eq!(plain[1], IndexPattern { id: "mozdef-alerts".into(), title: "alerts*".into() });
        let prefixed = index_patterns("blue-");
        assert_eq!(prefixed[1], IndexPattern { id: "mozdef-blue-alerts".into(), title: "blue-alerts*".into() });
    }

    #[test]
    fn a_bad_url_is_a_configuration_error() {
        let error = Dashboards::connect("not a url", &Auth::None, Duration::from_secs(1)).unwrap_err();
        assert!(error.to_string().contains("Dashboards URL \"not a url\""), "{error}");
    }
}
