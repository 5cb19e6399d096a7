//! The alerts' facets over a real SQLite store: counts by category, severity and status
//! (missing status: `new`) sorted most first, the histogram over the request's window or the
//! alerts', the list's filters and text narrowing them and refusing what the list refuses,
//! and the scan bound (`truncated` only when more alerts are left).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mozdef_model::FixedClock;
use mozdef_service::records::facets::{FacetRequest, Facets, MAX_FACET_SCAN};
use mozdef_service::records::fields::timestamp;
use mozdef_service::records::{Records, Whitelists};
use mozdef_store::{Author, NewRecord, Record};
use mozdef_store_embedded::{EmbeddedStore, SqliteRecords};
use serde_json::{Value, json};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
}

fn alert(id: &str, at: DateTime<Utc>, data: Value) -> Record {
    let sort = timestamp(&at);
    let mut data = data;
    data["utctimestamp"] = json!(sort);
    let new = NewRecord { collection: "alerts", id, sort: &sort, data: &data };
    Record::created(new, Author { by: "mozdef", at })
}

fn service(dir: &tempfile::TempDir, records: &[Record]) -> Records {
    let store = SqliteRecords::open(&dir.path().join("mozdef.sqlite")).unwrap();
    store.import(records).unwrap();
    let events = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    Records::new(Arc::new(store), events, Arc::new(FixedClock::new(now())), Whitelists::default())
}

fn pairs(facets: &Facets, field: &str) -> Vec<(String, usize)> {
    let counts = match field {
        "category" => &facets.category,
        "severity" => &facets.severity,
        _ => &facets.status,
    };
    counts.iter().map(|c| (c.key.clone(), c.count)).collect()
}

fn owned(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
    pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

#[tokio::test]
async fn facets_count_sort_and_bucket_the_matching_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let m = |minutes: i64| now() - Duration::minutes(minutes);
    let service = service(
        &dir,
        &[
            alert("a1", m(50), json!({"category": "bruteforce", "severity": "NOTICE", "summary": "ssh from 10.0.0.1"})),
            alert(
                "a2",
                m(40),
                json!({"category": "bruteforce", "severity": "WARNING", "summary": "ssh from 10.0.0.2", "status": "inProgress"}),
            ),
            alert(
                "a3",
                m(30),
                json!({"category": "bruteforce", "severity": "NOTICE", "summary": "ssh from 10.0.0.3", "status": null}),
            ),
            alert(
                "a4",
                m(20),
                json!({"category": "geomodel", "severity": "NOTICE", "summary": "login from Paris", "status": "acknowledged"}),
            ),
            alert("a5", m(10), json!({"category": "geomodel", "severity": "CRITICAL", "summary": "login from Lima"})),
            alert("a6", m(5), json!({"category": "portscan", "severity": "WARNING", "summary": "scan of 10.0.0.9"})),
            // Before the hour: in the whole table, not in `minutes=60`.
            alert("a0", m(120), json!({"category": "portscan", "severity": "NOTICE", "summary": "old scan"})),
        ],
    );

    let hour = FacetRequest { since: Some(m(60)), buckets: 6, ..FacetRequest::default() };
    let facets = service.alert_facets(&hour).await.unwrap();
    assert_eq!((facets.total, facets.scanned, facets.truncated), (6, 6, false));
    assert_eq!(pairs(&facets, "category"), owned(&[("bruteforce", 3), ("geomodel", 2), ("portscan", 1)]));
    assert_eq!(pairs(&facets, "severity"), owned(&[("NOTICE", 3), ("WARNING", 2), ("CRITICAL", 1)]));
    assert_eq!(pairs(&facets, "status"), owned(&[("new", 4), ("acknowledged", 1), ("inProgress", 1)]));
    let h = &facets.histogram;
    assert_eq!((h.start, h.end, h.interval_seconds), (m(60), now(), 600));
    assert_eq!(h.counts, [0, 1, 1, 1, 1, 2], "10-minute intervals from an hour ago");
    let value = facets.to_value();
    assert_eq!(value["category"][0], json!({"key": "bruteforce", "count": 3}));
    assert_eq!(value["histogram"]["start"], "2026-12-07T11:00:00.000000Z");
    assert_eq!(value["histogram"]["intervalSeconds"], 600);

    // A filter narrows the other facets; so does the text.
    let bruteforce = FacetRequest { filters: vec![("category".into(), "bruteforce".into())], ..hour.clone() };
    let facets = service.alert_facets(&bruteforce).await.unwrap();
    assert_eq!((facets.total, facets.scanned), (3, 6));
    assert_eq!(pairs(&facets, "severity"), owned(&[("NOTICE", 2), ("WARNING", 1)]));
    assert_eq!(facets.histogram.counts, [0, 1, 1, 1, 0, 0]);
    let lima = FacetRequest { text: Some(" LOGIN ".into()), ..hour.clone() };
    let facets = service.alert_facets(&lima).await.unwrap();
    assert_eq!(pairs(&facets, "category"), owned(&[("geomodel", 2)]));
    assert_eq!(pairs(&facets, "severity"), owned(&[("CRITICAL", 1), ("NOTICE", 1)]));

    // No window: from the oldest matching alert to the newest (115 minutes over 5: 23).
    let all = service.alert_facets(&FacetRequest { buckets: 5, ..FacetRequest::default() }).await.unwrap();
    assert_eq!(all.total, 7);
    let h = &all.histogram;
    assert_eq!((h.start, h.end, h.interval_seconds), (m(120), m(5), 23 * 60));
    assert_eq!(h.counts, [1, 0, 0, 3, 3]);
    assert_eq!(pairs(&all, "category"), owned(&[("bruteforce", 3), ("geomodel", 2), ("portscan", 2)]));

    // Nothing matches: zero counts over the window.
    let none = FacetRequest { text: Some("no such words".into()), buckets: 3, ..FacetRequest::default() };
    let facets = service.alert_facets(&none).await.unwrap();
    assert_eq!((facets.total, facets.scanned, facets.category.len()), (0, 7, 0));
    assert_eq!((facets.histogram.start, facets.histogram.counts.clone()), (now(), vec![0, 0, 0]));

    // The list's refusals, and the buckets' bounds.
    for (request, field) in [
        (FacetRequest { filters: vec![("limit".into(), "5".into())], ..FacetRequest::default() }, "limit"),
        (FacetRequest { filters: vec![("summary".into(), "x".into())], ..FacetRequest::default() }, "summary"),
        (FacetRequest { text: Some("x".repeat(1025)), ..FacetRequest::default() }, "q"),
        (FacetRequest { buckets: 0, ..FacetRequest::default() }, "buckets"),
        (FacetRequest { buckets: 201, ..FacetRequest::default() }, "buckets"),
    ] {
        let error = service.alert_facets(&request).await.expect_err("refused").to_string();
        assert!(error.starts_with(&format!("{field}:")), "{error}");
    }
}

#[tokio::test]
async fn facets_read_at_most_the_bound_and_say_when_more_were_left() {
    let dir = tempfile::tempdir().unwrap();
    let start = now() - Duration::days(10);
    let records: Vec<Record> = (0..MAX_FACET_SCAN)
        .map(|n| {
            let category = if n % 2 == 0 { "even" } else { "odd" };
            alert(&format!("a{n:06}"), start + Duration::seconds(n as i64), json!({"category": category}))
        })
        .collect();
    let service = service(&dir, &records);
    drop(records);
    let request = FacetRequest { buckets: 10, ..FacetRequest::default() };
    let facets = service.alert_facets(&request).await.unwrap();
    assert_eq!((facets.total, facets.scanned, facets.truncated), (MAX_FACET_SCAN, MAX_FACET_SCAN, false), "all of it");
    assert_eq!(facets.histogram.counts.iter().sum::<usize>(), MAX_FACET_SCAN);
    assert_eq!(facets.histogram.interval_seconds, 10_000, "99,999 seconds over 10, rounded up");

    // One more, older than the rest: the newest MAX_FACET_SCAN are read, and more are left.
    let older = alert("old", start - Duration::days(1), json!({"category": "old"}));
    let store = SqliteRecords::open(&dir.path().join("mozdef.sqlite")).unwrap();
    store.import(&[older]).unwrap();
    let facets = service.alert_facets(&request).await.unwrap();
    assert_eq!((facets.total, facets.scanned, facets.truncated), (MAX_FACET_SCAN, MAX_FACET_SCAN, true));
    assert!(facets.category.iter().all(|c| c.key != "old"), "the oldest was not read");
}
