//! The answers of the custom resource on every path, as CloudFormation's response URL
//! receives them (a loopback server records the PUTs): success with data, failures with their
//! reason (OpenSearch down, OpenSearch too slow, Dashboards refusing, a malformed request, a
//! resource type the function does not serve), a delete that touches nothing, and a request
//! without a response URL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Recorder, Seen, dead_url, maintenance, maintenance_at, now, request, silent_server};

const CREATE: &str = include_str!("fixtures/custom-resource-create.json");
const DELETE: &str = include_str!("fixtures/custom-resource-delete.json");
const BUDGET: Duration = Duration::from_secs(120);

/// The one answer `cloudformation` received, checked for what every answer must be.
fn only_answer(cloudformation: &Recorder) -> Value {
    let seen: Vec<Seen> = cloudformation.seen();
    assert_eq!(seen.len(), 1, "exactly one answer: {seen:?}");
    let put = &seen[0];
    assert_eq!(put.method, "PUT");
    assert_eq!(put.uri.path(), "/cfn-response/key");
    assert_eq!(put.uri.query(), Some("X-Amz-Signature=abc"), "the pre-signed query is kept as it is");
    assert_eq!(put.header("content-type"), None, "the URL is signed for no content type");
    let body = put.json();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    for key in ["Status", "Reason", "PhysicalResourceId", "StackId", "RequestId", "LogicalResourceId", "Data"] {
        assert!(keys.iter().any(|k| *k == key), "{key} missing from {body}");
    }
    body
}

fn response_url(cloudformation: &Recorder) -> String {
    format!("{}/cfn-response/key?X-Amz-Signature=abc", cloudformation.url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_is_answered_with_its_ids_and_data() {
    let (cloudformation, dashboards) = (Recorder::start().await, Recorder::start().await);
    let (maintenance, store, _cleanup) = maintenance(&dashboards.url).await;
    let answered =
        maintenance.handle(request(CREATE, &response_url(&cloudformation), None), now(), BUDGET).await.unwrap();
    let body = only_answer(&cloudformation);
    assert_eq!(answered["Status"], "SUCCESS");
    let prefix = store.client().prefix();
    assert_eq!(body["Status"], "SUCCESS");
    assert_eq!(body["PhysicalResourceId"], format!("{prefix}mozdef-indices"));
    assert_eq!(
        body["StackId"],
        "arn:aws:cloudformation:us-east-1:123456789012:stack/mozdef/5b6f3c50-1d2e-11f1-9b0a-0a1b2c3d4e5f"
    );
    assert_eq!(body["RequestId"], "1f0e7a1c-8e3c-4c56-9d7b-6a0f3e2d1c0b");
    assert_eq!(body["LogicalResourceId"], "Indices");
    assert_eq!(body["Data"]["IndexPatterns"], format!("{prefix}events*,{prefix}alerts*"));
    assert_eq!(body["Data"]["DashboardsUrl"], dashboards.url);
    let changes: usize = body["Data"]["Changes"].as_str().unwrap().parse().unwrap();
    assert!(changes >= 2, "indices created and aliases moved: {body}");

    // The Dashboards requests: method, path, query, headers and body.
    let saved = dashboards.seen();
    assert_eq!(saved.len(), 2);
    for (request, name) in saved.iter().zip(["events", "alerts"]) {
        assert_eq!(request.method, "POST");
        assert_eq!(request.uri.path(), format!("/api/saved_objects/index-pattern/mozdef-{prefix}{name}"));
        assert_eq!(request.uri.query(), Some("overwrite=true"));
        assert_eq!(request.header("osd-xsrf"), Some("true"));
        assert_eq!(request.header("securitytenant"), Some("global"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(
            request.json(),
            json!({"attributes": {"title": format!("{prefix}{name}*"), "timeFieldName": "utctimestamp"}})
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_answered_with_their_reason() {
    let dashboards = Recorder::start().await;

    // OpenSearch down.
    let cloudformation = Recorder::start().await;
    let down = maintenance_at(&dead_url(), &dashboards.url);
    down.handle(request(CREATE, &response_url(&cloudformation), None), now(), BUDGET).await.unwrap();
    let body = only_answer(&cloudformation);
    assert_eq!(body["Status"], "FAILED");
    assert!(body["Reason"].as_str().unwrap().contains("OpenSearch unreachable"), "{body}");
    assert_eq!(body["PhysicalResourceId"], "1f0e7a1c-8e3c-4c56-9d7b-6a0f3e2d1c0b", "a failed create names a resource");

    // OpenSearch that never answers: the work is cut off within the budget and answered.
    let cloudformation = Recorder::start().await;
    let silent = maintenance_at(&silent_server().await, &dashboards.url);
    let started = std::time::Instant::now();
    silent.handle(request(CREATE, &response_url(&cloudformation), None), now(), Duration::from_secs(2)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let body = only_answer(&cloudformation);
    assert_eq!(body["Status"], "FAILED");
    assert_eq!(body["Reason"], "OpenSearch did not finish within 2 s; nothing was answered in time");

    // Dashboards refusing the saved object.
    let cloudformation = Recorder::start().await;
    let refusing = Recorder::start().await;
    refusing.answer(&[403]);
    let (maintenance, _store, _cleanup) = maintenance(&refusing.url).await;
    maintenance.handle(request(CREATE, &response_url(&cloudformation), None), now(), BUDGET).await.unwrap();
    let body = only_answer(&cloudformation);
    assert_eq!(body["Status"], "FAILED");
    let reason = body["Reason"].as_str().unwrap();
    assert!(
        reason.contains("answered 403 to POST") && reason.contains("/api/saved_objects/index-pattern/"),
        "{reason}"
    );

    // A malformed request (an unknown request type) and a type this function does not serve:
    // answered without touching anything.
    for (change, expected) in [
        (json!({"RequestType": "Destroy"}), "malformed custom resource request"),
        (json!({"ResourceType": "Custom::Other"}), "unsupported resource type \"Custom::Other\""),
    ] {
        let cloudformation = Recorder::start().await;
        let mut payload = request(CREATE, &response_url(&cloudformation), None);
        for (key, value) in change.as_object().unwrap() {
            payload[key] = value.clone();
        }
        down.handle(payload, now(), BUDGET).await.unwrap();
        let body = only_answer(&cloudformation);
        assert_eq!(body["Status"], "FAILED");
        assert!(body["Reason"].as_str().unwrap().starts_with(expected), "{body}");
    }
    assert!(dashboards.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_succeeds_without_touching_anything() {
    let (cloudformation, dashboards) = (Recorder::start().await, Recorder::start().await);
    let down = maintenance_at(&dead_url(), &dashboards.url);
    let answered = down.handle(request(DELETE, &response_url(&cloudformation), None), now(), BUDGET).await.unwrap();
    assert_eq!(answered["Status"], "SUCCESS");
    let body = only_answer(&cloudformation);
    assert_eq!(body["Status"], "SUCCESS");
    assert_eq!(body["PhysicalResourceId"], "mozdef-indices");
    assert_eq!(body["RequestId"], "ef70561d-d4ba-42a4-801b-33ad88dafc37");
    assert!(dashboards.seen().is_empty());
}

#[tokio::test]
async fn what_cannot_be_answered_fails_the_invocation() {
    let dashboards = Recorder::start().await;
    let down = maintenance_at(&dead_url(), &dashboards.url);
    let mut payload: Value = serde_json::from_str(CREATE).unwrap();
    payload.as_object_mut().unwrap().remove("ResponseURL");
    let error = down.handle(payload, now(), BUDGET).await.unwrap_err().to_string();
    assert!(error.contains("without a ResponseURL"), "{error}");

    // A response URL that refuses the answer (an expired signature): the invocation fails,
    // so Lambda tries it again.
    let cloudformation = Recorder::start().await;
    cloudformation.answer(&[403]);
    let error = down
        .handle(request(DELETE, &response_url(&cloudformation), None), now(), BUDGET)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("answering CloudFormation at") && error.contains("403"), "{error}");
    assert!(!error.contains("X-Amz-Signature"), "the signature stays out of errors: {error}");

    let unknown = down.handle(json!({"hello": "world"}), now(), BUDGET).await.unwrap_err().to_string();
    assert!(unknown.starts_with("unrecognised payload"), "{unknown}");
}
