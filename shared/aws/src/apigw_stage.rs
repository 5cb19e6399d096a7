//! API Gateway HTTP APIs (payload 2.0) on a named stage put the stage in the path they pass on
//! (`rawPath` `/prod/events`); MozDef's routes are at the root, so the loginput and api
//! functions take the stage's segment off before routing. The `$default` stage adds nothing.

use lambda_http::http::Uri;
use lambda_http::http::uri::PathAndQuery;
use lambda_http::request::RequestContext;

/// Takes the request's named stage, if any, off the front of its path.
pub fn strip_stage(request: &mut lambda_http::Request) {
    let stage = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => context.stage.clone(),
        _ => None,
    };
    if let Some(uri) = stage.and_then(|stage| without_stage(request.uri(), &stage)) {
        *request.uri_mut() = uri;
    }
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
