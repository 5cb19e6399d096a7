//! What the web UI's `/config.json` says: where the REST API is, how to sign in, where
//! OpenSearch Dashboards are. One description for `mozdef dev` (which serves it) and the
//! stack's maintenance function (which writes it into the UI's bucket); `web/src/config.ts`
//! reads it.

use serde::Serialize;

/// What `/config.json` says to the UI: where the API is, how to sign in, where the dashboards
/// are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UiConfig {
    /// The REST API's base URL (`""`: the UI's own origin).
    pub api_url: String,
    /// How users sign in (`None`: the API is open and nobody signs in).
    pub oidc: Option<UiOidc>,
    /// OpenSearch Dashboards, linked from the UI when set.
    pub dashboards_url: Option<String>,
}

/// The OIDC client the UI signs in as (authorization code with PKCE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UiOidc {
    /// The issuer.
    pub authority: String,
    /// The UI's public client id.
    pub client_id: String,
    /// The scopes asked for.
    pub scope: String,
    /// The token the UI sends as its bearer.
    pub bearer: UiBearer,
}

/// Which of the issuer's tokens the UI sends to the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum UiBearer {
    /// The access token (its `aud` is the API's audience).
    #[default]
    #[serde(rename = "access_token")]
    AccessToken,
    /// The ID token, for issuers whose access tokens carry no audience or email (Cognito).
    #[serde(rename = "id_token")]
    IdToken,
}

impl UiConfig {
    /// The JSON of `/config.json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
