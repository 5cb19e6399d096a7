//! The interactive side of the test issuer: an OpenID provider a browser can sign in with
//! (authorization code + PKCE S256, refresh tokens), built on the keys and signing of
//! `issuer/mod.rs`. One implementation shared by the `oidc_issuer` example (the process the
//! web UI's browser tests start) and `tests/issuer_flow.rs` (which checks it in-process
//! against the real `OidcVerifier`). Include it next to the issuer module, at the crate root:
//! `mod issuer; #[path = "issuer/flow.rs"] mod flow;`.
//!
//! Endpoints: `/.well-known/openid-configuration`, `/jwks`, `/authorize` (GET: a login form,
//! or with `auto_login` a redirect at once; POST: the form's answer), `/token`
//! (authorization_code, refresh_token), `/userinfo`, `/logout`, and the test controls
//! `POST /test/revoke`, `POST /test/lifetime` (`{"seconds": N}`), `GET /test/stats`.
//! Discovery, JWKS, token, userinfo and the test controls answer CORS (`*`).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE,
    AUTHORIZATION, CACHE_CONTROL, LOCATION, PRAGMA, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mozdef_api::auth::{OidcSettings, OidcVerifier};
use mozdef_api::web::escape_html;
use reqwest::Url;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::issuer::{AUDIENCE, TestKey, ec_key, jwks, now, sign};

/// The client id the issuer knows by default (the web UI's).
pub const CLIENT_ID: &str = "mozdef-web";
/// How long an authorization code is valid, by default.
pub const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// The lifetime of tokens, in seconds, by default.
pub const TOKEN_LIFETIME: u64 = 300;
/// The scope granted when the request names none.
const DEFAULT_SCOPE: &str = "openid";

// ---------------------------------------------------------------------------------------
// Configuration

/// A user signing in: the email and groups their tokens carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub email: String,
    pub groups: Vec<String>,
}

impl Login {
    /// `email:group,group`; without `:groups`, the group "responder".
    pub fn parse(text: &str) -> Result<Login, String> {
        let (email, groups) = text.split_once(':').unwrap_or((text, "responder"));
        let email = email.trim();
        if email.is_empty() {
            return Err(format!("{text:?} names no email (expected email:group,group)"));
        }
        Ok(Login { email: email.to_owned(), groups: split_groups(groups) })
    }
}

/// Comma-separated group names, trimmed, empty ones dropped.
pub fn split_groups(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|group| !group.is_empty()).map(str::to_owned).collect()
}

/// What the issuer accepts and issues.
#[derive(Debug, Clone)]
pub struct FlowConfig {
    /// The one client id accepted.
    pub client_id: String,
    /// Prefixes a redirect_uri (and post_logout_redirect_uri) must start with, at a path
    /// boundary (the prefix ends with '/', or is followed by '/', '?' or nothing); none: any
    /// http://127.0.0.1 origin.
    pub redirect_prefixes: Vec<String>,
    /// The `aud` of access tokens.
    pub audience: String,
    /// The lifetime of tokens issued, in seconds (changed at run time by /test/lifetime).
    pub token_lifetime: u64,
    /// How long an authorization code is valid.
    pub code_lifetime: Duration,
    /// When set, GET /authorize signs this user in at once (no form).
    pub auto_login: Option<Login>,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            client_id: CLIENT_ID.to_owned(),
            redirect_prefixes: Vec::new(),
            audience: AUDIENCE.to_owned(),
            token_lifetime: TOKEN_LIFETIME,
            code_lifetime: CODE_LIFETIME,
            auto_login: None,
        }
    }
}

impl FlowConfig {
    /// Ok when `uri` may be redirected to, else the problem (`what` names the parameter).
    pub fn check_redirect(&self, what: &str, uri: &str) -> Result<(), String> {
        let url = Url::parse(uri).map_err(|e| format!("{what} {uri:?} is not an absolute URL: {e}"))?;
        if url.fragment().is_some() {
            return Err(format!("{what} {uri:?} must not have a fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("{what} {uri:?} must not carry credentials"));
        }
        if self.redirect_prefixes.is_empty() {
            let loopback = url.scheme() == "http" && url.host_str() == Some("127.0.0.1");
            if !loopback {
                return Err(format!("{what} {uri:?} is not on an http://127.0.0.1 origin"));
            }
            return Ok(());
        }
        let allowed = self.redirect_prefixes.iter().any(|prefix| {
            uri.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')
            })
        });
        if allowed {
            Ok(())
        } else {
            Err(format!("{what} {uri:?} does not start with an allowed prefix ({})", self.redirect_prefixes.join(", ")))
        }
    }
}

// ---------------------------------------------------------------------------------------
// State

/// Who signed in, for which client: what the tokens of a code or refresh token carry.
#[derive(Debug, Clone)]
struct Session {
    client_id: String,
    email: String,
    groups: Vec<String>,
    scope: String,
    nonce: Option<String>,
    auth_time: i64,
}

/// An authorization code not yet exchanged.
struct PendingCode {
    session: Session,
    redirect_uri: String,
    code_challenge: String,
    expires: Instant,
}

/// A refresh token issued.
struct RefreshGrant {
    session: Session,
    revoked: bool,
}

/// The issuer's state: its key, its configuration, the codes and refresh tokens issued.
pub struct FlowState {
    /// The issuer URL (`iss`), http://<listen address>.
    pub url: String,
    pub config: FlowConfig,
    key: TestKey,
    decoding: DecodingKey,
    rng: SystemRandom,
    lifetime: AtomicU64,
    codes: Mutex<HashMap<String, PendingCode>>,
    refresh_tokens: Mutex<HashMap<String, RefreshGrant>>,
    pub codes_issued: AtomicUsize,
    pub tokens_issued: AtomicUsize,
    pub refreshes: AtomicUsize,
    pub refreshes_refused: AtomicUsize,
}

impl FlowState {
    /// A fresh issuer at `url` with a new P-256 key.
    pub fn new(url: String, config: FlowConfig) -> Self {
        let key = ec_key("flow-ec-1");
        let jwk: Jwk = serde_json::from_value(key.jwk.clone()).unwrap();
        let decoding = DecodingKey::from_jwk(&jwk).unwrap();
        FlowState {
            url,
            lifetime: AtomicU64::new(config.token_lifetime),
            config,
            key,
            decoding,
            rng: SystemRandom::new(),
            codes: Mutex::default(),
            refresh_tokens: Mutex::default(),
            codes_issued: AtomicUsize::new(0),
            tokens_issued: AtomicUsize::new(0),
            refreshes: AtomicUsize::new(0),
            refreshes_refused: AtomicUsize::new(0),
        }
    }

    /// The lifetime of tokens issued from now on, in seconds.
    pub fn token_lifetime(&self) -> u64 {
        self.lifetime.load(Ordering::SeqCst)
    }

    pub fn set_token_lifetime(&self, seconds: u64) {
        self.lifetime.store(seconds, Ordering::SeqCst);
    }

    /// Revokes every refresh token issued so far; answers how many were live.
    pub fn revoke_refresh_tokens(&self) -> usize {
        let mut tokens = self.refresh_tokens.lock().unwrap();
        let live = tokens.values().filter(|grant| !grant.revoked).count();
        tokens.values_mut().for_each(|grant| grant.revoked = true);
        live
    }

    /// The counters of /test/stats.
    pub fn stats(&self) -> Value {
        json!({
            "codes_issued": self.codes_issued.load(Ordering::SeqCst),
            "tokens_issued": self.tokens_issued.load(Ordering::SeqCst),
            "refreshes": self.refreshes.load(Ordering::SeqCst),
            "refreshes_refused": self.refreshes_refused.load(Ordering::SeqCst),
            "token_lifetime": self.token_lifetime(),
        })
    }

    /// 32 random bytes, base64url.
    fn random_token(&self) -> String {
        let mut bytes = [0u8; 32];
        self.rng.fill(&mut bytes).unwrap();
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Issues a one-time code for `login` and answers where to send the browser.
    fn issue_code(&self, request: &AuthorizeRequest, login: Login) -> String {
        let code = self.random_token();
        let session = Session {
            client_id: request.client_id.clone(),
            email: login.email,
            groups: login.groups,
            scope: request.scope.clone(),
            nonce: request.nonce.clone(),
            auth_time: now(),
        };
        eprintln!("oidc issuer: code issued for {} ({:?})", session.email, session.groups);
        let mut codes = self.codes.lock().unwrap();
        let now = Instant::now();
        codes.retain(|_, pending| pending.expires > now);
        codes.insert(
            code.clone(),
            PendingCode {
                session,
                redirect_uri: request.redirect_uri.clone(),
                code_challenge: request.code_challenge.clone(),
                expires: now + self.config.code_lifetime,
            },
        );
        self.codes_issued.fetch_add(1, Ordering::SeqCst);
        let mut location = Url::parse(&request.redirect_uri).unwrap();
        location.query_pairs_mut().append_pair("code", &code).append_pair("state", &request.state);
        location.into()
    }

    /// The token response for `session`: an access token for the API, an id token for the
    /// client, a new refresh token.
    fn issue_tokens(&self, session: Session) -> Response {
        let lifetime = self.token_lifetime();
        let issued = now();
        let expires = issued.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX));
        let access = json!({
            "iss": self.url, "sub": session.email, "aud": self.config.audience,
            "iat": issued, "nbf": issued, "exp": expires,
            "email": session.email, "groups": session.groups,
            "client_id": session.client_id, "scope": session.scope, "jti": self.random_token(),
        });
        let mut id = json!({
            "iss": self.url, "sub": session.email, "aud": session.client_id, "azp": session.client_id,
            "iat": issued, "nbf": issued, "exp": expires, "auth_time": session.auth_time,
            "email": session.email, "groups": session.groups,
        });
        if let Some(nonce) = &session.nonce {
            id["nonce"] = json!(nonce);
        }
        let refresh_token = self.random_token();
        let scope = session.scope.clone();
        self.refresh_tokens.lock().unwrap().insert(refresh_token.clone(), RefreshGrant { session, revoked: false });
        self.tokens_issued.fetch_add(1, Ordering::SeqCst);
        let body = json!({
            "access_token": sign(&self.key, &access),
            "id_token": sign(&self.key, &id),
            "refresh_token": refresh_token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": scope,
        });
        ([(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")], Json(body)).into_response()
    }
}

// ---------------------------------------------------------------------------------------
// Starting

/// Binds `listen` (e.g. "127.0.0.1:0") and builds the state of an issuer at
/// http://<bound address>.
pub async fn bind(listen: &str, config: FlowConfig) -> std::io::Result<(TcpListener, Arc<FlowState>)> {
    let listener = TcpListener::bind(listen).await?;
    let address = listener.local_addr()?;
    let host = match address.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let url = format!("http://{host}:{}", address.port());
    Ok((listener, Arc::new(FlowState::new(url, config))))
}

/// An issuer running in this process, on 127.0.0.1.
pub struct FlowIssuer {
    pub url: String,
    pub address: SocketAddr,
    pub state: Arc<FlowState>,
}

impl FlowIssuer {
    /// Starts an issuer on 127.0.0.1:<any port>, served by a spawned task.
    pub async fn start(config: FlowConfig) -> Self {
        let (listener, state) = bind("127.0.0.1:0", config).await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = router(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FlowIssuer { url: state.url.clone(), address, state }
    }

    /// Settings for verifying this issuer's access tokens.
    pub fn settings(&self) -> OidcSettings {
        let mut settings = OidcSettings::new(self.url.clone(), self.state.config.audience.clone());
        settings.min_refresh_interval = Duration::ZERO;
        settings
    }

    pub async fn verifier(&self) -> OidcVerifier {
        OidcVerifier::discover(self.settings()).await.unwrap()
    }
}

/// The issuer's routes.
pub fn router(state: Arc<FlowState>) -> Router {
    let cross_origin = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(serve_jwks))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo).post(userinfo))
        .route("/test/revoke", post(revoke))
        .route("/test/lifetime", post(set_lifetime))
        .route("/test/stats", get(stats))
        .layer(middleware::from_fn(cors));
    Router::new()
        .route("/authorize", get(authorize_form).post(authorize_submit))
        .route("/logout", get(logout))
        .merge(cross_origin)
        .with_state(state)
}

/// CORS for any origin: preflights answered here, `Access-Control-Allow-Origin: *` on the rest.
async fn cors(request: Request, next: Next) -> Response {
    let mut response = if request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type, authorization"));
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        response
    } else {
        next.run(request).await
    };
    response.headers_mut().insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

// ---------------------------------------------------------------------------------------
// Forms

/// The parameters of a query string or form body; a parameter given twice is an error.
pub fn parse_form(text: &str) -> Result<HashMap<String, String>, String> {
    let mut url = Url::parse("http://form.invalid/").unwrap();
    url.set_query(Some(text));
    let mut params = HashMap::new();
    for (name, value) in url.query_pairs() {
        if params.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(format!("parameter {name:?} given more than once"));
        }
    }
    Ok(params)
}

/// `pairs` form-encoded (application/x-www-form-urlencoded).
pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    let mut url = Url::parse("http://form.invalid/").unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    url.query().unwrap_or_default().to_owned()
}

/// The PKCE S256 challenge of `verifier`: base64url(sha256(verifier)).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()))
}

/// A non-empty parameter, or the problem.
fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, String> {
    match params.get(name).map(String::as_str) {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(format!("missing {name}")),
    }
}

/// A valid authorization request.
#[derive(Debug)]
struct AuthorizeRequest {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    state: String,
    nonce: Option<String>,
    scope: String,
}

impl AuthorizeRequest {
    /// Checks the parameters of /authorize; the error names the problem.
    fn parse(config: &FlowConfig, params: &HashMap<String, String>) -> Result<Self, String> {
        let client_id = required(params, "client_id")?;
        if client_id != config.client_id {
            return Err(format!("unknown client_id {client_id:?} (this issuer knows {:?})", config.client_id));
        }
        let redirect_uri = required(params, "redirect_uri")?;
        config.check_redirect("redirect_uri", redirect_uri)?;
        let response_type = required(params, "response_type")?;
        if response_type != "code" {
            return Err(format!("unsupported response_type {response_type:?} (only \"code\")"));
        }
        let method = required(params, "code_challenge_method")
            .map_err(|_| "missing code_challenge_method (PKCE S256 is required)".to_owned())?;
        if method != "S256" {
            return Err(format!("unsupported code_challenge_method {method:?} (only \"S256\")"));
        }
        let code_challenge = required(params, "code_challenge")?;
        let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if code_challenge.len() != 43 || !code_challenge.chars().all(base64url) {
            return Err(format!("code_challenge {code_challenge:?} is not a base64url SHA-256 (43 characters)"));
        }
        let state = required(params, "state")?;
        let scope = params.get("scope").map(|scope| scope.trim()).filter(|scope| !scope.is_empty());
        let scope = scope.unwrap_or(DEFAULT_SCOPE);
        if !scope.split(' ').any(|s| s == "openid") {
            return Err(format!("scope {scope:?} does not include openid"));
        }
        Ok(AuthorizeRequest {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            code_challenge: code_challenge.to_owned(),
            state: state.to_owned(),
            nonce: params.get("nonce").filter(|nonce| !nonce.is_empty()).cloned(),
            scope: scope.to_owned(),
        })
    }

    /// The request's parameters, for the login form's hidden fields.
    fn hidden_fields(&self) -> Vec<(&'static str, &str)> {
        let mut fields = vec![
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("response_type", "code"),
            ("code_challenge", self.code_challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", self.state.as_str()),
            ("scope", self.scope.as_str()),
        ];
        if let Some(nonce) = &self.nonce {
            fields.push(("nonce", nonce.as_str()));
        }
        fields
    }
}

/// A plain-text 400 naming the problem.
fn bad_request(problem: &str) -> Response {
    eprintln!("oidc issuer: refused: {problem}");
    (StatusCode::BAD_REQUEST, [(CACHE_CONTROL, "no-store")], format!("Bad request: {problem}\n")).into_response()
}

/// A 302/303 to `location`.
fn redirect(status: StatusCode, location: &str) -> Response {
    (status, [(LOCATION, location), (CACHE_CONTROL, "no-store")]).into_response()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{body}</body></html>\n",
        title = escape_html(title),
    )
}

/// The login form, posting the request's parameters back with the user's answer.
fn login_page(request: &AuthorizeRequest) -> String {
    let mut body = format!(
        "<p>Test issuer: signing in to <code>{}</code>, back to <code>{}</code>.</p>\n<form method=\"post\" action=\"/authorize\">\n",
        escape_html(&request.client_id),
        escape_html(&request.redirect_uri)
    );
    for (name, value) in request.hidden_fields() {
        body.push_str(&format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n", escape_html(value)));
    }
    body.push_str(concat!(
        "<p><label for=\"email\">Email</label> ",
        "<input id=\"email\" name=\"email\" type=\"text\" autocomplete=\"off\" required></p>\n",
        "<p><label for=\"groups\">Groups</label> ",
        "<input id=\"groups\" name=\"groups\" type=\"text\" value=\"responder\" autocomplete=\"off\"></p>\n",
        "<p><button type=\"submit\">Sign in</button></p>\n</form>\n",
    ));
    page("Sign in", &body)
}

// ---------------------------------------------------------------------------------------
// Handlers

async fn discovery(State(state): State<Arc<FlowState>>) -> Json<Value> {
    let base = &state.url;
    Json(json!({
        "issuer": base,
        "jwks_uri": format!("{base}/jwks"),
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "end_session_endpoint": format!("{base}/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256", "RS256"],
        "scopes_supported": ["openid", "email", "profile", "offline_access"],
        "token_endpoint_auth_methods_supported": ["none"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "azp", "email", "groups"],
    }))
}

async fn serve_jwks(State(state): State<Arc<FlowState>>) -> Json<Value> {
    Json(jwks(&[&state.key]))
}

/// GET /authorize: the login form, or with `auto_login` the redirect at once.
async fn authorize_form(State(state): State<Arc<FlowState>>, RawQuery(query): RawQuery) -> Response {
    let request = match parse_form(&query.unwrap_or_default())
        .and_then(|params| AuthorizeRequest::parse(&state.config, &params))
    {
        Ok(request) => request,
        Err(problem) => return bad_request(&format!("invalid authorization request: {problem}")),
    };
    if let Some(login) = state.config.auto_login.clone() {
        let location = state.issue_code(&request, login);
        return redirect(StatusCode::FOUND, &location);
    }
    ([(CACHE_CONTROL, "no-store")], Html(login_page(&request))).into_response()
}

/// POST /authorize: the login form's answer; a code, and a 303 back to the client.
async fn authorize_submit(State(state): State<Arc<FlowState>>, body: String) -> Response {
    let (request, login) = match parse_form(&body).and_then(|params| {
        let request = AuthorizeRequest::parse(&state.config, &params)?;
        let email = params.get("email").map(|email| email.trim()).unwrap_or_default();
        if email.is_empty() {
            return Err("missing email".to_owned());
        }
        let groups = split_groups(params.get("groups").map(String::as_str).unwrap_or_default());
        Ok((request, Login { email: email.to_owned(), groups }))
    }) {
        Ok(answer) => answer,
        Err(problem) => return bad_request(&format!("invalid sign-in: {problem}")),
    };
    let location = state.issue_code(&request, login);
    redirect(StatusCode::SEE_OTHER, &location)
}

/// An OAuth error response.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    eprintln!("oidc issuer: token request refused: {error}: {description}");
    let body = json!({"error": error, "error_description": description});
    (status, [(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")], Json(body)).into_response()
}

fn invalid_request(problem: String) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &problem)
}

fn invalid_grant(problem: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", problem)
}

/// POST /token: the authorization_code and refresh_token grants.
async fn token(State(state): State<Arc<FlowState>>, body: String) -> Response {
    let params = match parse_form(&body) {
        Ok(params) => params,
        Err(problem) => return invalid_request(problem),
    };
    let client_id = params.get("client_id").filter(|id| !id.is_empty());
    if let Some(client_id) = client_id
        && *client_id != state.config.client_id
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", &format!("unknown client_id {client_id:?}"));
    }
    match params.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            if client_id.is_none() {
                return invalid_request("missing client_id".to_owned());
            }
            let (code, redirect_uri, verifier) = match (
                required(&params, "code"),
                required(&params, "redirect_uri"),
                required(&params, "code_verifier"),
            ) {
                (Ok(code), Ok(redirect_uri), Ok(verifier)) => (code, redirect_uri, verifier),
                (Err(problem), _, _) | (_, Err(problem), _) | (_, _, Err(problem)) => return invalid_request(problem),
            };
            // A code is used once, whatever the outcome.
            let Some(pending) = state.codes.lock().unwrap().remove(code) else {
                return invalid_grant("unknown or already used authorization code");
            };
            if pending.expires <= Instant::now() {
                return invalid_grant("the authorization code expired");
            }
            if pending.redirect_uri != redirect_uri {
                return invalid_grant("redirect_uri differs from the authorization request's");
            }
            let unreserved = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
            if !(43..=128).contains(&verifier.len()) || !verifier.chars().all(unreserved) {
                return invalid_grant("code_verifier is not 43 to 128 unreserved characters");
            }
            if pkce_challenge(verifier) != pending.code_challenge {
                return invalid_grant("code_verifier does not match the code_challenge");
            }
            state.issue_tokens(pending.session)
        }
        Some("refresh_token") => {
            let refresh_token = match required(&params, "refresh_token") {
                Ok(token) => token,
                Err(problem) => return invalid_request(problem),
            };
            let session = {
                let tokens = state.refresh_tokens.lock().unwrap();
                match tokens.get(refresh_token) {
                    Some(grant) if !grant.revoked => Ok(grant.session.clone()),
                    Some(_) => Err("the refresh token was revoked"),
                    None => Err("unknown refresh token"),
                }
            };
            match session {
                Ok(session) => {
                    state.refreshes.fetch_add(1, Ordering::SeqCst);
                    state.issue_tokens(session)
                }
                Err(problem) => {
                    state.refreshes_refused.fetch_add(1, Ordering::SeqCst);
                    invalid_grant(problem)
                }
            }
        }
        Some(other) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("grant_type {other:?} is not supported (authorization_code, refresh_token)"),
        ),
        None => invalid_request("missing grant_type".to_owned()),
    }
}

/// GET /userinfo with a bearer access token of this issuer.
async fn userinfo(State(state): State<Arc<FlowState>>, headers: HeaderMap) -> Response {
    let unauthorized = |problem: &str| {
        let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{problem}\"");
        let mut response =
            (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_token", "error_description": problem})))
                .into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(WWW_AUTHENTICATE, value);
        }
        response
    };
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")));
    let Some(token) = token else {
        return unauthorized("no bearer token");
    };
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[&state.config.audience]);
    validation.set_issuer(&[&state.url]);
    validation.leeway = 0;
    match jsonwebtoken::decode::<Value>(token.trim(), &state.decoding, &validation) {
        Ok(data) => {
            let claims = data.claims;
            Json(json!({"sub": claims["sub"], "email": claims["email"], "groups": claims["groups"]})).into_response()
        }
        Err(e) => unauthorized(&format!("the access token is not valid: {e}")),
    }
}

/// GET /logout: back to `post_logout_redirect_uri` (with `state`), else a signed-out page.
async fn logout(State(state): State<Arc<FlowState>>, RawQuery(query): RawQuery) -> Response {
    let params = match parse_form(&query.unwrap_or_default()) {
        Ok(params) => params,
        Err(problem) => return bad_request(&format!("invalid logout request: {problem}")),
    };
    match params.get("post_logout_redirect_uri").filter(|uri| !uri.is_empty()) {
        Some(uri) => {
            if let Err(problem) = state.config.check_redirect("post_logout_redirect_uri", uri) {
                return bad_request(&format!("invalid logout request: {problem}"));
            }
            let mut location = Url::parse(uri).unwrap();
            if let Some(logout_state) = params.get("state").filter(|s| !s.is_empty()) {
                location.query_pairs_mut().append_pair("state", logout_state);
            }
            redirect(StatusCode::FOUND, location.as_str())
        }
        None => Html(page("Signed out", "<p>You are signed out of the test issuer.</p>\n")).into_response(),
    }
}

/// POST /test/revoke: every refresh token issued so far is revoked.
async fn revoke(State(state): State<Arc<FlowState>>) -> Json<Value> {
    let revoked = state.revoke_refresh_tokens();
    eprintln!("oidc issuer: revoked {revoked} refresh tokens");
    Json(json!({"revoked": revoked}))
}

/// POST /test/lifetime `{"seconds": N}`: the lifetime of tokens issued from now on.
async fn set_lifetime(State(state): State<Arc<FlowState>>, body: String) -> Response {
    let seconds =
        serde_json::from_str::<Value>(&body).ok().and_then(|body| body.get("seconds").and_then(Value::as_u64));
    match seconds {
        Some(seconds) if seconds <= 86_400 => {
            state.set_token_lifetime(seconds);
            eprintln!("oidc issuer: tokens now live {seconds} s");
            Json(json!({"seconds": seconds})).into_response()
        }
        _ => bad_request("expected {\"seconds\": N} with N from 0 to 86400"),
    }
}

/// GET /test/stats: the counts of codes issued, token responses, refreshes.
async fn stats(State(state): State<Arc<FlowState>>) -> Json<Value> {
    Json(state.stats())
}
