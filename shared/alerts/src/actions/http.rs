//! The HTTP side of the actions: one reqwest client (rustls with ring, timeouts) and the
//! reading of a response as success, a transient failure or a permanent one.

use std::time::Duration;

use reqwest::{Client, RequestBuilder, StatusCode};

use super::ActionError;

/// How much of an error response's body an error message keeps.
const BODY_EXCERPT_CHARS: usize = 500;

/// An HTTP client for the actions: `timeout` for a whole request, `connect_timeout` to connect.
pub(super) fn client(timeout: Duration, connect_timeout: Duration) -> Result<Client, String> {
    // reqwest is built without a default crypto provider: install ring, once per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(timeout)
        .connect_timeout(connect_timeout)
        .user_agent(concat!("mozdef-alerts/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// Sends `request` for `action`; a 2xx answer is success.
pub(super) async fn send(action: &str, request: RequestBuilder) -> Result<(), ActionError> {
    let response = request.send().await.map_err(|e| request_error(action, &e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body = response.text().await.unwrap_or_default();
    let excerpt: String = body.chars().take(BODY_EXCERPT_CHARS).collect();
    let message = format!("HTTP {status}: {excerpt}");
    if is_transient_status(status) {
        Err(ActionError::Transient { action: action.to_owned(), message })
    } else {
        Err(ActionError::Permanent { action: action.to_owned(), message })
    }
}

/// 408, 429 and 5xx may pass on another try; every other status will not.
fn is_transient_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// A request that got no answer: a malformed request is permanent, anything on the way
/// (connect, timeout, a broken connection) transient.
fn request_error(action: &str, error: &reqwest::Error) -> ActionError {
    let message = mozdef_model::error_chain(error);
    if error.is_builder() {
        ActionError::Permanent { action: action.to_owned(), message }
    } else {
        ActionError::Transient { action: action.to_owned(), message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        for transient in [408, 429, 500, 502, 503, 504] {
            assert!(is_transient_status(StatusCode::from_u16(transient).unwrap()), "{transient}");
        }
        for permanent in [300, 400, 401, 403, 404, 410, 422] {
            assert!(!is_transient_status(StatusCode::from_u16(permanent).unwrap()), "{permanent}");
        }
    }
}
