//! `webhook`: POSTs the whole alert message (`{_id, _index, _source}`) as JSON to a configured
//! URL, with optional headers (an API key, say), for any receiver that takes JSON.

use std::collections::BTreeMap;

use async_trait::async_trait;
use reqwest::Client;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use super::config::keywords;
use super::{ActionError, AlertAction, AlertMessage, http};
use crate::plugin::registration_matches;

/// `webhook`'s settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where the message is POSTed.
    pub url: String,
    /// Extra request headers.
    pub headers: BTreeMap<String, String>,
    /// Keywords matched against the message's tokens (`*`: every alert).
    #[serde(deserialize_with = "keywords::deserialize")]
    pub registration: Vec<String>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig { url: String::new(), headers: BTreeMap::new(), registration: vec!["*".into()] }
    }
}

/// The `webhook` action.
#[derive(Debug, Clone)]
pub struct Webhook {
    config: WebhookConfig,
    headers: HeaderMap,
    client: Client,
}

impl Webhook {
    /// The action with `config`, sending through `client`; a header that is not valid HTTP is
    /// refused.
    pub fn new(config: WebhookConfig, client: Client) -> Result<Self, String> {
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("header name {name:?}: {e}"))?;
            let value = HeaderValue::from_str(value).map_err(|e| format!("header {name:?}: value: {e}"))?;
            headers.insert(header, value);
        }
        Ok(Webhook { config, headers, client })
    }
}

#[async_trait]
impl AlertAction for Webhook {
    fn name(&self) -> &str {
        "webhook"
    }

    fn applies_to(&self, message: &AlertMessage) -> bool {
        registration_matches(&self.config.registration, &message.to_document())
    }

    async fn run(&self, message: &AlertMessage) -> Result<(), ActionError> {
        let request = self.client.post(&self.config.url).headers(self.headers.clone()).json(message);
        http::send(self.name(), request).await
    }
}
