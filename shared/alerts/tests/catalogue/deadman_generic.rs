//! `tests/alerts/test_deadman_generic.py` on MozDef's shipped `deadman_generic.json`
//! ("Sample Alert 1": `ABC12345436` within 5 minutes; "Sample Alert 2": `anotherterm`
//! within 20 hours), plus a rule whose window reaches days back into `events-weekly`.
//!
//! A deadman alert fires again at every run while nothing matches, so positive cases do not
//! go through `check` (whose second run must raise nothing): `fired` indexes each event in
//! the daily index of its own timestamp, runs the entry twice and checks which rules fired,
//! the stored documents, and that the second run stored the same documents again (same ids).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mozdef_alerts::catalogue::deadman_generic::{self, Config};
use mozdef_alerts::{CatalogueEntry, ConfigSource};
use mozdef_model::indices::events_index;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({"category": "helloworld", "details": {"sourceipaddress": "1.2.3.4"}}))
}

/// The event matching "Sample Alert 1".
fn first_term() -> Value {
    merge(&default_event(), &json!({"summary": "ABC12345436"}))
}

/// The event matching "Sample Alert 2".
fn second_term() -> Value {
    merge(&default_event(), &json!({"summary": "anotherterm"}))
}

fn shipped() -> CatalogueEntry {
    deadman_generic::entry(&ConfigSource::defaults()).expect("shipped rules")
}

fn first_alert() -> Value {
    json!({
        "classname": "AlertDeadmanGeneric:Sample Alert 1",
        "category": "deadman",
        "tags": ["deadman", "generic_deadman"],
        "severity": "ERROR",
        "summary": "Deadman check failed for 'Sample Alert 1' the past 5 minutes",
        "events": [],
        "notify_mozdefbot": true,
        "channel": null,
    })
}

fn second_alert() -> Value {
    json!({
        "classname": "AlertDeadmanGeneric:Sample Alert 2",
        "category": "deadman",
        "tags": ["deadman", "someothertag"],
        "severity": "ERROR",
        "summary": "Deadman check failed for 'Sample Alert 2' the past 20 hours",
        "events": [],
        "notify_mozdefbot": true,
        "channel": null,
    })
}

fn timestamp(event: &Value) -> DateTime<Utc> {
    let text = event["utctimestamp"].as_str().expect("utctimestamp");
    DateTime::parse_from_rfc3339(text).expect("timestamp").with_timezone(&Utc)
}

async fn fired_on(entry: &CatalogueEntry, events: &[Value], store: &dyn TestStore) -> Vec<String> {
    let subject = Subject { entry: entry.clone(), plugins: Vec::new(), watchlist: Vec::new(), fixtures: Vec::new() };
    let docs = events.iter().enumerate().map(|(n, e)| (events_index(timestamp(e)), format!("e{n}"), e.clone()));
    store.index(docs.collect()).await;
    let first = run_entry(&subject, store).await;
    let again = run_entry(&subject, store).await;
    let ids = |raised: &[mozdef_alerts::RaisedAlert]| raised.iter().map(|r| r.stored.clone()).collect::<Vec<_>>();
    let mut problems = Vec::new();
    if ids(&first) != ids(&again) {
        problems.push(format!("the second run stored {:?}, the first {:?}", ids(&again), ids(&first)));
    }
    let mut stored_summaries = HashMap::new();
    for raised in &first {
        let Some(stored) = store.get(&raised.stored.index, &raised.stored.id).await else {
            problems.push(format!("alert {} not stored", raised.stored.id));
            continue;
        };
        let summary = stored.get("summary").and_then(Value::as_str).unwrap_or_default().to_owned();
        if stored_summaries.insert(raised.stored.id.clone(), summary).is_some() {
            problems.push(format!("two alerts stored under one id {}", raised.stored.id));
        }
        let expected = [first_alert(), second_alert(), third_alert()]
            .into_iter()
            .find(|a| a["classname"] == stored["classname"])
            .unwrap_or_else(|| json!({"classname": "one of the rules"}));
        for (key, value) in expected.as_object().expect("object") {
            if stored.get(key) != Some(value) {
                problems.push(format!("key {key}: expected {value}, stored {:?}", stored.get(key)));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let mut fired: Vec<String> =
        first.iter().map(|r| r.document["classname"].as_str().unwrap_or_default().to_owned()).collect();
    fired.sort();
    fired
}

/// The classnames of the rules that fire on `events`, on every store of the test root (all
/// must agree).
async fn fired(entry: &CatalogueEntry, events: Vec<Value>) -> Vec<String> {
    let mut answers = Vec::new();
    for store in stores().await {
        answers.push((store.label(), fired_on(entry, &events, store.as_ref()).await));
    }
    let (first_store, first) = answers.remove(0);
    for (store, answer) in answers {
        assert_eq!(answer, first, "{store} and {first_store} disagree");
    }
    first
}

const FIRST: &str = "AlertDeadmanGeneric:Sample Alert 1";
const SECOND: &str = "AlertDeadmanGeneric:Sample Alert 2";

#[tokio::test]
async fn deadman_generic_fires() {
    let entry = shipped();
    assert_eq!(entry.name, "deadman_generic.AlertDeadmanGeneric");
    assert_eq!(fired(&entry, vec![]).await, [FIRST, SECOND], "no events: both rules fire");
    assert_eq!(fired(&entry, vec![second_term()]).await, [FIRST], "only the second term seen");
    assert_eq!(fired(&entry, vec![first_term()]).await, [SECOND], "only the first term seen");
    assert_eq!(
        fired(&entry, vec![aged(&first_term(), 6), second_term()]).await,
        [FIRST],
        "the first term's only event is older than 5 minutes"
    );
    assert_eq!(
        fired(&entry, vec![first_term(), aged(&second_term(), 21 * 60)]).await,
        [SECOND],
        "the second term's only event is older than 20 hours (in yesterday's index)"
    );
    assert_eq!(
        fired(&entry, vec![aged(&first_term(), 4), aged(&second_term(), 19 * 60)]).await,
        Vec::<String>::new(),
        "both inside their windows"
    );
    assert_eq!(
        fired(&entry, vec![merge(&first_term(), &json!({"summary": "ABC1234543"}))]).await,
        [FIRST, SECOND],
        "a near miss is no match"
    );
}

#[tokio::test]
async fn deadman_generic_silent() {
    let cases = vec![
        negative("both terms seen", vec![first_term(), second_term()]),
        negative("both terms seen, the second 19 hours ago", vec![first_term(), aged(&second_term(), 19 * 60)]),
    ];
    check(Subject::defaults(deadman_generic::entry), cases).await;
}

fn third_alert() -> Value {
    json!({
        "classname": "AlertDeadmanGeneric:Backups",
        "tags": ["deadman", "backup"],
        "severity": "CRITICAL",
        "summary": "Deadman check failed for 'Backups' the past 3 days",
    })
}

#[tokio::test]
async fn deadman_generic_searches_events_weekly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = json!({
        "severity": "CRITICAL",
        "alerts": [{
            "description": "Backups",
            "search_query": "category:backup AND summary:finished",
            "time_window": 3,
            "time_window_type": "days",
            "tags": ["backup"]
        }]
    });
    std::fs::write(dir.path().join("deadman_generic.json"), rules.to_string()).expect("write");
    let entry = deadman_generic::entry(&ConfigSource::new(Some(dir.path()))).expect("rules from the file");
    let backup = merge(&default_event(), &json!({"category": "backup", "summary": "backup finished"}));
    assert_eq!(
        fired(&entry, vec![aged(&backup, 2 * 24 * 60)]).await,
        Vec::<String>::new(),
        "two days ago, three days back"
    );
    assert_eq!(fired(&entry, vec![aged(&backup, 4 * 24 * 60)]).await, ["AlertDeadmanGeneric:Backups"], "four days ago");
    assert_eq!(
        fired(&entry, vec![merge(&aged(&backup, 60), &json!({"category": "restore"}))]).await,
        ["AlertDeadmanGeneric:Backups"],
        "the query string's category does not match"
    );
}

#[test]
fn deadman_generic_broken_rule_is_named() {
    let mut config = Config::default();
    config.alerts[1].as_object_mut().expect("object").remove("time_window_type");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("deadman_generic.json"), serde_json::to_string(&config).expect("json"))
        .expect("write");
    let error = deadman_generic::entry(&ConfigSource::new(Some(dir.path()))).expect_err("broken rule").to_string();
    assert!(error.contains("rule 2 (\"Sample Alert 2\"): missing \"time_window_type\""), "{error}");
}
