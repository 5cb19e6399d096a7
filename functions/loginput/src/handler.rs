//! The handler: one API Gateway request (payload 2.0, decoded by `lambda_http`) through the
//! loginput router. On a named stage API Gateway puts the stage in the path it passes on
//! (`rawPath` `/prod/events`); MozDef's routes are at the root, so the stage segment is taken
//! off first. The `$default` stage adds nothing.

use std::convert::Infallible;

use axum::Router;
use axum::http::Uri;
use axum::http::uri::PathAndQuery;
use axum::response::Response;
use lambda_http::request::RequestContext;
use tower::ServiceExt;

/// Answers one request with `app`.
pub async fn handle(app: Router, mut request: lambda_http::Request) -> Result<Response, Infallible> {
    let stage = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => context.stage.clone(),
        _ => None,
    };
    if let Some(uri) = stage.and_then(|stage| without_stage(request.uri(), &stage)) {
        *request.uri_mut() = uri;
    }
    app.oneshot(request).await
}

/// `uri` without its leading `/<stage>` segment; `None` when there is none to take off
/// (the `$default` stage, or a path that does not start with the stage).
fn without_stage(uri: &Uri, stage: &str) -> Option<Uri> {
    if stage.is_empty() || stage == "$default" {
        return None;
    }
    let rest = uri.path().strip_prefix('/')?.strip_prefix(stage)?;
    if !rest.is_empty() && !rest.starts_with('/') {
        return None;
    }
    let path = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(uri: &str, stage: &str) -> Option<String> {
        let uri: Uri = uri.parse().ok()?;
        without_stage(&uri, stage).map(|u| u.to_string())
    }

    #[test]
    fn only_a_whole_leading_stage_segment_is_taken_off() {
        let host = "https://abc.execute-api.eu-west-1.amazonaws.com";
        assert_eq!(strip(&format!("{host}/prod/events"), "prod"), Some(format!("{host}/events")));
        assert_eq!(strip(&format!("{host}/prod/custom/app?x=1"), "prod"), Some(format!("{host}/custom/app?x=1")));
        assert_eq!(strip(&format!("{host}/prod"), "prod"), Some(format!("{host}/")));
        assert_eq!(strip("/prod/_bulk", "prod"), Some("/_bulk".into()));
        assert_eq!(strip(&format!("{host}/production/events"), "prod"), None);
        assert_eq!(strip(&format!("{host}/events"), "prod"), None);
        assert_eq!(strip(&format!("{host}/events"), "$default"), None);
        assert_eq!(strip(&format!("{host}/events"), ""), None);
    }
}
