//! What the Auth0 and Google collectors share: an OAuth 2.0 bearer token cached between pages
//! ([`BearerCache`]), secrets kept out of `Debug` output ([`Redacted`]), the checks of the
//! settings both have (`base_url`, `page_size`, `lookback_minutes`), URLs with a query, and the
//! common fields of a collected MozDef event ([`EventHead`]).
//!
//! Both collectors are OAuth clients (Auth0's client credentials, Google's JWT bearer grant);
//! Okta and Duo are not, which is why this lives beside the Auth0 collector and not at the top
//! of the crate.

use std::fmt;
use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use mozdef_model::{Document, Severity, isoformat};
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde_json::{Map, Value, json};
use tokio::sync::Mutex;

use crate::CollectorError;
use crate::http::Http;

/// A secret value: shown as `<redacted>` by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Redacted<T>(pub(crate) T);

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An access token and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bearer {
    /// The token.
    pub(crate) token: Redacted<String>,
    /// When the provider said it expires.
    pub(crate) expires_at: DateTime<Utc>,
}

impl Bearer {
    /// Reads a token endpoint's answer (RFC 6749 §5.1: `access_token`, `expires_in` in seconds,
    /// `token_type`), received at `now`. Without `expires_in` the token is used for one call.
    ///
    /// # Errors
    ///
    /// [`CollectorError::Response`] when `access_token` is missing or empty, `expires_in` is
    /// not a number of seconds, or `token_type` is not `Bearer`.
    pub(crate) fn from_token_response(
        provider: &str,
        body: &Value,
        now: DateTime<Utc>,
    ) -> Result<Self, CollectorError> {
        let bad = |reason: String| response_error(provider, reason);
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| bad("the token response has no access_token".to_owned()))?;
        if let Some(kind) = body.get("token_type").and_then(Value::as_str)
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(bad(format!("the token response's token_type is {kind:?}, not Bearer")));
        }
        let lifetime = match body.get("expires_in") {
            None | Some(Value::Null) => 0,
            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| bad(format!("expires_in {n} is not whole seconds")))?,
            Some(Value::String(s)) => {
                s.trim().parse::<i64>().map_err(|_| bad(format!("expires_in {s:?} is not whole seconds")))?
            }
            Some(other) => return Err(bad(format!("expires_in {other} is not whole seconds"))),
        };
        let lifetime = Duration::try_seconds(lifetime.max(0)).unwrap_or(Duration::zero());
        Ok(Bearer { token: Redacted(token.to_owned()), expires_at: now + lifetime })
    }
}

/// A bearer token kept between pages, and renewed when it comes within `margin` of its
/// expiry (or is refused).
#[derive(Debug)]
pub(crate) struct BearerCache {
    provider: &'static str,
    margin: Duration,
    slot: Mutex<Option<Bearer>>,
}

impl BearerCache {
    /// An empty cache renewing tokens `margin` before they expire.
    pub(crate) fn new(provider: &'static str, margin: Duration) -> Self {
        BearerCache { provider, margin, slot: Mutex::new(None) }
    }

    /// Calls `call` with a token: the cached one while it has more than the margin left at
    /// `now`, else a new one from `renew`. When a cached token is refused
    /// ([`CollectorError::Credentials`]: revoked, or expired early), it is dropped and `call`
    /// tried once more with a new one; a new token refused is the caller's error.
    ///
    /// # Errors
    ///
    /// `renew`'s and `call`'s.
    pub(crate) async fn with_bearer<T, R, RF, C, CF>(
        &self,
        now: DateTime<Utc>,
        renew: R,
        call: C,
    ) -> Result<T, CollectorError>
    where
        R: Fn() -> RF,
        RF: Future<Output = Result<Bearer, CollectorError>>,
        C: Fn(String) -> CF,
        CF: Future<Output = Result<T, CollectorError>>,
    {
        let (token, fresh) = self.token(now, &renew).await?;
        match call(token.clone()).await {
            Err(CollectorError::Credentials { reason, .. }) if !fresh => {
                tracing::info!(
                    provider = self.provider,
                    reason,
                    "the cached access token was refused: getting a new one"
                );
                self.forget(&token).await;
                let (token, _) = self.token(now, &renew).await?;
                call(token).await
            }
            other => other,
        }
    }

    /// The cached token if still good at `now` (`false`), else a new one (`true`).
    async fn token<R, RF>(&self, now: DateTime<Utc>, renew: &R) -> Result<(String, bool), CollectorError>
    where
        R: Fn() -> RF,
        RF: Future<Output = Result<Bearer, CollectorError>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(bearer) = slot.as_ref()
            && bearer.expires_at - self.margin > now
        {
            return Ok((bearer.token.0.clone(), false));
        }
        let bearer = renew().await?;
        tracing::debug!(provider = self.provider, expires_at = %bearer.expires_at, "new access token");
        let token = bearer.token.0.clone();
        *slot = Some(bearer);
        Ok((token, true))
    }

    /// Drops `token` if it is still the cached one.
    async fn forget(&self, token: &str) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|b| b.token.0 == token) {
            *slot = None;
        }
    }
}

/// A GET of `url` with the bearer `token`, its body read as JSON.
///
/// # Errors
///
/// [`Http::json`]'s.
pub(crate) async fn get_json(provider: &str, http: &Http, url: &Url, token: String) -> Result<Value, CollectorError> {
    let bearer = format!("Bearer {token}");
    let (body, _) = http
        .json(provider, |client| {
            client.get(url.clone()).header(AUTHORIZATION, &bearer).header(ACCEPT, "application/json")
        })
        .await?;
    Ok(body)
}

/// A token endpoint's refusal as what it is: OAuth 2.0 answers a refused grant or client with
/// 400 (`invalid_grant`, `unauthorized_client`, RFC 6749 §5.2), which [`crate::http::Http`]
/// reports as a plain HTTP failure; here it becomes [`CollectorError::Credentials`].
pub(crate) fn token_refusal(error: CollectorError) -> CollectorError {
    match error {
        CollectorError::Http { provider, reason } if reason.starts_with("HTTP 400") => {
            CollectorError::Credentials { provider, reason: format!("the token endpoint refused the grant: {reason}") }
        }
        other => other,
    }
}

/// A response that is not what the API documents.
pub(crate) fn response_error(provider: &str, reason: impl fmt::Display) -> CollectorError {
    CollectorError::Response { provider: provider.to_owned(), reason: reason.to_string() }
}

/// A configuration error naming the provider's setting.
pub(crate) fn config_error(provider: &str, field: &str, problem: impl fmt::Display) -> CollectorError {
    CollectorError::Config(format!("{provider} setting {field}: {problem}"))
}

/// A credential the provider refuses at construction (a configuration error, as the sources'
/// configuration documents), naming the credential and its part.
pub(crate) fn secret_error(provider: &str, secret: &str, problem: impl fmt::Display) -> CollectorError {
    CollectorError::Config(format!("{provider} secret ({secret}): {problem}"))
}

/// A saved cursor that is not what the provider writes.
pub(crate) fn cursor_error(provider: &str, cursor: &Value, problem: impl fmt::Display) -> CollectorError {
    CollectorError::Config(format!("{provider} saved cursor {cursor}: {problem}"))
}

/// `value` (the setting `field`) as an http(s) base URL without query or fragment.
pub(crate) fn base_url(provider: &str, field: &str, value: &str) -> Result<Url, CollectorError> {
    let url =
        Url::parse(value.trim()).map_err(|e| config_error(provider, field, format!("{value:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(config_error(provider, field, format!("{value:?} is not an http(s) URL with a host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(config_error(provider, field, format!("{value:?} has a query or fragment")));
    }
    Ok(url)
}

/// `base` with `path` appended to its path.
pub(crate) fn join_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path.trim_start_matches('/'));
    url.set_path(&joined);
    url
}

/// `url` with the query `pairs` (form-encoded, in order).
pub(crate) fn with_query(url: &Url, pairs: &[(&str, &str)]) -> Url {
    let mut url = url.clone();
    url.set_query(None);
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    url
}

/// `pairs` as an `application/x-www-form-urlencoded` body (the encoding of a query, borrowed
/// from the URL the body is sent to).
pub(crate) fn form_body(to: &Url, pairs: &[(&str, &str)]) -> String {
    with_query(to, pairs).query().unwrap_or_default().to_owned()
}

/// `page_size` checked against the API's limits.
pub(crate) fn page_size(provider: &str, value: u32, max: u32) -> Result<u32, CollectorError> {
    if value == 0 || value > max {
        return Err(config_error(provider, "page_size", format!("{value} is not between 1 and {max}")));
    }
    Ok(value)
}

/// `lookback_minutes` as a duration (at least one minute).
pub(crate) fn lookback(provider: &str, minutes: u32) -> Result<Duration, CollectorError> {
    if minutes == 0 {
        return Err(config_error(provider, "lookback_minutes", "must be at least 1"));
    }
    Ok(Duration::minutes(i64::from(minutes)))
}

/// The default `lookback_minutes`: the first run reads the last hour.
pub(crate) const fn default_lookback_minutes() -> u32 {
    60
}

/// The fields every collected event has, besides its time and details.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EventHead<'a> {
    /// `category`.
    pub(crate) category: &'a str,
    /// `source`, also the `processname`.
    pub(crate) source: &'a str,
    /// `tags`.
    pub(crate) tags: &'a [&'a str],
    /// `severity`.
    pub(crate) severity: Severity,
    /// `hostname`.
    pub(crate) hostname: &'a str,
    /// `summary`.
    pub(crate) summary: String,
}

impl EventHead<'_> {
    /// The MozDef event: `utctimestamp` and `timestamp` (the record's `time`), `category`,
    /// `source`, `tags`, `severity`, `hostname`, `processname`, `summary`, `details`.
    pub(crate) fn event(self, time: DateTime<Utc>, details: Map<String, Value>) -> Document {
        let stamp = isoformat(&time);
        let mut event = Document::new();
        event.insert("utctimestamp".into(), json!(stamp));
        event.insert("timestamp".into(), json!(stamp));
        event.insert("category".into(), json!(self.category));
        event.insert("source".into(), json!(self.source));
        event.insert("tags".into(), json!(self.tags));
        event.insert("severity".into(), json!(self.severity.as_str()));
        event.insert("hostname".into(), json!(self.hostname));
        event.insert("processname".into(), json!(self.source));
        event.insert("summary".into(), json!(self.summary));
        event.insert("details".into(), Value::Object(details));
        event
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).single().unwrap()
    }

    #[test]
    fn token_responses_are_read_as_rfc_6749_says() {
        let ok = Bearer::from_token_response(
            "p",
            &json!({"access_token": "abc", "expires_in": 86400, "token_type": "Bearer"}),
            now(),
        )
        .unwrap();
        assert_eq!(ok.token.0, "abc");
        assert_eq!(ok.expires_at, Utc.with_ymd_and_hms(2024, 5, 2, 12, 0, 0).single().unwrap());
        let once = Bearer::from_token_response("p", &json!({"access_token": "abc"}), now()).unwrap();
        assert_eq!(once.expires_at, now());
        for bad in [
            json!({"expires_in": 10}),
            json!({"access_token": "", "expires_in": 10}),
            json!({"access_token": "a", "expires_in": "soon"}),
            json!({"access_token": "a", "token_type": "mac"}),
        ] {
            let err = Bearer::from_token_response("p", &bad, now()).unwrap_err();
            assert!(matches!(err, CollectorError::Response { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn the_token_is_never_shown() {
        let bearer = Bearer { token: Redacted("s3cr3t".into()), expires_at: now() };
        assert!(!format!("{bearer:?}").contains("s3cr3t"));
    }

    #[test]
    fn urls_get_paths_queries_and_form_bodies() {
        let base = base_url("p", "base_url", "https://example.auth0.com/").unwrap();
        let logs = join_path(&base, "/api/v2/logs");
        assert_eq!(logs.as_str(), "https://example.auth0.com/api/v2/logs");
        let url = with_query(&logs, &[("q", "date:[2024-05-01T11:00:00.000Z TO *]"), ("page", "0")]);
        assert_eq!(
            url.as_str(),
            "https://example.auth0.com/api/v2/logs?q=date%3A%5B2024-05-01T11%3A00%3A00.000Z+TO+*%5D&page=0"
        );
        assert_eq!(
            form_body(
                &base,
                &[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", "a.b-c_d")]
            ),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b-c_d"
        );
        for bad in ["ftp://x", "not a url", "https://x/?a=1", "https://x/#f"] {
            let err = base_url("p", "base_url", bad).unwrap_err().to_string();
            assert!(err.contains("p setting base_url"), "{err}");
        }
    }

    #[test]
    fn a_token_endpoints_400_is_a_credentials_error() {
        let refused = token_refusal(CollectorError::Http {
            provider: "p".into(),
            reason: "HTTP 400 Bad Request: {\"error\":\"invalid_grant\"}".into(),
        });
        assert!(matches!(refused, CollectorError::Credentials { .. }), "{refused}");
        let other = token_refusal(CollectorError::Http {
            provider: "p".into(),
            reason: "HTTP 503: down (after 5 attempts)".into(),
        });
        assert!(matches!(other, CollectorError::Http { .. }));
    }
}
