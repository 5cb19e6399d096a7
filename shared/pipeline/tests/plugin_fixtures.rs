//! Golden fixtures of every built-in mq plugin: `tests/fixtures/plugins/<plugin>/*.json`.
//!
//! Each file is `{"description", "input": <event as the chain receives it>, ...}` with one of:
//! * `"expected": <event>` — the plugin's output (the `mozdef` key the chain adds is left out
//!   unless the input had one), with `"metadata": {"index", "id"}` when the plugin reroutes;
//! * `"offered": false` — the plugin's registration does not match: the event passes unchanged;
//! * `"dropped": true` — the plugin drops the event;
//! * `"error": "<substring>"` — the plugin fails and the event goes to quarantine.
//!
//! The plugin runs alone, through a one-plugin chain, so registration matching is tested too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use mozdef_pipeline::plugins::{ChainOutcome, Metadata, PluginChain, PluginConfig, by_name};
use serde_json::{Value, json};

fn fixtures_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/plugins"))
}

fn run_fixture(plugin: &str, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let fixture: Value = serde_json::from_str(&text).map_err(|e| format!("invalid fixture: {e}"))?;
    let input = fixture["input"].as_object().cloned().ok_or("fixture has no input object")?;
    let config = PluginConfig::default();
    let chain = PluginChain::new(vec![by_name(plugin, &config).ok_or(format!("no plugin named {plugin}"))?]);
    let had_mozdef = input.contains_key("mozdef");
    let outcome = chain.run(input.clone(), Metadata::default());
    match outcome {
        ChainOutcome::Event { mut event, metadata } => {
            let offered = event["mozdef"]["plugins"].as_array().is_some_and(|ran| ran.contains(&json!(plugin)));
            if !had_mozdef {
                event.remove("mozdef");
            }
            if fixture.get("offered") == Some(&json!(false)) {
                if offered {
                    return Err("the plugin was offered the event".into());
                }
                if event != input {
                    return Err("an event the plugin was not offered changed".into());
                }
                return Ok(());
            }
            if !offered {
                return Err("the plugin was not offered the event (registration did not match)".into());
            }
            if fixture.get("dropped").is_some() || fixture.get("error").is_some() {
                return Err(format!("expected a drop or an error, got {}", Value::Object(event)));
            }
            let expected = fixture.get("expected").ok_or("fixture has no expected event")?;
            if &Value::Object(event.clone()) != expected {
                return Err(format!("output differs\n  expected: {expected}\n  actual:   {}", Value::Object(event)));
            }
            let want = fixture.get("metadata").cloned().unwrap_or(json!({"index": "events", "id": null}));
            let got = json!({"index": metadata.index, "id": metadata.id});
            if got != want {
                return Err(format!("metadata differs: expected {want}, got {got}"));
            }
            Ok(())
        }
        ChainOutcome::Dropped { .. } if fixture.get("dropped") == Some(&json!(true)) => Ok(()),
        ChainOutcome::Failed { error, .. } => match fixture["error"].as_str() {
            Some(expected) if error.to_string().contains(expected) => Ok(()),
            _ => Err(format!("the plugin failed: {error}")),
        },
        other => Err(format!("unexpected outcome {other:?}")),
    }
}

#[test]
fn every_plugin_fixture() {
    let mut failures = Vec::new();
    let mut count = 0;
    let Ok(dirs) = std::fs::read_dir(fixtures_dir()) else { panic!("no fixtures directory") };
    let mut dirs: Vec<_> = dirs.flatten().filter(|d| d.path().is_dir()).collect();
    dirs.sort_by_key(|d| d.file_name());
    for dir in dirs {
        let plugin = dir.file_name().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|f| f.path()).collect();
        files.sort();
        for file in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
            count += 1;
            if let Err(e) = run_fixture(&plugin, &file) {
                failures.push(format!("{}: {e}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} plugin fixtures failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_builtin_plugin_has_positive_and_negative_fixtures() {
    let mut missing = Vec::new();
    for plugin in mozdef_pipeline::plugins::builtin(&PluginConfig::default()) {
        let dir = fixtures_dir().join(plugin.name());
        let fixtures: Vec<Value> = std::fs::read_dir(&dir)
            .map(|files| {
                files
                    .flatten()
                    .filter_map(|f| std::fs::read_to_string(f.path()).ok())
                    .filter_map(|t| serde_json::from_str(&t).ok())
                    .collect()
            })
            .unwrap_or_default();
        let positive = fixtures.iter().any(|f| f.get("expected").is_some() || f.get("dropped").is_some());
        let negative =
            fixtures.iter().any(|f| f.get("offered") == Some(&json!(false)) || f.get("expected") == f.get("input"));
        if !positive || !negative {
            missing.push(plugin.name());
        }
    }
    assert!(missing.is_empty(), "plugins without a positive and a negative fixture: {missing:?}");
}
