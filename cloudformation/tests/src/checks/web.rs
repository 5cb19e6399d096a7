//! The web UI: a private bucket that only its CloudFront distribution reads (origin access
//! control, no public access), security headers with a strict content security policy on every
//! response, the single-page app's deep links (403 and 404 answered with `/index.html`), the
//! sign-in client the UI and the API share, CORS on the HTTP API for the UI's origin, and the
//! maintenance function's custom resource writing `/config.json` with no more than it needs.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::roles::is_get_att;
use crate::expectations::{
    API_FUNCTION, API_METHODS, CACHING_DISABLED, CACHING_OPTIMIZED, WEB_BUCKET, WEB_CALLBACK_PATH, WEB_CONFIG_KEY,
    WEB_CONFIG_TYPE, WEB_DISTRIBUTION, WEB_UNCACHED_PATHS,
};
use crate::policy::{role_documents, statements};
use crate::template::{Findings, Template, alternatives, named_resource, strings};

/// The CloudFront service principal.
const CLOUDFRONT: &str = "cloudfront.amazonaws.com";

/// Two years, the HSTS lifetime asked of the UI's responses.
const HSTS_SECONDS: i64 = 63_072_000;

/// The REST API's origin as the template writes it.
const API_ORIGIN: &str = "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}";

/// The most renderings of one value looked at (two-way `Fn::If`s multiply).
const MAX_RENDERINGS: usize = 256;

/// The web bucket: its ownership and versioning (the `buckets` check sees to encryption, the
/// public access blocks, TLS and lifecycle), and a bucket policy whose only grant is
/// `s3:GetObject` on its objects to CloudFront, for this template's distribution alone.
pub fn bucket(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("web-bucket");
    let Some(bucket) =
        template.resource(WEB_BUCKET).filter(|_| template.type_of(WEB_BUCKET) == Some("AWS::S3::Bucket"))
    else {
        findings.add(WEB_BUCKET, "missing: the web UI's files need a bucket");
        return findings.into_vec();
    };
    let property = |name| Template::property(bucket, name);
    let ownership = property("OwnershipControls")
        .and_then(|o| o.get("Rules"))
        .and_then(Value::as_array)
        .is_some_and(|rules| rules.iter().any(|r| r.get("ObjectOwnership") == Some(&json!("BucketOwnerEnforced"))));
    if !ownership {
        findings.add(WEB_BUCKET, "OwnershipControls is not BucketOwnerEnforced (ACLs must stay off)");
    }
    if property("VersioningConfiguration").and_then(|v| v.get("Status")) != Some(&json!("Enabled")) {
        findings.add(WEB_BUCKET, "versioning is not enabled");
    }
    let objects = json!({"Fn::Sub": format!("${{{WEB_BUCKET}.Arn}}/*")});
    let mut cloudfront_reads = false;
    for (id, policy) in template.of_type("AWS::S3::BucketPolicy") {
        if Template::property(policy, "Bucket").and_then(named_resource) != Some(WEB_BUCKET) {
            continue;
        }
        let document = Template::property(policy, "PolicyDocument").unwrap_or(&Value::Null);
        for statement in statements(document).into_iter().filter(|s| s.allows()) {
            let principal = statement.value.get("Principal");
            if principal != Some(&json!({"Service": CLOUDFRONT})) {
                findings
                    .add(id, format!("grants {} access: only CloudFront may read the UI's files", shown(principal)));
                continue;
            }
            if statement.actions() != ["s3:GetObject"] {
                findings.add(id, format!("grants CloudFront {:?}: it needs s3:GetObject only", statement.actions()));
            }
            if statement.resources().iter().any(|r| **r != objects) {
                findings.add(
                    id,
                    format!("grants CloudFront more than the objects of {WEB_BUCKET} (${{{WEB_BUCKET}.Arn}}/*)"),
                );
            }
            let source = statement.value.get("Condition").and_then(|c| c.get("StringEquals")).and_then(|s| {
                s.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case("AWS:SourceArn")).map(|(_, v)| v)
            });
            let for_distribution = source.is_some_and(|arn| {
                let text = arn.get("Fn::Sub").and_then(Value::as_str).unwrap_or_default();
                text.contains(":cloudfront::") && text.ends_with(&format!(":distribution/${{{WEB_DISTRIBUTION}}}"))
            });
            if !for_distribution {
                findings.add(
                    id,
                    format!(
                        "grants CloudFront without the condition AWS:SourceArn = {WEB_DISTRIBUTION}'s ARN: any distribution could read the bucket"
                    ),
                );
            } else {
                cloudfront_reads = true;
            }
        }
    }
    if !cloudfront_reads {
        findings.add(WEB_BUCKET, format!("no bucket policy lets {WEB_DISTRIBUTION} read it (origin access control)"));
    }
    findings.into_vec()
}

/// The web distribution: every origin is the web bucket reached through an origin access
/// control (SigV4, always signing; no legacy origin access identity), HTTPS for viewers, HTTP/2
/// and 3, the template's response headers policy on every behaviour, hashed assets cached
/// (`Managed-CachingOptimized`) and `/config.json` and `/index.html` never
/// (`Managed-CachingDisabled`), `index.html` for `/` and for the 403 and 404 of deep links
/// (answered 200), TLS 1.2 with a certificate of one's own.
pub fn distribution(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("web-distribution");
    let id = WEB_DISTRIBUTION;
    let Some(config) = template
        .resource(id)
        .filter(|_| template.type_of(id) == Some("AWS::CloudFront::Distribution"))
        .and_then(|d| Template::property(d, "DistributionConfig"))
    else {
        findings.add(id, "missing: the web UI needs a CloudFront distribution");
        return findings.into_vec();
    };
    let origins = config.get("Origins").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if origins.is_empty() {
        findings.add(id, "no origin");
    }
    for origin in origins {
        let name = origin.get("Id").and_then(Value::as_str).unwrap_or("?");
        if !origin.get("DomainName").is_some_and(|d| is_get_att(d, WEB_BUCKET, "RegionalDomainName")) {
            findings.add(id, format!("origin {name} is not {WEB_BUCKET}'s regional domain name"));
        }
        let oai = origin.get("S3OriginConfig").and_then(|s| s.get("OriginAccessIdentity"));
        if oai.is_some_and(|o| o != "") {
            findings.add(id, format!("origin {name} uses a legacy origin access identity"));
        }
        let control =
            origin.get("OriginAccessControlId").filter(|c| c.get("Fn::GetAtt").is_some()).and_then(named_resource);
        let signed =
            control.and_then(|c| template.resource(c)).and_then(|c| Template::property(c, "OriginAccessControlConfig"));
        let signs_always = signed.is_some_and(|c| {
            c.get("OriginAccessControlOriginType") == Some(&json!("s3"))
                && c.get("SigningBehavior") == Some(&json!("always"))
                && c.get("SigningProtocol") == Some(&json!("sigv4"))
        });
        if !signs_always {
            findings.add(
                id,
                format!(
                    "origin {name} does not go through an origin access control of the template (s3, sigv4, always)"
                ),
            );
        }
    }
    if config.get("DefaultRootObject") != Some(&json!("index.html")) {
        findings.add(id, "DefaultRootObject is not index.html");
    }
    if config.get("HttpVersion") != Some(&json!("http2and3")) {
        findings.add(id, "HttpVersion is not http2and3");
    }
    let default = config.get("DefaultCacheBehavior");
    let behaviours = config.get("CacheBehaviors").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for (at, behaviour) in default.iter().map(|b| ("the default behaviour".to_owned(), *b)).chain(
        behaviours
            .iter()
            .map(|b| (format!("behaviour {}", b.get("PathPattern").and_then(Value::as_str).unwrap_or("?")), b)),
    ) {
        let protocol = behaviour.get("ViewerProtocolPolicy").and_then(Value::as_str);
        if !matches!(protocol, Some("redirect-to-https" | "https-only")) {
            findings.add(id, format!("{at} lets viewers use plain HTTP ({protocol:?})"));
        }
        let headers =
            behaviour.get("ResponseHeadersPolicyId").filter(|h| h.get("Ref").is_some()).and_then(named_resource);
        let secured = headers.is_some_and(|h| template.type_of(h) == Some("AWS::CloudFront::ResponseHeadersPolicy"));
        if !secured {
            findings.add(id, format!("{at} has no response headers policy of the template (security headers, CSP)"));
        }
        let methods = behaviour.get("AllowedMethods").map(strings).unwrap_or_default();
        if methods.iter().any(|m| !matches!(*m, "GET" | "HEAD" | "OPTIONS")) {
            findings.add(id, format!("{at} allows {methods:?}: the UI's files are read-only"));
        }
    }
    if default.and_then(|d| d.get("CachePolicyId")) != Some(&json!(CACHING_OPTIMIZED)) {
        findings.add(id, "the default behaviour does not use Managed-CachingOptimized (the hashed assets)");
    }
    for path in WEB_UNCACHED_PATHS {
        let uncached = behaviours.iter().any(|b| {
            b.get("PathPattern") == Some(&json!(path)) && b.get("CachePolicyId") == Some(&json!(CACHING_DISABLED))
        });
        if !uncached {
            findings.add(id, format!("no behaviour for {path} with Managed-CachingDisabled"));
        }
    }
    let errors = config.get("CustomErrorResponses").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for code in [403, 404] {
        let to_index = errors.iter().any(|e| {
            number(e.get("ErrorCode")) == Some(code)
                && number(e.get("ResponseCode")) == Some(200)
                && e.get("ResponsePagePath") == Some(&json!("/index.html"))
        });
        if !to_index {
            findings.add(id, format!("{code} is not answered with /index.html and 200: deep links would fail"));
        }
    }
    for certificate in config.get("ViewerCertificate").map(alternatives).unwrap_or_default() {
        if certificate.get("AcmCertificateArn").is_some() {
            if certificate.get("MinimumProtocolVersion") != Some(&json!("TLSv1.2_2021"))
                || certificate.get("SslSupportMethod") != Some(&json!("sni-only"))
            {
                findings.add(id, "a certificate of one's own without TLSv1.2_2021 and sni-only");
            }
        } else if certificate.get("CloudFrontDefaultCertificate") != Some(&json!(true)) {
            findings.add(id, "a viewer certificate that is neither ACM's nor CloudFront's default");
        }
    }
    let price = config.get("PriceClass").and_then(|p| p.get("Ref")).and_then(Value::as_str);
    let default_price = price.and_then(|p| template.section("Parameters").get(p)).and_then(|p| p.get("Default"));
    if default_price != Some(&json!("PriceClass_100")) {
        findings.add(id, "PriceClass is not a parameter defaulting to PriceClass_100");
    }
    findings.into_vec()
}

/// Every response headers policy: HSTS for two years with subdomains, `nosniff`, frames
/// denied, no referrer, and a content security policy that allows no inline or evaluated code,
/// only the UI's own scripts and styles, no plugins, no `<base>`, no framing, and connections
/// to the UI, the REST API and the identity provider alone (every rendering of its
/// `Fn::If`s).
pub fn headers(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("web-headers");
    let policies: Vec<_> = template.of_type("AWS::CloudFront::ResponseHeadersPolicy").collect();
    if policies.is_empty() {
        findings.add(WEB_DISTRIBUTION, "no response headers policy in the template");
    }
    for (id, policy) in policies {
        let security =
            Template::property(policy, "ResponseHeadersPolicyConfig").and_then(|c| c.get("SecurityHeadersConfig"));
        let header = |name: &str| security.and_then(|s| s.get(name));
        let hsts = header("StrictTransportSecurity");
        if number(hsts.and_then(|h| h.get("AccessControlMaxAgeSec"))).is_none_or(|s| s < HSTS_SECONDS)
            || hsts.and_then(|h| h.get("IncludeSubdomains")) != Some(&json!(true))
        {
            findings.add(id, "Strict-Transport-Security is not two years with includeSubDomains");
        }
        if header("ContentTypeOptions").is_none() {
            findings.add(id, "no X-Content-Type-Options: nosniff");
        }
        if header("FrameOptions").and_then(|f| f.get("FrameOption")) != Some(&json!("DENY")) {
            findings.add(id, "X-Frame-Options is not DENY");
        }
        if header("ReferrerPolicy").and_then(|r| r.get("ReferrerPolicy")) != Some(&json!("no-referrer")) {
            findings.add(id, "Referrer-Policy is not no-referrer");
        }
        for override_missing in
            ["StrictTransportSecurity", "ContentTypeOptions", "FrameOptions", "ReferrerPolicy", "ContentSecurityPolicy"]
                .into_iter()
                .filter(|name| header(name).is_some_and(|h| h.get("Override") != Some(&json!(true))))
        {
            findings.add(id, format!("{override_missing} does not override what the origin sends"));
        }
        let Some(csp) = header("ContentSecurityPolicy").and_then(|c| c.get("ContentSecurityPolicy")) else {
            findings.add(id, "no Content-Security-Policy");
            continue;
        };
        let mut problems = BTreeSet::new();
        for text in renderings(csp) {
            let text = with_origin_parameters(template, &text);
            for problem in csp_problems(&text) {
                problems.insert(problem);
            }
        }
        for problem in problems {
            findings.add(id, format!("Content-Security-Policy: {problem}"));
        }
    }
    findings.into_vec()
}

/// `text` with each `${Parameter}` whose `AllowedPattern` admits only https origins (scheme
/// and host names: no `;`, quote or space inside one) put in as such an origin; other
/// parameters stay as they are (and fail the policy's checks).
fn with_origin_parameters(template: &Template, text: &str) -> String {
    let mut text = text.to_owned();
    for (name, parameter) in template.section("Parameters") {
        let pattern = parameter.get("AllowedPattern").and_then(Value::as_str).unwrap_or_default();
        if pattern.starts_with("^$|^https://[A-Za-z0-9.-]+") && pattern.ends_with('$') {
            text = text.replace(&format!("${{{name}}}"), "https://origin.invalid");
        }
    }
    text
}

/// What is wrong with one rendering of a content security policy.
pub fn csp_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let directives: Vec<(String, Vec<&str>)> = text
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut tokens = d.split_whitespace();
            (tokens.next().unwrap_or_default().to_ascii_lowercase(), tokens.collect())
        })
        .collect();
    let sources = |name: &str| directives.iter().find(|(n, _)| n == name).map(|(_, s)| s.clone());
    for (name, tokens) in &directives {
        for token in tokens {
            let lower = token.to_ascii_lowercase();
            if lower.starts_with("'unsafe-") {
                problems.push(format!("{name} allows {token}"));
            }
            if lower == "*" || lower == "https:" || lower == "http:" || lower.starts_with("http://") {
                problems.push(format!("{name} allows {token}"));
            }
            if lower == "data:" && name != "img-src" {
                problems.push(format!("{name} allows data: URLs"));
            }
        }
    }
    for (name, wanted) in [
        ("default-src", "'self'"),
        ("script-src", "'self'"),
        ("style-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        ("frame-ancestors", "'none'"),
        ("require-trusted-types-for", "'script'"),
        ("trusted-types", "'none'"),
    ] {
        match sources(name) {
            Some(tokens) if tokens == [wanted] => {}
            Some(tokens) => problems.push(format!("{name} is {tokens:?}, not {wanted} alone")),
            None => problems.push(format!("no {name} {wanted}")),
        }
    }
    match sources("connect-src") {
        Some(tokens) => {
            if tokens.first() != Some(&"'self'") {
                problems.push("connect-src does not start with 'self'".to_owned());
            }
            if !tokens.contains(&API_ORIGIN) {
                problems.push(format!("connect-src lacks the REST API's origin {API_ORIGIN}"));
            }
            let others = tokens.iter().filter(|t| t.starts_with("https://") && **t != API_ORIGIN).count();
            if others == 0 {
                problems.push("connect-src lacks the identity provider's origin".to_owned());
            }
        }
        None => problems.push("no connect-src (default-src 'self' would keep the UI from the API)".to_owned()),
    }
    match sources("form-action") {
        Some(tokens) if tokens.first() == Some(&"'self'") && tokens[1..].iter().all(|t| t.starts_with("https://")) => {}
        Some(tokens) => problems.push(format!("form-action is {tokens:?}, not 'self' and https origins")),
        None => problems.push("no form-action".to_owned()),
    }
    problems
}

/// The sign-in client: the UI's `/config.json` names the client the API accepts (the api
/// function and the JWT authorizer check one audience), and a Cognito client of the template
/// is public (no secret) with the authorization code flow, `openid email profile`, the UI's
/// callback and sign-out URLs and a refresh token; the hosted UI's domain exists whenever the
/// client does.
pub fn sign_in(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("web-sign-in");
    let ui_client =
        template.of_type(WEB_CONFIG_TYPE).next().and_then(|(_, c)| Template::property(c, "OidcClientId")).cloned();
    let authorizer_audiences: Vec<Value> = template
        .of_type("AWS::ApiGatewayV2::Authorizer")
        .filter_map(|(_, a)| Template::property(a, "JwtConfiguration")?.get("Audience")?.as_array().cloned())
        .flatten()
        .collect();
    let function_audience = template
        .resource(API_FUNCTION)
        .and_then(|f| Template::property(f, "Environment"))
        .and_then(|e| e.get("Variables")?.get("MOZDEF_OIDC_AUDIENCE"))
        .cloned();
    let Some(ui_client) = ui_client else {
        findings.add(WEB_CONFIG_TYPE, "no OidcClientId: the UI would not know its sign-in client");
        return findings.into_vec();
    };
    if function_audience.as_ref() != Some(&ui_client) {
        findings.add(
            API_FUNCTION,
            "MOZDEF_OIDC_AUDIENCE is not the UI's client (OidcClientId): its tokens would be refused",
        );
    }
    if authorizer_audiences.is_empty() || authorizer_audiences.iter().any(|a| *a != ui_client) {
        findings.add("ApiAuthorizer", "the JWT authorizer's audience is not the UI's client (OidcClientId)");
    }
    let clients: BTreeSet<&str> = alternatives(&ui_client)
        .into_iter()
        .filter_map(|c| c.get("Ref").and_then(Value::as_str))
        .filter(|c| template.type_of(c) == Some("AWS::Cognito::UserPoolClient"))
        .collect();
    for id in clients {
        let Some(client) = template.resource(id) else { continue };
        let property = |name| Template::property(client, name);
        if property("GenerateSecret") != Some(&json!(false)) {
            findings.add(id, "GenerateSecret is not false: a browser cannot keep a secret");
        }
        if property("AllowedOAuthFlowsUserPoolClient") != Some(&json!(true))
            || property("AllowedOAuthFlows") != Some(&json!(["code"]))
        {
            findings.add(id, "not an OAuth client of the authorization code flow alone (AllowedOAuthFlows [code])");
        }
        let scopes = property("AllowedOAuthScopes").map(strings).unwrap_or_default();
        if !["openid", "email", "profile"].iter().all(|s| scopes.contains(s)) {
            findings.add(id, format!("AllowedOAuthScopes {scopes:?} lack openid, email or profile"));
        }
        if property("RefreshTokenValidity").is_none() {
            findings.add(id, "no RefreshTokenValidity (the UI renews its session with the refresh token)");
        }
        for (name, suffix) in [("CallbackURLs", WEB_CALLBACK_PATH), ("LogoutURLs", "/")] {
            let urls: Vec<&Value> =
                property(name).and_then(Value::as_array).into_iter().flatten().flat_map(alternatives).collect();
            let ui_urls = !urls.is_empty()
                && urls.iter().all(|url| {
                    let text = url.get("Fn::Sub").and_then(Value::as_str).unwrap_or_default();
                    let host = text.strip_prefix("https://").and_then(|t| t.strip_suffix(suffix)).unwrap_or_default();
                    host == "${WebDomainName}" || host == format!("${{{WEB_DISTRIBUTION}.DomainName}}")
                });
            if !ui_urls {
                findings.add(id, format!("{name} are not https://<the UI's domain>{suffix}"));
            }
        }
        let domain = template
            .of_type("AWS::Cognito::UserPoolDomain")
            .any(|(_, d)| Template::condition_of(d) == Template::condition_of(client));
        if !domain {
            findings.add(
                id,
                "no AWS::Cognito::UserPoolDomain under the client's condition: the UI has no hosted sign-in page",
            );
        }
    }
    findings.into_vec()
}

/// CORS on the HTTP API: the UI's origin (its own domain, or, as the distribution's name cannot
/// be named without a dependency cycle, any https origin) and never `*` or plain http, no
/// credentials, the `Authorization` and `Content-Type` headers, the REST API's methods and
/// `OPTIONS`; and no route under `/api` taking `OPTIONS` (`ANY` included), so that API Gateway
/// answers preflights itself instead of sending them to the JWT authorizer, with one route per
/// method of the REST API instead.
pub fn cors(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("api-cors");
    for (id, api) in template.of_type("AWS::ApiGatewayV2::Api") {
        let Some(cors) = Template::property(api, "CorsConfiguration") else {
            findings.add(id, "no CorsConfiguration: the web UI on its own origin cannot call the API");
            continue;
        };
        let ui_origins = [
            json!({"Fn::Sub": "https://${WebDomainName}"}),
            json!({"Fn::Sub": format!("https://${{{WEB_DISTRIBUTION}.DomainName}}")}),
            json!("https://*"),
        ];
        let choices = cors.get("AllowOrigins").map(alternatives).unwrap_or_default();
        if choices.is_empty() {
            findings.add(id, "no AllowOrigins");
        }
        for origins in choices {
            let list = origins.as_array().map(Vec::as_slice).unwrap_or_default();
            if !list.iter().any(|o| ui_origins.contains(o)) {
                findings.add(id, format!("AllowOrigins {origins} does not allow the web UI's origin"));
            }
            for origin in list.iter().filter(|o| !ui_origins.contains(o)) {
                findings.add(id, format!("AllowOrigins allows {origin}, which is not the web UI's https origin"));
            }
        }
        if cors.get("AllowCredentials") == Some(&json!(true)) {
            findings.add(id, "AllowCredentials is true: the API takes bearer tokens, never cookies");
        }
        let headers: Vec<String> =
            cors.get("AllowHeaders").map(strings).unwrap_or_default().iter().map(|h| h.to_ascii_lowercase()).collect();
        for wanted in ["authorization", "content-type"] {
            if !headers.iter().any(|h| h == wanted) {
                findings.add(id, format!("AllowHeaders lacks {wanted}"));
            }
        }
        let methods = cors.get("AllowMethods").map(strings).unwrap_or_default();
        for wanted in API_METHODS.iter().chain(&["OPTIONS"]) {
            if !methods.contains(wanted) {
                findings.add(id, format!("AllowMethods lacks {wanted}"));
            }
        }
    }
    let mut api_methods = BTreeSet::new();
    for (id, route) in template.of_type("AWS::ApiGatewayV2::Route") {
        let key = Template::property(route, "RouteKey").and_then(Value::as_str).unwrap_or_default();
        let (method, path) = key.split_once(' ').unwrap_or(("", key));
        if !(path == "/api" || path.starts_with("/api/")) {
            continue;
        }
        if matches!(method, "ANY" | "OPTIONS") {
            findings
                .add(id, format!("{key} takes CORS preflights (OPTIONS) to the JWT authorizer, which refuses them"));
        }
        if path == "/api/{proxy+}" {
            api_methods.insert(method.to_owned());
        }
    }
    for method in API_METHODS {
        if !api_methods.contains(method) {
            findings.add(
                "HttpApi",
                format!("no {method} /api/{{proxy+}} route: the REST API's {method} routes are unreachable"),
            );
        }
    }
    findings.into_vec()
}

/// The custom resource writing `/config.json`: served by the maintenance function, into the
/// web bucket, with the API's URL and the sign-in settings; and the maintenance function may
/// write and delete that one object of the bucket, nothing else in S3.
pub fn config(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("web-config");
    let resources: Vec<_> = template.of_type(WEB_CONFIG_TYPE).collect();
    if resources.len() != 1 {
        findings.add(WEB_CONFIG_TYPE, format!("{} resources of this type, not one", resources.len()));
    }
    let mut functions = BTreeSet::new();
    for (id, resource) in resources {
        let property = |name| Template::property(resource, name);
        let token = property("ServiceToken").filter(|t| t.get("Fn::GetAtt").is_some()).and_then(named_resource);
        match token {
            Some(function) if template.type_of(function) == Some("AWS::Lambda::Function") => {
                functions.insert(function.to_owned());
            }
            _ => findings.add(id, "ServiceToken is not a function of the template"),
        }
        if property("Bucket").and_then(|b| b.get("Ref")) != Some(&json!(WEB_BUCKET)) {
            findings.add(id, format!("Bucket is not {WEB_BUCKET}"));
        }
        if property("ApiUrl") != Some(&json!({"Fn::Sub": API_ORIGIN})) {
            findings.add(id, format!("ApiUrl is not the REST API's origin {API_ORIGIN}"));
        }
        if property("OidcAuthority").is_none() {
            findings.add(id, "no OidcAuthority");
        }
        let scope = property("OidcScope").and_then(Value::as_str).unwrap_or_default();
        if !scope.split_whitespace().any(|s| s == "openid") {
            findings.add(id, "OidcScope lacks openid");
        }
        // Cognito's access tokens carry neither `aud` nor `email`, which the API requires:
        // with the stack's user pool the UI must send its ID token.
        if property("OidcBearer") != Some(&json!({"Fn::If": ["UseCognito", "id_token", "access_token"]})) {
            findings.add(id, "OidcBearer is not id_token with Cognito and access_token otherwise");
        }
    }
    let only = json!({"Fn::Sub": format!("${{{WEB_BUCKET}.Arn}}/{WEB_CONFIG_KEY}")});
    for function in functions {
        let role = template
            .resource(&function)
            .and_then(|f| Template::property(f, "Role"))
            .and_then(named_resource)
            .unwrap_or_default()
            .to_owned();
        let (documents, _) = role_documents(template, &role);
        let mut writes = false;
        for (at, document) in documents {
            for statement in statements(document).into_iter().filter(|s| s.allows()) {
                if !statement.actions().iter().any(|a| a.starts_with("s3:")) {
                    continue;
                }
                if statement.resources().iter().any(|r| **r != only) {
                    findings.add(
                        &at,
                        format!("allows {:?} beyond ${{{WEB_BUCKET}.Arn}}/{WEB_CONFIG_KEY}", statement.actions()),
                    );
                }
                writes |= statement.actions().contains(&"s3:PutObject");
            }
        }
        if !writes {
            findings.add(role, format!("cannot s3:PutObject {WEB_CONFIG_KEY}: the custom resource would fail"));
        }
    }
    findings.into_vec()
}

/// A number, from JSON's number or a string of digits.
fn number(value: Option<&Value>) -> Option<i64> {
    let value = value?;
    value.as_i64().or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

/// A principal as text, for a finding.
fn shown(principal: Option<&Value>) -> String {
    principal.map_or_else(|| "no principal".to_owned(), Value::to_string)
}

/// Every text `value` may stand for: each branch of an `Fn::If`, each combination of an
/// `Fn::Join`'s parts, an `Fn::Sub`'s text with its local variables put in; other references
/// stay as `${Name}` (`${Name.Attribute}`), other functions as `${Fn::Name}`.
pub fn renderings(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Object(map) => {
            if let Some(Value::Array(branches)) = map.get("Fn::If") {
                return branches.iter().skip(1).flat_map(renderings).take(MAX_RENDERINGS).collect();
            }
            if let Some(Value::Array(join)) = map.get("Fn::Join") {
                let separator = join.first().and_then(Value::as_str).unwrap_or_default();
                let parts = join.get(1).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                let mut texts = vec![String::new()];
                for (i, part) in parts.iter().enumerate() {
                    let choices = renderings(part);
                    texts = texts
                        .iter()
                        .flat_map(|t| {
                            choices.iter().map(move |c| if i == 0 { c.clone() } else { format!("{t}{separator}{c}") })
                        })
                        .take(MAX_RENDERINGS)
                        .collect();
                }
                return texts;
            }
            if let Some(sub) = map.get("Fn::Sub") {
                return match sub {
                    Value::String(text) => vec![text.clone()],
                    Value::Array(parts) => {
                        let mut texts = vec![parts.first().and_then(Value::as_str).unwrap_or_default().to_owned()];
                        for (name, local) in parts.get(1).and_then(Value::as_object).into_iter().flatten() {
                            let choices = renderings(local);
                            let variable = format!("${{{name}}}");
                            texts = texts
                                .iter()
                                .flat_map(|t| choices.iter().map(|c| t.replace(&variable, c)).collect::<Vec<_>>())
                                .take(MAX_RENDERINGS)
                                .collect();
                        }
                        texts
                    }
                    _ => Vec::new(),
                };
            }
            if let Some(Value::String(name)) = map.get("Ref") {
                return vec![format!("${{{name}}}")];
            }
            if let Some(Value::Array(parts)) = map.get("Fn::GetAtt") {
                let text: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
                return vec![format!("${{{}}}", text.join("."))];
            }
            map.keys().next().map(|name| vec![format!("${{{name}}}")]).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderings_expand_ifs_joins_and_local_variables() {
        let value = json!({"Fn::Join": ["", [
            "a ",
            {"Fn::If": ["C", {"Fn::Sub": "https://${X}"}, {"Fn::Sub": ["https://${H}", {"H": {"Fn::Select": [2, []]}}]}]},
            {"Ref": "P"}
        ]]});
        assert_eq!(renderings(&value), ["a https://${X}${P}", "a https://${Fn::Select}${P}"]);
    }

    #[test]
    fn a_strict_policy_passes_and_loose_ones_are_named() {
        let good = format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' {API_ORIGIN} https://idp.example.com; object-src 'none'; base-uri 'none'; form-action 'self' https://idp.example.com; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'"
        );
        assert_eq!(csp_problems(&good), Vec::<String>::new());
        let inline = good.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
        assert!(csp_problems(&inline).iter().any(|p| p.contains("'unsafe-inline'")));
        let framed = good.replace("; frame-ancestors 'none'", "");
        assert!(csp_problems(&framed).iter().any(|p| p.contains("frame-ancestors")));
        let untyped = good.replace("; require-trusted-types-for 'script'", "");
        assert!(csp_problems(&untyped).iter().any(|p| p.contains("require-trusted-types-for")));
        let anywhere = good.replace("https://idp.example.com;", "*;");
        assert!(csp_problems(&anywhere).iter().any(|p| p.contains("allows *")));
    }
}
