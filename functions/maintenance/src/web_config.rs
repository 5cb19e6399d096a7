//! The custom resource `Custom::MozDefWebConfig`: the web UI's `/config.json`, written by the
//! stack into the UI's bucket (CloudFront serves it uncached), so that one build of the UI
//! finds the stack's REST API and sign-in client. Create and Update put the object, Delete
//! removes it; the properties are checked first and a bad one is answered with its name.
//!
//! Properties (strings, as CloudFormation passes them): `Bucket` (required); `ApiUrl` (the
//! REST API's origin, `https://...`; empty: the UI's own origin); `OidcAuthority` and
//! `OidcClientId` (the issuer and the UI's public client, both or neither: neither means an
//! open API); `OidcScope` (default `openid email profile`); `OidcBearer` (`access_token`, the
//! default, or `id_token`: Cognito's access tokens carry no audience or email, so the UI sends
//! its ID token); `DashboardsUrl` (empty: none).

use std::collections::HashMap;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use mozdef_service::ui_config::{UiBearer, UiConfig, UiOidc};
use serde_json::Value;

use crate::resource::{self, sdk_error};

/// The resource type.
pub const RESOURCE_TYPE: &str = "Custom::MozDefWebConfig";

/// The object written in the bucket.
pub const KEY: &str = "config.json";

/// The scopes asked for when `OidcScope` is not given.
pub const DEFAULT_SCOPE: &str = "openid email profile";

/// What `/config.json` says, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebConfig {
    /// The bucket of the UI's files.
    pub bucket: String,
    /// The REST API's base URL, ending before `/api` (empty: the UI's own origin).
    pub api_url: String,
    /// Sign-in, or `None` for an open API.
    pub oidc: Option<UiOidc>,
    /// OpenSearch Dashboards, when there is one to link to.
    pub dashboards_url: Option<String>,
}

impl WebConfig {
    /// The settings a request's `ResourceProperties` give; the error names the property.
    pub fn from_properties(properties: &Value) -> Result<WebConfig, String> {
        let text = |name: &str| resource::text(properties, name);
        let bucket = text("Bucket")?;
        if bucket.is_empty() {
            return Err("Bucket is missing".to_owned());
        }
        if !bucket_name(&bucket) {
            return Err(format!("Bucket {bucket:?} is not an S3 bucket name"));
        }
        let api_url = text("ApiUrl")?;
        let api_url = if api_url.is_empty() { api_url } else { http_url("ApiUrl", &api_url, false)? };
        let (authority, client_id) = (text("OidcAuthority")?, text("OidcClientId")?);
        let oidc = match (authority.is_empty(), client_id.is_empty()) {
            (true, true) => None,
            (false, false) => {
                if client_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(format!("OidcClientId {client_id:?} has spaces"));
                }
                let scope = text("OidcScope")?;
                let bearer = text("OidcBearer")?;
                let bearer = match bearer.as_str() {
                    "" | "access_token" => UiBearer::AccessToken,
                    "id_token" => UiBearer::IdToken,
                    other => return Err(format!("OidcBearer {other:?} is not access_token or id_token")),
                };
                Some(UiOidc {
                    authority: http_url("OidcAuthority", &authority, true)?,
                    client_id,
                    scope: if scope.is_empty() { DEFAULT_SCOPE.to_owned() } else { scope },
                    bearer,
                })
            }
            (true, false) => return Err("OidcClientId is given without OidcAuthority".to_owned()),
            (false, true) => return Err("OidcAuthority is given without OidcClientId".to_owned()),
        };
        let dashboards = text("DashboardsUrl")?;
        let dashboards_url =
            if dashboards.is_empty() { None } else { Some(http_url("DashboardsUrl", &dashboards, false)?) };
        Ok(WebConfig { bucket, api_url, oidc, dashboards_url })
    }

    /// `/config.json` as the UI reads it (`web/src/config.ts`).
    pub fn document(&self) -> Value {
        UiConfig { api_url: self.api_url.clone(), oidc: self.oidc.clone(), dashboards_url: self.dashboards_url.clone() }
            .to_json()
    }

    /// The resource's physical id: the object's place.
    pub fn physical_id(&self) -> String {
        format!("{}/{KEY}", self.bucket)
    }

    /// The custom resource's `Data` (readable with `Fn::GetAtt`): `Bucket` and `Key`.
    pub fn data(&self) -> HashMap<String, String> {
        HashMap::from([("Bucket".to_owned(), self.bucket.clone()), ("Key".to_owned(), KEY.to_owned())])
    }
}

/// Whether `name` can be an S3 bucket's name (3 to 63 lowercase letters, digits, dots and
/// hyphens, starting and ending with a letter or digit).
fn bucket_name(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && edge(name.chars().next())
        && edge(name.chars().last())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

/// `value` as an http(s) URL without its trailing slashes (`https_only`: https alone); the
/// error names `name`.
fn http_url(name: &str, value: &str, https_only: bool) -> Result<String, String> {
    let rest = value.strip_prefix("https://").or_else(|| if https_only { None } else { value.strip_prefix("http://") });
    let host = rest.and_then(|r| r.split(['/', '?', '#']).next()).unwrap_or_default();
    let clean = !value.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>'));
    if host.is_empty() || !clean {
        let wanted = if https_only { "an https:// URL" } else { "an http(s):// URL" };
        return Err(format!("{name} {value:?} is not {wanted}"));
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// The UI's bucket, through S3.
#[derive(Debug, Clone)]
pub struct WebObjects {
    s3: Client,
}

impl WebObjects {
    /// Objects written and deleted with `s3`.
    pub fn new(s3: Client) -> Self {
        WebObjects { s3 }
    }

    /// Puts `/config.json` into `config`'s bucket: JSON, never cached by a browser (CloudFront
    /// does not cache it either).
    pub async fn write(&self, config: &WebConfig) -> Result<(), String> {
        let body = serde_json::to_vec(&config.document()).map_err(|e| e.to_string())?;
        self.s3
            .put_object()
            .bucket(&config.bucket)
            .key(KEY)
            .body(ByteStream::from(body))
            .content_type("application/json")
            .cache_control("no-store")
            .send()
            .await
            .map_err(|e| format!("writing s3://{}/{KEY} failed: {}", config.bucket, sdk_error(&e)))?;
        tracing::info!(bucket = %config.bucket, key = KEY, "web UI configuration written");
        Ok(())
    }

    /// Removes `/config.json` from `bucket` (a bucket already gone has nothing to remove).
    pub async fn remove(&self, bucket: &str) -> Result<(), String> {
        match self.s3.delete_object().bucket(bucket).key(KEY).send().await {
            Ok(_) => {
                tracing::info!(bucket, key = KEY, "web UI configuration removed");
                Ok(())
            }
            Err(e) if e.code() == Some("NoSuchBucket") => Ok(()),
            Err(e) => Err(format!("deleting s3://{bucket}/{KEY} failed: {}", sdk_error(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn properties(changes: Value) -> Value {
        let mut base = json!({
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:maintenance",
            "Bucket": "mozdef-web-bucket",
            "ApiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/",
            "OidcAuthority": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC",
            "OidcClientId": "5k2b7q9d1e3f4g6h8j0l2n4p6r",
            "OidcScope": "openid email profile",
            "OidcBearer": "id_token",
            "DashboardsUrl": ""
        });
        for (key, value) in changes.as_object().into_iter().flatten() {
            base[key] = value.clone();
        }
        base
    }

    #[test]
    fn properties_become_the_uis_config() {
        let config = WebConfig::from_properties(&properties(json!({}))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.physical_id(), "mozdef-web-bucket/config.json");
        assert_eq!(
            config.document(),
            json!({
                "apiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com",
                "oidc": {"authority": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC", "clientId": "5k2b7q9d1e3f4g6h8j0l2n4p6r", "scope": "openid email profile", "bearer": "id_token"},
                "dashboardsUrl": null
            })
        );
        let open = WebConfig::from_properties(&properties(
            json!({"OidcAuthority": "", "OidcClientId": "", "DashboardsUrl": "https://search.example.com/_dashboards"}),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(open.document()["oidc"], Value::Null);
        assert_eq!(open.document()["dashboardsUrl"], "https://search.example.com/_dashboards");
        let scope =
            WebConfig::from_properties(&properties(json!({"OidcScope": null}))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(scope.oidc.map(|o| o.scope).as_deref(), Some(DEFAULT_SCOPE));
        let bearer =
            WebConfig::from_properties(&properties(json!({"OidcBearer": null}))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bearer.oidc.map(|o| o.bearer), Some(UiBearer::AccessToken));
    }

    #[test]
    fn bad_properties_are_named() {
        for (change, expected) in [
            (json!({"Bucket": ""}), "Bucket is missing"),
            (json!({"Bucket": "Not_A_Bucket"}), "Bucket \"Not_A_Bucket\" is not an S3 bucket name"),
            (json!({"ApiUrl": "ftp://api.example.com"}), "ApiUrl \"ftp://api.example.com\" is not an http(s):// URL"),
            (
                json!({"OidcAuthority": "http://idp.example.com"}),
                "OidcAuthority \"http://idp.example.com\" is not an https:// URL",
            ),
            (json!({"OidcClientId": ""}), "OidcAuthority is given without OidcClientId"),
            (json!({"OidcAuthority": ""}), "OidcClientId is given without OidcAuthority"),
            (json!({"DashboardsUrl": "https://x\"><script>"}), "DashboardsUrl"),
            (json!({"ApiUrl": 42}), "ApiUrl must be a string"),
            (json!({"OidcBearer": "refresh_token"}), "OidcBearer \"refresh_token\" is not access_token or id_token"),
        ] {
            let error = WebConfig::from_properties(&properties(change.clone())).err().unwrap_or_default();
            assert!(error.starts_with(expected), "{change}: {error}");
        }
    }
}
