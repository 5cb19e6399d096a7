//! Answering CloudFormation: the PUT as a pre-signed response URL takes it, retried while the
//! URL may still take it (no answer, a 5xx) and not after a 4xx, with the signature kept out
//! of errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use mozdef_aws::cfn_response::{CfnResponder, ResponseTarget};
use serde_json::{Value, json};

type Seen = Arc<Mutex<Vec<(Method, Uri, HeaderMap, Bytes)>>>;

/// A response URL answering `statuses` in turn (200 after them).
async fn response_url(statuses: &[u16]) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let script = Arc::new(Mutex::new(statuses.iter().copied().collect::<VecDeque<u16>>()));
    let state = (seen.clone(), script);
    let app = Router::new()
        .fallback(
            |State((seen, script)): State<(Seen, Arc<Mutex<VecDeque<u16>>>)>,
             method: Method,
             uri: Uri,
             headers: HeaderMap,
             body: Bytes| async move {
                seen.lock().unwrap().push((method, uri, headers, body));
                StatusCode::from_u16(script.lock().unwrap().pop_front().unwrap_or(200)).unwrap()
            },
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bucket/key?X-Amz-Signature=secret", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn request(url: &str) -> Value {
    json!({
        "RequestType": "Create", "ResponseURL": url, "RequestId": "r-1", "LogicalResourceId": "Indices",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/mozdef/1", "ResourceType": "Custom::MozDefIndices",
        "ResourceProperties": {}
    })
}

#[tokio::test]
async fn an_answer_is_put_as_json_without_a_content_type_and_retried_after_a_5xx() {
    let (url, seen) = response_url(&[503]).await;
    let target = ResponseTarget::of(&request(&url)).unwrap();
    let answer = target.success("mozdef-indices", HashMap::from([("Changes".to_owned(), "3".to_owned())]));
    CfnResponder::new(Duration::from_secs(5)).unwrap().send(&url, &answer).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "once refused with 503, then taken");
    let (method, uri, headers, body) = &seen[1];
    assert_eq!(method, Method::PUT);
    assert_eq!(uri.to_string(), "/bucket/key?X-Amz-Signature=secret");
    assert_eq!(headers.get("content-type"), None);
    assert_eq!(headers.get("content-length").unwrap(), &body.len().to_string());
    let body: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        body,
        json!({"Status": "SUCCESS", "Reason": "done", "PhysicalResourceId": "mozdef-indices",
               "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/mozdef/1", "RequestId": "r-1",
               "LogicalResourceId": "Indices", "NoEcho": false, "Data": {"Changes": "3"}})
    );
}

#[tokio::test]
async fn a_4xx_is_final_and_a_dead_url_is_tried_three_times() {
    let (url, seen) = response_url(&[403]).await;
    let answer = ResponseTarget::of(&request(&url)).unwrap().failure("OpenSearch unreachable");
    let responder = CfnResponder::new(Duration::from_secs(5)).unwrap();
    let error = responder.send(&url, &answer).await.unwrap_err().to_string();
    assert_eq!(seen.lock().unwrap().len(), 1, "not retried");
    assert!(error.contains("HTTP 403"), "{error}");
    assert!(!error.contains("secret"), "the signature stays out of errors: {error}");

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = format!("http://127.0.0.1:{port}/key?X-Amz-Signature=secret");
    let started = Instant::now();
    let error = responder.send(&dead, &answer).await.unwrap_err().to_string();
    assert!(error.contains("after 3 attempts"), "{error}");
    assert!(started.elapsed() >= Duration::from_secs(3), "backs off between attempts");
    assert!(!error.contains("secret"), "{error}");
}
