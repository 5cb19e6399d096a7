//! The `alert-actions` handler on a real SQS event payload: actions against a loopback HTTP
//! receiver, outcomes recorded on the alert in the embedded store, partial batch failures,
//! and a redelivery that does not repeat what already succeeded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use aws_lambda_events::sqs::SqsEvent;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use mozdef_alerts::actions::{ActionServices, ActionsConfig, RetryPolicy, build_actions};
use mozdef_fn_alert_actions::handler::handle;
use mozdef_service::ActionRunner;
use mozdef_store::{EventStore, IndexRequest};
use mozdef_store_embedded::EmbeddedStore;
use serde_json::{Value, json};

/// Paths requested, and the statuses to answer (200 when the script runs out).
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<String>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

async fn receive(State(receiver): State<Receiver>, uri: Uri) -> StatusCode {
    receiver.seen.lock().unwrap().push(uri.path().to_owned());
    let status = receiver.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

async fn receiver() -> (String, Receiver) {
    let receiver = Receiver::default();
    let app = Router::new().fallback(receive).with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}

fn alert_source() -> Value {
    json!({
        "utctimestamp": "2026-11-23T12:00:00+00:00", "severity": "WARNING",
        "summary": "10 ssh bruteforce attempts by 1.2.3.4 bastion1 (10 hits)", "category": "bruteforce",
        "tags": ["ssh"], "events": [], "channel": null, "notify_mozdefbot": true, "status": "manual",
        "classname": "AlertBruteforceSsh"
    })
}

fn event(body: &str) -> SqsEvent {
    let mut event: Value = serde_json::from_str(include_str!("fixtures/sqs-alerts.json")).unwrap();
    event["Records"][0]["body"] = json!(body);
    serde_json::from_value(event).unwrap()
}

#[tokio::test]
async fn actions_run_once_per_alert_and_failures_come_back() {
    let (url, receiver) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let source = alert_source().as_object().unwrap().clone();
    let stored = IndexRequest { index: "alerts-202611".into(), id: "a1".into(), source };
    store.index(&[stored]).await.unwrap();
    store.refresh().await.unwrap();
    let mut config: ActionsConfig = serde_json::from_value(json!({
        "enabled": ["slack", "webhook"],
        "slack": {"webhook_url": format!("{url}/slack")},
        "webhook": {"url": format!("{url}/hook")}
    }))
    .unwrap();
    config.retry = RetryPolicy { attempts: 2, backoff_ms: 1, max_backoff_ms: 2 };
    let actions = build_actions(&config, &ActionServices::default()).unwrap();
    let runner = ActionRunner::new(actions, config.retry, Arc::new(store.clone()));
    let message = json!({"_id": "a1", "_index": "alerts-202611", "_source": alert_source()}).to_string();

    // Slack answers; the webhook is down for both attempts.
    receiver.script.lock().unwrap().extend([200, 503, 503]);
    let response = handle(event(&message), &runner).await;
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(
        failed,
        ["059f36b4-87a3-44ab-83d2-661975830a7d", "2e1424d4-f796-459a-8184-9c92662be6da"],
        "the alert whose webhook failed transiently and the record that is not an alert"
    );
    store.refresh().await.unwrap();
    let alert = store.get(&["alerts-202611".into()], "a1", chrono::Utc::now()).await.unwrap().unwrap();
    let outcomes = alert.source["actions"].as_array().unwrap().clone();
    let status = |name: &str| outcomes.iter().find(|o| o["action"] == name).map(|o| o["status"].clone());
    assert_eq!(status("slack"), Some(json!("succeeded")));
    assert_eq!(status("webhook"), Some(json!("failed")));
    assert_eq!(alert.source["summary"], alert_source()["summary"], "the alert is otherwise unchanged");

    // Redelivered: only the webhook runs again.
    let response = handle(event(&message), &runner).await;
    assert_eq!(response.batch_item_failures.len(), 1, "only the bad record fails now");
    let seen = receiver.seen.lock().unwrap().clone();
    assert_eq!(seen, ["/slack", "/hook", "/hook", "/hook"], "slack posted once");
    store.refresh().await.unwrap();
    let alert = store.get(&["alerts-202611".into()], "a1", chrono::Utc::now()).await.unwrap().unwrap();
    let statuses: Vec<&Value> = alert.source["actions"].as_array().unwrap().iter().map(|o| &o["status"]).collect();
    assert_eq!(statuses, [&json!("succeeded"), &json!("succeeded")]);
}
