//! `block_ip` (MozDef `alerts/actions/block_ip.py`): blocks an alert's source IP for a day
//! through the REST API's `/blockip` route.
//!
//! Registration: lower-cased alert class names (default `alertbruteforcessh`), matched against
//! the tokens of the whole message. The body is the REST API's list of single-key objects.
//! MozDef fixes: an alert without `details.sourceipaddress` is skipped (MozDef raised a
//! `KeyError`), and the error names the HTTP status and body (MozDef read a `resp.data` that
//! requests' responses do not have).

use async_trait::async_trait;
use reqwest::Client;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::config::keywords;
use super::{ActionError, AlertAction, AlertMessage, http};
use crate::plugin::registration_matches;

/// How long an automatic block lasts (MozDef's `DEFAULT_BLOCK_LENGTH`).
const BLOCK_DURATION: &str = "1d";

/// `block_ip`'s settings (`block_ip.conf`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlockIpConfig {
    /// Lower-cased alert class names whose alerts are blocked (a list, or MozDef's
    /// space-separated string).
    #[serde(deserialize_with = "keywords::deserialize")]
    pub alert_names: Vec<String>,
    /// The REST API's base URL (`/blockip` is appended).
    pub restapi_url: String,
    /// A bearer token for the REST API (MozDef's `jwt_token`), if it needs one.
    pub jwt_token: Option<String>,
}

impl Default for BlockIpConfig {
    fn default() -> Self {
        BlockIpConfig {
            alert_names: vec!["alertbruteforcessh".into()],
            restapi_url: "http://localhost:8081".into(),
            jwt_token: None,
        }
    }
}

/// The `block_ip` action.
#[derive(Debug, Clone)]
pub struct BlockIp {
    config: BlockIpConfig,
    client: Client,
}

impl BlockIp {
    /// The action with `config`, sending through `client`.
    pub fn new(config: BlockIpConfig, client: Client) -> Self {
        BlockIp { config, client }
    }

    /// The `/blockip` body for `ip` (a /32, for a day, by MozDef).
    pub fn body(ip: &str) -> Value {
        json!([
            {"ipaddress": format!("{ip}/32")},
            {"duration": BLOCK_DURATION},
            {"comment": "Automatic Block"},
            {"referenceid": ""},
            {"IPBlockList": true},
            {"userid": "MozDef"},
        ])
    }
}

#[async_trait]
impl AlertAction for BlockIp {
    fn name(&self) -> &str {
        "block_ip"
    }

    fn applies_to(&self, message: &AlertMessage) -> bool {
        registration_matches(&self.config.alert_names, &message.to_document())
            && message.text("details.sourceipaddress").is_some()
    }

    async fn run(&self, message: &AlertMessage) -> Result<(), ActionError> {
        let Some(ip) = message.text("details.sourceipaddress") else {
            return Err(ActionError::Permanent {
                action: self.name().into(),
                message: "the alert has no details.sourceipaddress".into(),
            });
        };
        let url = format!("{}/blockip", self.config.restapi_url.trim_end_matches('/'));
        let mut request = self.client.post(url).json(&BlockIp::body(ip));
        if let Some(token) = &self.config.jwt_token {
            request = request.bearer_auth(token);
        }
        http::send(self.name(), request).await
    }
}
