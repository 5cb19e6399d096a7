//! `mozdef normalize` as a process: input order kept, refusals, drops and quarantines
//! reported with their line numbers, a bad line skipped; the site configuration (MozDef's
//! plugin sidecar files) read the same way as `mozdef dev` reads it, and a bad setting
//! stopping the start naming file, key and value; and the output identical to what a running
//! `mozdef dev` indexes for the same events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{client, free_port, search, start};
use serde_json::{Value, json};

/// MozDef's shipped `mq/plugins/mozilla_location.conf`, verbatim.
const MOZILLA_LOCATION_CONF: &str = "[options]\ndc_code_list=abc1,abc2,abc3\noffices_code_list=chicago1,ny1,sfo1\n";

/// A user plugin that extracts a user and drops health checks.
const USER_PLUGIN: &str = r#"{"registration": ["norm_app"], "steps": [
    {"extract": {"field": "summary", "regex": "user=(?P<username>\\w+)"}},
    {"when": {"field": "summary", "contains": "healthcheck"}, "drop": true}]}"#;

/// A data directory with MozDef's location lists and a user plugin, as `mozdef dev` and
/// `mozdef normalize` find them by default.
fn site(dir: &Path) {
    std::fs::create_dir_all(dir.join("plugin-config")).unwrap();
    std::fs::write(dir.join("plugin-config/mozilla_location.conf"), MOZILLA_LOCATION_CONF).unwrap();
    std::fs::create_dir_all(dir.join("plugins")).unwrap();
    std::fs::write(dir.join("plugins/norm_app.json"), USER_PLUGIN).unwrap();
}

fn normalize(data_dir: &Path, input: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mozdef"));
    command
        .arg("normalize")
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--mozdefhostname", "e2e.test"])
        .args(extra)
        .arg("-")
        .env("RUST_LOG", "warn")
        .env_remove("OPTIONS_DC_CODE_LIST")
        .env_remove("OPTIONS_OFFICES_CODE_LIST")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("run mozdef normalize");
    // Written from a thread of its own: the child's output is read meanwhile, so neither pipe
    // can fill up and stall the other.
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

fn documents(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn order_kept_refusals_reported_with_line_numbers_bad_lines_skipped() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let lines = [
        json!({"summary": "first", "details": {"n": 1}}).to_string(),
        "{not json".to_owned(),
        json!({"summary": "login user=root", "details": {"app": "norm_app", "n": 3}}).to_string(),
        String::new(),
        json!({"summary": "healthcheck user=lb", "details": {"app": "norm_app", "n": 5}}).to_string(),
        json!({"index": {"_index": "events"}}).to_string(),
        json!({"summary": "user=x", "details": "not an object", "app": "norm_app", "customendpoint": true}).to_string(),
        "[1, 2]".to_owned(),
        json!({"summary": "last", "details": {"n": 9}}).to_string(),
    ];
    let at = ["--received", "2026-11-23T12:00:00Z"];
    let output = normalize(dir.path(), &lines.join("\n"), &at, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let docs = documents(&output);
    let order: Vec<&Value> = docs.iter().map(|d| &d["details"]["n"]).collect();
    assert_eq!(order, [&json!(1), &json!(3), &json!(9)], "input order, bad lines skipped");
    assert_eq!(docs[1]["details"]["username"], "root", "the user plugin of <data-dir>/plugins ran");
    assert_eq!(docs[0]["mozdefhostname"], "e2e.test");
    let err = stderr(&output);
    assert!(err.contains("line 2: refused as loginput refuses it: invalid JSON"), "{err}");
    assert!(err.contains("line 5: dropped by plugin norm_app"), "{err}");
    assert!(err.contains("line 7: quarantined: plugin norm_app failed"), "{err}");
    assert!(err.contains("line 8: refused as loginput refuses it: an event must be a JSON object"), "{err}");
    for quiet in ["line 1:", "line 4:", "line 6:", "line 9:"] {
        assert!(!err.contains(quiet), "{quiet} has nothing to report: {err}");
    }
    assert!(err.contains("normalize: 9 lines: 3 documents, 4 reported"), "{err}");

    let explained = normalize(dir.path(), &lines.join("\n"), &["--explain", at[0], at[1]], &[]);
    let err = stderr(&explained);
    assert!(err.contains("line 3: norm_app (changed)"), "{err}");
    assert!(err.contains("line 1: offered to no plugin"), "{err}");
    assert_eq!(documents(&explained), docs, "--explain changes no document");
}

fn location_event(host: &str) -> String {
    json!({"category": "network", "hostname": host, "summary": "flow", "timestamp": "2026-11-23T10:00:00Z"}).to_string()
}

fn sitetypes(output: &Output) -> Vec<String> {
    documents(output).iter().map(|d| d["details"]["sitetype"].as_str().unwrap_or("-").to_owned()).collect()
}

#[test]
fn mozdef_plugin_settings_are_read_as_mozdef_wrote_them() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let input = ["fw1.private.abc2.mozilla.com", "vpn.office.sfo1.mozilla.com", "db1.private.mdc9.mozilla.com"]
        .map(location_event)
        .join("\n");
    let output = normalize(dir.path(), &input, &[], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(sitetypes(&output), ["datacenter", "office", "unknown"]);

    // MozDef's OPTIONS_* variables override the file.
    let output = normalize(dir.path(), &input, &[], &[("OPTIONS_DC_CODE_LIST", "mdc9")]);
    assert_eq!(sitetypes(&output), ["unknown", "office", "datacenter"]);

    // A misspelt key and a bad value stop the start, naming file, key and value.
    let bad = tempfile::tempdir().unwrap();
    let conf = bad.path().join("mozilla_location.conf");
    std::fs::write(&conf, "[options]\ndc_code_lst=abc1,abc2\n").unwrap();
    let flag = ["--plugin-config", bad.path().to_str().unwrap()];
    let output = normalize(dir.path(), &input, &flag, &[]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("mozilla_location.conf") && err.contains("dc_code_lst") && err.contains("abc1,abc2"), "{err}");
    assert!(output.stdout.is_empty(), "nothing is normalized with a broken configuration");
    std::fs::write(&conf, "[options]\ndc_code_list=abc1\noffices_code_list=ny1, SFO 1\n").unwrap();
    let output = normalize(dir.path(), &input, &flag, &[]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("offices_code_list") && err.contains("SFO 1"), "{err}");

    // `mozdef dev` reads the same settings and stops the same way.
    let port = free_port().to_string();
    let dev = Command::new(env!("CARGO_BIN_EXE_mozdef"))
        .args(["dev", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        // The web UI is the browser tests' business (scripts/test-web): never build it here.
        .env("MOZDEF_WEB_BUILD", "never")
        .arg(dir.path())
        .args(flag)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!dev.status.success());
    let err = stderr(&dev);
    assert!(err.contains("offices_code_list") && err.contains("SFO 1"), "{err}");
}

/// Every golden fixture input of the key mapping and the plugins: raw shipper events, and
/// custom-endpoint events for the plugins that want them.
fn fixture_events() -> Vec<Value> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["keymapping", "plugins"] {
        let mut stack = vec![root.join(dir)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files
        .iter()
        .filter_map(|f| serde_json::from_str::<Value>(&std::fs::read_to_string(f).unwrap()).ok())
        .filter_map(|fixture| fixture.get("input").filter(|i| i.is_object()).cloned())
        .collect()
}

/// The same events through a running `mozdef dev` (one `/_bulk` request, so one receive
/// time) and through `mozdef normalize` at that receive time: the documents `mozdef dev`
/// indexes are exactly those `mozdef normalize` prints.
#[tokio::test]
async fn output_is_what_mozdef_dev_indexes() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let mut events = fixture_events();
    assert!(events.len() > 500, "the fixtures hold {} events", events.len());
    events.extend(
        ["fw1.private.abc2.mozilla.com", "vpn.office.sfo1.mozilla.com"]
            .map(|h| serde_json::from_str::<Value>(&location_event(h)).unwrap()),
    );
    let body: String = events.iter().map(|e| format!("{e}\n")).collect();

    let port = free_port();
    let server = start(dir.path(), port).await;
    let http = client();
    let answer = http.post(format!("{}/_bulk", server.base)).body(body.clone()).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let accepted = answer.json::<Value>().await.unwrap()["accepted"].as_u64().unwrap();

    let explained = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        let body = body.clone();
        move || normalize(&dir, &body, &["--explain", "--received", "2026-01-01T00:00:00Z"], &[])
    })
    .await
    .unwrap();
    assert!(explained.status.success(), "{}", stderr(&explained));
    // Documents a plugin sends to another index are not in the events search.
    let rerouted =
        stderr(&explained).lines().filter(|l| l.contains("stored in index") && !l.contains("\"events\"")).count();
    let expected = documents(&explained).len() - rerouted;
    assert!(expected > 400, "{expected} documents");

    // Wait for the worker, then read what it indexed and its receive time.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let hits = loop {
        let hits = search(&http, &server.base, "").await["hits"].as_array().cloned().unwrap_or_default();
        if hits.len() >= expected || std::time::Instant::now() > deadline {
            break hits;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(hits.len(), expected, "every normalized document was indexed ({accepted} events accepted)");
    let received = hits[0]["_source"]["receivedtimestamp"].as_str().unwrap().to_owned();
    assert!(hits.iter().all(|h| h["_source"]["receivedtimestamp"] == received.as_str()), "one request, one time");
    let sitetypes: BTreeSet<&str> = hits.iter().filter_map(|h| h["_source"]["details"]["sitetype"].as_str()).collect();
    assert!(sitetypes.is_superset(&BTreeSet::from(["datacenter", "office"])), "mozdef dev read the plugin settings");

    let output = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || normalize(&dir, &body, &["--received", &received], &[])
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let mut printed: Vec<String> = documents(&output).iter().map(Value::to_string).collect();
    let mut indexed: Vec<String> = hits.iter().map(|h| h["_source"].to_string()).collect();
    printed.sort();
    indexed.sort();
    let missing: Vec<&String> = indexed.iter().filter(|d| !printed.contains(d)).take(3).collect();
    assert!(missing.is_empty(), "indexed by mozdef dev but not printed by normalize: {missing:#?}");
    // Every printed document that stays in the events indices is indexed, nothing else.
    assert_eq!(printed.len() - rerouted, indexed.len());
    drop(server);
}
