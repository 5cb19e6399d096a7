//! The claims check behind API Gateway's JWT authorizer. The authorizer has verified the
//! token's signature; the function still checks the claims it relies on, from the payload's
//! `requestContext.authorizer.jwt.claims`, so that a route left without the authorizer (or an
//! authorizer for another issuer or audience) does not open the API: the issuer (`iss`) must
//! be the configured one, the audience (`aud`, or `client_id` when a token has no `aud`, as
//! API Gateway itself accepts for access tokens) must contain the configured one, and `exp`
//! must lie in the future. Anything else is a 401 naming the problem.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lambda_http::request::RequestContext;
use mozdef_model::Clock;
use serde_json::json;

/// The claims every request must carry.
#[derive(Debug, Clone)]
pub struct RequiredClaims {
    issuer: String,
    audience: String,
    clock: Arc<dyn Clock>,
}

impl RequiredClaims {
    /// Tokens from `issuer` for `audience`, unexpired by `clock`.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        RequiredClaims { issuer: issuer.into(), audience: audience.into(), clock }
    }

    /// Checks the authorizer's claims (`None`: the request came without them); the error
    /// names the problem.
    pub fn check(&self, claims: Option<&HashMap<String, String>>) -> Result<(), String> {
        let claims = claims.ok_or("no JWT claims from the authorizer")?;
        let claim = |name: &str| claims.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let issuer = claim("iss").ok_or("the token has no issuer (iss)")?;
        if issuer != self.issuer {
            return Err(format!("issuer {issuer:?} is not the expected one"));
        }
        let (name, audiences) = match claim("aud") {
            Some(aud) => ("aud", aud),
            None => ("client_id", claim("client_id").ok_or("the token has no audience (aud or client_id)")?),
        };
        if !claim_values(audiences).contains(&self.audience) {
            return Err(format!("audience ({name}) {audiences:?} does not contain the expected one"));
        }
        let exp = claim("exp").ok_or("the token has no expiry (exp)")?;
        let expires = exp.parse::<f64>().map_err(|_| format!("expiry (exp) {exp:?} is not a number of seconds"))?;
        let now = self.clock.now().timestamp() as f64;
        if expires <= now {
            return Err(format!("the token expired at {exp}"));
        }
        Ok(())
    }
}

/// The values of a claim as API Gateway passes it: one value, or a list rendered as
/// `[a b c]` (or as a JSON array).
fn claim_values(text: &str) -> Vec<String> {
    if let Ok(items) = serde_json::from_str::<Vec<String>>(text) {
        return items;
    }
    match text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(list) => list.split_whitespace().map(str::to_owned).collect(),
        None => vec![text.to_owned()],
    }
}

/// The middleware: requests whose claims pass go on, the others get a 401.
pub async fn require(State(required): State<Arc<RequiredClaims>>, request: Request, next: Next) -> Response {
    let claims = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            context.authorizer.as_ref().and_then(|a| a.jwt.as_ref()).map(|jwt| &jwt.claims)
        }
        _ => None,
    };
    match required.check(claims) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(path = %request.uri().path(), %reason, "request refused: claims");
            let mut response =
                (StatusCode::UNAUTHORIZED, Json(json!({"error": format!("unauthorized: {reason}")}))).into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_claims_in_either_rendering() {
        assert_eq!(claim_values("mozdef"), vec!["mozdef"]);
        assert_eq!(claim_values("[other mozdef]"), vec!["other", "mozdef"]);
        assert_eq!(claim_values(r#"["other","mozdef"]"#), vec!["other", "mozdef"]);
    }
}
