//! A deterministic no-panic fuzz loop over every decoder: the golden fixtures' bodies (and
//! CloudTrail log files, the AWS log files of every S3-delivered format, Security Hub events
//! and CloudWatch Logs payloads) mangled byte-wise and structurally by a small seeded PRNG.
//! Every outcome must be events (or unparsed records with a reason) or a permanent
//! [`DecodeError`] with a message; never a panic. A failure prints the decoder, the iteration
//! and the input, so it can be replayed.

use std::io::{Cursor, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use base64::Engine;
use chrono::{TimeZone, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use mozdef_model::rng::SplitMix64 as Rng;
use mozdef_pipeline::NormalizeContext;
use mozdef_pipeline::decode::aws_logs::cloudwatch_logs::{self, LogGroupParsers};
use mozdef_pipeline::decode::aws_logs::{S3LogDecoder, security_hub};
use mozdef_pipeline::decode::{
    CloudTrailDecoder, DecodeError, Decoder, Entry, GuardDutyDecoder, ObjectSource, S3ObjectRef, SnsDecoder, SqsDecoder,
};
use serde_json::{Map, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/decode");
const ITERATIONS: usize = 1500;

const ALPHABET: &[u8] = b"{}[]\":,.-+eE0123456789 \t\n\\/abcdefnrstuAZ%=\xc3\xa9\xff\x00";
const KEYS: [&str; 24] = [
    "Message",
    "Type",
    "Records",
    "s3",
    "bucket",
    "object",
    "key",
    "name",
    "eventSource",
    "eventName",
    "s3Bucket",
    "s3ObjectKey",
    "detail",
    "detail-type",
    "source",
    "type",
    "service",
    "action",
    "actionType",
    "portProbeDetails",
    "additionalInfo",
    "recentApiCalls",
    "tags",
    "timestamp",
];

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    match rng.index(if depth >= 3 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(0.50)),
        2 => Value::from(rng.next_u64() as i64),
        3 => Value::from((rng.next_u64() % 1_000_000) as f64 / 7.0),
        4 => Value::String(rng.pick(&KEYS).to_string()),
        5 => {
            let len = rng.index(12);
            Value::String((0..len).map(|_| char::from(*rng.pick(&ALPHABET[..ALPHABET.len() - 4]))).collect())
        }
        6 | 7 => {
            let mut map = Map::new();
            for _ in 0..rng.index(4) {
                let key = rng.pick(&KEYS).to_string();
                map.insert(key, random_value(rng, depth + 1));
            }
            Value::Object(map)
        }
        _ => Value::Array((0..rng.index(4)).map(|_| random_value(rng, depth + 1)).collect()),
    }
}

/// Replaces one random node of `value` (possibly the root) with a random value, or adds a
/// random key to an object.
fn mutate_json(value: &mut Value, rng: &mut Rng) {
    let children = match value {
        Value::Object(map) => map.len(),
        Value::Array(items) => items.len(),
        _ => 0,
    };
    if children == 0 || rng.chance(0.20) {
        *value = random_value(rng, 0);
        return;
    }
    if let Value::Object(map) = value
        && rng.chance(0.15)
    {
        map.insert(rng.pick(&KEYS).to_string(), random_value(rng, 1));
        return;
    }
    let index = rng.index(children);
    let child = match value {
        Value::Object(map) => map.values_mut().nth(index),
        Value::Array(items) => items.get_mut(index),
        _ => None,
    };
    if let Some(child) = child {
        mutate_json(child, rng);
    }
}

/// A mangled copy of `input`.
fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.index(3) {
        match rng.index(8) {
            0 => {
                for _ in 0..=rng.index(8) {
                    if !out.is_empty() {
                        let i = rng.index(out.len());
                        out[i] ^= 1 << rng.index(8);
                    }
                }
            }
            1 => out.truncate(rng.index(out.len() + 1)),
            2 => {
                let at = rng.index(out.len() + 1);
                let bytes: Vec<u8> = (0..=rng.index(6)).map(|_| *rng.pick(ALPHABET)).collect();
                out.splice(at..at, bytes);
            }
            3 => {
                let start = rng.index(out.len() + 1);
                let end = (start + rng.index(32)).min(out.len());
                out.drain(start..end);
            }
            4 => {
                let start = rng.index(out.len() + 1);
                let end = (start + rng.index(64)).min(out.len());
                let copy = out[start..end].to_vec();
                let at = rng.index(out.len() + 1);
                out.splice(at..at, copy);
            }
            5 | 6 => {
                if let Ok(mut value) = serde_json::from_slice::<Value>(&out) {
                    mutate_json(&mut value, rng);
                    // Strings that hold JSON (SNS Message) get mangled inside too.
                    out = serde_json::to_vec(&value).unwrap_or_default();
                }
            }
            _ => out = (0..rng.index(64)).map(|_| (rng.next_u64() & 0xff) as u8).collect(),
        }
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(data).unwrap_or_else(|e| panic!("gzip: {e}"));
    encoder.finish().unwrap_or_else(|e| panic!("gzip: {e}"))
}

fn body_of(input: &Value) -> Vec<u8> {
    match input {
        Value::String(text) => text.clone().into_bytes(),
        other => serde_json::to_vec(other).unwrap_or_default(),
    }
}

/// The fixture bodies of `decoder`, and (for CloudTrail) the log files they name.
fn corpus(decoder: &str) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let dir = Path::new(FIXTURES).join(decoder);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let (mut bodies, mut objects) = (Vec::new(), Vec::new());
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let fixture: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        bodies.push(body_of(&fixture["input"]));
        for content in fixture["objects"].as_object().into_iter().flat_map(|m| m.values()) {
            objects.push(body_of(content));
        }
    }
    (bodies, objects)
}

fn ctx() -> NormalizeContext {
    NormalizeContext {
        received: Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).single().unwrap_or_default(),
        mozdefhostname: "mozdef.test".to_owned(),
    }
}

/// A decoder under test: a body to its entries (events, or unparsed records), or its error.
type DecodeFn<'a> = dyn Fn(&[u8]) -> Result<Vec<Entry>, DecodeError> + 'a;

/// Runs `decoder` on `body`, turning a panic or a non-permanent error into a report.
fn check(name: &str, iteration: usize, decoder: &dyn Decoder, body: &[u8]) -> Option<String> {
    check_with(name, iteration, body, &|body| decoder.decode(body, "fuzz-queue", &ctx()).map(|_| Vec::new()))
}

/// Runs `decode` on `body` (entries it returns must name why a record is unparsed), turning a
/// panic or a non-permanent error into a report.
fn check_with(name: &str, iteration: usize, body: &[u8], decode: &DecodeFn<'_>) -> Option<String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| decode(body)));
    let problem = match outcome {
        Err(_) => "panicked".to_owned(),
        Ok(Err(err)) if err.is_retryable() => format!("retryable error for an in-memory input: {err}"),
        Ok(Err(err)) if err.to_string().is_empty() => "an error without a message".to_owned(),
        Ok(Ok(entries)) if entries.iter().any(|e| matches!(e, Entry::Unparsed(u) if u.reason.is_empty())) => {
            "an unparsed record without a reason".to_owned()
        }
        Ok(_) => return None,
    };
    let shown: String = String::from_utf8_lossy(body).chars().take(400).collect();
    Some(format!("{name} iteration {iteration}: {problem}; input: {shown:?}"))
}

fn fuzz(name: &str, decoder: &dyn Decoder, bodies: &[Vec<u8>], seed: u64) -> Vec<String> {
    fuzz_with(name, bodies, seed, &|body| decoder.decode(body, "fuzz-queue", &ctx()).map(|_| Vec::new()))
}

fn fuzz_with(name: &str, bodies: &[Vec<u8>], seed: u64, decode: &DecodeFn<'_>) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut failures = Vec::new();
    for body in bodies {
        failures.extend(check_with(name, 0, body, decode));
    }
    for iteration in 1..=ITERATIONS {
        let original = rng.index(bodies.len());
        let body = mutate(&bodies[original], &mut rng);
        failures.extend(check_with(name, iteration, &body, decode));
    }
    failures
}

/// Every key of every bucket holds the same object.
struct SameObject(Vec<u8>);

impl ObjectSource for SameObject {
    fn open(&self, _bucket: &str, _key: &str) -> Result<Box<dyn Read + Send>, DecodeError> {
        Ok(Box::new(Cursor::new(self.0.clone())))
    }
}

#[test]
fn shipper_and_envelope_decoders_never_panic() {
    let mut failures = Vec::new();
    failures.extend(fuzz("sqs", &SqsDecoder, &corpus("sqs").0, 0x5157_0001));
    failures.extend(fuzz("sns", &SnsDecoder, &corpus("sns").0, 0x5157_0002));
    failures.extend(fuzz("guardduty", &GuardDutyDecoder, &corpus("guardduty").0, 0x5157_0003));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cloudtrail_notifications_never_panic() {
    let (bodies, objects) = corpus("cloudtrail");
    let log_file = gzip(&objects[0]);
    let decoder = CloudTrailDecoder::new(SameObject(log_file)).with_process("1", "fuzz");
    let failures = fuzz("cloudtrail notification", &decoder, &bodies, 0x5157_0004);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cloudtrail_log_files_never_panic() {
    let (_, objects) = corpus("cloudtrail");
    assert!(!objects.is_empty(), "the cloudtrail fixtures name log files");
    let notification = br#"{"s3Bucket": "trail", "s3ObjectKey": ["log.json.gz"]}"#;
    let mut rng = Rng::new(0x5157_0005);
    let mut failures = Vec::new();
    for iteration in 1..=ITERATIONS / 2 {
        let original = rng.pick(&objects).clone();
        // Mangle the JSON then compress it, or compress then mangle the gzip bytes.
        let object =
            if rng.chance(0.60) { gzip(&mutate(&original, &mut rng)) } else { mutate(&gzip(&original), &mut rng) };
        let decoder = CloudTrailDecoder::new(SameObject(object.clone()))
            .with_process("1", "fuzz")
            .with_max_decompressed_bytes(1 << 20);
        if let Some(failure) = check("cloudtrail log file", iteration, &decoder, notification) {
            failures.push(format!("{failure}; object (gzip, {} bytes)", object.len()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The AWS log files of the fixtures of `kind`: `(key, content)`.
fn log_files(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(FIXTURES).join(kind);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let fixture: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let content = match &fixture["content"] {
                Value::Array(lines) => lines.iter().map(|l| format!("{}\n", l.as_str().unwrap_or_default())).collect(),
                other => other.as_str().unwrap_or_default().to_owned(),
            };
            (fixture["key"].as_str().unwrap_or_default().to_owned(), content.into_bytes())
        })
        .collect()
}

#[test]
fn aws_log_files_of_every_format_never_panic() {
    let mut rng = Rng::new(0x5157_0006);
    let mut failures = Vec::new();
    for (n, kind) in ["vpc_flow", "load_balancer", "waf", "route53_resolver"].into_iter().enumerate() {
        let files = log_files(kind);
        assert!(!files.is_empty(), "{kind}: fixtures with log files");
        for iteration in 1..=ITERATIONS / 2 {
            let (key, original) = rng.pick(&files).clone();
            // Mangle the text then compress it (or not), or compress then mangle the gzip bytes.
            let object = match rng.index(3) {
                0 => gzip(&mutate(&original, &mut rng)),
                1 => mutate(&original, &mut rng),
                _ => mutate(&gzip(&original), &mut rng),
            };
            let decoder = S3LogDecoder::new(
                CloudTrailDecoder::new(SameObject(object.clone()))
                    .with_process("1", "fuzz")
                    .with_max_decompressed_bytes(1 << 20),
            );
            let object_ref = S3ObjectRef { bucket: "logs".to_owned(), key: key.clone() };
            let decode = |_: &[u8]| {
                let mut entries = Vec::new();
                decoder
                    .decode_object(&object_ref, "fuzz-queue", &ctx(), &mut |entry| entries.push(entry))
                    .map(|_| entries)
            };
            if let Some(failure) = check_with(kind, iteration + n * ITERATIONS, &object, &decode) {
                failures.push(format!("{failure}; key {key}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn security_hub_events_never_panic() {
    let failures = fuzz_with("security_hub", &corpus("security_hub").0, 0x5157_0007, &|body| {
        security_hub::decode(body, "fuzz-queue", &ctx()).map(|events| events.into_iter().map(Entry::Event).collect())
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cloudwatch_logs_payloads_never_panic() {
    let dir = Path::new(FIXTURES).join("cloudwatch_logs");
    let mut payloads = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let fixture: Value = serde_json::from_str(&text).unwrap_or_default();
        if fixture["payload"].is_object() {
            payloads.push(serde_json::to_vec(&fixture["payload"]).unwrap_or_default());
        }
    }
    payloads.sort();
    assert!(!payloads.is_empty(), "cloudwatch_logs fixtures with payloads");
    let parsers = LogGroupParsers::parse("/vpc/*=vpcflow,/dns/*=route53resolver,/waf/*=waf,/json/*=json")
        .unwrap_or_else(|e| panic!("{e}"));
    // The mangled payload is what gets wrapped as CloudWatch Logs sends it (and, one time in
    // four, the wrapped body itself is mangled instead).
    let rng = std::cell::RefCell::new(Rng::new(0x5157_0008));
    let failures = fuzz_with("cloudwatch_logs", &payloads, 0x5157_0009, &|payload| {
        let data = base64::engine::general_purpose::STANDARD.encode(gzip(payload));
        let mut body = serde_json::to_vec(&serde_json::json!({"awslogs": {"data": data}})).unwrap_or_default();
        let mut rng = rng.borrow_mut();
        if rng.chance(0.25) {
            body = mutate(&body, &mut rng);
        }
        cloudwatch_logs::decode(&body, &parsers, &ctx()).map(|p| p.entries.into_iter().map(|(_, e)| e).collect())
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
