//! `tests/alerts/test_deadman.py`, plus a check per host of the `hosts` setting.
//!
//! A deadman alert has no events to tag, so it fires again on every run while the sensor
//! stays silent (as in MozDef); the harness's "a second run raises nothing" does not apply to
//! it. Positive cases therefore run through [`check_deadman`] below; negative ones through
//! the shared harness.

use mozdef_alerts::catalogue::deadman;
use mozdef_alerts::{ConfigSource, RaisedAlert};
use mozdef_model::indices::events_index;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "hostname": "host1",
        "details": {"note": "MozillaAlive::Bro_Is_Watching_You"},
        "category": "bro",
        "source": "notice"
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "deadman",
        "severity": "ERROR",
        "summary": "No host1 bro healthcheck events found the past 20 minutes",
        "tags": ["bro", "bro_deadman"],
        "url": "https://www.mozilla.org",
        "notify_mozdefbot": true,
        "channel": null,
        "classname": "broNSM",
        "events": [],
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

fn for_host(host: &str) -> Value {
    merge(&default_alert(), &json!({"summary": format!("No {host} bro healthcheck events found the past 20 minutes")}))
}

/// Indexes `events`, runs every task of the entry once, and checks that exactly the
/// `expected` alerts were raised (in host order) and stored with each of their keys.
async fn check_case(subject: &Subject, events: &[Value], expected: &[Value], store: &dyn TestStore) -> Vec<String> {
    let index = events_index(now());
    store.index(events.iter().enumerate().map(|(n, e)| (index.clone(), format!("e{n}"), e.clone())).collect()).await;
    let raised: Vec<RaisedAlert> = run_entry(subject, store).await;
    let mut failures = Vec::new();
    if raised.len() != expected.len() {
        let summaries: Vec<&Value> = raised.iter().map(|r| &r.document["summary"]).collect();
        failures.push(format!("expected {} alert(s), got {summaries:?}", expected.len()));
        return failures;
    }
    for (alert, want) in raised.iter().zip(expected) {
        for (key, value) in want.as_object().expect("object") {
            if alert.document.get(key) != Some(value) {
                failures.push(format!("key {key}: expected {value}, raised {:?}", alert.document.get(key)));
            }
        }
    }
    // Only the last alert is read back: deadman alert ids are per alert name and minute, so
    // the hosts' alerts of one run share a document (reported to the framework's owner).
    if let Some(last) = raised.last() {
        let stored = store.get(&last.stored.index, &last.stored.id).await;
        match stored {
            Some(source) if source.get("summary") == last.document.get("summary") => {}
            other => failures.push(format!("alert {} not stored as raised: {other:?}", last.stored.id)),
        }
    }
    failures
}

/// Runs each `(description, events, expected alerts)` case on every store of the test root.
async fn check_deadman(subject: Subject, cases: Vec<(&str, Vec<Value>, Vec<Value>)>) {
    let mut failures = Vec::new();
    for (description, events, expected) in &cases {
        for store in stores().await {
            for f in check_case(&subject, events, expected, store.as_ref()).await {
                failures.push(format!("[{}] {description}: {f}", store.label()));
            }
        }
    }
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
}

fn hosts(list: &str) -> ConfigSource {
    let mut config = ConfigSource::defaults();
    config.env.insert("MOZDEF_ALERT_DEADMAN__HOSTS".into(), list.into());
    config
}

#[tokio::test]
async fn deadman() {
    let entry = deadman::entry(&ConfigSource::defaults()).expect("entry");
    assert_eq!(entry.name, "deadman.broNSM");
    assert_eq!(entry.tasks.len(), 1);

    let negatives = vec![
        negative("good event", with(json!({}))),
        negative("event nineteen minutes old", vec![aged(&default_event(), 19)]),
        negative(
            "one good event among others",
            vec![merge(&default_event(), &json!({"hostname": "host4"})), default_event()],
        ),
    ];
    check(Subject::defaults(deadman::entry), negatives).await;

    let one = vec![default_alert()];
    let positives = vec![
        ("old event", vec![aged(&default_event(), 21)], one.clone()),
        ("incorrect host", with(json!({"hostname": "host4"})), one.clone()),
        ("host name only contained", with(json!({"hostname": "host1.example.com"})), one.clone()),
        ("bad note", with(json!({"details": {"note": "some note"}})), one.clone()),
        ("bad category", with(json!({"category": "somecategory"})), one.clone()),
        ("bad source", with(json!({"source": "somesource"})), one.clone()),
        ("no events at all", vec![], one),
    ];
    check_deadman(Subject::defaults(deadman::entry), positives).await;

    let two = Subject::with_config(deadman::entry, &hosts("host1, host2,"));
    assert_eq!(two.entry.tasks.len(), 2, "one task per host, blanks and empty names dropped");
    let cases = vec![
        ("host1 alive, host2 silent", with(json!({})), vec![for_host("host2")]),
        ("host2 alive, host1 silent", with(json!({"hostname": "host2"})), vec![for_host("host1")]),
        ("both silent", vec![], vec![for_host("host1"), for_host("host2")]),
    ];
    check_deadman(two, cases).await;
    let both_alive = vec![default_event(), merge(&default_event(), &json!({"hostname": "host2"}))];
    check(Subject::with_config(deadman::entry, &hosts("host1,host2")), vec![negative("both alive", both_alive)]).await;

    let mut config = hosts("host1");
    config.env.insert("MOZDEF_ALERT_DEADMAN__SEVERITY".into(), "CRITICAL".into());
    config.env.insert("MOZDEF_ALERT_DEADMAN__URL".into(), "https://runbooks.example.com/bro".into());
    let critical = merge(&default_alert(), &json!({"severity": "CRITICAL", "url": "https://runbooks.example.com/bro"}));
    check_deadman(Subject::with_config(deadman::entry, &config), vec![("configured", vec![], vec![critical])]).await;

    assert!(deadman::entry(&hosts(" , ")).is_err(), "no host to watch is a configuration error");
    let mut bad = ConfigSource::defaults();
    bad.env.insert("MOZDEF_ALERT_DEADMAN__SEVERITY".into(), "LOUD".into());
    assert!(deadman::entry(&bad).is_err(), "an unknown severity is a configuration error");
}

#[test]
fn deadman_checks_wait_for_site_settings() {
    // MozDef's shipped hosts and searches are samples: scheduled off until the site names its own.
    let shipped = deadman::entry(&ConfigSource::defaults()).unwrap();
    assert!(!shipped.enabled_by_default);
    assert!(deadman::entry(&hosts("sensor1")).unwrap().enabled_by_default);
    let generic = mozdef_alerts::catalogue::deadman_generic::entry(&ConfigSource::defaults()).unwrap();
    assert!(!generic.enabled_by_default);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deadman_generic.json"), r#"{"severity": "ERROR"}"#).unwrap();
    let configured = ConfigSource { dir: Some(dir.path().to_path_buf()), env: Default::default() };
    assert!(mozdef_alerts::catalogue::deadman_generic::entry(&configured).unwrap().enabled_by_default);
    let bruteforce = mozdef_alerts::catalogue::bruteforce_ssh::entry(&ConfigSource::defaults()).unwrap();
    assert!(bruteforce.enabled_by_default, "the others run on MozDef's defaults");
}
