//! The MozDef-style alert test harness (`tests/alerts/alert_test_suite.py`), on whichever
//! stores the test root provides ([`TestStore`], `crate::stores::open`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use mozdef_alerts::catalogue::EntryBuilder;
use mozdef_alerts::localities::LocalityStore;
use mozdef_alerts::{
    AlertBackend, AlertContext, AlertEnv, AlertPlugin, CatalogueEntry, ConfigSource, RaisedAlert, StaticReverseDns,
    run_alert,
};
use mozdef_model::indices::events_index;
use mozdef_model::{Document, isoformat};
use serde_json::{Value, json};

/// What a case needs of a store: one fresh and empty per case (and per store the root runs
/// on), holding events and alerts, with the alert backend over them and GeoModel's state
/// beside them.
#[async_trait]
pub trait TestStore: Send + Sync {
    /// The name failures are reported under (`memory`, `embedded`, `opensearch`).
    fn label(&self) -> &'static str;

    /// Indexes `(concrete index, id, document)` triples and makes them visible to searches;
    /// panics when one is refused.
    async fn index(&self, docs: Vec<(String, String, Value)>);

    /// The document `id` of the concrete index `index`, if it is there.
    async fn get(&self, index: &str, id: &str) -> Option<Document>;

    /// The alert backend on this store.
    fn backend(&self) -> Arc<dyn AlertBackend>;

    /// A new, empty locality store (GeoModel's state) beside this store.
    fn localities(&self) -> Arc<dyn LocalityStore>;
}

/// Fresh, empty stores for one case: every store the test root runs the cases on.
pub async fn stores() -> Vec<Box<dyn TestStore>> {
    crate::stores::open().await
}

/// MozDef's frozen test time.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2017, 1, 1, 1, 0, 0).unwrap()
}

/// `now` minus `minutes`, as an event timestamp.
pub fn ago(minutes: i64) -> String {
    isoformat(&(now() - Duration::minutes(minutes)))
}

/// MozDef's `generate_default_event` `_source` (with a fixed source address).
pub fn base_event() -> Value {
    json!({
        "category": "excategory",
        "utctimestamp": ago(0),
        "receivedtimestamp": ago(0),
        "mozdefhostname": "mozdefhost",
        "hostname": "exhostname",
        "severity": "NOTICE",
        "source": "exsource",
        "summary": "Example summary",
        "tags": ["tag1", "tag2"],
        "details": {"sourceipaddress": "1.2.3.4", "hostname": "exhostname"}
    })
}

/// `changes` merged over `base` (objects merged key by key, everything else replaced; a
/// `null` removes the key, as the tests' `del` did).
pub fn merge(base: &Value, changes: &Value) -> Value {
    match (base, changes) {
        (Value::Object(b), Value::Object(c)) => {
            let mut out = b.clone();
            for (k, v) in c {
                if v.is_null() {
                    out.remove(k);
                } else {
                    let merged = match out.get(k) {
                        Some(existing) => merge(existing, v),
                        None => v.clone(),
                    };
                    out.insert(k.clone(), merged);
                }
            }
            Value::Object(out)
        }
        _ => changes.clone(),
    }
}

/// The base event with `changes`.
pub fn event(changes: Value) -> Value {
    merge(&base_event(), &changes)
}

/// `n` copies of `event(changes)` (MozDef's `create_events`).
pub fn events(changes: Value, n: usize) -> Vec<Value> {
    vec![event(changes); n]
}

/// `event` with both timestamps `minutes` old (MozDef's `subtract_from_timestamp_lambda`).
pub fn aged(event: &Value, minutes: i64) -> Value {
    merge(event, &json!({"utctimestamp": ago(minutes), "receivedtimestamp": ago(minutes)}))
}

/// One test case.
pub enum Case {
    /// The events raise an alert whose stored document has every key of `expected`;
    /// `attached` events (default: all of them) are in it.
    Positive { description: &'static str, events: Vec<Value>, expected: Value, attached: Option<usize> },
    /// The events raise nothing.
    Negative { description: &'static str, events: Vec<Value> },
}

/// A positive case attaching every event.
pub fn positive(description: &'static str, events: Vec<Value>, expected: Value) -> Case {
    Case::Positive { description, events, expected, attached: None }
}

/// A positive case attaching `attached` events (MozDef: `num_samples`, or a subset).
pub fn positive_attaching(description: &'static str, events: Vec<Value>, expected: Value, attached: usize) -> Case {
    Case::Positive { description, events, expected, attached: Some(attached) }
}

/// A negative case.
pub fn negative(description: &'static str, events: Vec<Value>) -> Case {
    Case::Negative { description, events }
}

/// MozDef's reverse DNS mock.
pub fn mock_dns() -> StaticReverseDns {
    let mut names = HashMap::new();
    names.insert("10.2.3.4".parse::<IpAddr>().unwrap(), "mock_hostname1.mozilla.org".to_owned());
    StaticReverseDns { names, fallback: Some("mock.mozilla.org".to_owned()) }
}

/// What a test runs: a catalogue entry, its configuration, plugins.
pub struct Subject {
    pub entry: CatalogueEntry,
    pub plugins: Vec<Arc<dyn AlertPlugin>>,
    /// The watchlist terms the run sees.
    pub watchlist: Vec<String>,
    /// Documents indexed before the case's events, into the given (concrete) indices.
    pub fixtures: Vec<(String, Value)>,
}

impl Subject {
    /// The entry `build` makes from MozDef's defaults.
    pub fn defaults(build: EntryBuilder) -> Self {
        Subject::with_config(build, &ConfigSource::defaults())
    }

    /// The entry `build` makes from `config`.
    pub fn with_config(build: EntryBuilder, config: &ConfigSource) -> Self {
        let entry = build(config).unwrap_or_else(|e| panic!("entry does not build: {e}"));
        Subject { entry, plugins: Vec::new(), watchlist: Vec::new(), fixtures: Vec::new() }
    }
}

/// Runs the entry once at the frozen time.
pub async fn run_entry(subject: &Subject, store: &dyn TestStore) -> Vec<RaisedAlert> {
    let backend = store.backend();
    let env = AlertEnv { backend: backend.as_ref(), plugins: &subject.plugins };
    let ctx = AlertContext { now: now(), reverse_dns: Arc::new(mock_dns()), watchlist: subject.watchlist.clone() };
    let mut raised = Vec::new();
    for task in &subject.entry.tasks {
        raised.extend(run_alert(task.as_ref(), env, &ctx).await.unwrap_or_else(|e| panic!("run failed: {e}")));
    }
    raised
}

/// Checks one case on one store; returns the failures.
async fn check_case(subject: &Subject, case: &Case, store: &dyn TestStore) -> Vec<String> {
    let (description, input) = match case {
        Case::Positive { description, events, .. } | Case::Negative { description, events } => (*description, events),
    };
    let fixtures =
        subject.fixtures.iter().enumerate().map(|(n, (index, doc))| (index.clone(), format!("f{n}"), doc.clone()));
    let index = events_index(now());
    let docs = input.iter().enumerate().map(|(n, doc)| (index.clone(), format!("e{n}"), doc.clone()));
    store.index(fixtures.chain(docs).collect()).await;
    let raised = run_entry(subject, store).await;
    let mut failures = Vec::new();
    let mut fail = |message: String| failures.push(format!("{description}: {message}"));
    match case {
        Case::Negative { .. } => {
            if !raised.is_empty() {
                let summaries: Vec<&Value> = raised.iter().map(|r| &r.document["summary"]).collect();
                fail(format!("expected no alert, got {summaries:?}"));
            }
        }
        Case::Positive { expected, attached, .. } => {
            let Some(first) = raised.first() else {
                fail("expected an alert, got none".into());
                return failures;
            };
            let Some(stored) = store.get(&first.stored.index, &first.stored.id).await else {
                fail(format!("alert {} is not in {}", first.stored.id, first.stored.index));
                return failures;
            };
            let doc: &Document = &stored;
            for (key, value) in expected.as_object().expect("expected alert is an object") {
                if doc.get(key) != Some(value) {
                    fail(format!("key {key}: expected {value}, stored {:?}", doc.get(key)));
                }
            }
            let classname = doc.get("classname").and_then(Value::as_str).unwrap_or_default().to_owned();
            if !subject.entry.tasks.iter().any(|t| t.name() == classname) {
                fail(format!("classname {classname:?} is not one of the entry's tasks"));
            }
            let severity = doc.get("severity").and_then(Value::as_str).unwrap_or_default();
            let has_channel = doc.get("channel").and_then(Value::as_str).is_some_and(|c| !c.is_empty());
            let quiet = matches!(severity, "NOTICE" | "INFO") && !has_channel;
            if doc.get("notify_mozdefbot") != Some(&json!(!quiet)) && expected.get("notify_mozdefbot").is_none() {
                fail(format!("notify_mozdefbot {:?} for severity {severity}", doc.get("notify_mozdefbot")));
            }
            let events = doc.get("events").and_then(Value::as_array).cloned().unwrap_or_default();
            let want = attached.unwrap_or(input.len());
            if events.len() != want {
                fail(format!("{} events attached, expected {want}", events.len()));
            }
            for attached in &events {
                let (Some(index), Some(id)) = (attached["documentindex"].as_str(), attached["documentid"].as_str())
                else {
                    fail(format!("attached event without index/id: {attached}"));
                    continue;
                };
                let Some(event) = store.get(index, id).await else {
                    fail(format!("attached event {id} not found"));
                    continue;
                };
                if event.get("alert_names") != Some(&json!([classname])) {
                    fail(format!("event {id}: alert_names {:?}", event.get("alert_names")));
                }
                let alerts = event.get("alerts").and_then(Value::as_array).cloned().unwrap_or_default();
                if !alerts
                    .iter()
                    .any(|a| a["id"] == first.stored.id.as_str() && a["index"] == first.stored.index.as_str())
                {
                    fail(format!("event {id}: alerts {alerts:?} lack the alert"));
                }
            }
            // A deadman alert fires on every run while nothing comes (as in MozDef).
            let deadman = subject.entry.tasks.iter().any(|t| t.mode() == mozdef_alerts::Mode::Deadman);
            let again = run_entry(subject, store).await;
            if !deadman && !again.is_empty() {
                fail(format!("a second run raised {} more alert(s)", again.len()));
            }
        }
    }
    failures
}

/// Runs every case on every store of the test root, each case on fresh stores.
pub async fn check(subject: Subject, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        for store in stores().await {
            for f in check_case(&subject, case, store.as_ref()).await {
                failures.push(format!("[{}] {f}", store.label()));
            }
        }
    }
    assert!(failures.is_empty(), "{} failure(s) for {}:\n{}", failures.len(), subject.entry.name, failures.join("\n"));
}
