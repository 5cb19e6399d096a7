//! `mozdef dev`'s web UI: its flags, where its files are (a built dist directory as is, or the
//! source directory's `dist/`, built on demand by [`build`]), what `/config.json` tells it, and
//! the OIDC issuer's origins its content security policy lets it talk to.

mod build;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use mozdef_api::web::{BuildState, BuildStatus, UiBearer, UiConfig, UiOidc, WebUi};
use mozdef_service::RestOptions;

pub use build::Build;

/// The web UI of `mozdef dev`.
#[derive(Debug, clap::Args)]
pub struct WebArgs {
    /// The web UI's source directory (with package.json), whose dist/ is served at / [default:
    /// ./web if it has a package.json, else this checkout's web/].
    #[arg(long, env = "MOZDEF_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Whether to build the UI (npm ci, npm run build) when its dist/ is missing or older than its
    /// sources.
    #[arg(long, env = "MOZDEF_WEB_BUILD", value_enum, default_value = "auto")]
    pub web_build: WebBuild,
    /// An already built UI to serve as is (no build), instead of the source directory's dist/.
    #[arg(long, env = "MOZDEF_WEB_DIST")]
    pub web_dist: Option<PathBuf>,
    /// The UI's public OIDC client id [default: the OIDC audience].
    #[arg(long, env = "MOZDEF_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The scopes the UI asks the OIDC issuer for.
    #[arg(long, env = "MOZDEF_OIDC_SCOPE", default_value = "openid email profile")]
    pub oidc_scope: String,
    /// Which token the UI sends to the API: `access_token`, or `id_token` for an issuer whose
    /// access tokens carry no audience or email (Cognito).
    #[arg(long, env = "MOZDEF_OIDC_BEARER", default_value = "access_token", value_parser = ["access_token", "id_token"])]
    pub oidc_bearer: String,
    /// OpenSearch Dashboards' URL, linked from the UI.
    #[arg(long, env = "MOZDEF_DASHBOARDS_URL")]
    pub dashboards_url: Option<String>,
}

/// Whether `mozdef dev` builds the web UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WebBuild {
    /// Build it in the background when dist/ is missing or stale and npm is there.
    Auto,
    /// Serve dist/ as it is (or a page saying it is not built).
    Never,
}

/// The UI to serve and, when it must be built first, the build to start once the server
/// listens.
#[derive(Debug)]
pub struct WebSetup {
    /// What the server serves at `/`.
    pub ui: WebUi,
    /// The build to run in the background (its state is the UI's [`WebUi::status`]).
    pub build: Option<Build>,
}

/// The web UI of `args`, with the sign-in of `rest` (its OIDC issuer and audience).
pub async fn setup(args: &WebArgs, rest: &RestOptions) -> anyhow::Result<WebSetup> {
    let issuer = rest.oidc_issuer.as_deref().map(str::trim).filter(|i| !i.is_empty());
    let oidc = match issuer {
        None => None,
        Some(issuer) => {
            let client_id = args
                .oidc_client_id
                .as_deref()
                .or(rest.oidc_audience.as_deref())
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .context("the web UI needs an OIDC client id: set --oidc-client-id or --oidc-audience")?;
            Some(UiOidc {
                authority: issuer.to_owned(),
                client_id: client_id.to_owned(),
                scope: args.oidc_scope.clone(),
                bearer: if args.oidc_bearer == "id_token" { UiBearer::IdToken } else { UiBearer::AccessToken },
            })
        }
    };
    let config = UiConfig { api_url: String::new(), oidc, dashboards_url: args.dashboards_url.clone() };
    let connect_origins = match issuer {
        Some(issuer) => issuer_origins(issuer).await,
        None => Vec::new(),
    };
    let (dist, status, build) = files(args)?;
    let ui = WebUi { dist, config: config.to_json(), connect_origins, status };
    Ok(WebSetup { ui, build })
}

/// The dist directory, its state, and the build to run.
fn files(args: &WebArgs) -> anyhow::Result<(PathBuf, BuildStatus, Option<Build>)> {
    if let Some(dist) = &args.web_dist {
        let dist = absolute(dist);
        if !dist.join("index.html").is_file() {
            tracing::warn!(dist = %dist.display(), "web UI: --web-dist has no index.html; / answers a page saying so");
        }
        tracing::info!(dist = %dist.display(), "web UI: serving a built dist directory");
        return Ok((dist, BuildStatus::new(BuildState::Ready), None));
    }
    let Some(source) = source_dir(args.web_dir.as_deref())? else {
        let dist = absolute(Path::new("web/dist"));
        tracing::warn!(
            "web UI: no source directory found (no ./web/package.json, no checkout's web/): pass --web-dir or --web-dist"
        );
        return Ok((dist, BuildStatus::new(BuildState::NotBuilt), None));
    };
    let dist = source.join("dist");
    let built = dist.join("index.html").is_file();
    if build::up_to_date(&source, &dist) {
        tracing::info!(dist = %dist.display(), "web UI: serving the built dist directory (up to date)");
        return Ok((dist, BuildStatus::new(BuildState::Ready), None));
    }
    if args.web_build == WebBuild::Never {
        let state = if built { BuildState::Ready } else { BuildState::NotBuilt };
        tracing::warn!(dist = %dist.display(), built, "web UI: dist/ is missing or older than its sources and --web-build never: serving it as it is");
        return Ok((dist, BuildStatus::new(state), None));
    }
    match build::Build::new(&source, &dist) {
        Ok(build) => {
            let status = build.status().clone();
            Ok((dist, status, Some(build)))
        }
        Err(missing) if built => {
            tracing::warn!(source = %source.display(), missing = %missing, "web UI: dist/ is older than its sources but it cannot be rebuilt here: serving it as it is; install Node.js 20.19+ with npm (Debian: apt install nodejs npm)");
            Ok((dist, BuildStatus::new(BuildState::Ready), None))
        }
        Err(missing) => {
            tracing::warn!(source = %source.display(), missing = %missing, "web UI: not built, and it cannot be built here: install Node.js 20.19+ with npm (Debian: apt install nodejs npm) and restart, or pass --web-dist");
            Ok((dist, BuildStatus::new(BuildState::NodeMissing(missing)), None))
        }
    }
}

/// The UI's source directory: `--web-dir` (which must have a `package.json`), else `./web`
/// if it has one, else the web directory of the checkout this binary was built from.
fn source_dir(flag: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    if let Some(dir) = flag {
        if !dir.join("package.json").is_file() {
            anyhow::bail!("--web-dir {}: no package.json there (the web UI's source directory)", dir.display());
        }
        return Ok(Some(absolute(dir)));
    }
    let local = Path::new("web");
    if local.join("package.json").is_file() {
        return Ok(Some(absolute(local)));
    }
    let checkout = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web"));
    Ok(checkout.join("package.json").is_file().then(|| checkout.canonicalize().unwrap_or_else(|_| checkout.into())))
}

/// `path` made absolute (for messages and a working directory that may change), as is when
/// that fails.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// How long the issuer's discovery document may take.
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// The origins the UI talks to when it signs in: the issuer's, and those of its discovery
/// document's authorization, token, userinfo and end-session endpoints (just the issuer's when
/// the document cannot be had).
async fn issuer_origins(issuer: &str) -> Vec<String> {
    let mut origins: Vec<String> = origin(issuer).into_iter().collect();
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    match discovery(&url).await {
        Ok(document) => {
            for name in ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "end_session_endpoint"] {
                if let Some(endpoint) = document.get(name).and_then(|v| v.as_str()).and_then(origin)
                    && !origins.contains(&endpoint)
                {
                    origins.push(endpoint);
                }
            }
        }
        Err(e) => {
            tracing::warn!(url = %url, error = %e, "web UI: cannot read the OIDC discovery document; the UI may talk to the issuer's origin only");
        }
    }
    origins
}

/// The discovery document at `url`.
async fn discovery(url: &str) -> anyhow::Result<serde_json::Value> {
    // reqwest is built without a default crypto provider: install ring, once per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(DISCOVERY_TIMEOUT)
        .connect_timeout(DISCOVERY_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("mozdef/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")?;
    let response = client.get(url).send().await?.error_for_status()?;
    Ok(response.json().await?)
}

/// The origin (`scheme://host[:port]`) of `url`, if it has one.
fn origin(url: &str) -> Option<String> {
    let origin = reqwest::Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn origins_of_urls() {
        assert_eq!(origin("https://idp.example.com/realms/x/"), Some("https://idp.example.com".into()));
        assert_eq!(origin("https://idp.example.com:8443/token"), Some("https://idp.example.com:8443".into()));
        assert_eq!(origin("http://127.0.0.1:80/x"), Some("http://127.0.0.1".into()));
        assert_eq!(origin("data:text/plain,x"), None);
        assert_eq!(origin("not a url"), None);
    }

    #[tokio::test]
    async fn the_issuer_endpoints_origins_are_allowed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let document = serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": "https://tokens.example.com/oauth2/token",
            "userinfo_endpoint": "https://tokens.example.com/userinfo",
            "end_session_endpoint": "https://logout.example.com:8443/logout",
        });
        let app = axum::Router::new().route(
            "/.well-known/openid-configuration",
            axum::routing::get(move || async move { axum::Json(document) }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        assert_eq!(
            issuer_origins(&format!("{issuer}/")).await,
            [issuer.clone(), "https://tokens.example.com".into(), "https://logout.example.com:8443".into()]
        );
        // No discovery document: the issuer's origin alone.
        assert_eq!(issuer_origins("http://127.0.0.1:9/realm").await, ["http://127.0.0.1:9"]);
    }
}
