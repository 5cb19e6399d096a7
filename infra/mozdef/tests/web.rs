//! `mozdef dev` serving the web UI at `/`, as a process: a built dist directory (`--web-dist`),
//! a source directory without a build (`--web-build never`), and the on-demand build with
//! stand-ins for `node` and `npm` on `PATH` (building, built, failed, no Node.js).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, client, free_port, start_with};

const INDEX: &str =
    "<!doctype html><title>MozDef test UI</title><script type=\"module\" src=\"/assets/app.js\"></script>";

/// A dist directory with an `index.html` and one asset.
fn dist(dir: &Path) {
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.join("assets/app.js"), "console.log('ui');").unwrap();
}

async fn get(http: &reqwest::Client, url: String) -> (u16, String, reqwest::header::HeaderMap) {
    let response = http.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, response.text().await.unwrap(), headers)
}

#[tokio::test]
async fn a_built_dist_directory_is_served_at_the_root() {
    let data = tempfile::tempdir().unwrap();
    let built = tempfile::tempdir().unwrap();
    dist(built.path());
    let server = start_with(data.path(), free_port(), &["--web-dist", built.path().to_str().unwrap()]).await;
    let http = client();
    for path in ["/", "/alerts", "/incident/abc/edit"] {
        let (status, body, headers) = get(&http, format!("{}{path}", server.base)).await;
        assert_eq!((status, body.as_str()), (200, INDEX), "{path}");
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self';") && !csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(headers["x-frame-options"], "DENY");
    }
    let (status, body, headers) = get(&http, format!("{}/assets/app.js", server.base)).await;
    assert_eq!((status, body.as_str()), (200, "console.log('ui');"));
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
    let (status, body, headers) = get(&http, format!("{}/config.json", server.base)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-store");
    let config: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(config, serde_json::json!({"apiUrl": "", "oidc": null, "dashboardsUrl": null}));
    let (status, body, _) = get(&http, format!("{}/api/unknown", server.base)).await;
    assert_eq!(status, 404);
    assert!(body.contains("\"error\""), "{body}");
}

#[tokio::test]
async fn an_unbuilt_ui_is_a_clear_page_and_loginput_keeps_working() {
    let data = tempfile::tempdir().unwrap();
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("package.json"), "{}").unwrap();
    let server =
        start_with(data.path(), free_port(), &["--web-build", "never", "--web-dir", web.path().to_str().unwrap()])
            .await;
    let http = client();
    let (status, body, headers) = get(&http, format!("{}/", server.base)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(body.contains("The web UI is not built"), "{body}");
    assert!(body.contains("npm run build"), "{body}");
    assert!(!body.contains("<script"), "{body}");
    let posted =
        http.post(format!("{}/events", server.base)).body(r#"{"summary": "still here"}"#).send().await.unwrap();
    assert!(posted.status().is_success(), "{}", posted.status());
    let status = http.get(format!("{}/api/status", server.base)).send().await.unwrap().status();
    assert!(status.is_success());
}

/// Writes an executable shell script.
#[cfg(unix)]
fn script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
/// `mozdef dev --web-dir <web>` with `PATH` set to `path` (where the stand-ins are).
async fn start_building(data: &Path, web: &Path, path: &str) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_mozdef"))
        .args(["dev", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data)
        .args(["--mozdefhostname", "e2e.test", "--web-dir"])
        .arg(web)
        .env("PATH", path)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let http = client();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http.get(format!("{}/status", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
        assert!(Instant::now() < deadline, "mozdef dev did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server
}

#[cfg(unix)]
/// Polls `/` until it no longer says the UI is being built; its status and body.
async fn after_the_build(http: &reqwest::Client, base: &str) -> (u16, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body, _) = get(http, format!("{base}/")).await;
        if !body.contains("is being built") {
            return (status, body);
        }
        assert!(Instant::now() < deadline, "the build did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_ui_is_built_on_demand_in_the_background() {
    let data = tempfile::tempdir().unwrap();
    let web = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("package.json"), "{}").unwrap();
    std::fs::write(web.path().join("package-lock.json"), "{}").unwrap();
    script(&bin.path().join("node"), "echo v20.19.0");
    // `npm ci` makes node_modules; `npm run build -- --outDir DIR --emptyOutDir` takes a while,
    // then writes DIR.
    script(
        &bin.path().join("npm"),
        r#"echo "$@" >> calls.log
case "$1" in
  ci) mkdir -p node_modules ;;
  run) sleep 2; mkdir -p "$5/assets" && printf '<!doctype html><title>built UI</title>' > "$5/index.html" ;;
esac"#,
    );
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let server = start_building(data.path(), web.path(), &path).await;
    let http = client();

    let (status, body, headers) = get(&http, format!("{}/alerts", server.base)).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("The web UI is being built (npm run build in "), "{body}");
    assert!(body.contains("<meta http-equiv=\"refresh\" content=\"5\">"), "{body}");
    assert!(headers.contains_key("content-security-policy"));
    let posted = http.post(format!("{}/events", server.base)).body(r#"{"summary": "meanwhile"}"#).send().await.unwrap();
    assert!(posted.status().is_success());

    let (status, body) = after_the_build(&http, &server.base).await;
    assert_eq!((status, body.as_str()), (200, "<!doctype html><title>built UI</title>"));
    assert!(web.path().join("dist/index.html").is_file());
    let calls = std::fs::read_to_string(web.path().join("calls.log")).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0], "ci --no-audit --no-fund");
    assert!(calls[1].starts_with("run build -- --outDir ") && calls[1].ends_with(" --emptyOutDir"), "{calls:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_failed_build_shows_its_output() {
    let data = tempfile::tempdir().unwrap();
    let web = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("package.json"), "{}").unwrap();
    std::fs::create_dir(web.path().join("node_modules")).unwrap();
    script(&bin.path().join("node"), "echo v22.1.0");
    script(&bin.path().join("npm"), r#"echo "src/App.tsx: error near <script>alert(1)</script>" >&2; exit 2"#);
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let server = start_building(data.path(), web.path(), &path).await;
    let http = client();
    let (status, body) = after_the_build(&http, &server.base).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("The web UI build failed"), "{body}");
    assert!(body.contains("npm run build -- --outDir"), "{body}");
    assert!(body.contains("src/App.tsx: error near &lt;script&gt;alert(1)&lt;/script&gt;"), "{body}");
    assert!(!body.contains("<script"), "{body}");
}

#[cfg(unix)]
#[tokio::test]
async fn without_node_the_page_says_what_to_install() {
    let data = tempfile::tempdir().unwrap();
    let web = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("package.json"), "{}").unwrap();
    let server = start_building(data.path(), web.path(), empty.path().to_str().unwrap()).await;
    let http = client();
    let (status, body, _) = get(&http, format!("{}/", server.base)).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("Node.js/npm was not found"), "{body}");
    assert!(body.contains("Node.js 20.19+ with npm (Debian: apt install nodejs npm)"), "{body}");
    let posted = http.post(format!("{}/events", server.base)).body(r#"{"summary": "no node"}"#).send().await.unwrap();
    assert!(posted.status().is_success());
}
