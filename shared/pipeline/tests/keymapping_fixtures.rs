//! Golden fixtures of MozDef's key mapping: every `tests/fixtures/keymapping/*.json` is
//! `{"description", "input", "expected"}`; `normalize(input)` with the received time
//! 2026-11-23T10:00:00+00:00 and the host `mozdef.test` must equal `expected` exactly
//! (save-time defaults included).

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use mozdef_model::{Document, add_required_fields};
use mozdef_pipeline::{NormalizeContext, key_mapping, normalize};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/keymapping");

fn ctx() -> NormalizeContext {
    NormalizeContext {
        received: Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).single().unwrap_or_default(),
        mozdefhostname: "mozdef.test".to_owned(),
    }
}

fn fixture_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap_or_else(|e| panic!("cannot list {FIXTURES}: {e}"))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
}

struct Fixture {
    name: String,
    input: Value,
    expected: Value,
}

fn load(path: &Path) -> Fixture {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    assert!(doc["description"].as_str().is_some_and(|d| !d.is_empty()), "{name}: a fixture needs a description");
    assert!(doc["input"].is_object(), "{name}: input must be an object");
    assert!(doc["expected"].is_object(), "{name}: expected must be an object");
    Fixture { name, input: doc["input"].clone(), expected: doc["expected"].clone() }
}

/// The top-level keys (and `details.*` keys) whose values differ.
fn differences(actual: &Value, expected: &Value) -> Vec<String> {
    let (Some(a), Some(e)) = (actual.as_object(), expected.as_object()) else {
        return vec![format!("whole document: {actual} != {expected}")];
    };
    let mut keys: Vec<&String> = a.keys().chain(e.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        match (a.get(key), e.get(key)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(Value::Object(_)), Some(Value::Object(_))) if key == "details" => {
                out.extend(differences(&a[key], &e[key]).into_iter().map(|d| format!("details.{d}")));
            }
            (x, y) => out.push(format!(
                "{key}: got {} expected {}",
                x.map_or("<missing>".to_owned(), Value::to_string),
                y.map_or("<missing>".to_owned(), Value::to_string)
            )),
        }
    }
    out
}

#[test]
fn every_fixture_normalizes_to_expected() {
    let paths = fixture_paths();
    assert!(paths.len() >= 50, "expected the keymapping fixtures in {FIXTURES}");
    let mut failures = Vec::new();
    for path in &paths {
        let fixture = load(path);
        match normalize(fixture.input.clone(), &ctx()) {
            Ok(actual) => {
                let actual = Value::Object(actual);
                if actual != fixture.expected {
                    let diff = differences(&actual, &fixture.expected).join("\n    ");
                    failures.push(format!("{}:\n    {diff}", fixture.name));
                }
            }
            Err(e) => failures.push(format!("{}: normalize failed: {e}", fixture.name)),
        }
    }
    assert!(failures.is_empty(), "{} of {} fixtures differ:\n{}", failures.len(), paths.len(), failures.join("\n"));
}

/// The borrowing `key_mapping` agrees with the owned path `normalize` uses.
#[test]
fn borrowed_key_mapping_matches_normalize() {
    for path in fixture_paths() {
        let fixture = load(&path);
        let Some(input) = fixture.input.as_object() else {
            continue;
        };
        if input.get("customendpoint").is_some_and(|v| v == &Value::Bool(true)) {
            continue;
        }
        let mut mapped: Document = key_mapping(input, &ctx());
        add_required_fields(&mut mapped, ctx().received, &ctx().mozdefhostname);
        let normalized = normalize(fixture.input.clone(), &ctx()).ok();
        assert_eq!(Some(mapped), normalized, "{}", fixture.name);
    }
}
