//! Shipper authentication for loginput: with a [`ShipperAuth`], every event route
//! (`/events`, `/nxlog`, `/cef`, `/custom/<app>`, `/_bulk`) needs `Authorization: Bearer
//! <secret>` of an active shipper token; `/status` and `/test` stay open (health checks).
//!
//! A missing, malformed, unknown or revoked token gets a 401 with `WWW-Authenticate: Bearer`
//! and a JSON `{"error": "..."}` before the body is read, so nothing is queued; unknown and
//! revoked tokens get the same answer, which says nothing about which tokens exist. When the
//! token store cannot answer, the request gets a 503 (the shipper retries), never a 401. An
//! accepted request carries the shipper's name as a [`Shipper`] request extension and runs in
//! a `shipper` span, so what loginput logs about it names the shipper; the secret is never
//! logged.

use std::sync::Arc;

use async_trait::async_trait;
use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use mozdef_service::shipper_tokens::Verification;
use mozdef_service::{ShipperTokens, TokenError};
use serde_json::json;
use tracing::Instrument;

use crate::ApiError;

/// Checks the secret a shipper presents.
#[async_trait]
pub trait ShipperAuth: Send + Sync + std::fmt::Debug {
    /// What `secret` is; an `Err` when the token store cannot answer.
    async fn verify(&self, secret: &str) -> Result<Verification, TokenError>;
}

#[async_trait]
impl ShipperAuth for ShipperTokens {
    async fn verify(&self, secret: &str) -> Result<Verification, TokenError> {
        ShipperTokens::verify(self, secret).await
    }
}

/// The shipper an authenticated request came from (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipper(pub String);

/// `routes` with the shipper check in front of each of them.
pub fn require_shipper_token<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    auth: Arc<dyn ShipperAuth>,
) -> Router<S> {
    routes.route_layer(from_fn_with_state(auth, check))
}

/// The same answer for an unknown and a revoked token.
const INVALID: &str = "invalid or revoked shipper token";

fn unauthorized(message: &str) -> Response {
    let challenge = [(WWW_AUTHENTICATE, "Bearer realm=\"mozdef-loginput\"")];
    (StatusCode::UNAUTHORIZED, challenge, Json(json!({"error": message}))).into_response()
}

/// The secret of an `Authorization: Bearer <secret>` header, or why there is none.
fn bearer(headers: &HeaderMap) -> Result<&str, &'static str> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err("missing shipper token: send it as \"Authorization: Bearer <token>\"");
    };
    let malformed = "malformed Authorization header: expected \"Bearer <token>\"";
    let value = value.to_str().map_err(|_| malformed)?.trim();
    let (scheme, secret) = value.split_once(' ').ok_or(malformed)?;
    let secret = secret.trim_start();
    if !scheme.eq_ignore_ascii_case("bearer") || secret.is_empty() {
        return Err(malformed);
    }
    Ok(secret)
}

async fn check(State(auth): State<Arc<dyn ShipperAuth>>, mut request: Request, next: Next) -> Response {
    let secret = match bearer(request.headers()) {
        Ok(secret) => secret,
        Err(refusal) => {
            tracing::debug!(path = request.uri().path(), reason = refusal, "shipper refused");
            return unauthorized(refusal);
        }
    };
    match auth.verify(secret).await {
        Ok(Verification::Valid(name)) => {
            let span = tracing::info_span!("shipper", shipper = %name);
            request.extensions_mut().insert(Shipper(name));
            next.run(request).instrument(span).await
        }
        Ok(Verification::Revoked(name)) => {
            tracing::warn!(shipper = %name, path = request.uri().path(), "revoked shipper token refused");
            unauthorized(INVALID)
        }
        Ok(Verification::Unknown) => {
            tracing::debug!(path = request.uri().path(), "unknown shipper token refused");
            unauthorized(INVALID)
        }
        Ok(Verification::Malformed) => {
            tracing::debug!(path = request.uri().path(), "malformed shipper token refused");
            unauthorized("malformed shipper token")
        }
        Err(error) => {
            tracing::error!(%error, retryable = error.is_retryable(), "cannot check shipper token");
            ApiError::Unavailable("cannot check the shipper token now".into()).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: Option<&[u8]>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = value.and_then(|v| HeaderValue::from_bytes(v).ok()) {
            headers.insert(AUTHORIZATION, value);
        }
        headers
    }

    #[test]
    fn bearer_secrets_are_read_and_everything_else_refused() {
        assert_eq!(bearer(&headers(Some(b"Bearer mzd_x"))), Ok("mzd_x"));
        assert_eq!(bearer(&headers(Some(b"bearer   mzd_x "))), Ok("mzd_x"));
        assert!(bearer(&headers(None)).is_err_and(|e| e.starts_with("missing shipper token")));
        for bad in [&b"Basic dXNlcjpwdw=="[..], b"Bearer", b"Bearer ", b"mzd_x", b"Token mzd_x", b"Bearer \xff"] {
            let headers = headers(Some(bad));
            let refusal = bearer(&headers);
            assert!(refusal.is_err_and(|e| e.starts_with("malformed")), "{bad:?}: {refusal:?}");
        }
    }
}
