//! End to end: `mozdef dev` as a real process on a free port with a temporary data dir;
//! events posted over HTTP (single, bulk array, NDJSON) and searched back; `kill -9` right
//! after acknowledgements, a restart, and every acknowledged event found exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

async fn start(data_dir: &Path, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_mozdef"))
        .args(["dev", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data_dir)
        .args(["--mozdefhostname", "e2e.test"])
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

async fn search(http: &reqwest::Client, base: &str, query: &str) -> Value {
    let body = json!({"query": query, "minutes": 60, "size": 10000});
    let r = http.post(format!("{base}/api/search")).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "search failed: {}", r.status());
    r.json().await.unwrap()
}

/// Polls until the query finds at least `want` hits (or 10 s pass) and returns the hits.
async fn wait_for(http: &reqwest::Client, base: &str, query: &str, want: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let hits = search(http, base, query).await["hits"].as_array().cloned().unwrap_or_default();
        if hits.len() >= want || Instant::now() > deadline {
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn post_search_kill_restart() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = start(dir.path(), port).await;
    let http = client();
    let base = server.base.clone();

    // A syslog-ng style event through /events: normalised on the way in.
    let syslog = json!({"HOST": "web1.example.com", "PROGRAM": "sshd", "PID": "4242", "PRIORITY": "info",
                        "FACILITY": "authpriv", "MESSAGE": "Accepted publickey for alice from 10.0.0.5 port 22 ssh2",
                        "DATE": "2026-11-25T10:00:00+00:00", "details": {"run": "single"}});
    let r = http.post(format!("{base}/events")).json(&syslog).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let hits = wait_for(&http, &base, "details.run:single", 1).await;
    assert_eq!(hits.len(), 1, "the posted event is searchable");
    let source = &hits[0]["_source"];
    assert_eq!(source["hostname"], "web1.example.com");
    assert_eq!(source["processname"], "sshd");
    assert_eq!(source["processid"], "4242");
    assert_eq!(source["severity"], "INFO");
    assert_eq!(source["summary"], "Accepted publickey for alice from 10.0.0.5 port 22 ssh2");
    assert_eq!(source["mozdefhostname"], "e2e.test");
    assert_eq!(source["type"], "event");
    let id = hits[0]["_id"].as_str().unwrap();
    let by_id: Value = http.get(format!("{base}/api/events/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(&by_id["_source"], source);

    // A bulk array and an NDJSON bulk.
    let array = json!([{"index": {}}, {"summary": "bulk a", "details": {"run": "bulk"}}, {"summary": "bulk b", "details": {"run": "bulk"}}]);
    assert_eq!(http.post(format!("{base}/_bulk")).json(&array).send().await.unwrap().status(), 200);
    let ndjson = "{\"index\":{}}\n{\"summary\":\"bulk c\",\"details\":{\"run\":\"bulk\"}}\n{\"summary\":\"bulk d\",\"details\":{\"run\":\"bulk\"}}\n";
    assert_eq!(http.post(format!("{base}/_bulk")).body(ndjson).send().await.unwrap().status(), 200);
    let hits = wait_for(&http, &base, "details.run:bulk", 4).await;
    let mut summaries: Vec<&str> = hits.iter().map(|h| h["_source"]["summary"].as_str().unwrap()).collect();
    summaries.sort_unstable();
    assert_eq!(summaries, ["bulk a", "bulk b", "bulk c", "bulk d"]);

    // A bad request is refused and nothing of it appears.
    let r = http.post(format!("{base}/_bulk")).body("{\"details\":{\"run\":\"bad\"}}\n{oops\n").send().await.unwrap();
    assert_eq!(r.status(), 400);

    // Fire events from several tasks; kill -9 the server right after enough acknowledgements.
    let acked = Arc::new(std::sync::Mutex::new(Vec::<u64>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut senders = Vec::new();
    for task in 0..4u64 {
        let (http, base, acked, stop) = (http.clone(), base.clone(), acked.clone(), stop.clone());
        senders.push(tokio::spawn(async move {
            let mut seq = task;
            while !stop.load(Ordering::Relaxed) {
                let event = json!({"summary": format!("crash test {seq}"), "details": {"run": "crash", "seq": seq}});
                match http.post(format!("{base}/events")).json(&event).send().await {
                    Ok(r) if r.status().is_success() => acked.lock().unwrap().push(seq),
                    _ => {}
                }
                seq += 4;
            }
        }));
    }
    let mut server = server;
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 300 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // SIGKILL while requests are still in flight.
    server.child.kill().unwrap();
    let _ = server.child.wait();
    let acknowledged = acked.lock().unwrap().clone();
    stop.store(true, Ordering::Relaxed);
    for s in senders {
        s.await.unwrap();
    }
    assert!(acknowledged.len() >= 300, "only {} events were acknowledged", acknowledged.len());
    drop(server);

    let server = start(dir.path(), port).await;
    let hits = wait_for(&http, &server.base, "details.run:crash", acknowledged.len()).await;
    let mut count: BTreeMap<u64, usize> = BTreeMap::new();
    for hit in &hits {
        *count.entry(hit["_source"]["details"]["seq"].as_u64().unwrap()).or_default() += 1;
    }
    for seq in &acknowledged {
        assert_eq!(count.get(seq), Some(&1), "acknowledged event {seq} must be stored exactly once");
    }
    assert!(count.values().all(|&n| n == 1), "no event is stored twice");
    // Everything from before the crash is still there, once.
    assert_eq!(wait_for(&http, &server.base, "details.run:bulk", 4).await.len(), 4);
    assert_eq!(wait_for(&http, &server.base, "details.run:single", 1).await.len(), 1);
    assert!(search(&http, &server.base, "details.run:bad").await["hits"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn sigterm_drains_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port).await;
    let http = client();
    for n in 0..20 {
        let event = json!({"summary": format!("term {n}"), "details": {"run": "term"}});
        assert_eq!(http.post(format!("{}/events", server.base)).json(&event).send().await.unwrap().status(), 200);
    }
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "mozdef dev did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "clean exit, got {status}");
    // Drained: a restart finds all 20 without replaying anything.
    let server = start(dir.path(), port).await;
    assert_eq!(wait_for(&http, &server.base, "details.run:term", 20).await.len(), 20);
    let checkpoint = std::fs::read_to_string(dir.path().join("wal/checkpoint")).unwrap();
    assert!(!checkpoint.trim().is_empty());
}

#[tokio::test]
async fn send_sample_events_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = start(dir.path(), port).await;
    let http = client();
    let before = search(&http, &server.base, "*").await["hits"].as_array().unwrap().len();
    for bulk in ["0", "25"] {
        let output = Command::new(env!("CARGO_BIN_EXE_mozdef"))
            .args(["send", "--url", &server.base, "--count", "100", "--bulk", bulk, "--seed", "7", "--quiet"])
            .output()
            .unwrap();
        assert!(output.status.success(), "mozdef send failed: {}", String::from_utf8_lossy(&output.stderr));
        let summary = String::from_utf8_lossy(&output.stdout);
        assert!(summary.contains("ok=100") && summary.contains("failed=0"), "{summary}");
    }
    let hits = wait_for(&http, &server.base, "*", before + 200).await;
    assert_eq!(hits.len(), before + 200, "every sent sample event is stored once");
    let categories: std::collections::BTreeSet<&str> =
        hits.iter().filter_map(|h| h["_source"]["category"].as_str()).collect();
    assert!(categories.len() >= 3, "sample events are mixed: {categories:?}");
    assert!(hits.iter().all(|h| h["_source"]["mozdefhostname"] == "e2e.test"));
}
