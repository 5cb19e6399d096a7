//! The web UI at `/`: the built single-page app's files (`web/dist`), its runtime
//! `/config.json`, and the page shown while it is not there yet, each with the UI's security
//! headers. [`serve`] puts it behind an existing router as the fallback, so loginput's routes and
//! the REST API (`/api`) keep winning.
//!
//! * `GET /config.json`: [`WebUi::config`], never cached.
//! * A file of the dist directory: its content type by extension; `/assets/*` (content-hashed
//!   names) cached for a year, everything else revalidated.
//! * Any other `GET`/`HEAD` that does not name a file ([`files`]): `index.html`, so the app's deep
//!   links and reloads work.
//! * While the UI is being built, or cannot be ([`BuildState`]): a static page (503) that says
//!   why and what to do.
//!
//! Anything else (another method, an unknown `/api` path) is the API's JSON 404, as before.

mod files;
mod page;

/// Text made safe inside an HTML element or quoted attribute (the pages of `mozdef dev` that
/// are not the UI, and the test OIDC issuer's login form).
pub use page::escape as escape_html;

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HeaderName};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::ApiError;
use files::{Lookup, UiPath};

/// Where the UI's files are and what the UI is told at runtime.
#[derive(Debug, Clone)]
pub struct WebUi {
    /// The built UI (`web/dist`: `index.html`, `assets/`, ...).
    pub dist: PathBuf,
    /// What `GET /config.json` answers ([`UiConfig`]).
    pub config: serde_json::Value,
    /// Origins the UI may talk to besides its own (the OIDC issuer's endpoints), added to the
    /// content security policy's `connect-src` and `form-action`. Anything that is not a plain
    /// `scheme://host[:port]` is left out.
    pub connect_origins: Vec<String>,
    /// Whether the dist directory may be served ([`BuildState`]), shared with whoever builds it.
    pub status: BuildStatus,
}

pub use mozdef_service::ui_config::{UiBearer, UiConfig, UiOidc};

/// Whether the UI's files can be served, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildState {
    /// The dist directory is complete: serve it.
    Ready,
    /// `npm run build` runs in this source directory; the dist directory must not be served
    /// until it is done.
    Building {
        /// The web UI's source directory (with `package.json`).
        source: PathBuf,
    },
    /// The build failed: the failing step and the end of its output.
    Failed(String),
    /// The UI is not built and cannot be here (no Node.js or npm): what to install or do.
    NodeMissing(String),
    /// Nobody builds it: the dist directory is served if and when it has an `index.html`.
    NotBuilt,
}

/// The [`BuildState`] shared between the server and the build.
#[derive(Debug, Clone)]
pub struct BuildStatus(Arc<RwLock<BuildState>>);

impl BuildStatus {
    /// A status starting at `state`.
    pub fn new(state: BuildState) -> Self {
        BuildStatus(Arc::new(RwLock::new(state)))
    }

    /// The current state.
    pub fn get(&self) -> BuildState {
        self.0.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Moves to `state`.
    pub fn set(&self, state: BuildState) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = state;
    }
}

/// `router` with the web UI as its fallback: its own routes (loginput's, `/api`) win; an
/// unknown `/api` path and any method but `GET`/`HEAD` still get the JSON 404.
pub fn serve(router: Router, ui: WebUi) -> Router {
    let served = Arc::new(Served::new(ui));
    router.fallback(move |request: Request| {
        let served = served.clone();
        async move { served.answer(request).await }
    })
}

/// A [`WebUi`] with its security headers worked out once.
#[derive(Debug)]
struct Served {
    ui: WebUi,
    config: Vec<u8>,
    csp: HeaderValue,
}

/// The security headers of every UI response but the content security policy.
const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
];

/// The cache policy of content-hashed assets.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

impl Served {
    fn new(ui: WebUi) -> Self {
        let extra: String = ui.connect_origins.iter().filter(|o| is_origin(o)).map(|o| format!(" {o}")).collect();
        let policy = format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
             connect-src 'self'{extra}; object-src 'none'; base-uri 'none'; form-action 'self'{extra}; \
             frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'"
        );
        let csp = HeaderValue::from_str(&policy).unwrap_or_else(|_| {
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                 connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
                 require-trusted-types-for 'script'; trusted-types 'none'",
            )
        });
        let config = serde_json::to_vec(&ui.config).unwrap_or_else(|_| b"{}".to_vec());
        Served { ui, config, csp }
    }

    async fn answer(&self, request: Request) -> Response {
        let method = request.method().clone();
        let uri = request.uri().clone();
        let path = uri.path();
        let is_api = path == "/api" || path.starts_with("/api/");
        if is_api || (method != Method::GET && method != Method::HEAD) {
            return crate::error::not_found(uri).await.into_response();
        }
        let head = method == Method::HEAD;
        let response = self.ui_response(path, head).await;
        self.secure(response)
    }

    async fn ui_response(&self, path: &str, head: bool) -> Response {
        if path == "/config.json" {
            return bytes(StatusCode::OK, "application/json", "no-store", self.config.clone(), head);
        }
        let Some(path) = UiPath::parse(path) else {
            return ApiError::NotFound(format!("no file at {path}")).into_response();
        };
        let state = self.ui.status.get();
        if !matches!(state, BuildState::Ready | BuildState::NotBuilt) {
            return not_ready(&state, &self.ui, head);
        }
        match files::lookup(&self.ui.dist, &path).await {
            Lookup::File { contents, name } => {
                let cache = if path.is_asset() { IMMUTABLE } else { "no-cache" };
                bytes(StatusCode::OK, files::content_type(&name), cache, contents, head)
            }
            Lookup::Missing if path.names_file() => {
                ApiError::NotFound(format!("no file at {}", path.display())).into_response()
            }
            Lookup::Missing => match files::index(&self.ui.dist).await {
                Some(index) => bytes(StatusCode::OK, "text/html; charset=utf-8", "no-cache", index, head),
                None => not_ready(&BuildState::NotBuilt, &self.ui, head),
            },
        }
    }

    fn secure(&self, mut response: Response) -> Response {
        let headers = response.headers_mut();
        headers.insert(HeaderName::from_static("content-security-policy"), self.csp.clone());
        for (name, value) in SECURITY_HEADERS {
            headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        response
    }
}

/// The page of a UI that cannot be served now (503, never cached).
fn not_ready(state: &BuildState, ui: &WebUi, head: bool) -> Response {
    let html = page::not_ready(state, &ui.dist);
    let mut response =
        bytes(StatusCode::SERVICE_UNAVAILABLE, "text/html; charset=utf-8", "no-store", html.into_bytes(), head);
    if matches!(state, BuildState::Building { .. }) {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

/// A whole body with its type and cache policy; for `HEAD`, only the headers.
fn bytes(status: StatusCode, content_type: &'static str, cache: &'static str, body: Vec<u8>, head: bool) -> Response {
    let length = HeaderValue::from(body.len());
    let body = if head { Body::empty() } else { Body::from(body) };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(CONTENT_LENGTH, length);
    response
}

/// Whether `origin` is a plain `scheme://host[:port]` (nothing that could end a CSP directive).
fn is_origin(origin: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !authority.is_empty()
        && authority.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_origins_reach_the_policy() {
        assert!(is_origin("https://idp.example.com"));
        assert!(is_origin("http://127.0.0.1:8443"));
        assert!(is_origin("https://[::1]:8443"));
        assert!(!is_origin("https://idp.example.com/path"));
        assert!(!is_origin("https://x; script-src *"));
        assert!(!is_origin("'unsafe-inline'"));
        assert!(!is_origin("https://"));
    }

    #[test]
    fn config_is_camel_case_with_nulls() {
        let open = UiConfig { api_url: String::new(), oidc: None, dashboards_url: None };
        assert_eq!(open.to_json(), serde_json::json!({"apiUrl": "", "oidc": null, "dashboardsUrl": null}));
        let oidc = UiConfig {
            api_url: String::new(),
            oidc: Some(UiOidc {
                authority: "https://idp".into(),
                client_id: "web".into(),
                scope: "openid".into(),
                bearer: UiBearer::IdToken,
            }),
            dashboards_url: Some("https://dash".into()),
        };
        assert_eq!(
            oidc.to_json(),
            serde_json::json!({"apiUrl": "", "oidc": {"authority": "https://idp", "clientId": "web", "scope": "openid", "bearer": "id_token"}, "dashboardsUrl": "https://dash"})
        );
    }
}
