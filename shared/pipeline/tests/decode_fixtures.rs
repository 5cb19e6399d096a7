//! Golden fixtures of the source decoders: every `tests/fixtures/decode/<decoder>/*.json` is
//!
//! ```json
//! {"description": "...", "queue": "...", "received": "<RFC 3339>",
//!  "input": "<body text>" | <JSON body>,
//!  "expected": [<event>, ...] | "error": "<substring of the error message>",
//!  "objects": {"<bucket>/<key>": <JSON, or a string of raw text>},   (cloudtrail only)
//!  "plain_objects": {"<bucket>/<key>": "<stored uncompressed>"},      (cloudtrail only)
//!  "max_decompressed_bytes": <n>}                                      (cloudtrail only)
//! ```
//!
//! CloudTrail objects are gzipped at test time into a temporary directory read through
//! `LocalObjects`, so no binary file is committed. The host is `mozdef.test`; the
//! CloudTrail worker's process is `4242` / `esworker_cloudtrail`.
//!
//! `MOZDEF_BLESS=1 cargo test -p mozdef-pipeline --test decode_fixtures` rewrites each
//! `expected` with the actual output (review the diff before keeping it).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use mozdef_pipeline::NormalizeContext;
use mozdef_pipeline::decode::{CloudTrailDecoder, DecodeError, LocalObjects, guardduty, sns, sqs};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/decode");
const DECODERS: [&str; 4] = ["sqs", "sns", "cloudtrail", "guardduty"];

fn fixture_paths(decoder: &str) -> Vec<PathBuf> {
    let dir = Path::new(FIXTURES).join(decoder);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
}

fn body_of(input: &Value) -> Vec<u8> {
    match input {
        Value::String(text) => text.clone().into_bytes(),
        other => serde_json::to_vec(other).unwrap_or_default(),
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap_or_else(|e| panic!("gzip: {e}"));
    encoder.finish().unwrap_or_else(|e| panic!("gzip: {e}"))
}

/// Writes the fixture's objects under `root` (gzipped, or plain).
fn store_objects(fixture: &Value, root: &Path) {
    let write = |name: &str, bytes: &[u8]| {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    };
    for (name, content) in fixture["objects"].as_object().into_iter().flatten() {
        write(name, &gzip(&body_of(content)));
    }
    for (name, content) in fixture["plain_objects"].as_object().into_iter().flatten() {
        write(name, &body_of(content));
    }
}

fn run(decoder: &str, fixture: &Value) -> Result<Vec<Value>, DecodeError> {
    let received: DateTime<Utc> = fixture["received"]
        .as_str()
        .and_then(|r| DateTime::parse_from_rfc3339(r).ok())
        .map(|r| r.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("fixture needs an RFC 3339 received time"));
    let ctx = NormalizeContext { received, mozdefhostname: "mozdef.test".to_owned() };
    let queue = fixture["queue"].as_str().unwrap_or_else(|| panic!("fixture needs a queue"));
    let body = body_of(&fixture["input"]);
    let events = match decoder {
        "sqs" => sqs::decode(&body, queue, &ctx),
        "sns" => sns::decode(&body, queue, &ctx),
        "guardduty" => guardduty::decode(&body, queue, &ctx),
        "cloudtrail" => {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
            store_objects(fixture, dir.path());
            let mut ct =
                CloudTrailDecoder::new(LocalObjects::new(dir.path())).with_process("4242", "esworker_cloudtrail");
            if let Some(limit) = fixture["max_decompressed_bytes"].as_u64() {
                ct = ct.with_max_decompressed_bytes(limit);
            }
            ct.decode(&body, queue, &ctx)
        }
        other => panic!("unknown decoder {other}"),
    }?;
    Ok(events.into_iter().map(Value::Object).collect())
}

/// Where two event lists differ, as readable lines.
fn differences(actual: &[Value], expected: &[Value]) -> Vec<String> {
    if actual.len() != expected.len() {
        return vec![format!("{} events, expected {}", actual.len(), expected.len())];
    }
    let mut out = Vec::new();
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let (Some(a), Some(e)) = (a.as_object(), e.as_object()) else { continue };
        let mut keys: Vec<&String> = a.keys().chain(e.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            if a.get(key) != e.get(key) {
                let show = |v: Option<&Value>| v.map_or("<missing>".to_owned(), Value::to_string);
                out.push(format!("event {i}: {key}: got {} expected {}", show(a.get(key)), show(e.get(key))));
            }
        }
    }
    out
}

#[test]
fn every_decode_fixture_matches() {
    let bless = std::env::var_os("MOZDEF_BLESS").is_some();
    let mut failures = Vec::new();
    let mut count = 0;
    for decoder in DECODERS {
        let paths = fixture_paths(decoder);
        assert!(paths.len() >= 10, "expected at least 10 {decoder} fixtures in {FIXTURES}");
        for path in paths {
            count += 1;
            let name = format!("{decoder}/{}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut fixture: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(fixture["description"].as_str().is_some_and(|d| !d.is_empty()), "{name}: needs a description");
            let result = run(decoder, &fixture);
            match (&result, fixture["error"].as_str(), fixture["expected"].as_array()) {
                (Err(err), Some(wanted), _) => {
                    if !err.to_string().contains(wanted) {
                        failures.push(format!("{name}: error {err:?} ({err}) does not contain {wanted:?}"));
                    }
                    if !err.is_permanent() {
                        failures.push(format!("{name}: a malformed record must be a permanent error: {err}"));
                    }
                }
                (Ok(events), None, Some(expected)) if events == expected => {}
                (Ok(events), None, Some(_)) if bless => {
                    fixture["expected"] = Value::Array(events.clone());
                    let pretty = serde_json::to_string_pretty(&fixture).unwrap_or_default() + "\n";
                    std::fs::write(&path, pretty).unwrap_or_else(|e| panic!("{name}: {e}"));
                    eprintln!("blessed {name}");
                }
                (Ok(events), None, Some(expected)) => {
                    failures.push(format!("{name}:\n    {}", differences(events, expected).join("\n    ")));
                }
                (Ok(events), Some(wanted), _) => {
                    failures
                        .push(format!("{name}: expected an error containing {wanted:?}, got {} events", events.len()));
                }
                (Err(err), None, _) => failures.push(format!("{name}: unexpected error: {err}")),
                (Ok(_), None, None) => failures.push(format!("{name}: needs `expected` or `error`")),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} fixtures failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn decoded_events_are_stored_ready_after_defaults() {
    // The decoders stop before the plugins; the save-time defaults complete every event.
    let path = Path::new(FIXTURES).join("sns/text_message.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fixture: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let events = run("sns", &fixture).unwrap_or_else(|e| panic!("{e}"));
    let mut event = events.into_iter().next().and_then(|e| e.as_object().cloned()).unwrap_or_default();
    mozdef_model::add_required_fields(&mut event, Utc::now(), "mozdef.test");
    for key in ["utctimestamp", "category", "hostname", "summary", "tags", "details", "type", "mozdef"] {
        assert!(event.contains_key(key), "{key} missing after the defaults");
    }
}
