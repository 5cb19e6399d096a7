//! Helpers of the end-to-end tests: `mozdef dev` as a child process and its HTTP API.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running `mozdef dev`, killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

pub async fn start(data_dir: &Path, port: u16) -> Server {
    start_with(data_dir, port, &[]).await
}

/// Starts `mozdef dev` with extra arguments and waits until loginput answers.
pub async fn start_with(data_dir: &Path, port: u16, extra: &[&str]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_mozdef"))
        .args(["dev", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        // The web UI is the browser tests' business (scripts/test-web): never build it here.
        .env("MOZDEF_WEB_BUILD", "never")
        .arg(data_dir)
        .args(["--mozdefhostname", "e2e.test"])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start mozdef dev");
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let http = client();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{}/status", server.base)).send().await
            && r.status().is_success()
        {
            return server;
        }
        assert!(Instant::now() < deadline, "mozdef dev did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn search(http: &reqwest::Client, base: &str, query: &str) -> Value {
    let body = json!({"query": query, "minutes": 60, "size": 10000});
    let r = http.post(format!("{base}/api/search")).json(&body).send().await.unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "search failed: {status} {body}");
    body
}

/// Polls until the query finds at least `want` hits (or 10 s pass) and returns the hits.
pub async fn wait_for(http: &reqwest::Client, base: &str, query: &str, want: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let hits = search(http, base, query).await["hits"].as_array().cloned().unwrap_or_default();
        if hits.len() >= want || Instant::now() > deadline {
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `GET /api/quarantine` until it lists a record (or `timeout` passes) and returns
/// the records.
pub async fn wait_for_quarantine(http: &reqwest::Client, base: &str, timeout: Duration) -> Vec<Value> {
    let deadline = Instant::now() + timeout;
    loop {
        let body: Value = http.get(format!("{base}/api/quarantine")).send().await.unwrap().json().await.unwrap();
        let hits = body["hits"].as_array().cloned().unwrap_or_default();
        if !hits.is_empty() || Instant::now() > deadline {
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
