//! The axum middleware that authenticates each request and puts the caller's [`Identity`] in
//! its extensions.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::verifier::MAX_TOKEN_BYTES;
use super::{AuthError, Identity, OidcVerifier};
use crate::ApiError;

/// How the API authenticates callers.
#[derive(Debug, Clone)]
pub enum Authentication {
    /// No authentication: every caller is `Identity { email: "anonymous@localhost", role:
    /// Admin }`. `mozdef dev` uses it only on a loopback listener.
    Open,
    /// Bearer tokens verified by the verifier.
    Oidc(Arc<OidcVerifier>),
}

/// axum middleware (`axum::middleware::from_fn_with_state(authentication, authenticate)`):
/// reads `Authorization: Bearer <token>` (the scheme in any case; missing, malformed or longer
/// than 16 KiB: 401), verifies the token, puts the caller's [`Identity`] in the request's
/// extensions and runs the request. A refused token is answered as its
/// [`AuthError`] maps into an [`ApiError`] (401, 403 or 503); the token is never logged.
pub async fn authenticate(State(auth): State<Authentication>, mut request: Request, next: Next) -> Response {
    let identity = match &auth {
        Authentication::Open => Identity::anonymous(),
        Authentication::Oidc(verifier) => {
            let verified = match bearer_token(request.headers()) {
                Ok(token) => verifier.verify(token).await,
                Err(error) => Err(error),
            };
            match verified {
                Ok(identity) => identity,
                Err(error) => {
                    log_refusal(&request, &error);
                    return ApiError::from(error).into_response();
                }
            }
        }
    };
    request.extensions_mut().insert(identity);
    next.run(request).await
}

/// The token of the request's one `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(AuthError::MissingToken);
    };
    if values.next().is_some() {
        return Err(AuthError::MalformedAuthorization);
    }
    let value = value.to_str().map_err(|_| AuthError::MalformedAuthorization)?.trim();
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::MalformedAuthorization)?;
    let token = token.trim_start();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(AuthError::MalformedAuthorization);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(AuthError::TokenTooLong { limit: MAX_TOKEN_BYTES });
    }
    Ok(token)
}

/// Logs a refusal with its reason, at warn when it looks like an attack or an outage.
fn log_refusal(request: &Request, error: &AuthError) {
    let method = request.method().as_str();
    let path = request.uri().path();
    if error.is_notable() {
        tracing::warn!(method, path, reason = error.kind(), %error, "bearer token refused");
    } else {
        tracing::debug!(method, path, reason = error.kind(), %error, "bearer token refused");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            if let Ok(value) = HeaderValue::from_bytes(value) {
                headers.append(AUTHORIZATION, value);
            }
        }
        headers
    }

    #[test]
    fn bearer_tokens_are_read_and_everything_else_refused() {
        assert_eq!(bearer_token(&headers(&[b"Bearer a.b.c"])), Ok("a.b.c"));
        assert_eq!(bearer_token(&headers(&[b"bEARER   a.b.c "])), Ok("a.b.c"));
        assert_eq!(bearer_token(&headers(&[])), Err(AuthError::MissingToken));
        for bad in [&b"Basic dXNlcjpwdw=="[..], b"Bearer", b"Bearer ", b"a.b.c", b"Bearer a b", b"Bearer \xff"] {
            assert_eq!(bearer_token(&headers(&[bad])), Err(AuthError::MalformedAuthorization), "{bad:?}");
        }
        assert_eq!(bearer_token(&headers(&[b"Bearer a", b"Bearer b"])), Err(AuthError::MalformedAuthorization));
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_BYTES + 1));
        assert_eq!(bearer_token(&headers(&[long.as_bytes()])), Err(AuthError::TokenTooLong { limit: MAX_TOKEN_BYTES }));
    }
}
