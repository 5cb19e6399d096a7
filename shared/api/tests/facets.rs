//! `GET /api/alerts/triage/facets` through the router on SQLite records: exact counts by
//! category, severity and status and histogram intervals for a handful of alerts, a filter
//! and the text narrowing them, the list's 400s (an unknown parameter, `limit`, `cursor`
//! named), `buckets` out of bounds, and the route not taken by `/alerts/{id}/triage`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use mozdef_api::{ApiState, api_router};
use mozdef_model::{EventRef, FixedClock};
use mozdef_service::records::{Records, Whitelists};
use mozdef_store::EventStore;
use mozdef_store_embedded::{EmbeddedStore, SqliteRecords, SqliteSchedules};
use serde_json::{Value, json};
use tower::ServiceExt;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
}

async fn harness(dir: &tempfile::TempDir) -> ApiState {
    let database = dir.path().join("mozdef.sqlite");
    let store: Arc<dyn EventStore> = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let clock = Arc::new(FixedClock::new(now()));
    let records = Records::new(
        Arc::new(SqliteRecords::open(&database).unwrap()),
        store.clone(),
        clock.clone(),
        Whitelists::default(),
    );
    let alerts = [
        ("a1", 50, "bruteforce", "NOTICE", "ssh logins from 10.0.0.1"),
        ("a2", 40, "bruteforce", "WARNING", "ssh logins from 10.0.0.2"),
        ("a3", 30, "bruteforce", "NOTICE", "ssh logins from 10.0.0.3"),
        ("a4", 20, "geomodel", "NOTICE", "jane logged in from Paris"),
        ("a5", 10, "geomodel", "CRITICAL", "jane logged in from Lima"),
        ("a6", 5, "portscan", "WARNING", "10.0.0.9 scanned 1000 ports"),
        ("a0", 120, "portscan", "NOTICE", "10.0.0.8 scanned 1000 ports"),
    ];
    for (id, minutes_ago, category, severity, summary) in alerts {
        let time = (now() - Duration::minutes(minutes_ago)).to_rfc3339();
        let alert = json!({"utctimestamp": time, "category": category, "severity": severity, "summary": summary});
        let stored = EventRef { index: "alerts-202612".into(), id: id.into() };
        records.record_alert(&stored, alert.as_object().unwrap()).await.unwrap();
    }
    records.acknowledge_alert("a4", true, "jane@example.com").await.unwrap();
    records.triage_alert("a2", &json!({"version": 1, "status": "inProgress"}), "jane@example.com").await.unwrap();
    ApiState {
        records: Some(records),
        ..ApiState::new(store, Arc::new(SqliteSchedules::open(&database).unwrap()), clock)
    }
}

async fn get(state: &ApiState, uri: &str) -> (StatusCode, Value) {
    let request = Request::builder().method(Method::GET).uri(uri).body(Body::empty()).unwrap();
    let response = api_router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into())))
}

/// A 400 whose error names `field` first.
fn assert_names(answer: (StatusCode, Value), field: &str) {
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    let error = answer.1["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.starts_with(&format!("{field}:")), "the error names {field}: {error}");
}

fn counts(pairs: &[(&str, u64)]) -> Value {
    pairs.iter().map(|(key, count)| json!({"key": key, "count": count})).collect()
}

#[tokio::test]
async fn facets_count_the_triage_tables_alerts_for_its_filters() {
    let dir = tempfile::tempdir().unwrap();
    let state = harness(&dir).await;

    let (status, facets) = get(&state, "/api/alerts/triage/facets?minutes=60&buckets=6").await;
    assert_eq!(status, StatusCode::OK, "{facets}");
    assert_eq!(
        facets,
        json!({
            "total": 6,
            "scanned": 6,
            "truncated": false,
            "category": counts(&[("bruteforce", 3), ("geomodel", 2), ("portscan", 1)]),
            "severity": counts(&[("NOTICE", 3), ("WARNING", 2), ("CRITICAL", 1)]),
            "status": counts(&[("new", 4), ("acknowledged", 1), ("inProgress", 1)]),
            "histogram": {
                "start": "2026-12-07T11:00:00.000000Z",
                "end": "2026-12-07T12:00:00.000000Z",
                "intervalSeconds": 600,
                "counts": [0, 1, 1, 1, 1, 2],
            },
        })
    );

    // The table's filters narrow the other facets (the rings cross-filter).
    let (status, bruteforce) = get(&state, "/api/alerts/triage/facets?minutes=60&buckets=6&category=bruteforce").await;
    assert_eq!(status, StatusCode::OK, "{bruteforce}");
    assert_eq!((bruteforce["total"].clone(), bruteforce["scanned"].clone()), (json!(3), json!(6)));
    assert_eq!(bruteforce["category"], counts(&[("bruteforce", 3)]));
    assert_eq!(bruteforce["severity"], counts(&[("NOTICE", 2), ("WARNING", 1)]));
    assert_eq!(bruteforce["status"], counts(&[("new", 2), ("inProgress", 1)]));
    assert_eq!(bruteforce["histogram"]["counts"], json!([0, 1, 1, 1, 0, 0]));
    let (_, notice) = get(&state, "/api/alerts/triage/facets?severity=NOTICE&status=acknowledged").await;
    assert_eq!((notice["total"].clone(), notice["category"].clone()), (json!(1), counts(&[("geomodel", 1)])));
    let (_, acked) = get(&state, "/api/alerts/triage/facets?acknowledgedby=jane@example.com").await;
    assert_eq!(acked["total"], 1);

    // The text narrows too (summary, category, severity; case-insensitive).
    let (_, jane) = get(&state, "/api/alerts/triage/facets?q=JANE").await;
    assert_eq!(jane["category"], counts(&[("geomodel", 2)]));
    assert_eq!(jane["severity"], counts(&[("CRITICAL", 1), ("NOTICE", 1)]));
    let (_, scans) = get(&state, "/api/alerts/triage/facets?q=scanned&buckets=2").await;
    assert_eq!(scans["total"], 2);
    assert_eq!(
        scans["histogram"],
        json!({"start": "2026-12-07T10:00:00.000000Z", "end": "2026-12-07T11:55:00.000000Z",
            "intervalSeconds": 3450, "counts": [1, 1]}),
        "no window: the oldest to the newest match"
    );

    // The whole table, default buckets; since/until as the list takes them.
    let (_, all) = get(&state, "/api/alerts/triage/facets").await;
    assert_eq!((all["total"].clone(), all["histogram"]["counts"].as_array().unwrap().len()), (json!(7), 48));
    assert_eq!(all["histogram"]["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).sum::<u64>(), 7);
    let (status, window) =
        get(&state, "/api/alerts/triage/facets?since=2026-12-07%2011:00%20am&until=2026-12-07T11:30:00Z&buckets=3")
            .await;
    assert_eq!(status, StatusCode::OK, "{window}");
    assert_eq!((window["total"].clone(), window["histogram"]["counts"].clone()), (json!(3), json!([0, 1, 2])));
    assert_eq!(window["histogram"]["intervalSeconds"], 600);

    // The list's refusals, each a 400 naming the parameter; the page's own are not taken.
    assert_names(get(&state, "/api/alerts/triage/facets?colour=red").await, "colour");
    assert_names(get(&state, "/api/alerts/triage/facets?limit=5").await, "limit");
    assert_names(get(&state, "/api/alerts/triage/facets?cursor=abc").await, "cursor");
    assert_names(get(&state, "/api/alerts/triage/facets?minutes=0").await, "minutes");
    assert_names(get(&state, "/api/alerts/triage/facets?since=yesterday").await, "since");
    assert_names(get(&state, &format!("/api/alerts/triage/facets?q={}", "x".repeat(1025))).await, "q");
    assert_names(get(&state, "/api/alerts/triage/facets?buckets=0").await, "buckets");
    assert_names(get(&state, "/api/alerts/triage/facets?buckets=201").await, "buckets");
    assert_names(get(&state, "/api/alerts/triage/facets?buckets=many").await, "buckets");
    assert_eq!(get(&state, "/api/alerts/triage/facets?buckets=200").await.0, StatusCode::OK);
    assert_eq!(get(&state, "/api/alerts/triage/facets?buckets=1").await.1["histogram"]["counts"], json!([7]));

    // Neighbouring routes keep their own: the table, and an alert's triage copy.
    let (status, page) = get(&state, "/api/alerts/triage?limit=2").await;
    assert_eq!((status, page["records"].as_array().map(Vec::len)), (StatusCode::OK, Some(2)));
    let (status, copy) = get(&state, "/api/alerts/a4/triage").await;
    assert_eq!((status, copy["status"].clone()), (StatusCode::OK, json!("acknowledged")));
}

#[tokio::test]
async fn facets_answer_503_without_a_record_store() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let schedules = Arc::new(SqliteSchedules::open(&dir.path().join("mozdef.sqlite")).unwrap());
    let state = ApiState::new(store, schedules, Arc::new(FixedClock::new(now())));
    assert_eq!(get(&state, "/api/alerts/triage/facets").await.0, StatusCode::SERVICE_UNAVAILABLE);
}
