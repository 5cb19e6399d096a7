//! The web UI behind loginput and the REST API (`mozdef_api::web::serve`), through `oneshot`,
//! over a temporary dist directory: files, deep links, traversal, `/config.json`, the pages of
//! a UI that is not there yet, and the security headers on all of them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use mozdef_alerts::ScheduleStore;
use mozdef_api::web::{BuildState, BuildStatus, UiBearer, UiConfig, UiOidc, WebUi};
use mozdef_api::{ApiState, Limits, LoginputState, router};
use mozdef_model::{Document, FixedClock};
use mozdef_store::{EventQueue, QueueError};
use mozdef_store_embedded::{EmbeddedStore, SqliteSchedules};
use serde_json::{Value, json};
use tower::ServiceExt;

const INDEX: &str =
    "<!doctype html><title>MozDef</title><script type=\"module\" src=\"/assets/index-abc.js\"></script>";
const SCRIPT: &str = "console.log('mozdef');";
const SECRET: &str = "top-secret-contents";

/// A queue that counts what it accepts.
#[derive(Debug, Default)]
struct CountingQueue(Mutex<usize>);

#[async_trait]
impl EventQueue for CountingQueue {
    async fn accept(&self, events: Vec<Document>) -> Result<(), QueueError> {
        *self.0.lock().unwrap() += events.len();
        Ok(())
    }
}

struct Harness {
    app: Router,
    status: BuildStatus,
    queue: Arc<CountingQueue>,
    dist: tempfile::TempDir,
    _data: tempfile::TempDir,
}

/// loginput and the API with the UI over a dist directory holding `index.html`, an asset and
/// a favicon; a `secret.txt` lies next to the dist directory, outside it.
fn harness(state: BuildState) -> Harness {
    let data = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(data.path()).unwrap();
    let schedules: Arc<dyn ScheduleStore> =
        Arc::new(SqliteSchedules::open(&data.path().join("mozdef.sqlite")).unwrap());
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()));
    let api = ApiState::new(Arc::new(store), schedules, clock);
    let queue = Arc::new(CountingQueue::default());
    let loginput = LoginputState { queue: queue.clone(), limits: Limits::default() };

    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), INDEX).unwrap();
    std::fs::write(dist.path().join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    std::fs::create_dir(dist.path().join("assets")).unwrap();
    std::fs::write(dist.path().join("assets/index-abc.js"), SCRIPT).unwrap();
    std::fs::write(data.path().join("secret.txt"), SECRET).unwrap();

    let status = BuildStatus::new(state);
    let ui = WebUi {
        dist: dist.path().to_path_buf(),
        config: config().to_json(),
        connect_origins: vec!["https://idp.example.com".into(), "https://x; script-src *".into()],
        status: status.clone(),
    };
    let app = mozdef_api::web::serve(router(loginput, api), ui);
    Harness { app, status, queue, dist, _data: data }
}

fn config() -> UiConfig {
    UiConfig {
        api_url: String::new(),
        oidc: Some(UiOidc {
            authority: "https://idp.example.com".into(),
            client_id: "mozdef-web".into(),
            scope: "openid email profile".into(),
            bearer: UiBearer::AccessToken,
        }),
        dashboards_url: Some("https://dashboards.example.com/_dashboards".into()),
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The security headers every answer of the UI carries.
    fn assert_secure(&self, what: &str) {
        let csp = self.header("content-security-policy");
        assert_eq!(
            csp,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
             connect-src 'self' https://idp.example.com; object-src 'none'; base-uri 'none'; \
             form-action 'self' https://idp.example.com; frame-ancestors 'none'; \
             require-trusted-types-for 'script'; trusted-types 'none'",
            "{what}"
        );
        assert!(!csp.contains("unsafe-inline"), "{what}");
        assert_eq!(self.header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(self.header("referrer-policy"), "no-referrer", "{what}");
        assert_eq!(self.header("x-frame-options"), "DENY", "{what}");
        assert_eq!(self.header("cross-origin-opener-policy"), "same-origin", "{what}");
        assert_eq!(self.header("permissions-policy"), "camera=(), microphone=(), geolocation=()", "{what}");
    }
}

async fn call(h: &Harness, method: Method, uri: &str, body: impl Into<Body>) -> Answer {
    let request = Request::builder().method(method).uri(uri).body(body.into()).unwrap();
    let response = h.app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(h: &Harness, uri: &str) -> Answer {
    call(h, Method::GET, uri, Body::empty()).await
}

#[tokio::test]
async fn the_root_and_deep_links_are_the_app() {
    let h = harness(BuildState::Ready);
    for uri in [
        "/",
        "/alerts",
        "/incident/abc/edit",
        "/auth/callback?code=x&state=y",
        "/blockfqdn/evil.example.com",
        "/watchitem/10.0.0.1",
        "/blockip/2001%3Adb8%3A%3A1",
    ] {
        let answer = get(&h, uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        assert_eq!(answer.body, INDEX, "{uri}");
        assert_eq!(answer.header("content-type"), "text/html; charset=utf-8", "{uri}");
        assert_eq!(answer.header("cache-control"), "no-cache", "{uri}");
        answer.assert_secure(uri);
    }
    let index = get(&h, "/index.html").await;
    assert_eq!((index.status, index.body.as_str()), (StatusCode::OK, INDEX));
}

#[tokio::test]
async fn files_have_their_type_and_assets_are_immutable() {
    let h = harness(BuildState::Ready);
    let script = get(&h, "/assets/index-abc.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(script.body, SCRIPT);
    assert_eq!(script.header("content-type"), "text/javascript; charset=utf-8");
    assert_eq!(script.header("cache-control"), "public, max-age=31536000, immutable");
    script.assert_secure("asset");

    let icon = get(&h, "/favicon.svg").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.header("content-type"), "image/svg+xml");
    assert_eq!(icon.header("cache-control"), "no-cache");

    let head = call(&h, Method::HEAD, "/assets/index-abc.js", Body::empty()).await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.body, "");
    assert_eq!(head.header("content-length"), SCRIPT.len().to_string());
    assert_eq!(head.header("content-type"), "text/javascript; charset=utf-8");
    head.assert_secure("HEAD");
    let head = call(&h, Method::HEAD, "/alerts", Body::empty()).await;
    assert_eq!((head.status, head.body.as_str()), (StatusCode::OK, ""));
    assert_eq!(head.header("content-length"), INDEX.len().to_string());
}

#[tokio::test]
async fn a_missing_file_is_a_json_404() {
    let h = harness(BuildState::Ready);
    for uri in ["/assets/gone.js", "/assets/gone", "/robots.txt", "/missing.css", "/x/y.png"] {
        let answer = get(&h, uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(answer.json()["error"].as_str().unwrap().contains("no file"), "{uri}: {}", answer.body);
        answer.assert_secure(uri);
    }
}

#[tokio::test]
async fn traversal_is_refused() {
    let h = harness(BuildState::Ready);
    for uri in [
        "/../Cargo.toml",
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/x",
        "/%2E%2E/Cargo.toml",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets%2F..%2F..%2Fsecret.txt",
        "/assets%2f..%2fCargo.toml",
        "/assets%5C..%5Csecret.txt",
        "/index.html%00.js",
    ] {
        let answer = get(&h, uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!answer.body.contains(SECRET), "{uri}: {}", answer.body);
        assert!(!answer.body.contains("[package]"), "{uri}");
        answer.assert_secure(uri);
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_link_out_of_the_dist_directory_is_not_followed() {
    let h = harness(BuildState::Ready);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("leak.js"), "leaked").unwrap();
    std::os::unix::fs::symlink(outside.path().join("leak.js"), h.dist.path().join("assets/leak.js")).unwrap();
    std::os::unix::fs::symlink(outside.path(), h.dist.path().join("out")).unwrap();
    for uri in ["/assets/leak.js", "/out/leak.js"] {
        let answer = get(&h, uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!answer.body.contains("leaked"), "{uri}");
    }
}

#[tokio::test]
async fn loginput_and_the_api_keep_their_routes() {
    let h = harness(BuildState::Ready);
    let posted = call(&h, Method::POST, "/events", r#"{"summary": "hello"}"#).await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    let bulk = call(&h, Method::POST, "/_bulk", "{\"index\": {}}\n{\"summary\": \"bulk\"}\n").await;
    assert!(bulk.status.is_success(), "{}", bulk.body);
    assert_eq!(*h.queue.0.lock().unwrap(), 2);
    assert_eq!(get(&h, "/status").await.json(), json!({"status": "ok", "service": "loginput"}));
    assert_eq!(get(&h, "/api/status").await.json(), json!({"status": "ok", "service": "restapi"}));

    for uri in ["/api/unknown", "/api/unknown.js", "/api"] {
        let answer = get(&h, uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(answer.json()["error"].as_str().unwrap().contains("no route"), "{uri}: {}", answer.body);
    }
    // Only GET and HEAD reach the UI: another method on an unknown path is the JSON 404.
    let posted = call(&h, Method::POST, "/alerts", "{}").await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
    assert!(posted.json()["error"].as_str().unwrap().contains("no route"));
    // A loginput path with the wrong method is not the app either.
    let wrong = get(&h, "/events").await;
    assert_ne!(wrong.status, StatusCode::OK);
    assert_ne!(wrong.body, INDEX);
}

#[tokio::test]
async fn config_json_is_as_configured_and_never_cached() {
    for state in [BuildState::Ready, BuildState::Building { source: "/src/web".into() }] {
        let h = harness(state);
        let answer = get(&h, "/config.json").await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.header("content-type"), "application/json");
        assert_eq!(answer.header("cache-control"), "no-store");
        assert_eq!(
            answer.json(),
            json!({
                "apiUrl": "",
                "oidc": {"authority": "https://idp.example.com", "clientId": "mozdef-web", "scope": "openid email profile", "bearer": "access_token"},
                "dashboardsUrl": "https://dashboards.example.com/_dashboards",
            })
        );
        answer.assert_secure("config.json");
    }
}

/// The page a not-ready UI answers at `uri`: 503, HTML without a script, never cached.
async fn page(h: &Harness, uri: &str) -> Answer {
    let answer = get(h, uri).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}: {}", answer.body);
    assert_eq!(answer.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(answer.header("cache-control"), "no-store");
    assert!(!answer.body.contains("<script"), "{}", answer.body);
    assert!(answer.body.contains("REST API"), "{}", answer.body);
    answer.assert_secure(uri);
    answer
}

#[tokio::test]
async fn while_building_nothing_of_the_dist_directory_is_served() {
    let h = harness(BuildState::Building { source: "/src/mozdef/web".into() });
    for uri in ["/", "/alerts", "/assets/index-abc.js"] {
        let answer = page(&h, uri).await;
        assert!(
            answer
                .body
                .contains("The web UI is being built (npm run build in /src/mozdef/web); this page reloads itself"),
            "{}",
            answer.body
        );
        assert!(answer.body.contains("<meta http-equiv=\"refresh\" content=\"5\">"));
        assert_eq!(answer.header("retry-after"), "5");
    }
    // The API and loginput do not wait for the UI.
    assert_eq!(call(&h, Method::POST, "/events", r#"{"summary": "x"}"#).await.status, StatusCode::OK);
    assert_eq!(get(&h, "/api/status").await.status, StatusCode::OK);

    h.status.set(BuildState::Ready);
    assert_eq!(get(&h, "/alerts").await.body, INDEX);
}

#[tokio::test]
async fn without_node_the_page_says_what_to_install() {
    let h = harness(BuildState::NodeMissing("npm was not found on PATH".into()));
    let answer = page(&h, "/").await;
    assert!(answer.body.contains("Node.js/npm was not found"), "{}", answer.body);
    assert!(
        answer.body.contains("install Node.js 20.19+ with npm")
            || answer.body.contains("Install Node.js 20.19+ with npm")
    );
    assert!(answer.body.contains("apt install nodejs npm"));
    assert!(answer.body.contains("npm was not found on PATH"));
    assert!(!answer.body.contains("http-equiv=\"refresh\""));
}

#[tokio::test]
async fn a_failed_build_shows_its_output_escaped() {
    let output = "npm run build failed (exit status 1):\nerror TS2322 in <script>alert(\"x\")</script> & more";
    let h = harness(BuildState::Failed(output.into()));
    let answer = page(&h, "/alerts").await;
    assert!(answer.body.contains("The web UI build failed"), "{}", answer.body);
    assert!(
        answer.body.contains("error TS2322 in &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"),
        "{}",
        answer.body
    );
    assert!(!answer.body.contains("<script>"));
}

#[tokio::test]
async fn without_an_index_the_page_says_it_is_not_built() {
    let h = harness(BuildState::NotBuilt);
    assert_eq!(get(&h, "/alerts").await.body, INDEX, "a dist directory with an index is served");
    std::fs::remove_file(h.dist.path().join("index.html")).unwrap();
    for uri in ["/", "/alerts"] {
        let answer = page(&h, uri).await;
        assert!(answer.body.contains("The web UI is not built"), "{}", answer.body);
        assert!(answer.body.contains("npm run build"), "{}", answer.body);
        assert!(answer.body.contains(&Path::new(h.dist.path()).join("index.html").display().to_string()));
    }
    // Files still there are served; the app's routes wait for the index.
    assert_eq!(get(&h, "/assets/index-abc.js").await.status, StatusCode::OK);
}
