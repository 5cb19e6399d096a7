//! Golden fixtures of the AWS-native log decoders (`mozdef_pipeline::decode::aws_logs`), written
//! by hand from each service's documented record format — never generated from this code's
//! output. Every `tests/fixtures/decode/<kind>/*.json` is one case:
//!
//! * S3-delivered kinds (`vpc_flow`, `load_balancer`, `waf`, `route53_resolver`):
//!   `{"description", "received": "<RFC 3339>", "queue", "key": "<object key>",
//!     "content": "<text>" | ["<line>", ...], "gzip": true (default), "max_decompressed_bytes": n,
//!     "expected": [<event> | {"unparsed": "<reason substring>", "raw": "<raw text>"}] | "error": "<substring>"}`
//!   — the object is written (gzipped unless `"gzip": false`) under a temporary directory and
//!   decoded through [`S3LogDecoder::decode_object`], so the key's routing is tested too;
//! * `security_hub`: `{"received", "queue", "input": <EventBridge event>, "expected": [<event>] | "error"}`;
//! * `cloudwatch_logs`: `{"received", "log_groups": "<pattern=parser,...>" (optional),
//!     "payload": <the decompressed subscription payload> | "data": "<the awslogs.data text>",
//!     "expected": [{"id": "<log event id>", "event": <event>} | {"id", "unparsed": "<substring>"}] | "error"}`
//!   — the payload is gzipped and base64-encoded into `{"awslogs": {"data": ...}}` as
//!   CloudWatch Logs sends it.
//!
//! The host is `mozdef.test`; the CloudTrail process `4242` / `esworker_cloudtrail`.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use mozdef_pipeline::NormalizeContext;
use mozdef_pipeline::decode::aws_logs::cloudwatch_logs::{self, LogGroupParsers};
use mozdef_pipeline::decode::aws_logs::{Entry, S3LogDecoder, security_hub};
use mozdef_pipeline::decode::{CloudTrailDecoder, LocalObjects, S3ObjectRef};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/decode");
const S3_KINDS: [&str; 4] = ["vpc_flow", "load_balancer", "waf", "route53_resolver"];
const BUCKET: &str = "logs";

fn fixture_paths(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(FIXTURES).join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap_or_else(|e| panic!("gzip: {e}"));
    encoder.finish().unwrap_or_else(|e| panic!("gzip: {e}"))
}

fn context(fixture: &Value) -> NormalizeContext {
    let received: DateTime<Utc> = fixture["received"]
        .as_str()
        .and_then(|r| DateTime::parse_from_rfc3339(r).ok())
        .map(|r| r.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("fixture needs an RFC 3339 received time"));
    NormalizeContext { received, mozdefhostname: "mozdef.test".to_owned() }
}

/// An entry as the fixtures write it.
fn entry_json(entry: Entry) -> Value {
    match entry {
        Entry::Event(event) => Value::Object(event),
        Entry::Unparsed(unparsed) => json!({"unparsed": unparsed.reason, "raw": unparsed.raw}),
    }
}

/// Compares `actual` with the fixture's `expected` (unparsed reasons by substring).
fn check(path: &Path, actual: Result<Vec<Value>, String>, fixture: &Value) {
    let name = path.display();
    match (&fixture["expected"], &fixture["error"]) {
        (Value::Array(expected), Value::Null) => {
            let actual = actual.unwrap_or_else(|e| panic!("{name}: unexpected error: {e}"));
            assert_eq!(actual.len(), expected.len(), "{name}: entry count; got {actual:#?}");
            for (n, (got, want)) in actual.iter().zip(expected).enumerate() {
                if let Some(reason) = want.get("unparsed").and_then(Value::as_str) {
                    let got_reason = got["unparsed"]
                        .as_str()
                        .unwrap_or_else(|| panic!("{name}[{n}]: expected unparsed, got {got:#}"));
                    assert!(got_reason.contains(reason), "{name}[{n}]: reason {got_reason:?} lacks {reason:?}");
                    if let Some(raw) = want.get("raw") {
                        assert_eq!(&got["raw"], raw, "{name}[{n}]: raw");
                    }
                } else {
                    assert_eq!(got, want, "{name}[{n}]");
                }
            }
        }
        (Value::Null, Value::String(error)) => match actual {
            Ok(entries) => panic!("{name}: expected an error containing {error:?}, got {entries:#?}"),
            Err(message) => assert!(message.contains(error.as_str()), "{name}: error {message:?} lacks {error:?}"),
        },
        _ => panic!("{name}: a fixture has either `expected` or `error`"),
    }
}

fn run_s3(fixture: &Value) -> Result<Vec<Value>, String> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let key = fixture["key"].as_str().unwrap_or_else(|| panic!("fixture needs a key"));
    let text = match &fixture["content"] {
        Value::String(text) => text.clone(),
        Value::Array(lines) => lines.iter().map(|l| format!("{}\n", l.as_str().unwrap_or_default())).collect(),
        other => panic!("content must be text or lines, got {other}"),
    };
    let bytes = if fixture["gzip"] == Value::Bool(false) { text.into_bytes() } else { gzip(text.as_bytes()) };
    let path = dir.path().join(BUCKET).join(key);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut cloudtrail =
        CloudTrailDecoder::new(LocalObjects::new(dir.path())).with_process("4242", "esworker_cloudtrail");
    if let Some(cap) = fixture["max_decompressed_bytes"].as_u64() {
        cloudtrail = cloudtrail.with_max_decompressed_bytes(cap);
    }
    let decoder = S3LogDecoder::new(cloudtrail);
    let object = S3ObjectRef { bucket: BUCKET.to_owned(), key: key.to_owned() };
    let queue = fixture["queue"].as_str().unwrap_or("mozdef-events");
    let mut entries = Vec::new();
    decoder
        .decode_object(&object, queue, &context(fixture), &mut |entry| entries.push(entry_json(entry)))
        .map_err(|e| e.to_string())?;
    Ok(entries)
}

fn run_security_hub(fixture: &Value) -> Result<Vec<Value>, String> {
    let body = match &fixture["input"] {
        Value::String(text) => text.clone().into_bytes(),
        other => serde_json::to_vec(other).unwrap_or_default(),
    };
    let queue = fixture["queue"].as_str().unwrap_or("mozdef-events");
    security_hub::decode(&body, queue, &context(fixture))
        .map(|events| events.into_iter().map(Value::Object).collect())
        .map_err(|e| e.to_string())
}

fn run_cloudwatch(fixture: &Value) -> Result<Vec<Value>, String> {
    let data = match (&fixture["payload"], &fixture["data"]) {
        (Value::Null, Value::String(data)) => data.clone(),
        (payload, Value::Null) => {
            base64::engine::general_purpose::STANDARD.encode(gzip(payload.to_string().as_bytes()))
        }
        _ => panic!("a cloudwatch fixture has `payload` or `data`"),
    };
    let body = json!({"awslogs": {"data": data}}).to_string();
    let parsers = match fixture["log_groups"].as_str() {
        Some(spec) => LogGroupParsers::parse(spec).unwrap_or_else(|e| panic!("log_groups: {e}")),
        None => LogGroupParsers::default(),
    };
    let payload = cloudwatch_logs::decode(body.as_bytes(), &parsers, &context(fixture)).map_err(|e| e.to_string())?;
    Ok(payload
        .entries
        .into_iter()
        .map(|(id, entry)| match entry {
            Entry::Event(event) => json!({"id": id, "event": event}),
            Entry::Unparsed(unparsed) => json!({"id": id, "unparsed": unparsed.reason, "raw": unparsed.raw}),
        })
        .collect())
}

fn run_kind(kind: &str, run: fn(&Value) -> Result<Vec<Value>, String>) {
    let paths = fixture_paths(kind);
    assert!(!paths.is_empty(), "no fixtures for {kind}");
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let fixture: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        check(&path, run(&fixture), &fixture);
    }
}

#[test]
fn s3_delivered_formats() {
    for kind in S3_KINDS {
        run_kind(kind, run_s3);
    }
}

#[test]
fn security_hub_findings() {
    run_kind("security_hub", run_security_hub);
}

#[test]
fn cloudwatch_logs_payloads() {
    run_kind("cloudwatch_logs", run_cloudwatch);
}
