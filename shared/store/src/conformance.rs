//! The conformance suite every [`EventStore`] backend must pass, unchanged.
//!
//! A backend's test file calls [`conformance_tests!`](crate::conformance_tests) with an
//! expression that opens a fresh, empty store; the macro expands to one `#[tokio::test]` per
//! case, so a failure names the case. Every matcher is checked positive and negative, along
//! with windows, aggregations, logical index names and deterministic ids.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use mozdef_model::{Document, isoformat};
use mozdef_query::{BoolQuery, IpNetwork, Match, QueryString, SearchQuery, SearchResults};
use serde_json::{Value, json};

use crate::indices::events_index;
use crate::{EventStore, IndexRequest, ItemOutcome, SearchRequest};

/// The frozen "now" of every case.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).single().expect("valid date")
}

fn ts(minutes_ago: i64) -> String {
    isoformat(&(now() - Duration::minutes(minutes_ago)))
}

fn doc(value: Value) -> Document {
    match value {
        Value::Object(map) => map,
        _ => panic!("fixture must be an object"),
    }
}

/// The fixture events: `(id, received minutes ago, document)`.
pub fn fixture() -> Vec<(String, i64, Document)> {
    let events = [
        (
            "ev-failed-root",
            5,
            json!({
                "utctimestamp": ts(5), "receivedtimestamp": ts(5), "category": "authentication",
                "severity": "WARNING", "hostname": "host1.example.com", "processname": "sshd",
                "summary": "Failed password for invalid user root from 10.1.2.3 port 22 ssh2",
                "tags": ["sshd", "auth"], "type": "event",
                "details": {"sourceipaddress": "10.1.2.3", "username": "root", "success": false, "sourceport": 22}
            }),
        ),
        (
            "ev-accepted-alice",
            10,
            json!({
                "utctimestamp": ts(10), "receivedtimestamp": ts(10), "category": "authentication",
                "severity": "INFO", "hostname": "host2.example.com", "processname": "sshd",
                "summary": "Accepted publickey for alice from 192.168.5.9 port 51000 ssh2",
                "tags": ["sshd"], "type": "event",
                "details": {"sourceipaddress": "192.168.5.9", "username": "alice", "success": true, "sourceport": 51000}
            }),
        ),
        (
            "ev-proxy-v6",
            20,
            json!({
                "utctimestamp": ts(20), "receivedtimestamp": ts(20), "category": "proxy",
                "severity": "INFO", "hostname": "proxy1.example.com", "processname": "squid",
                "summary": "GET http://www.mozilla.org/ TCP_MISS", "tags": ["squid", "proxy"], "type": "squid",
                "details": {"sourceipaddress": "2001:db8::15", "destinationipaddress": "63.245.208.195",
                            "host": "www.mozilla.org", "requestsize": 1923}
            }),
        ),
        (
            "ev-oom",
            180,
            json!({
                "utctimestamp": ts(180), "receivedtimestamp": ts(180), "category": "syslog",
                "severity": "NOTICE", "hostname": "db1.example.com", "processname": "kernel",
                "summary": "Out of memory: Killed process 1234 (java)", "tags": [], "type": "event",
                "details": {}
            }),
        ),
        (
            "ev-old-root",
            2 * 24 * 60,
            json!({
                "utctimestamp": ts(2 * 24 * 60), "receivedtimestamp": ts(2 * 24 * 60), "category": "authentication",
                "severity": "WARNING", "hostname": "host1.example.com", "processname": "sshd",
                "summary": "Failed password for root from 10.9.9.9 port 22 ssh2", "tags": ["sshd"], "type": "event",
                "details": {"sourceipaddress": "10.9.9.9", "username": "root", "success": false}
            }),
        ),
        (
            "ev-late-arrival",
            1,
            json!({
                "utctimestamp": ts(2 * 24 * 60), "receivedtimestamp": ts(1), "category": "authentication",
                "severity": "WARNING", "hostname": "host3.example.com", "processname": "sshd",
                "summary": "Failed password for bob from 10.1.200.7 port 22 ssh2", "tags": ["sshd"], "type": "event",
                "details": {"sourceipaddress": "10.1.200.7", "username": "bob", "success": false}
            }),
        ),
    ];
    events.into_iter().map(|(id, received, source)| (id.to_owned(), received, doc(source))).collect()
}

/// Indexes the fixture (each event in the daily index of its receive time) and refreshes.
pub async fn load_fixture(store: &dyn EventStore) {
    let requests: Vec<IndexRequest> = fixture()
        .into_iter()
        .map(|(id, received, source)| IndexRequest {
            index: events_index(now() - Duration::minutes(received)),
            id,
            source,
        })
        .collect();
    let count = requests.len();
    let outcomes = store.index(&requests).await.expect("index the fixture");
    assert_eq!(outcomes, vec![ItemOutcome::Indexed; count], "every fixture event is indexed");
    store.refresh().await.expect("refresh");
}

/// Every daily index the fixture can touch.
pub fn all_events() -> Vec<String> {
    vec!["events-*".to_owned()]
}

async fn run(store: &dyn EventStore, query: &SearchQuery) -> SearchResults {
    let indices = all_events();
    store.search(SearchRequest { indices: &indices, query, size: 100, now: now() }).await.expect("search")
}

/// The ids a query finds among the fixture, sorted.
pub async fn ids(store: &dyn EventStore, query: &SearchQuery) -> Vec<String> {
    let mut ids: Vec<String> = run(store, query).await.hits.into_iter().map(|h| h.id).collect();
    ids.sort();
    ids
}

fn all_time(m: Match) -> SearchQuery {
    let mut q = SearchQuery::new(None);
    q.add_must(m);
    q
}

async fn ids_of(store: &dyn EventStore, m: Match) -> Vec<String> {
    ids(store, &all_time(m)).await
}

fn qs(text: &str) -> Match {
    Match::QueryString(QueryString::parse(text).expect("valid query string"))
}

fn term(field: &str, value: Value) -> Match {
    Match::Term { field: field.into(), value }
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

pub async fn index_and_get(store: &dyn EventStore) {
    load_fixture(store).await;
    let hit = store.get(&all_events(), "ev-proxy-v6", now()).await.expect("get").expect("found");
    assert_eq!(hit.id, "ev-proxy-v6");
    assert_eq!(hit.index, "events-20261123");
    assert_eq!(hit.source, fixture()[2].2);
    assert!(store.get(&all_events(), "no-such-id", now()).await.expect("get").is_none());
    let indices = store.list_indices().await.expect("list");
    assert_eq!(indices, ["events-20261121", "events-20261123"]);
}

pub async fn deterministic_ids_never_duplicate(store: &dyn EventStore) {
    load_fixture(store).await;
    let mut changed = fixture()[0].2.clone();
    changed.insert("summary".into(), json!("replaced"));
    let again = vec![
        IndexRequest { index: "events-20261123".into(), id: "ev-failed-root".into(), source: changed.clone() },
        IndexRequest { index: "events-20261123".into(), id: "ev-failed-root".into(), source: changed.clone() },
    ];
    let outcomes = store.index(&again).await.expect("index");
    assert_eq!(outcomes.len(), 2, "one outcome per record");
    store.refresh().await.expect("refresh");
    let all = run(store, &SearchQuery::new(None)).await;
    assert_eq!(all.hits.len(), 6, "redelivered records replace, never duplicate");
    let hit = store.get(&all_events(), "ev-failed-root", now()).await.expect("get").expect("found");
    assert_eq!(hit.source["summary"], "replaced");
}

pub async fn term_match(store: &dyn EventStore) {
    load_fixture(store).await;
    let auth = sorted(&["ev-failed-root", "ev-accepted-alice", "ev-old-root", "ev-late-arrival"]);
    assert_eq!(ids_of(store, term("category", json!("authentication"))).await, auth);
    assert!(ids_of(store, term("category", json!("Authentication"))).await.is_empty(), "keyword is exact");
    assert!(ids_of(store, term("category", json!("authent"))).await.is_empty(), "keyword is whole-value");
    assert_eq!(ids_of(store, term("summary", json!("Killed"))).await, ["ev-oom"], "summary is analysed");
    assert_eq!(
        ids_of(store, term("summary", json!("publickey nothing"))).await,
        ["ev-accepted-alice"],
        "match ORs the tokens"
    );
    assert!(ids_of(store, term("summary", json!("kill"))).await.is_empty(), "tokens match whole");
    assert_eq!(ids_of(store, term("details.sourceport", json!(22))).await, ["ev-failed-root"], "numbers as keywords");
    assert_eq!(ids_of(store, term("details.sourceport", json!("22"))).await, ["ev-failed-root"]);
    assert_eq!(ids_of(store, term("tags", json!("auth"))).await, ["ev-failed-root"], "arrays match any element");
    assert_eq!(ids_of(store, term("details.success", json!(true))).await, ["ev-accepted-alice"]);
    assert_eq!(
        ids_of(store, term("details.sourceipaddress", json!("2001:db8::15"))).await,
        ["ev-proxy-v6"],
        "ip equality"
    );
}

pub async fn terms_match(store: &dyn EventStore) {
    load_fixture(store).await;
    let m = Match::Terms { field: "details.username".into(), values: vec![json!("alice"), json!("bob")] };
    assert_eq!(ids_of(store, m).await, sorted(&["ev-accepted-alice", "ev-late-arrival"]));
    let none = Match::Terms { field: "details.username".into(), values: vec![json!("ALICE"), json!("carol")] };
    assert!(ids_of(store, none).await.is_empty());
}

pub async fn phrase_match(store: &dyn EventStore) {
    load_fixture(store).await;
    let m = Match::Phrase { field: "summary".into(), phrase: "invalid user root".into() };
    assert_eq!(ids_of(store, m).await, ["ev-failed-root"]);
    let reordered = Match::Phrase { field: "summary".into(), phrase: "user invalid root".into() };
    assert!(ids_of(store, reordered).await.is_empty(), "tokens must be consecutive");
    let keyword = Match::Phrase { field: "hostname".into(), phrase: "db1.example.com".into() };
    assert_eq!(ids_of(store, keyword).await, ["ev-oom"]);
}

pub async fn wildcard_match(store: &dyn EventStore) {
    load_fixture(store).await;
    let m = Match::Wildcard { field: "hostname".into(), pattern: "host?.example.*".into() };
    assert_eq!(
        ids_of(store, m).await,
        sorted(&["ev-failed-root", "ev-accepted-alice", "ev-old-root", "ev-late-arrival"])
    );
    let m = Match::Wildcard { field: "hostname".into(), pattern: "proxy*".into() };
    assert_eq!(ids_of(store, m).await, ["ev-proxy-v6"]);
    let none = Match::Wildcard { field: "hostname".into(), pattern: "*.example.org".into() };
    assert!(ids_of(store, none).await.is_empty());
}

pub async fn query_string_match(store: &dyn EventStore) {
    load_fixture(store).await;
    assert_eq!(ids_of(store, qs("category:proxy")).await, ["ev-proxy-v6"]);
    assert_eq!(ids_of(store, qs("category:proxy OR processname:kernel")).await, sorted(&["ev-proxy-v6", "ev-oom"]));
    assert_eq!(
        ids_of(store, qs("category:authentication AND details.username:root")).await,
        sorted(&["ev-failed-root", "ev-old-root"])
    );
    assert_eq!(
        ids_of(store, qs("category:authentication AND NOT details.username:root")).await,
        sorted(&["ev-accepted-alice", "ev-late-arrival"])
    );
    assert_eq!(ids_of(store, qs("summary:\"invalid user\"")).await, ["ev-failed-root"]);
    assert_eq!(ids_of(store, qs("hostname:db*")).await, ["ev-oom"]);
    assert_eq!(ids_of(store, qs("details.username:/al.ce/")).await, ["ev-accepted-alice"]);
    assert!(ids_of(store, qs("details.username:/al/")).await.is_empty(), "regex matches whole terms");
    assert_eq!(
        ids_of(store, qs("details.sourceipaddress:10.1.0.0\\/16")).await,
        sorted(&["ev-failed-root", "ev-late-arrival"])
    );
    assert_eq!(
        ids_of(store, qs("utctimestamp:[2026-11-23T11:45:00+00:00 TO 2026-11-23T11:56:00+00:00]")).await,
        sorted(&["ev-accepted-alice", "ev-failed-root"])
    );
    assert_eq!(ids_of(store, qs("_exists_:details.destinationipaddress")).await, ["ev-proxy-v6"]);
    assert_eq!(ids_of(store, qs("memory")).await, ["ev-oom"], "default field searches every field");
    assert!(ids_of(store, qs("category:nothing")).await.is_empty());
}

pub async fn exists_and_missing(store: &dyn EventStore) {
    load_fixture(store).await;
    let exists = Match::Exists { field: "details.destinationipaddress".into() };
    assert_eq!(ids_of(store, exists).await, ["ev-proxy-v6"]);
    let missing = Match::Missing { field: "details.username".into() };
    assert_eq!(ids_of(store, missing).await, sorted(&["ev-proxy-v6", "ev-oom"]));
    let exists_obj = Match::Exists { field: "details.nothing".into() };
    assert!(ids_of(store, exists_obj).await.is_empty());
}

pub async fn range_and_less_than(store: &dyn EventStore) {
    load_fixture(store).await;
    let m = Match::Range { field: "utctimestamp".into(), gte: Some(json!(ts(15))), lte: Some(json!(ts(5))) };
    assert_eq!(ids_of(store, m).await, sorted(&["ev-failed-root", "ev-accepted-alice"]));
    let open = Match::Range { field: "receivedtimestamp".into(), gte: Some(json!(ts(2))), lte: None };
    assert_eq!(ids_of(store, open).await, ["ev-late-arrival"]);
    let lt = Match::LessThan { field: "utctimestamp".into(), value: json!(ts(24 * 60)) };
    assert_eq!(ids_of(store, lt).await, sorted(&["ev-old-root", "ev-late-arrival"]));
    let ip = Match::Range {
        field: "details.sourceipaddress".into(),
        gte: Some(json!("10.0.0.0")),
        lte: Some(json!("10.1.255.255")),
    };
    assert_eq!(ids_of(store, ip).await, sorted(&["ev-failed-root", "ev-late-arrival"]));
    let none = Match::Range { field: "utctimestamp".into(), gte: Some(json!(ts(-10))), lte: None };
    assert!(ids_of(store, none).await.is_empty());
}

pub async fn subnet_match(store: &dyn EventStore) {
    load_fixture(store).await;
    let v4 = |cidr: &str| Match::Subnet {
        field: "details.sourceipaddress".into(),
        network: IpNetwork::parse(cidr).expect("cidr"),
    };
    assert_eq!(ids_of(store, v4("10.0.0.0/8")).await, sorted(&["ev-failed-root", "ev-old-root", "ev-late-arrival"]));
    assert_eq!(ids_of(store, v4("10.1.2.0/24")).await, ["ev-failed-root"]);
    assert_eq!(ids_of(store, v4("2001:db8::/32")).await, ["ev-proxy-v6"]);
    assert!(ids_of(store, v4("172.16.0.0/12")).await.is_empty());
    assert!(ids_of(store, v4("2001:db9::/32")).await.is_empty());
}

pub async fn boolean_match(store: &dyn EventStore) {
    load_fixture(store).await;
    let nested = Match::Boolean(BoolQuery {
        must: vec![term("category", json!("authentication"))],
        must_not: vec![term("details.username", json!("root"))],
        should: vec![term("hostname", json!("host2.example.com")), term("hostname", json!("nothing"))],
    });
    assert_eq!(ids_of(store, nested).await, ["ev-accepted-alice"]);
    let none = Match::Boolean(BoolQuery {
        must: vec![term("category", json!("authentication"))],
        must_not: vec![],
        should: vec![term("hostname", json!("nothing"))],
    });
    assert!(ids_of(store, none).await.is_empty(), "a should list needs one match");
}

pub async fn should_needs_one(store: &dyn EventStore) {
    load_fixture(store).await;
    let mut q = SearchQuery::new(None);
    q.add_must(term("category", json!("authentication")));
    q.add_should(term("details.username", json!("bob")));
    q.add_should(term("details.username", json!("alice")));
    assert_eq!(ids(store, &q).await, sorted(&["ev-accepted-alice", "ev-late-arrival"]));
    let mut q = SearchQuery::new(None);
    q.add_should(term("details.username", json!("nobody")));
    assert!(ids(store, &q).await.is_empty());
    let mut q = SearchQuery::new(None);
    q.add_must_not(term("category", json!("authentication")));
    assert_eq!(ids(store, &q).await, sorted(&["ev-proxy-v6", "ev-oom"]));
}

pub async fn time_window(store: &dyn EventStore) {
    load_fixture(store).await;
    let mut q = SearchQuery::new(Some(Duration::minutes(15)));
    q.add_must(term("category", json!("authentication")));
    assert_eq!(
        ids(store, &q).await,
        sorted(&["ev-failed-root", "ev-accepted-alice", "ev-late-arrival"]),
        "received in the window counts even when the event time is old"
    );
    let q = SearchQuery::new(Some(Duration::hours(4)));
    assert_eq!(ids(store, &q).await.len(), 5, "the 2-day-old event is outside the window");
    let q = SearchQuery::new(Some(Duration::minutes(1)));
    assert_eq!(ids(store, &q).await, ["ev-late-arrival"], "the window bounds are inclusive");
}

pub async fn aggregations(store: &dyn EventStore) {
    load_fixture(store).await;
    let mut q = SearchQuery::new(None);
    q.add_must(term("category", json!("authentication")));
    q.add_aggregation("details.username");
    q.add_aggregation("hostname");
    let results = run(store, &q).await;
    let aggs = results.aggregations.expect("aggregations present");
    assert_eq!(
        aggs["details.username"],
        json!({"terms": [{"key": "root", "count": 2}, {"key": "alice", "count": 1}, {"key": "bob", "count": 1}]})
    );
    assert_eq!(aggs["hostname"]["terms"][0], json!({"key": "host1.example.com", "count": 2}));
    let mut q = SearchQuery::new(None);
    q.aggregations.push(mozdef_query::Aggregation { field: "tags".into(), size: 1 });
    let aggs = run(store, &q).await.aggregations.expect("aggregations present");
    assert_eq!(aggs["tags"], json!({"terms": [{"key": "sshd", "count": 4}]}), "size caps the buckets");
    let plain = run(store, &SearchQuery::new(None)).await;
    assert!(plain.aggregations.is_none(), "no aggregations unless asked");
}

pub async fn size_order_and_total(store: &dyn EventStore) {
    load_fixture(store).await;
    let q = SearchQuery::new(None);
    let indices = all_events();
    let results =
        store.search(SearchRequest { indices: &indices, query: &q, size: 2, now: now() }).await.expect("search");
    assert_eq!(results.hits.len(), 2);
    assert_eq!(results.total, Some(6));
    assert!(!results.meta.timed_out);
    let first: Vec<&str> = results.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(first, ["ev-failed-root", "ev-accepted-alice"], "newest utctimestamp first");
    assert!(results.hits.iter().all(|h| (h.score - 1.0).abs() < f64::EPSILON));
}

pub async fn logical_index_names(store: &dyn EventStore) {
    load_fixture(store).await;
    let q = SearchQuery::new(None);
    let search = |names: Vec<&str>| {
        let names: Vec<String> = names.into_iter().map(String::from).collect();
        let q = q.clone();
        async move {
            let mut ids: Vec<String> = store
                .search(SearchRequest { indices: &names, query: &q, size: 100, now: now() })
                .await
                .expect("search")
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(search(vec!["events"]).await.len(), 5, "events = today's index");
    assert!(search(vec!["events-previous"]).await.is_empty(), "nothing was received yesterday");
    assert_eq!(search(vec!["events-weekly"]).await.len(), 6);
    assert_eq!(search(vec!["events-20261121"]).await, ["ev-old-root"]);
    assert!(search(vec!["events-19990101"]).await.is_empty(), "a missing index is no error");
}

pub async fn tag_alert_partial_update(store: &dyn EventStore) {
    load_fixture(store).await;
    let event = |id: &str, index: &str| crate::EventRef { index: index.into(), id: id.into() };
    let alert = event("a1", "alerts-202611");
    let targets = [event("ev-failed-root", "events-20261123"), event("ev-old-root", "events-20261121")];
    let outcomes = store.tag_alert(&targets, "AlertBruteforceSsh", &alert).await.expect("tag");
    assert_eq!(outcomes, vec![ItemOutcome::Indexed; 2]);
    let again = store.tag_alert(&targets[..1], "AlertBruteforceSsh", &event("a2", "alerts-202611")).await.expect("tag");
    assert_eq!(again, vec![ItemOutcome::Indexed]);
    let missing = store.tag_alert(&[event("nope", "events-20261123")], "X", &alert).await.expect("tag");
    assert!(matches!(&missing[0], ItemOutcome::Reject(_)), "a missing event is refused: {missing:?}");
    store.refresh().await.expect("refresh");

    let hit = store.get(&all_events(), "ev-failed-root", now()).await.expect("get").expect("found");
    assert_eq!(hit.source["alert_names"], json!(["AlertBruteforceSsh"]), "a name is listed once");
    assert_eq!(
        hit.source["alerts"],
        json!([{"index": "alerts-202611", "id": "a1"}, {"index": "alerts-202611", "id": "a2"}])
    );
    let mut untouched = fixture()[0].2.clone();
    untouched.remove("alert_names");
    let mut tagged = hit.source.clone();
    tagged.remove("alert_names");
    tagged.remove("alerts");
    assert_eq!(tagged, untouched, "the rest of the event is unchanged");
    let mut q = SearchQuery::new(None);
    q.add_must(term("category", json!("authentication")));
    q.add_must_not(term("alert_names", json!("AlertBruteforceSsh")));
    assert_eq!(ids(store, &q).await, sorted(&["ev-accepted-alice", "ev-late-arrival"]), "MozDef's dedup clause");
}

pub async fn health_counts_indices_and_documents(store: &dyn EventStore) {
    load_fixture(store).await;
    let health = store.health().await.expect("health");
    assert!(["green", "yellow"].contains(&health.status.as_str()), "healthy: {health:?}");
    assert_eq!(health.indices, 2, "the two daily indices of the fixture");
    assert_eq!(health.documents, 6);
}

/// Expands to one `#[tokio::test]` per conformance case. `$open` is an async expression
/// (awaited once per test) that yields `(store, guard)`: a fresh, empty store implementing
/// `EventStore`, and anything that must live as long as it (a temporary directory, a server).
#[macro_export]
macro_rules! conformance_tests {
    ($open:expr) => {
        $crate::conformance_tests!(@cases $open;
            index_and_get, deterministic_ids_never_duplicate, term_match, terms_match,
            phrase_match, wildcard_match, query_string_match, exists_and_missing,
            range_and_less_than, subnet_match, boolean_match, should_needs_one, time_window,
            aggregations, size_order_and_total, logical_index_names, tag_alert_partial_update,
            health_counts_indices_and_documents);
    };
    (@cases $open:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (store, _guard) = $open.await;
                $crate::conformance::$case(&store).await;
            }
        )+
    };
}
