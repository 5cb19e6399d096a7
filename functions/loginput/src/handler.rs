//! The handler: one API Gateway request (payload 2.0, decoded by `lambda_http`) through the
//! loginput router, a named stage's segment taken off its path first
//! ([`mozdef_aws::apigw_stage`]).

use std::convert::Infallible;

use axum::Router;
use axum::response::Response;
use tower::ServiceExt;

/// Answers one request with `app`.
pub async fn handle(app: Router, mut request: lambda_http::Request) -> Result<Response, Infallible> {
    mozdef_aws::apigw_stage::strip_stage(&mut request);
    app.oneshot(request).await
}
