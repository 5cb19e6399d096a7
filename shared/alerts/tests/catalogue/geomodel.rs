//! GeoModel (`geomodel_location.AlertGeoModel`, inventory §3.3, the v0.1 specification's user
//! stories) run against a store of events with its state in a locality store beside it, on
//! every store of the test root.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use mozdef_alerts::geomodel::{AlertGeoModel, EventsConfig, GeoModelConfig, SearchWindow, State};
use mozdef_alerts::localities::{LocalityStore, Versioned};
use mozdef_alerts::testing::MemoryLocalities;
use mozdef_alerts::{AlertContext, AlertEnv, AlertError, AlertSetup, ConfigSource, RaisedAlert, StatefulAlert};
use mozdef_model::indices::events_index;
use mozdef_model::{Document, isoformat};
use serde_json::{Value, json};

use super::common::{TestStore, event, mock_dns, now, stores};

/// A place: city, country code, latitude, longitude.
type Place = (&'static str, &'static str, f64, f64);

const SAN_FRANCISCO: Place = ("San Francisco", "US", 37.773972, -122.431297);
const TORONTO: Place = ("Toronto", "CA", 43.6529, -79.3849);
const TORONTO_EAST: Place = ("Toronto", "CA", 43.6529, -79.3843);
const PORTLAND: Place = ("Portland", "US", 45.5234, -122.6762);
const SAINT_PETERSBURG: Place = ("Saint Petersburg", "RU", 59.9343, 30.3351);

fn at(minutes: i64) -> DateTime<Utc> {
    now() + Duration::minutes(minutes)
}

/// An authenticated action of `user` from `ip` at `place`, `minutes` from the frozen time.
fn sighting(user: &str, ip: &str, place: Place, minutes: i64, tags: &[&str]) -> Value {
    let (city, country, latitude, longitude) = place;
    let time = isoformat(&at(minutes));
    event(json!({
        "utctimestamp": time, "receivedtimestamp": time, "tags": tags,
        "details": {
            "username": user, "sourceipaddress": ip,
            "sourceipgeolocation": {"city": city, "country_code": country, "latitude": latitude, "longitude": longitude}
        }
    }))
}

fn auth0(user: &str, ip: &str, place: Place, minutes: i64) -> Value {
    sighting(user, ip, place, minutes, &["auth0"])
}

/// One store of events and one locality store.
struct Harness {
    label: &'static str,
    store: Box<dyn TestStore>,
    localities: Arc<dyn LocalityStore>,
    dir: tempfile::TempDir,
    ids: AtomicUsize,
}

impl Harness {
    async fn index(&self, docs: &[Value]) {
        let docs = docs
            .iter()
            .map(|doc| {
                let time = doc["receivedtimestamp"].as_str().expect("received");
                let time = mozdef_model::to_utc(&json!(time), now()).expect("time");
                (events_index(time), format!("e{}", self.ids.fetch_add(1, Ordering::SeqCst)), doc.clone())
            })
            .collect();
        self.store.index(docs).await;
    }

    fn store(&self) -> Arc<dyn LocalityStore> {
        self.localities.clone()
    }

    fn alert(&self, config: &GeoModelConfig) -> AlertGeoModel {
        AlertGeoModel::new(config, self.store(), None).expect("alert builds")
    }

    async fn run(&self, alert: &AlertGeoModel, minutes: i64) -> Vec<RaisedAlert> {
        let backend = self.store.backend();
        let env = AlertEnv { backend: backend.as_ref(), plugins: &[] };
        let ctx = AlertContext { now: at(minutes), reverse_dns: Arc::new(mock_dns()), watchlist: Vec::new() };
        alert.run(env, &ctx).await.unwrap_or_else(|e| panic!("[{}] run failed: {e}", self.label))
    }

    /// The stored cities of `user`, sorted.
    async fn cities(&self, user: &str) -> Vec<String> {
        let Some(stored) = self.localities.get(user).await.expect("get") else { return Vec::new() };
        let state: State = serde_json::from_value(Value::Object(stored.document)).expect("state");
        let mut cities: Vec<String> = state.localities.iter().map(|l| l.city.clone()).collect();
        cities.sort();
        cities
    }
}

/// One harness per store of the test root, each with a fresh locality store.
async fn harnesses() -> Vec<Harness> {
    let mut out = Vec::new();
    for store in stores().await {
        out.push(Harness {
            label: store.label(),
            localities: store.localities(),
            store,
            dir: tempfile::tempdir().expect("tempdir"),
            ids: AtomicUsize::new(0),
        });
    }
    out
}

fn summaries(raised: &[RaisedAlert]) -> Vec<String> {
    raised.iter().map(|r| r.document["summary"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn geomodel_first_sighting_raises_nothing() {
    for h in harnesses().await {
        let alert = h.alert(&GeoModelConfig::default());
        h.index(&[auth0("tester1", "1.2.3.4", SAN_FRANCISCO, -1)]).await;
        assert!(h.run(&alert, 0).await.is_empty(), "[{}]", h.label);
        assert_eq!(h.cities("tester1").await, ["San Francisco"], "[{}]", h.label);
    }
}

/// User story "Potential Compromises Detected", with the stored alert's shape.
#[tokio::test]
async fn geomodel_compromise_detected() {
    for h in harnesses().await {
        let alert = h.alert(&GeoModelConfig::default());
        h.index(&[auth0("tester1", "4.3.2.1", SAN_FRANCISCO, -1)]).await;
        assert!(h.run(&alert, 0).await.is_empty());
        h.index(&[auth0("tester1", "1.2.3.4", TORONTO, 15)]).await;
        let raised = h.run(&alert, 16).await;
        assert_eq!(
            summaries(&raised),
            ["tester1 seen in San Francisco,US then Toronto,CA (3645.78 KM in 16.00 minutes)"]
        );
        let doc = &raised[0].document;
        assert_eq!(doc["category"], "geomodel", "[{}]", h.label);
        assert_eq!(doc["tags"], json!(["geomodel"]));
        assert_eq!(doc["severity"], "INFO");
        assert_eq!(doc["classname"], "AlertGeoModel");
        assert_eq!(doc["events"].as_array().map(Vec::len), Some(1));
        assert_eq!(doc["events"][0]["documentsource"]["details"]["sourceipaddress"], "1.2.3.4");
        let details = &doc["details"];
        assert_eq!(details["username"], "tester1");
        assert_eq!(details["sourceipaddress"], "1.2.3.4");
        assert_eq!(details["sourceipv4address"], "1.2.3.4");
        assert_eq!(details["factors"], json!([]));
        assert_eq!(
            details["hops"],
            json!([{
                "origin": {"ip": "4.3.2.1", "city": "San Francisco", "country": "US", "latitude": 37.773972,
                    "longitude": -122.431297, "observed": "2017-01-01T00:59:00+00:00", "geopoint": "37.773972,-122.431297"},
                "destination": {"ip": "1.2.3.4", "city": "Toronto", "country": "CA", "latitude": 43.6529,
                    "longitude": -79.3849, "observed": "2017-01-01T01:15:00+00:00", "geopoint": "43.6529,-79.3849"}
            }])
        );
        let stored = h.store.get(&raised[0].stored.index, &raised[0].stored.id).await;
        assert!(stored.is_some(), "[{}] alert not stored", h.label);
        assert_eq!(h.cities("tester1").await, ["San Francisco", "Toronto"]);
        assert!(h.run(&alert, 17).await.is_empty(), "[{}] alerted twice", h.label);
    }
}

/// User story "Realistic Travel Excluded": a five-hour flight.
#[tokio::test]
async fn geomodel_realistic_travel_excluded() {
    for h in harnesses().await {
        let alert = h.alert(&GeoModelConfig::default());
        h.index(&[auth0("tester1", "1.2.3.4", TORONTO, -1)]).await;
        assert!(h.run(&alert, 0).await.is_empty());
        h.index(&[auth0("tester1", "4.3.2.1", SAN_FRANCISCO, 299)]).await;
        assert!(h.run(&alert, 300).await.is_empty(), "[{}]", h.label);
        assert_eq!(h.cities("tester1").await, ["San Francisco", "Toronto"]);
    }
}

fn source(query: &str, username_path: &str) -> EventsConfig {
    EventsConfig {
        search_window: SearchWindow { minutes: 5.0, ..SearchWindow::default() },
        lucene_query: query.to_owned(),
        username_path: username_path.to_owned(),
    }
}

/// User story "Diversity of Indicators": Duo and CloudTrail sources by configuration only.
#[tokio::test]
async fn geomodel_diversity_of_indicators() {
    let duo = |minutes| {
        let mut e = sighting("ignored", "4.3.2.1", SAN_FRANCISCO, minutes, &["duosecurity"]);
        e["details"]["user"] = json!("tester1");
        e["details"]["username"] = Value::Null;
        e
    };
    let console_login = |minutes| {
        let mut e = sighting("ignored", "1.2.3.4", TORONTO, minutes, &["cloudtrail"]);
        e["details"]["eventname"] = json!("ConsoleLogin");
        e["details"]["useridentity"] = json!({"userName": "tester1"});
        e
    };
    let elsewhere = sighting("tester1", "5.5.5.5", SAINT_PETERSBURG, -2, &["unconfigured"]);
    let config = GeoModelConfig {
        events: vec![
            source("tags:auth0", "details.username"),
            source("tags:duosecurity", "details.user"),
            source("details.eventname:ConsoleLogin", "details.useridentity.userName"),
        ],
        ..GeoModelConfig::default()
    };
    for h in harnesses().await {
        h.index(&[duo(-4), console_login(-1), elsewhere.clone()]).await;
        let only_auth0 = h.alert(&GeoModelConfig::default());
        let other = harnesses_like(&h);
        assert!(h.run(&only_auth0, 0).await.is_empty(), "[{}] read unconfigured sources", h.label);
        let raised = h.run(&other(&config), 0).await;
        assert_eq!(
            summaries(&raised),
            ["tester1 seen in San Francisco,US then Toronto,CA (3645.78 KM in 3.00 minutes)"]
        );
        assert_eq!(raised[0].document["events"].as_array().map(Vec::len), Some(2), "[{}]", h.label);
    }
}

/// An alert on a fresh locality store over the same events (another deployment).
fn harnesses_like(h: &Harness) -> impl Fn(&GeoModelConfig) -> AlertGeoModel + '_ {
    move |config| AlertGeoModel::new(config, h.store.localities(), None).expect("alert builds")
}

/// User story "Old Data Removed Automatically".
#[tokio::test]
async fn geomodel_old_data_removed() {
    for h in harnesses().await {
        let alert = h.alert(&GeoModelConfig::default());
        let two_days = 2 * 24 * 60;
        h.index(&[auth0("tester1", "4.3.2.1", SAN_FRANCISCO, -two_days - 1)]).await;
        assert!(h.run(&alert, -two_days).await.is_empty());
        let mut keep_three_days = GeoModelConfig::default();
        keep_three_days.localities.valid_duration_days = 3;
        let remembering_store = h.store.localities();
        let remembering = AlertGeoModel::new(&keep_three_days, remembering_store.clone(), None).expect("alert");
        assert!(h.run(&remembering, -two_days).await.is_empty());
        h.index(&[auth0("tester1", "1.2.3.4", TORONTO, -1)]).await;
        assert!(h.run(&alert, 0).await.is_empty(), "[{}] alerted on a forgotten locality", h.label);
        assert_eq!(h.cities("tester1").await, ["Toronto"]);
        assert!(h.run(&remembering, 0).await.is_empty());
        let kept = remembering_store.get("tester1").await.expect("get").expect("state");
        let kept: State = serde_json::from_value(Value::Object(kept.document)).expect("state");
        assert_eq!(kept.localities.len(), 2, "[{}] the control (3 days) forgot too", h.label);
    }
}

/// tester1 (whitelisted by `config`, travelling from `tester1_ip`) and tester2 both go from
/// San Francisco to Toronto in 16 minutes: only tester2 raises, tester1's state still moves.
async fn whitelisted_keeps_state_without_alert(config: GeoModelConfig, tester1_ip: &str) {
    for h in harnesses().await {
        let alert = h.alert(&config);
        h.index(&[auth0("tester1", "4.3.2.1", SAN_FRANCISCO, -1), auth0("tester2", "4.3.2.2", SAN_FRANCISCO, -1)])
            .await;
        assert!(h.run(&alert, 0).await.is_empty());
        h.index(&[auth0("tester1", tester1_ip, TORONTO, 15), auth0("tester2", "1.2.3.5", TORONTO, 15)]).await;
        let raised = h.run(&alert, 16).await;
        assert_eq!(
            summaries(&raised),
            ["tester2 seen in San Francisco,US then Toronto,CA (3645.78 KM in 16.00 minutes)"]
        );
        assert_eq!(h.cities("tester1").await, ["San Francisco", "Toronto"], "[{}]", h.label);
    }
}

#[tokio::test]
async fn geomodel_whitelisted_user_keeps_state_without_alert() {
    let mut config = GeoModelConfig::default();
    config.whitelist.users = vec!["tester1".into()];
    whitelisted_keeps_state_without_alert(config, "1.2.3.4").await;
}

#[tokio::test]
async fn geomodel_whitelisted_cidr_keeps_state_without_alert() {
    let mut config = GeoModelConfig::default();
    config.whitelist.cidrs = vec!["5.6.7.0/24".into()];
    whitelisted_keeps_state_without_alert(config, "5.6.7.8").await;
}

#[tokio::test]
async fn geomodel_several_hops_in_one_run() {
    for h in harnesses().await {
        let alert = h.alert(&GeoModelConfig::default());
        h.index(&[
            auth0("tester1", "12.34.45.56", SAINT_PETERSBURG, 0),
            auth0("tester1", "5.4.3.2", TORONTO_EAST, -2),
            auth0("tester1", "1.2.3.4", PORTLAND, -5),
        ])
        .await;
        let raised = h.run(&alert, 0).await;
        assert_eq!(
            summaries(&raised),
            ["tester1 seen in Portland,US then Toronto,CA (3393.90 KM in 3.00 minutes); \
              Toronto,CA then Saint Petersburg,RU (6855.53 KM in 2.00 minutes)"]
        );
        let details = &raised[0].document["details"];
        assert_eq!(details["hops"].as_array().map(Vec::len), Some(2), "[{}]", h.label);
        assert_eq!(details["sourceipaddress"], "12.34.45.56");
        assert_eq!(raised[0].document["events"].as_array().map(Vec::len), Some(3));
    }
}

/// A locality store that makes two runs read the state of `first` before either writes
/// it (a barrier on its first two reads), and counts conflicts.
#[derive(Debug)]
struct Interleaving {
    inner: Arc<dyn LocalityStore>,
    first: String,
    reads_of_first: AtomicUsize,
    barrier: tokio::sync::Barrier,
    conflicts: AtomicUsize,
}

#[async_trait]
impl LocalityStore for Interleaving {
    async fn get(&self, username: &str) -> Result<Option<Versioned>, mozdef_alerts::BackendError> {
        let got = self.inner.get(username).await;
        if username == self.first && self.reads_of_first.fetch_add(1, Ordering::SeqCst) < 2 {
            self.barrier.wait().await;
        }
        got
    }
    async fn put(
        &self,
        username: &str,
        document: &Document,
        expected: Option<u64>,
    ) -> Result<bool, mozdef_alerts::BackendError> {
        let written = self.inner.put(username, document, expected).await?;
        if !written {
            self.conflicts.fetch_add(1, Ordering::SeqCst);
        }
        Ok(written)
    }
    async fn execution_time(&self, name: &str) -> Result<Option<DateTime<Utc>>, mozdef_alerts::BackendError> {
        self.inner.execution_time(name).await
    }
    async fn set_execution_time(&self, name: &str, at: DateTime<Utc>) -> Result<(), mozdef_alerts::BackendError> {
        self.inner.set_execution_time(name, at).await
    }
}

#[tokio::test]
async fn geomodel_concurrent_runs_lose_no_update() {
    let auth0_only = GeoModelConfig { events: vec![source("tags:auth0", "details.username")], ..Default::default() };
    let mut duo_only =
        GeoModelConfig { events: vec![source("tags:duosecurity", "details.username")], ..Default::default() };
    duo_only.events[0].search_window.minutes = 300.0;
    let users: Vec<String> = (0..10).map(|n| format!("user{n}")).collect();
    for h in harnesses().await {
        let store = Arc::new(Interleaving {
            inner: h.localities.clone(),
            first: users[0].clone(),
            reads_of_first: AtomicUsize::new(0),
            barrier: tokio::sync::Barrier::new(2),
            conflicts: AtomicUsize::new(0),
        });
        let a = AlertGeoModel::new(&auth0_only, store.clone(), None).expect("alert");
        let b = AlertGeoModel::new(&duo_only, store.clone(), None).expect("alert");
        let mut docs = Vec::new();
        for (n, user) in users.iter().enumerate() {
            docs.push(auth0(user, &format!("1.2.3.{n}"), TORONTO, -1));
            docs.push(sighting(user, &format!("4.3.2.{n}"), SAN_FRANCISCO, -240, &["duosecurity"]));
        }
        h.index(&docs).await;
        let (ra, rb) = tokio::join!(h.run(&a, 0), h.run(&b, 0));
        assert!(ra.is_empty() && rb.is_empty(), "[{}] realistic travel alerted", h.label);
        assert!(store.conflicts.load(Ordering::SeqCst) > 0, "[{}] the runs did not interleave", h.label);
        for user in &users {
            assert_eq!(h.cities(user).await, ["San Francisco", "Toronto"], "[{}] {user} lost an update", h.label);
        }
    }
}

/// A new alert on the same store resumes from the stored execution time.
#[tokio::test]
async fn geomodel_restart_resumes_from_the_execution_time() {
    for h in harnesses().await {
        let first = h.alert(&GeoModelConfig::default());
        h.index(&[auth0("tester1", "4.3.2.1", SAN_FRANCISCO, -1)]).await;
        assert!(h.run(&first, 0).await.is_empty());
        drop(first);
        // Received before the last run (but inside a fresh run's window): not read again.
        h.index(&[auth0("tester1", "1.2.3.4", TORONTO, -3), auth0("tester1", "5.5.5.5", SAINT_PETERSBURG, 1)]).await;
        let restarted = h.alert(&GeoModelConfig::default());
        let raised = h.run(&restarted, 2).await;
        assert_eq!(
            summaries(&raised),
            ["tester1 seen in San Francisco,US then Saint Petersburg,RU (8870.04 KM in 2.00 minutes)"]
        );
        assert_eq!(raised[0].document["events"].as_array().map(Vec::len), Some(1), "[{}]", h.label);
        assert_eq!(h.cities("tester1").await, ["Saint Petersburg", "San Francisco"]);
        let fresh = harnesses_like(&h)(&GeoModelConfig::default());
        let raised = h.run(&fresh, 2).await;
        assert_eq!(raised.len(), 1, "[{}] a fresh store must read the whole window", h.label);
    }
}

/// `scripts/make-test-geoip --asn`: 81.2.69.0/24 is "Andrews & Arnold Ltd" (AS20712),
/// 2a02:ec80::/29 "Example Transit" (AS6739).
fn asn_database() -> PathBuf {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/make-test-geoip");
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("geomodel").join("GeoLite2-ASN-Test.mmdb");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg("--asn")
        .arg(&out)
        .output()
        .unwrap_or_else(|err| panic!("cannot run python3 {}: {err}", script.display()));
    assert!(output.status.success(), "{}: {}", script.display(), String::from_utf8_lossy(&output.stderr));
    out
}

fn config_source(dir: &std::path::Path, config: &Value) -> ConfigSource {
    std::fs::write(dir.join("geomodel_location.json"), config.to_string()).expect("write config");
    ConfigSource { dir: Some(dir.to_path_buf()), env: HashMap::new() }
}

#[tokio::test]
async fn geomodel_asn_movement_factor() {
    let db = asn_database();
    for h in harnesses().await {
        let config = config_source(
            h.dir.path(),
            &json!({"factors": {"asn_movement": {"maxmind_db_path": db}}, "asn_movement_severity": "WARNING"}),
        );
        let entry = mozdef_alerts::geomodel::entry(&config, h.store()).expect("entry");
        assert_eq!(entry.name, "geomodel_location.AlertGeoModel");
        assert!(entry.enabled_by_default && entry.tasks.is_empty());
        let alert = entry.stateful[0].clone();
        let backend = h.store.backend();
        let backend = backend.as_ref();
        let run = |minutes| {
            let ctx = AlertContext { now: at(minutes), reverse_dns: Arc::new(mock_dns()), watchlist: Vec::new() };
            let alert = alert.clone();
            async move { alert.run(AlertEnv { backend, plugins: &[] }, &ctx).await.expect("run") }
        };
        h.index(&[auth0("mover", "81.2.69.10", SAN_FRANCISCO, -1), auth0("stayer", "81.2.69.20", SAN_FRANCISCO, -1)])
            .await;
        assert!(run(0).await.is_empty());
        h.index(&[auth0("mover", "2a02:ec80::1", TORONTO, 15), auth0("stayer", "81.2.69.30", TORONTO, 15)]).await;
        let raised = run(16).await;
        let by_user: HashMap<&str, &RaisedAlert> =
            raised.iter().map(|r| (r.document["details"]["username"].as_str().unwrap_or_default(), r)).collect();
        let mover = &by_user["mover"].document;
        assert_eq!(mover["severity"], "WARNING", "[{}] {}", h.label, mover["details"]);
        assert_eq!(
            mover["details"]["factors"],
            json!([{"asn_hops": [[
                {"autonomous_system_number": 20712, "autonomous_system_organization": "Andrews & Arnold Ltd"},
                {"autonomous_system_number": 6739, "autonomous_system_organization": "Example Transit"}
            ]]}])
        );
        let stayer = &by_user["stayer"].document;
        assert_eq!(stayer["severity"], "INFO");
        assert_eq!(stayer["details"]["factors"], json!([{"asn_hops": []}]));
    }
}

fn config_error(config: Value) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(MemoryLocalities::new());
    match mozdef_alerts::geomodel::entry(&config_source(dir.path(), &config), store) {
        Err(AlertError::Config { message, .. }) => message,
        Err(other) => panic!("not a configuration error: {other}"),
        Ok(_) => panic!("{config} was accepted"),
    }
}

#[test]
fn geomodel_configuration_is_checked() {
    let window = |minutes: f64| json!([{"search_window": {"minutes": minutes}, "lucene_query": "tags:auth0"}]);
    assert!(config_error(json!({"whitelist": {"users": [], "cidrs": ["1.2.3.0/33"]}})).contains("whitelist.cidrs"));
    assert!(config_error(json!({"events": window(0.0)})).contains("events[0].search_window"));
    let bad_query = json!([{"search_window": {"minutes": 5}, "lucene_query": "tags:(auth0"}]);
    assert!(config_error(json!({"events": bad_query})).contains("events[0].lucene_query"));
    let missing = json!({"factors": {"asn_movement": {"maxmind_db_path": "/nonexistent/GeoLite2-ASN.mmdb"}}});
    assert!(config_error(missing).contains("factors.asn_movement.maxmind_db_path"));
    assert!(config_error(json!({"severity": "LOUD"})).contains("severity"));
}

#[test]
fn geomodel_accepts_mozdefs_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mozdef = json!({
        "asn_movement_severity": "DEBUG", "severity": "INFO",
        "localities": {"es_index": "localities", "valid_duration_days": 1, "radius_kilometres": 50},
        "events": {"search_window": {"minutes": 5}, "lucene_query": "tags:auth0"},
        "whitelist": {"users": [], "cidrs": []},
        "factors": {"asn_movement": null}
    });
    let loaded: GeoModelConfig = config_source(dir.path(), &mozdef).load("geomodel_location").expect("loads");
    assert_eq!(loaded, GeoModelConfig::default());
}

#[test]
fn geomodel_is_in_the_setup_with_a_locality_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names = |setup: &AlertSetup| -> Vec<String> {
        setup.load().expect("load").catalogue.entries.iter().map(|e| e.name.clone()).collect()
    };
    let without = AlertSetup::default();
    assert!(!names(&without).iter().any(|n| n == "geomodel_location.AlertGeoModel"));
    let store = Arc::new(MemoryLocalities::new());
    let with = AlertSetup { localities: Some(store), ..AlertSetup::default() };
    assert!(names(&with).iter().any(|n| n == "geomodel_location.AlertGeoModel"));
    let broken = AlertSetup { config_dir: Some(dir.path().to_path_buf()), ..with };
    config_source(dir.path(), &json!({"whitelist": {"cidrs": ["nope"]}}));
    let loaded = broken.load().expect("load");
    assert!(loaded.catalogue.errors.iter().any(|e| e.to_string().contains("whitelist.cidrs")));
}
