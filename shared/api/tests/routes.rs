//! loginput and REST routes through `oneshot`, with a recording queue and the embedded store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use mozdef_alerts::NoSink;
use mozdef_alerts::catalogue::bruteforce_ssh;
use mozdef_alerts::{ConfigSource, NoReverseDns, ScheduleStore};
use mozdef_api::{ApiState, Limits, LoginputState, api_router, loginput_router, router};
use mozdef_model::rng::SplitMix64 as Rng;
use mozdef_model::{Document, FixedClock};
use mozdef_service::AlertRunner;
use mozdef_store::{EventQueue, EventStore, IndexRequest, QueueError};
use mozdef_store_embedded::{EmbeddedStore, SqliteSchedules};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A queue that remembers every accepted request.
#[derive(Debug, Default)]
struct RecordingQueue(Mutex<Vec<Vec<Document>>>);

#[async_trait]
impl EventQueue for RecordingQueue {
    async fn accept(&self, events: Vec<Document>) -> Result<(), QueueError> {
        self.0.lock().unwrap().push(events);
        Ok(())
    }
}

impl RecordingQueue {
    fn requests(&self) -> Vec<Vec<Document>> {
        self.0.lock().unwrap().clone()
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

struct Harness {
    loginput: LoginputState,
    api: ApiState,
    runner: Arc<AlertRunner>,
    queue: Arc<RecordingQueue>,
    store: EmbeddedStore,
    _dir: tempfile::TempDir,
}

fn harness(limits: Limits) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let queue = Arc::new(RecordingQueue::default());
    let schedules: Arc<dyn ScheduleStore> = Arc::new(SqliteSchedules::open(&dir.path().join("mozdef.sqlite")).unwrap());
    let entries = vec![bruteforce_ssh::entry(&ConfigSource::defaults()).unwrap()];
    let runner = Arc::new(AlertRunner::new(
        entries,
        Arc::new(store.clone()),
        schedules.clone(),
        Vec::new(),
        Arc::new(NoReverseDns),
        Arc::new(NoSink),
    ));
    let api = ApiState {
        run_alerts: Some(runner.clone()),
        ingest_stats: Some(Arc::new(mozdef_service::IngestStats::default())),
        ..ApiState::new(Arc::new(store.clone()), schedules, Arc::new(FixedClock::new(now())))
    };
    let loginput = LoginputState { queue: queue.clone(), limits };
    Harness { loginput, api, runner, queue, store, _dir: dir }
}

async fn call(h: &Harness, method: Method, uri: &str, body: impl Into<Body>) -> (StatusCode, Value) {
    let request = Request::builder().method(method).uri(uri).body(body.into()).unwrap();
    let response = router(h.loginput.clone(), h.api.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, value)
}

async fn post(h: &Harness, uri: &str, body: impl Into<Body>) -> (StatusCode, Value) {
    call(h, Method::POST, uri, body).await
}

#[tokio::test]
async fn status_and_test() {
    let h = harness(Limits::default());
    for uri in ["/status", "/status/"] {
        assert_eq!(
            call(&h, Method::GET, uri, Body::empty()).await,
            (StatusCode::OK, json!({"status": "ok", "service": "loginput"}))
        );
    }
    assert_eq!(call(&h, Method::GET, "/test", Body::empty()).await, (StatusCode::OK, Value::Null));
    assert_eq!(
        call(&h, Method::GET, "/api/status", Body::empty()).await,
        (StatusCode::OK, json!({"status": "ok", "service": "restapi"}))
    );
    let (status, body) = call(&h, Method::GET, "/nope", Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().unwrap().contains("/nope"));
}

#[tokio::test]
async fn single_event_routes_mark_their_endpoint() {
    let h = harness(Limits::default());
    let event = r#"{"summary": "hello", "details": {"a": 1}}"#;
    for (method, uri) in [
        (Method::POST, "/events"),
        (Method::PUT, "/events/"),
        (Method::POST, "/nxlog"),
        (Method::POST, "/cef"),
        (Method::PUT, "/custom/bro"),
    ] {
        let (status, body) = call(&h, method, uri, event).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(body, Value::Null, "{uri} answers an empty body as MozDef did");
    }
    let requests = h.queue.requests();
    let endpoints: Vec<&Value> = requests.iter().map(|r| &r[0]["endpoint"]).collect();
    assert_eq!(endpoints, [&json!("events"), &json!("events"), &json!("events"), &json!("cef"), &json!("bro")]);
    assert_eq!(requests[4][0]["customendpoint"], json!(true));
    assert!(requests[0][0].get("customendpoint").is_none());
    assert_eq!(requests[0][0]["details"], json!({"a": 1}));
    assert_eq!(call(&h, Method::GET, "/events", Body::empty()).await.0, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn shippers_cannot_choose_document_ids() {
    // The collectors' id key (`collected:<source>:<id>` becomes the document id) is removed from
    // whatever a shipper sends, on every route, so no event can overwrite another by id.
    let h = harness(Limits::default());
    let key = mozdef_pipeline::COLLECTED_ID_KEY;
    let event = json!({"summary": "forged", key: "okta:00u1a2b3c4"}).to_string();
    for uri in ["/events", "/custom/app", "/nxlog"] {
        assert_eq!(post(&h, uri, event.clone()).await.0, StatusCode::OK, "{uri}");
    }
    let bulk = format!("{event}\n{}\n", json!({"summary": "kept", "details": {key: "stays in details"}}));
    assert_eq!(post(&h, "/_bulk", bulk).await.0, StatusCode::OK);
    let events: Vec<Document> = h.queue.requests().into_iter().flatten().collect();
    assert_eq!(events.len(), 5);
    assert!(events.iter().all(|e| !e.contains_key(key)), "{events:?}");
    assert_eq!(events[0]["summary"], "forged", "the event itself is accepted");
    assert_eq!(events[4]["details"][key], "stays in details", "only the top-level key is the marker");
}

#[tokio::test]
async fn bad_single_events_are_refused_with_a_reason() {
    let h = harness(Limits::default());
    let cases: [(&[u8], &str); 6] = [
        (b"{not json", "invalid JSON"),
        (b"[1, 2]", "must be a JSON object, not an array"),
        (b"\"text\"", "not a string"),
        (b"", "invalid JSON"),
        (b"{\"a\": \"\xff\xfe\"}", "not valid UTF-8"),
        (b"{\"a\": 1} {\"b\": 2}", "invalid JSON"),
    ];
    for (body, expected) in cases {
        let (status, reply) = post(&h, "/events", body.to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(body));
        let message = reply["error"].as_str().unwrap();
        assert!(message.contains(expected), "{message:?} should mention {expected:?}");
    }
    let deep = format!("{{\"a\": {}1{}}}", "[".repeat(64), "]".repeat(64));
    let (status, reply) = post(&h, "/events", deep).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(reply["error"].as_str().unwrap().contains("deeper than 64"));
    let ok = format!("{{\"a\": {}1{}}}", "[".repeat(63), "]".repeat(63));
    assert_eq!(post(&h, "/events", ok).await.0, StatusCode::OK, "64 levels are fine");
    assert_eq!(h.queue.requests().len(), 1, "nothing refused was queued");
}

#[tokio::test]
async fn body_limits_answer_413() {
    let h = harness(Limits { max_event_bytes: 100, max_bulk_bytes: 300, max_depth: 64 });
    let big = format!("{{\"summary\": \"{}\"}}", "x".repeat(200));
    let (status, reply) = post(&h, "/events", big.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply["error"].as_str().unwrap().contains("100 bytes"));
    let (status, reply) = post(&h, "/_bulk", format!("{{\"a\":1}}\n{big}\n")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "one line over the per-event limit");
    assert_eq!(reply["line"], json!(2));
    let huge = "{\"a\":1}\n".repeat(50);
    assert_eq!(post(&h, "/_bulk", huge).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(h.queue.requests().is_empty());
}

#[tokio::test]
async fn bulk_array_and_ndjson() {
    let h = harness(Limits::default());
    let array = r#"[{"index": {"_index": "events"}}, {"summary": "one"}, {"summary": "two", "index": "kept"}]"#;
    assert_eq!(post(&h, "/_bulk", array).await, (StatusCode::OK, json!({"errors": false, "accepted": 2})));
    let ndjson = "{\"index\":{}}\n{\"summary\":\"three\"}\r\n\n{\"create\":{}}\n{\"summary\":\"four\"}\n";
    assert_eq!(post(&h, "/_bulk", ndjson).await, (StatusCode::OK, json!({"errors": false, "accepted": 2})));
    let requests = h.queue.requests();
    assert_eq!(requests.len(), 2, "each bulk request is one unit");
    let summaries: Vec<&Value> = requests.iter().flatten().map(|e| &e["summary"]).collect();
    assert_eq!(summaries, ["one", "two", "three", "four"]);
    assert!(requests[0][0].get("endpoint").is_none(), "bulk events get no endpoint");
    assert_eq!(post(&h, "/_bulk", "\n\n").await, (StatusCode::OK, json!({"errors": false, "accepted": 0})));
}

#[tokio::test]
async fn bad_bulk_is_refused_whole() {
    let h = harness(Limits::default());
    let (status, reply) = post(&h, "/_bulk", "{\"summary\":\"ok\"}\n{\"summary\":\"ok\"}\n{broken\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(reply["line"], json!(3));
    assert!(reply["error"].as_str().unwrap().starts_with("line 3: invalid JSON"));
    let (status, reply) = post(&h, "/_bulk", "{\"a\":1}\n[1]\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(reply["error"].as_str().unwrap().contains("line 2: an event must be a JSON object"));
    let (status, reply) = post(&h, "/_bulk", r#"[{"a": 1}, 7]"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(reply["error"].as_str().unwrap().contains("element 1"));
    let (status, _) = post(&h, "/_bulk", "[{\"a\": 1}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(h.queue.requests().is_empty(), "no part of a refused bulk is queued");
}

async fn load(h: &Harness) {
    let events = [
        (
            "id-1",
            json!({"utctimestamp": "2026-11-23T11:59:00+00:00", "receivedtimestamp": "2026-11-23T11:59:00+00:00", "category": "authentication", "summary": "Failed password for root", "hostname": "a.example.com", "details": {"sourceipaddress": "10.0.0.1"}}),
        ),
        (
            "id-2",
            json!({"utctimestamp": "2026-11-23T11:58:00+00:00", "receivedtimestamp": "2026-11-23T11:58:00+00:00", "category": "authentication", "summary": "Accepted publickey for alice", "hostname": "b.example.com", "details": {"sourceipaddress": "10.0.0.2"}}),
        ),
        (
            "id-3",
            json!({"utctimestamp": "2026-11-23T09:00:00+00:00", "receivedtimestamp": "2026-11-23T09:00:00+00:00", "category": "syslog", "summary": "Out of memory", "hostname": "a.example.com", "details": {}}),
        ),
    ];
    let requests: Vec<IndexRequest> = events
        .into_iter()
        .map(|(id, source)| IndexRequest {
            index: "events-20261123".into(),
            id: id.into(),
            source: source.as_object().unwrap().clone(),
        })
        .collect();
    h.store.index(&requests).await.unwrap();
    h.store.refresh().await.unwrap();
}

#[tokio::test]
async fn search_returns_mozdef_shapes() {
    let h = harness(Limits::default());
    load(&h).await;
    let (status, body) = post(
        &h,
        "/api/search",
        r#"{"query": "category:authentication", "minutes": 10, "size": 10, "aggregations": ["hostname"]}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let hits = body["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["_id"], "id-1");
    assert_eq!(hits[0]["_index"], "events-20261123");
    assert_eq!(hits[0]["_score"], json!(1.0));
    assert_eq!(hits[0]["_source"]["summary"], "Failed password for root");
    assert_eq!(body["meta"], json!({"timed_out": false}));
    assert_eq!(
        body["aggregations"],
        json!({"hostname": {"terms": [{"key": "a.example.com", "count": 1}, {"key": "b.example.com", "count": 1}]}})
    );

    let (_, all) = post(&h, "/api/search", r#"{"query": null, "minutes": 600}"#).await;
    assert_eq!(all["hits"].as_array().unwrap().len(), 3);
    assert!(all.get("aggregations").is_none());
    let (_, recent) = post(&h, "/api/search", r#"{"minutes": 60}"#).await;
    assert_eq!(recent["hits"].as_array().unwrap().len(), 2, "the window excludes the 3-hour-old event");
    let (_, one) = post(&h, "/api/search", r#"{"query": "summary:alice", "minutes": 600, "size": 1}"#).await;
    assert_eq!(one["hits"][0]["_id"], "id-2");
}

#[tokio::test]
async fn search_errors_name_the_problem() {
    let h = harness(Limits::default());
    let (status, body) = post(&h, "/api/search", r#"{"query": "category:(authentication", "minutes": 10}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("position"), "{body}");
    for (request, expected) in [
        ("{", "invalid search request"),
        (r#"{"minutes": 0}"#, "minutes"),
        (r#"{"size": 1000000}"#, "size"),
        (r#"{"qeury": "x"}"#, "unknown field"),
        (r#"{"aggregations": [""]}"#, "aggregation"),
    ] {
        let (status, body) = post(&h, "/api/search", request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{request}");
        assert!(body["error"].as_str().unwrap().contains(expected), "{request}: {body}");
    }
}

#[tokio::test]
async fn event_by_id() {
    let h = harness(Limits::default());
    load(&h).await;
    let (status, body) = call(&h, Method::GET, "/api/events/id-3", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["_id"], "id-3");
    assert_eq!(body["_source"]["summary"], "Out of memory");
    let (status, body) = call(&h, Method::GET, "/api/events/missing", Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().unwrap().contains("missing"));
}

/// Random bodies — raw bytes, JSON-ish fragments, mangled valid events — never make a route
/// panic or answer anything but 200, 400 or 413; and a 200 is the only answer that queues.
#[tokio::test]
async fn random_bodies_never_break_loginput() {
    let h = harness(Limits { max_event_bytes: 2048, max_bulk_bytes: 8192, max_depth: 64 });
    let pieces: [&[u8]; 16] = [
        b"{",
        b"}",
        b"[",
        b"]",
        b"\"",
        b"\\",
        b":",
        b",",
        b"\n",
        b"{\"index\":{}}",
        b"\"summary\"",
        b"1e999",
        b"null",
        b"\xff",
        b"\xc3\xa9",
        b"{\"a\":[1,{\"b\":\"c\"}]}",
    ];
    let routes = ["/events", "/nxlog", "/cef", "/custom/fuzz", "/_bulk"];
    let mut rng = Rng::new(20261125);
    let mut accepted = 0;
    for round in 0..3000 {
        let mut body = Vec::new();
        for _ in 0..rng.index(40) {
            if rng.index(4) == 0 {
                body.push((rng.next_u64() & 0xff) as u8);
            } else {
                body.extend_from_slice(pieces[rng.index(pieces.len())]);
            }
        }
        let route = routes[round % routes.len()];
        let before = h.queue.requests().len();
        let (status, reply) = post(&h, route, body.clone()).await;
        match status {
            StatusCode::OK => {
                accepted += 1;
                let queued = h.queue.requests().len() - before;
                assert!(queued <= 1, "one request is one queue unit");
            }
            StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE => {
                assert!(reply["error"].is_string(), "a refusal names its reason: {reply}");
                assert_eq!(h.queue.requests().len(), before, "a refused request queues nothing");
            }
            other => panic!("{route} answered {other} to {:?}", String::from_utf8_lossy(&body)),
        }
    }
    assert!(accepted > 0, "the generator also produces acceptable bodies");
}

#[tokio::test]
async fn quarantine_lists_refused_records() {
    let h = harness(Limits::default());
    let record =
        mozdef_service::ingest::RecordInfo { id: "q-1", received: now(), source: "loginput", mozdefhostname: "m" };
    let request =
        mozdef_service::ingest::quarantine("plugin x failed: details.y is not a number", &json!({"a": 1}), record);
    h.store.index(&[request]).await.unwrap();
    h.store.refresh().await.unwrap();
    let (status, body) = call(&h, Method::GET, "/api/quarantine", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["hits"][0]["_id"], "q-1");
    assert_eq!(body["hits"][0]["_source"]["payload"], "{\"a\":1}");
    assert_eq!(body["hits"][0]["_source"]["reason"], "plugin x failed: details.y is not a number");
    let (status, body) = call(&h, Method::GET, "/api/quarantine?minutes=abc", Body::empty()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("minutes"));
}

fn bruteforce_event(n: usize) -> IndexRequest {
    let source = json!({
        "utctimestamp": "2026-11-23T11:59:30+00:00", "receivedtimestamp": "2026-11-23T11:59:30+00:00",
        "category": "syslog", "hostname": "bastion1", "summary": "Failed password for invalid user root from 1.2.3.4",
        "details": {"program": "sshd", "sourceipaddress": "1.2.3.4"}
    });
    IndexRequest { index: "events-20261123".into(), id: format!("bf{n}"), source: source.as_object().unwrap().clone() }
}

#[tokio::test]
async fn alerts_run_on_demand_and_are_listed() {
    let h = harness(Limits::default());
    h.runner.sync_schedules().await.unwrap();
    let docs: Vec<IndexRequest> = (0..10).map(bruteforce_event).collect();
    h.store.index(&docs).await.unwrap();
    h.store.refresh().await.unwrap();

    let (status, body) = call(&h, Method::POST, "/api/alerts/run", r#"{"names": ["bruteforce_ssh"]}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["raised"], 1, "{body}");
    let alert = &body["runs"][0]["alerts"][0];
    assert_eq!(alert["_source"]["summary"], "10 ssh bruteforce attempts by 1.2.3.4 bastion1 (10 hits)");
    let id = alert["_id"].as_str().unwrap().to_owned();

    let (status, again) = call(&h, Method::POST, "/api/alerts/run", "").await;
    assert_eq!((status, &again["raised"]), (StatusCode::OK, &json!(0)), "every enabled alert, nothing new: {again}");

    let (status, listed) =
        call(&h, Method::GET, "/api/alerts?minutes=60&category=bruteforce&severity=notice", "").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["hits"][0]["_id"], id.as_str());
    assert_eq!(listed["total"], 1);
    let (_, none) = call(&h, Method::GET, "/api/alerts?category=geomodel", "").await;
    assert_eq!(none["total"], 0);
    let (_, by_q) = call(&h, Method::GET, "/api/alerts?q=summary:bruteforce", "").await;
    assert_eq!(by_q["total"], 1);
    let (status, bad_q) = call(&h, Method::GET, "/api/alerts?q=summary:(", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad_q}");

    let (status, one) = call(&h, Method::GET, &format!("/api/alerts/{id}"), "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["_source"]["events"].as_array().map(Vec::len), Some(10), "with its events");
    let (status, _) = call(&h, Method::GET, "/api/alerts/nope", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, unknown) = call(&h, Method::POST, "/api/alerts/run", r#"{"names": ["no_such_alert"]}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(unknown["error"].as_str().unwrap().contains("no_such_alert"), "{unknown}");

    let (status, schedules) = call(&h, Method::GET, "/api/alertschedules", "").await;
    assert_eq!(status, StatusCode::OK);
    let schedule = &schedules["bruteforce_ssh.AlertBruteforceSsh"];
    assert_eq!(schedule["total_run_count"], 2, "{schedules}");
    assert_eq!(schedule["last_run_at"], "2026-11-23T12:00:00+00:00");
    assert_eq!(schedule["schedule_type"], "interval");
    assert_eq!(schedule["enabled"], true);
}

#[tokio::test]
async fn alert_schedules_are_managed_at_run_time() {
    let h = harness(Limits::default());
    h.runner.sync_schedules().await.unwrap();
    let name = "bruteforce_ssh.AlertBruteforceSsh";
    let (status, body) = call(&h, Method::PUT, &format!("/api/alertschedules/{name}"), r#"{"enabled": false}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, run) = call(&h, Method::POST, "/api/alerts/run", "{}").await;
    assert_eq!(run["runs"], json!([]), "a disabled alert does not run with the others");
    let (status, _) = call(&h, Method::PUT, "/api/alertschedules/nope.Nope", r#"{"enabled": true}"#).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, mut schedules) = call(&h, Method::GET, "/api/alertschedules", "").await;
    schedules[name]["schedule_type"] = json!("crontab");
    schedules[name]["celery_schedule"] =
        json!({"minute": "61", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"});
    let (status, bad) = call(&h, Method::POST, "/api/updatealertschedules", schedules.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad["error"].as_str().unwrap().contains("minute"), "{bad}");
    schedules[name]["celery_schedule"]["minute"] = json!("*/5");
    let (status, _) = call(&h, Method::POST, "/api/updatealertschedules", schedules.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = call(&h, Method::GET, "/api/alertschedules", "").await;
    assert_eq!(after[name]["celery_schedule"]["minute"], "*/5");

    let (status, _) = call(&h, Method::POST, "/api/syncalertschedules", "{}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "nothing to sync");
    let sync = json!({name: {"total_run_count": 42, "last_run_at": "2026-11-23T11:00:00+00:00"}, "gone.Gone": {"total_run_count": 1, "last_run_at": null}});
    let (status, synced) = call(&h, Method::POST, "/api/syncalertschedules", sync.to_string()).await;
    assert_eq!((status, &synced["updated"]), (StatusCode::OK, &json!(1)));
    let (_, after) = call(&h, Method::GET, "/api/alertschedules", "").await;
    assert_eq!(after[name]["total_run_count"], 42);
}

/// Sends one request to a router and decodes the answer.
async fn send(app: axum::Router, method: Method, uri: &str, body: &str) -> (StatusCode, Value) {
    let request = Request::builder().method(method).uri(uri).body(Body::from(body.to_owned())).unwrap();
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn loginput_runs_with_a_queue_alone() {
    let queue = Arc::new(RecordingQueue::default());
    let app = loginput_router(LoginputState { queue: queue.clone(), limits: Limits::default() });
    assert_eq!(send(app.clone(), Method::POST, "/events", r#"{"summary": "s"}"#).await.0, StatusCode::OK);
    let (status, body) = send(app.clone(), Method::POST, "/_bulk", "{\"a\": 1}\n{\"b\": 2}\n").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"errors": false, "accepted": 2})));
    assert_eq!(queue.requests().len(), 2);
    // Only loginput's routes: the REST API is not there.
    let (status, body) = send(app, Method::GET, "/api/status", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().unwrap().contains("/api/status"));
}

/// Alerts handed on to run elsewhere (a queue on AWS).
struct QueuedRuns;

#[async_trait]
impl mozdef_service::RunAlertsNow for QueuedRuns {
    async fn run_now(
        &self,
        names: &[String],
        _now: DateTime<Utc>,
    ) -> Result<mozdef_service::RunNow, mozdef_service::ServiceError> {
        Ok(mozdef_service::RunNow::Queued { names: names.to_vec() })
    }
}

#[tokio::test]
async fn the_rest_api_runs_with_stores_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let event = |id: &str, index: &str| IndexRequest {
        index: index.into(),
        id: id.into(),
        source: json!({"utctimestamp": "2026-11-23T11:00:00+00:00", "summary": id}).as_object().cloned().unwrap(),
    };
    let record = mozdef_service::ingest::RecordInfo { id: "q", received: now(), source: "s", mozdefhostname: "m" };
    let quarantined = mozdef_service::ingest::quarantine("bad", &json!(1), record);
    store.index(&[event("e1", "events-20261123"), event("e2", "events-20261123"), quarantined]).await.unwrap();
    store.refresh().await.unwrap();
    let mut state = ApiState {
        run_alerts: None,
        ingest_stats: None,
        ..ApiState::new(
            Arc::new(store),
            Arc::new(SqliteSchedules::open(&dir.path().join("mozdef.sqlite")).unwrap()),
            Arc::new(FixedClock::new(now())),
        )
    };
    let app = api_router(state.clone());
    let (status, body) = send(app.clone(), Method::POST, "/api/search", r#"{"query": "summary:e1"}"#).await;
    assert_eq!((status, body["total"].clone()), (StatusCode::OK, json!(1)));
    // Without an ingest path in the process, the counts come from the store.
    let (status, stats) = send(app.clone(), Method::GET, "/api/stats", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stats, json!({"indexed": 2, "dropped": null, "quarantined": 1, "minutes": 1440}));
    let (status, _) = send(app.clone(), Method::POST, "/api/alerts/run", "{}").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "no way to run alerts here");
    // loginput is not there.
    assert_eq!(send(app, Method::POST, "/events", "{}").await.0, StatusCode::NOT_FOUND);

    state.run_alerts = Some(Arc::new(QueuedRuns));
    let (status, body) =
        send(api_router(state), Method::POST, "/api/alerts/run", r#"{"names": ["bruteforce_ssh"]}"#).await;
    assert_eq!((status, body), (StatusCode::ACCEPTED, json!({"queued": ["bruteforce_ssh"]})));
}
