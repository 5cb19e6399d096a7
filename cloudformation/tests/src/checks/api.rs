//! The HTTP API: every route to the REST API function is under `/api` behind a JWT authorizer
//! (issuer and audience set), MozDef's loginput paths reach loginput with and without a
//! trailing slash, API Gateway may invoke both functions, and the stage throttles and logs.

use serde_json::Value;

use super::roles::is_get_att;
use crate::expectations::{API_FUNCTION, LOGINPUT_FUNCTION, LOGINPUT_PATHS};
use crate::template::{Findings, Template, named_resource, sub_variables};

/// The function an integration invokes.
fn integrated_function<'a>(template: &'a Template, integration: &str) -> Option<&'a str> {
    let uri = template.resource(integration).and_then(|i| Template::property(i, "IntegrationUri"))?;
    named_resource(uri).filter(|_| uri.get("Fn::GetAtt").is_some())
}

/// The integration a route targets (`integrations/${Integration}`).
fn target_integration(route: &Value) -> Option<String> {
    let target = Template::property(route, "Target")?;
    let text = target.get("Fn::Sub").and_then(Value::as_str)?;
    let rest = text.strip_prefix("integrations/")?;
    let variables = sub_variables(rest);
    (variables.len() == 1 && rest == format!("${{{}}}", variables[0])).then(|| variables[0].clone())
}

/// The checks of the HTTP API.
pub fn api_routes(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("api-routes");
    let mut loginput_keys = Vec::new();
    for (id, route) in template.of_type("AWS::ApiGatewayV2::Route") {
        let key = Template::property(route, "RouteKey").and_then(Value::as_str).unwrap_or_default();
        let path = key.split_once(' ').map_or(key, |(_, path)| path);
        let function = target_integration(route).and_then(|i| integrated_function(template, &i).map(str::to_owned));
        let under_api = path == "/api" || path.starts_with("/api/");
        if under_api || function.as_deref() == Some(API_FUNCTION) {
            if !under_api {
                findings.add(id, format!("{key} reaches the REST API outside /api"));
            }
            let jwt = Template::property(route, "AuthorizationType").and_then(Value::as_str) == Some("JWT");
            let authorizer = Template::property(route, "AuthorizerId").and_then(named_resource);
            let authorizer_is_jwt = authorizer.and_then(|a| template.resource(a)).is_some_and(|a| {
                let configuration = Template::property(a, "JwtConfiguration");
                Template::property(a, "AuthorizerType").and_then(Value::as_str) == Some("JWT")
                    && configuration.and_then(|c| c.get("Issuer")).is_some()
                    && configuration.and_then(|c| c.get("Audience")).is_some()
            });
            if !jwt || !authorizer_is_jwt {
                findings.add(id, format!("{key} is not behind a JWT authorizer with an issuer and an audience"));
            }
        }
        match function.as_deref() {
            Some(LOGINPUT_FUNCTION) => loginput_keys.push(key.to_owned()),
            Some(_) => {}
            None => findings.add(id, "Target is not integrations/${<integration of a function of this template>}"),
        }
    }
    for path in LOGINPUT_PATHS {
        for wanted in [path.to_owned(), format!("{path}/")] {
            let routed = loginput_keys.iter().any(|key| {
                let (method, routed_path) = key.split_once(' ').unwrap_or(("", key));
                method == "ANY" && matches(routed_path, &wanted)
            });
            if !routed {
                findings.add("HttpApi", format!("no ANY route takes {wanted} to loginput"));
            }
        }
    }
    for function in [LOGINPUT_FUNCTION, API_FUNCTION] {
        let invokable = template.of_type("AWS::Lambda::Permission").any(|(_, permission)| {
            let property = |name| Template::property(permission, name);
            property("Principal").and_then(Value::as_str) == Some("apigateway.amazonaws.com")
                && property("FunctionName").and_then(named_resource) == Some(function)
                && property("SourceArn").is_some()
        });
        if !invokable {
            findings.add(function, "no permission for API Gateway (with a SourceArn) to invoke it");
        }
    }
    for (id, stage) in template.of_type("AWS::ApiGatewayV2::Stage") {
        let settings = Template::property(stage, "DefaultRouteSettings");
        if settings.and_then(|s| s.get("ThrottlingRateLimit")).is_none()
            || settings.and_then(|s| s.get("ThrottlingBurstLimit")).is_none()
        {
            findings.add(id, "no throttling (DefaultRouteSettings.ThrottlingRateLimit and ThrottlingBurstLimit)");
        }
        let logs = Template::property(stage, "AccessLogSettings").and_then(|a| a.get("DestinationArn"));
        let to_log_group = logs.and_then(named_resource).filter(|g| template.type_of(g) == Some("AWS::Logs::LogGroup"));
        if !to_log_group.is_some_and(|g| logs.is_some_and(|l| is_get_att(l, g, "Arn"))) {
            findings.add(id, "no access logs to a log group of the template");
        }
    }
    findings.into_vec()
}

/// Whether the route path `route` (with `{var}` and a final `{var+}`) matches `path`, where a
/// path segment `{app}` in `path` stands for any value.
fn matches(route: &str, path: &str) -> bool {
    let route: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let variable = |s: &str| s.starts_with('{') && s.ends_with('}');
    for (i, segment) in route.iter().enumerate() {
        if segment.ends_with("+}") {
            // Greedy: the rest of the path, possibly empty after a trailing slash.
            return path.len() > i;
        }
        let Some(wanted) = path.get(i) else { return false };
        if !(segment == wanted || (variable(segment) && !wanted.is_empty())) {
            return false;
        }
    }
    route.len() == path.len()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn route_paths_match_like_api_gateway() {
        assert!(matches("/events", "/events"));
        assert!(!matches("/events", "/events/"));
        assert!(matches("/events/{rest+}", "/events/"));
        assert!(!matches("/events/{rest+}", "/events"));
        assert!(matches("/custom/{app}", "/custom/{app}"));
        assert!(matches("/custom/{app}/{rest+}", "/custom/{app}/"));
        assert!(!matches("/custom/{app}", "/custom/"));
        assert!(!matches("/cef", "/events"));
    }
}
