//! The function's HTTP application: MozDef's REST router (the one `mozdef dev` serves under
//! `/api`) behind the claims check. `lambda_http` turns each API Gateway payload (2.0) into a
//! request for it and its answer into the payload's response; a named stage's segment is taken
//! off the path first ([`mozdef_aws::apigw_stage`]).

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::response::Response;
use mozdef_api::ApiState;
use tower::ServiceExt;

use crate::claims::{RequiredClaims, require};

/// Answers one request with `app` (from [`app`]).
pub async fn handle(app: Router, mut request: lambda_http::Request) -> Result<Response, Infallible> {
    mozdef_aws::apigw_stage::strip_stage(&mut request);
    app.oneshot(request).await
}

/// The REST router over `state`, every route behind `claims`.
pub fn app(state: ApiState, claims: RequiredClaims) -> Router {
    mozdef_api::api_router(state).layer(axum::middleware::from_fn_with_state(Arc::new(claims), require))
}
