//! The collectors' one HTTP client: every provider's request goes through [`Http::send`], which
//! retries what may pass (network failures, 429, 5xx) with exponential backoff, waiting at
//! least what the provider asked for (`Retry-After` in seconds or as an HTTP date, Okta's
//! `X-Rate-Limit-Reset` epoch seconds when its `X-Rate-Limit-Remaining` is 0), and sorts the
//! rest: 401/403 are [`CollectorError::Credentials`], any other status an
//! [`CollectorError::Http`] naming it with the start of the body.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::Value;

use crate::CollectorError;

/// How requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (the first included).
    pub attempts: u32,
    /// The first backoff; doubled at each retry.
    pub base: Duration,
    /// The longest single wait, whatever the provider asks (a longer `Retry-After` fails the
    /// run instead: the next scheduled run picks up from the cursor).
    pub max_wait: Duration,
    /// The time limit of one request.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

/// The HTTP client of the collectors.
#[derive(Debug, Clone)]
pub struct Http {
    client: Client,
    retry: RetryPolicy,
}

/// The most of an error body quoted in a message.
const BODY_EXCERPT: usize = 300;

impl Http {
    /// A client with the default [`RetryPolicy`] (rustls with ring, HTTP/1.1 and 2).
    ///
    /// # Errors
    ///
    /// When the TLS client cannot be built.
    pub fn new() -> Result<Self, CollectorError> {
        Self::with_retry(RetryPolicy::default())
    }

    /// A client retrying by `retry`.
    ///
    /// # Errors
    ///
    /// When the TLS client cannot be built.
    pub fn with_retry(retry: RetryPolicy) -> Result<Self, CollectorError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::builder()
            .timeout(retry.timeout)
            .user_agent(concat!("mozdef-collectors/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CollectorError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Http { client, retry })
    }

    /// The retry policy.
    pub fn retry(&self) -> RetryPolicy {
        self.retry
    }

    /// Sends the request `build` makes (built again for each attempt) and returns the 2xx
    /// response, retrying network failures, 429 and 5xx.
    ///
    /// # Errors
    ///
    /// [`CollectorError::Credentials`] for 401 and 403; [`CollectorError::Http`] for any
    /// other non-2xx status, or when the retries are spent (naming the last failure).
    pub async fn send(
        &self,
        provider: &str,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<Response, CollectorError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.attempts;
            let backoff = self.retry.base.saturating_mul(1 << (attempt - 1).min(16));
            let (reason, wait) = match build(&self.client).send().await {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status();
                    let asked = asked_wait(response.headers(), Utc::now());
                    let body = excerpt(response.text().await.unwrap_or_default());
                    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                        return Err(CollectorError::Credentials {
                            provider: provider.to_owned(),
                            reason: format!("HTTP {status}: {body}"),
                        });
                    }
                    if status != StatusCode::TOO_MANY_REQUESTS && !status.is_server_error() {
                        return Err(CollectorError::Http {
                            provider: provider.to_owned(),
                            reason: format!("HTTP {status}: {body}"),
                        });
                    }
                    (format!("HTTP {status}: {body}"), asked.map_or(backoff, |asked| asked.max(backoff.min(asked))))
                }
                Err(e) => (format!("request failed: {}", error_chain(&e)), backoff),
            };
            if last {
                return Err(CollectorError::Http {
                    provider: provider.to_owned(),
                    reason: format!("{reason} (after {attempt} attempts)"),
                });
            }
            if wait > self.retry.max_wait {
                return Err(CollectorError::Http {
                    provider: provider.to_owned(),
                    reason: format!(
                        "{reason}; asked to wait {}s, longer than {}s",
                        wait.as_secs(),
                        self.retry.max_wait.as_secs()
                    ),
                });
            }
            tracing::warn!(
                provider,
                attempt,
                wait_ms = wait.as_millis() as u64,
                reason,
                "collector request will be retried"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// [`Http::send`], the body read as JSON, with the response headers.
    ///
    /// # Errors
    ///
    /// [`Http::send`]'s, and [`CollectorError::Response`] when the body is not JSON.
    pub async fn json(
        &self,
        provider: &str,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<(Value, HeaderMap), CollectorError> {
        let response = self.send(provider, build).await?;
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| CollectorError::Http {
            provider: provider.to_owned(),
            reason: format!("reading the response failed: {}", error_chain(&e)),
        })?;
        let value = serde_json::from_slice(&bytes).map_err(|e| CollectorError::Response {
            provider: provider.to_owned(),
            reason: format!("not JSON ({e}): {}", excerpt(String::from_utf8_lossy(&bytes).into_owned())),
        })?;
        Ok((value, headers))
    }
}

/// How long the provider asked to wait: `Retry-After` (seconds or an HTTP date), else Okta's
/// `X-Rate-Limit-Reset` (epoch seconds) when `X-Rate-Limit-Remaining` is 0.
pub fn asked_wait(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(value) = header("retry-after") {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(at) = DateTime::parse_from_rfc2822(value) {
            return Some((at.with_timezone(&Utc) - now).to_std().unwrap_or(Duration::ZERO));
        }
    }
    if header("x-rate-limit-remaining") == Some("0")
        && let Some(reset) = header("x-rate-limit-reset").and_then(|v| v.parse::<i64>().ok())
        && let Some(at) = DateTime::from_timestamp(reset, 0)
    {
        return Some((at - now).to_std().unwrap_or(Duration::ZERO));
    }
    None
}

/// The start of a body, for messages.
fn excerpt(body: String) -> String {
    if body.len() <= BODY_EXCERPT {
        return body;
    }
    let mut end = BODY_EXCERPT;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &body[..end])
}

/// An error and its causes, joined.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_in_seconds_dates_and_okta_resets() {
        let now = DateTime::from_timestamp(1_765_000_000, 0).unwrap_or_default();
        let mut headers = HeaderMap::new();
        assert_eq!(asked_wait(&headers, now), None);
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(asked_wait(&headers, now), Some(Duration::from_secs(7)));
        let date = (now + chrono::Duration::seconds(30)).to_rfc2822();
        headers.insert("retry-after", HeaderValue::from_str(&date).unwrap_or(HeaderValue::from_static("x")));
        assert_eq!(asked_wait(&headers, now), Some(Duration::from_secs(30)));
        let mut okta = HeaderMap::new();
        okta.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
        okta.insert("x-rate-limit-reset", HeaderValue::from_static("1765000012"));
        assert_eq!(asked_wait(&okta, now), Some(Duration::from_secs(12)));
        okta.insert("x-rate-limit-remaining", HeaderValue::from_static("3"));
        assert_eq!(asked_wait(&okta, now), None);
    }
}
