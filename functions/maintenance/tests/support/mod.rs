//! Test support: loopback HTTP servers standing in for what the function talks to besides
//! OpenSearch (a Dashboards server, a CloudFormation response URL, a cluster that never
//! answers), and the function built over an isolated OpenSearch prefix.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use chrono::{DateTime, TimeZone, Utc};
use mozdef_aws::cfn_response::CfnResponder;
use mozdef_fn_maintenance::Maintenance;
use mozdef_fn_maintenance::handler::Handler;
use mozdef_store_opensearch::dashboards::Dashboards;
use mozdef_store_opensearch::testing::{Cleanup, free_port, isolated_store, test_lifecycle};
use mozdef_store_opensearch::{Auth, OpenSearchConfig, OpenSearchStore};
use serde_json::Value;

/// One request a [`Recorder`] received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// A loopback server that records every request and answers the scripted statuses (200 with
/// `{}` when the script runs out).
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Recorder {
    pub async fn start() -> Recorder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let recorder = Recorder { url: format!("http://{}", listener.local_addr().unwrap()), ..Recorder::default() };
        let app = Router::new().fallback(record).with_state(recorder.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        recorder
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn answer(&self, statuses: &[u16]) {
        self.script.lock().unwrap().extend(statuses);
    }
}

async fn record(
    State(recorder): State<Recorder>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    recorder.seen.lock().unwrap().push(Seen { method, uri, headers, body });
    let status = recorder.script.lock().unwrap().pop_front().unwrap_or(200);
    (StatusCode::from_u16(status).unwrap(), "{}")
}

/// A loopback address that accepts connections and never answers.
pub async fn silent_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    url
}

/// A loopback URL where nothing listens.
pub fn dead_url() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

/// The install instant of the tests.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

/// The function over a fresh prefix of the test cluster, with its Dashboards at `dashboards`.
pub async fn maintenance(dashboards: &str) -> (Handler, OpenSearchStore, Cleanup) {
    let (store, cleanup) = isolated_store().await;
    let dashboards = Dashboards::connect(dashboards, &Auth::None, Duration::from_secs(5)).unwrap();
    let maintenance = Maintenance::new(store.clone(), test_lifecycle(), Some(dashboards));
    (Handler::new(maintenance, responder()), store, cleanup)
}

/// The function over a cluster at `url` (one that is down, or never answers).
pub fn maintenance_at(url: &str, dashboards: &str) -> Handler {
    let mut config = OpenSearchConfig::from_url(url).unwrap();
    config.index_prefix = "unreachable-".into();
    config.request_timeout = Duration::from_secs(30);
    let store = OpenSearchStore::open(config).unwrap();
    let dashboards = Dashboards::connect(dashboards, &Auth::None, Duration::from_secs(5)).unwrap();
    Handler::new(Maintenance::new(store, test_lifecycle(), Some(dashboards)), responder())
}

pub fn responder() -> CfnResponder {
    CfnResponder::new(Duration::from_secs(5)).unwrap()
}

/// A fixture request with its `ResponseURL` (and stack) replaced.
pub fn request(fixture: &str, response_url: &str, stack_id: Option<&str>) -> Value {
    let mut request: Value = serde_json::from_str(fixture).unwrap();
    request["ResponseURL"] = Value::String(response_url.to_owned());
    if let Some(stack_id) = stack_id {
        request["StackId"] = Value::String(stack_id.to_owned());
    }
    request
}

/// Runs the Create request `payload` makes for a `ResponseURL` through `function` and asserts
/// the one answer CloudFormation gets: FAILED for `reason`, naming the `physical` id of the
/// request (a failed create still names a resource) and the `logical` resource.
pub async fn assert_failed_create(
    function: &Handler,
    payload: impl FnOnce(&str) -> Value,
    reason: &str,
    physical: &str,
    logical: &str,
) {
    let cloudformation = Recorder::start().await;
    let url = format!("{}/cfn-response/key?X-Amz-Signature=abc", cloudformation.url);
    let answered = function.handle(payload(&url), now(), Duration::from_secs(60)).await.unwrap();
    assert_eq!(answered["Status"], "FAILED", "{answered}");
    let seen = cloudformation.seen();
    assert_eq!(seen.len(), 1, "one answer");
    let body = seen[0].json();
    assert_eq!(body["Status"], "FAILED");
    assert_eq!(body["Reason"], reason);
    assert_eq!(body["PhysicalResourceId"], physical, "a failed create names a resource");
    assert_eq!(body["LogicalResourceId"], logical);
}
