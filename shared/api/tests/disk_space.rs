//! loginput in front of the write-ahead log behind a disk guard, as `mozdef dev` runs it: while
//! the data directory's disk is short of room every event route answers 503 with
//! `Retry-After` and the figures, and nothing reaches the log; once there is room again,
//! events are taken without a restart. `/api/status` reports the storage and the refusal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use mozdef_api::{ApiState, Limits, LoginputState, router};
use mozdef_model::FixedClock;
use mozdef_store_embedded::disk::ManualDisk;
use mozdef_store_embedded::{
    DiskGuard, EmbeddedStore, GuardedQueue, LocalStorage, MinFreeDisk, SqliteSchedules, Wal, WalReader,
};
use serde_json::{Value, json};
use tower::ServiceExt;

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

struct Harness {
    app: Router,
    disk: Arc<ManualDisk>,
    reader: WalReader,
    dir: tempfile::TempDir,
}

/// loginput over a log behind a guard keeping 1 GiB free on a 100 GiB disk with 2 GiB free,
/// read on every request; the REST API with the storage figures.
fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()));
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let (wal, reader) = Wal::open(&dir.path().join("wal"), clock.clone(), 1 << 20).unwrap();
    let disk = Arc::new(ManualDisk::new(2 * GIB, 100 * GIB));
    let guard = Arc::new(DiskGuard::new(dir.path(), disk.clone(), MinFreeDisk::Bytes(GIB), Duration::ZERO));
    let loginput =
        LoginputState { queue: Arc::new(GuardedQueue::new(wal.clone(), guard.clone())), limits: Limits::default() };
    let schedules = Arc::new(SqliteSchedules::open(&dir.path().join("mozdef.sqlite")).unwrap());
    let api = ApiState {
        storage: Some(Arc::new(LocalStorage::new(dir.path(), Some(store.clone()), wal.status(), guard))),
        ..ApiState::new(Arc::new(store), schedules, clock)
    };
    Harness { app: router(loginput, api), disk, reader, dir }
}

async fn send(h: &Harness, method: Method, uri: &str, body: &str) -> (StatusCode, HeaderMap, Value) {
    let request = Request::builder().method(method).uri(uri).body(Body::from(body.to_owned())).unwrap();
    let response = h.app.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn loginput_refuses_while_the_disk_is_short_and_recovers() {
    let mut h = harness();
    assert_eq!(send(&h, Method::POST, "/events", r#"{"summary": "before"}"#).await.0, StatusCode::OK);
    assert_eq!(h.reader.read_batch(100).unwrap().len(), 1);

    h.disk.set_available(512 * MIB);
    let refusal = format!(
        "free disk space on {} is 512 MiB, below the minimum 1024 MiB; events are refused until space returns",
        h.dir.path().display()
    );
    for (uri, body) in [
        ("/events", r#"{"summary": "during"}"#),
        ("/custom/app", r#"{"summary": "during"}"#),
        ("/_bulk", "{\"a\": 1}\n{\"b\": 2}\n"),
    ] {
        let (status, headers, answer) = send(&h, Method::POST, uri, body).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert_eq!(headers.get("retry-after").unwrap(), "30", "{uri}");
        assert_eq!(answer, json!({"error": refusal}), "{uri}");
    }
    assert!(h.reader.read_batch(100).unwrap().is_empty(), "nothing refused reached the log");
    // loginput's health routes still answer.
    assert_eq!(send(&h, Method::GET, "/status", "").await.0, StatusCode::OK);
    let (status, _, answer) = send(&h, Method::GET, "/api/status", "").await;
    assert_eq!((status, &answer["status"]), (StatusCode::OK, &json!("ok")));
    let disk = &answer["storage"]["disk"];
    assert_eq!((disk["refusing"].clone(), disk["availableBytes"].clone()), (json!(true), json!(512 * MIB)));

    h.disk.set_available(GIB);
    assert_eq!(send(&h, Method::POST, "/events", r#"{"summary": "after"}"#).await.0, StatusCode::OK);
    let after = h.reader.read_batch(100).unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].events[0]["summary"], "after");
    let (_, _, answer) = send(&h, Method::GET, "/api/status", "").await;
    assert_eq!(answer["storage"]["disk"]["refusing"], false);
}

#[tokio::test]
async fn status_reports_what_is_stored_and_the_room_left() {
    let h = harness();
    assert_eq!(send(&h, Method::POST, "/events", r#"{"summary": "one"}"#).await.0, StatusCode::OK);
    let log_bytes = std::fs::metadata(h.dir.path().join("wal/00000000000000000001.wal")).unwrap().len();
    let (status, _, answer) = send(&h, Method::GET, "/api/status", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((&answer["status"], &answer["service"]), (&json!("ok"), &json!("restapi")));
    let storage = &answer["storage"];
    assert_eq!(storage["dataDir"], h.dir.path().display().to_string());
    assert_eq!(storage["indices"], json!({"count": 0, "open": 0, "documents": 0, "bytes": 0}));
    assert_eq!(storage["log"], json!({"bytes": log_bytes, "backlogBytes": log_bytes, "backlogFrames": 1}));
    assert_eq!(
        storage["disk"],
        json!({
            "path": h.dir.path().display().to_string(),
            "availableBytes": 2 * GIB,
            "totalBytes": 100 * GIB,
            "minFreeBytes": GIB,
            "refusing": false,
        })
    );
}
