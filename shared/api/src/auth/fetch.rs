//! Fetching the issuer's JSON documents: one reqwest client (rustls with ring, a timeout, no
//! redirects) and a size-capped GET.

use std::time::Duration;

use reqwest::Client;
use reqwest::header::ACCEPT;
use serde_json::Value;

use super::AuthError;

/// The largest discovery document or JWKS read, in bytes.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// An HTTP client for the issuer: `timeout` to connect and for a whole request.
pub(super) fn client(timeout: Duration) -> Result<Client, AuthError> {
    // reqwest is built without a default crypto provider: install ring, once per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("mozdef-api/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AuthError::Config(format!("cannot build the HTTP client: {}", mozdef_model::error_chain(&e))))
}

/// The JSON document at `url` (`what` names it in errors); any failure to get one is
/// [`AuthError::Unavailable`] naming the URL.
pub(super) async fn get_json(client: &Client, what: &str, url: &str) -> Result<Value, AuthError> {
    let unavailable = |problem: String| AuthError::Unavailable(format!("{what} at {url}: {problem}"));
    let mut response = client
        .get(url)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| unavailable(mozdef_model::error_chain(&e.without_url())))?;
    let status = response.status();
    if !status.is_success() {
        return Err(unavailable(format!("HTTP {status}")));
    }
    if response.content_length().is_some_and(|len| len > MAX_DOCUMENT_BYTES as u64) {
        return Err(unavailable(format!("larger than {MAX_DOCUMENT_BYTES} bytes")));
    }
    let mut body = Vec::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|e| unavailable(mozdef_model::error_chain(&e.without_url())))?
    {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(unavailable(format!("larger than {MAX_DOCUMENT_BYTES} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| unavailable(format!("not JSON: {e}")))
}
