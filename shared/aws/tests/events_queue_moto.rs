//! The SQS events queue against moto's SQS and S3 (the AWS emulator from PyPI): a request of
//! many events lands as loginput messages that decode back to exactly those events in order,
//! an event too large for a message travels through S3, entries SQS refuses for a passing
//! reason are sent again (a loopback proxy in front of moto refuses them the first time), and
//! lasting refusals fail the request naming what failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_sqs::types::Message;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use mozdef_aws::SqsEventQueue;
use mozdef_aws::events_queue::SendRetry;
use mozdef_aws::events_split::{DEFAULT_MAX_MESSAGE_BYTES, SplitLimits, attribute_bytes};
use mozdef_aws::loginput_message::{KIND, KIND_ATTRIBUTE, LoginputContent, LoginputMessage};
use mozdef_aws::sqs_mapping::{EventSourceMapping, moto_s3};
use mozdef_aws::testing::Moto;
use mozdef_model::Document;
use mozdef_store::{EventQueue, QueueError};
use serde_json::{Value, json};

/// A name no other test (nor another run on a shared moto) uses.
fn unique(what: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{what}-{}-{nanos}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A shipper event of about `bytes` bytes.
fn event(n: usize, bytes: usize) -> Document {
    json!({"summary": format!("event {n} {}", "x".repeat(bytes)), "hostname": "web1", "endpoint": "events",
           "details": {"n": n, "sourceipaddress": "10.1.2.3"}})
    .as_object()
    .cloned()
    .unwrap()
}

/// The moto setup of one test: a queue (through `sqs_url`, moto or a proxy before it) and a
/// bucket.
struct Setup {
    mapping: EventSourceMapping,
    s3: aws_sdk_s3::Client,
    bucket: String,
    queue: SqsEventQueue,
}

async fn setup(moto: &Moto, sqs_url: Option<&str>) -> Setup {
    let sdk = moto.sdk_config().await;
    let s3 = moto_s3(&sdk);
    let bucket = unique("large-events");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let mapping = EventSourceMapping::create(aws_sdk_sqs::Client::new(&sdk), &unique("events"), 30).await;
    let sender = match sqs_url {
        Some(url) => aws_sdk_sqs::Client::from_conf(aws_sdk_sqs::config::Builder::from(&sdk).endpoint_url(url).build()),
        None => aws_sdk_sqs::Client::new(&sdk),
    };
    let retry =
        SendRetry { attempts: 4, initial_backoff: Duration::from_millis(5), max_backoff: Duration::from_millis(20) };
    let queue = SqsEventQueue::new(sender, s3.clone(), &mapping.queue_url, &bucket).with_retry(retry);
    Setup { mapping, s3, bucket, queue }
}

/// Everything on the queue, as (message, its loginput message, its events), ordered by part.
async fn drain(setup: &Setup) -> Vec<(Message, LoginputMessage, Vec<Document>)> {
    let mut read = Vec::new();
    for message in setup.mapping.receive(10_000).await {
        let kind = message.message_attributes().and_then(|a| a.get(KIND_ATTRIBUTE)).and_then(|a| a.string_value());
        assert_eq!(kind, Some(KIND), "every message carries the kind attribute");
        let size = message.body().unwrap().len() + attribute_bytes();
        assert!(size <= DEFAULT_MAX_MESSAGE_BYTES, "a message of {size} bytes");
        let loginput = LoginputMessage::from_body(message.body().unwrap().as_bytes()).unwrap();
        let events = match &loginput.content {
            LoginputContent::Events { events } => events.clone(),
            LoginputContent::Object { s3 } => {
                assert_eq!(s3.bucket, setup.bucket);
                let day = loginput.received.format("%Y/%m/%d");
                assert_eq!(s3.key, format!("loginput/{day}/{}.json", loginput.identity));
                let object = setup.s3.get_object().bucket(&s3.bucket).key(&s3.key).send().await.unwrap();
                let bytes = object.body.collect().await.unwrap().to_vec();
                let stored = LoginputMessage::from_body(&bytes).unwrap();
                assert_eq!((&stored.identity, stored.received), (&loginput.identity, loginput.received));
                match stored.content {
                    LoginputContent::Events { events } => events,
                    other => panic!("the object holds events, got {other:?}"),
                }
            }
        };
        read.push((message, loginput, events));
    }
    read.sort_by_key(|(_, m, _)| part(&m.identity));
    read
}

fn request_of(identity: &str) -> &str {
    identity.rsplit_once(':').unwrap().0
}

fn part(identity: &str) -> usize {
    identity.rsplit_once(':').unwrap().1.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_lands_as_messages_that_decode_back_to_its_events_in_order() {
    let moto = Moto::start().await;
    let setup = setup(&moto, None).await;
    // About 2.7 MB: many messages, and one event over the message size in the middle.
    let mut events: Vec<Document> = (0..2_000).map(|n| event(n, 600 + n % 1_500)).collect();
    events.insert(1_000, event(1_000_000, 300 * 1024));
    setup.queue.accept(events.clone()).await.unwrap();

    let read = drain(&setup).await;
    assert!(read.len() >= 10, "{} messages", read.len());
    let request = request_of(&read[0].1.identity).to_owned();
    assert_eq!(request.len(), 32, "128 random bits in hex: {request}");
    for (n, (_, message, _)) in read.iter().enumerate() {
        assert_eq!(message.identity, format!("{request}:{n}"), "one request, parts numbered from 0");
        assert_eq!(message.received, read[0].1.received, "one receive time");
    }
    let objects: Vec<usize> = read
        .iter()
        .filter(|(_, m, _)| matches!(m.content, LoginputContent::Object { .. }))
        .map(|(_, _, e)| e.len())
        .collect();
    assert_eq!(objects, [1], "exactly the large event went through S3, alone");
    let decoded: Vec<Document> = read.into_iter().flat_map(|(_, _, events)| events).collect();
    assert_eq!(decoded.len(), events.len());
    assert!(decoded == events, "the queue holds exactly the request's events, in order");

    // Another request gets another identity.
    setup.queue.accept(vec![event(1, 10)]).await.unwrap();
    let again = drain(&setup).await;
    assert_eq!(again.len(), 1);
    assert_ne!(request_of(&again[0].1.identity), request);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_too_large_for_the_bucket_is_refused_and_nothing_is_sent() {
    let moto = Moto::start().await;
    let mut setup = setup(&moto, None).await;
    let limits = SplitLimits { max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES, max_object_bytes: 200 * 1024 };
    setup.queue = setup.queue.clone().with_limits(limits);
    let events = vec![event(0, 100), event(1, 300 * 1024)];
    match setup.queue.accept(events).await {
        Err(QueueError::TooLarge { size, limit }) => assert_eq!((size > 300 * 1024, limit), (true, 200 * 1024)),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(drain(&setup).await.is_empty(), "no message sent");
    let objects = setup.s3.list_objects_v2().bucket(&setup.bucket).send().await.unwrap();
    assert_eq!(objects.key_count(), Some(0), "no object put");
}

// ---------------------------------------------------------------------------------------
// Refused entries, through a proxy in front of moto
// ---------------------------------------------------------------------------------------

/// How the proxy answers an entry: `None` forwards it, `Some((sender_fault, code))` refuses it.
type Rule = Box<dyn Fn(&str, u32) -> Option<(bool, &'static str)> + Send + Sync>;

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    rule: Rule,
    /// Attempts per message identity.
    attempts: Mutex<HashMap<String, u32>>,
    refused: AtomicU32,
}

async fn start_proxy(upstream: &str, rule: Rule) -> (String, Arc<Proxy>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let proxy = Arc::new(Proxy {
        upstream: upstream.trim_end_matches('/').to_owned(),
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        rule,
        attempts: Mutex::default(),
        refused: AtomicU32::new(0),
    });
    let app = Router::new().fallback(handle).with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, proxy)
}

async fn forward(proxy: &Proxy, uri: &Uri, headers: &HeaderMap, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = proxy.http.post(format!("{}{path}", proxy.upstream)).body(body);
    for (name, value) in headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            request = request.header(name, value);
        }
    }
    let answer = request.send().await.unwrap();
    (answer.status(), answer.bytes().await.unwrap().to_vec())
}

async fn handle(State(proxy): State<Arc<Proxy>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if target != "AmazonSQS.SendMessageBatch" {
        let (status, answer) = forward(&proxy, &uri, &headers, body.to_vec()).await;
        return (status, [(header::CONTENT_TYPE, "application/x-amz-json-1.0")], answer).into_response();
    }
    let mut request: Value = serde_json::from_slice(&body).unwrap();
    let mut kept = Vec::new();
    let mut failed = Vec::new();
    for entry in request["Entries"].as_array().unwrap().clone() {
        let body: Value = serde_json::from_str(entry["MessageBody"].as_str().unwrap()).unwrap();
        let identity = body["identity"].as_str().unwrap().to_owned();
        let attempt = {
            let mut attempts = proxy.attempts.lock().unwrap();
            let attempt = attempts.entry(identity.clone()).or_default();
            *attempt += 1;
            *attempt
        };
        match (proxy.rule)(&identity, attempt) {
            None => kept.push(entry),
            Some((sender_fault, code)) => {
                proxy.refused.fetch_add(1, Ordering::SeqCst);
                failed.push(json!({"Id": entry["Id"], "SenderFault": sender_fault, "Code": code,
                                   "Message": "injected by the test proxy"}));
            }
        }
    }
    let mut answer = json!({"Successful": [], "Failed": []});
    if !kept.is_empty() {
        request["Entries"] = Value::Array(kept);
        let (status, real) = forward(&proxy, &uri, &headers, request.to_string().into_bytes()).await;
        assert!(status.is_success(), "moto refused the batch: {}", String::from_utf8_lossy(&real));
        answer = serde_json::from_slice(&real).unwrap();
    }
    let mut all_failed = answer.get("Failed").and_then(Value::as_array).cloned().unwrap_or_default();
    all_failed.extend(failed);
    answer["Failed"] = Value::Array(all_failed);
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/x-amz-json-1.0")], answer.to_string()).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_refused_for_now_are_sent_again_once_each() {
    let moto = Moto::start().await;
    // Every even part is refused the first time it is seen, as SQS does under pressure.
    let rule: Rule = Box::new(|identity, attempt| {
        (attempt == 1 && part(identity).is_multiple_of(2)).then_some((false, "InternalError"))
    });
    let (proxy_url, proxy) = start_proxy(&moto.url, rule).await;
    let setup = setup(&moto, Some(&proxy_url)).await;
    let events: Vec<Document> = (0..1_500).map(|n| event(n, 1_000)).collect();
    setup.queue.accept(events.clone()).await.unwrap();

    let read = drain(&setup).await;
    let parts = read.len();
    assert!(parts >= 6, "{parts} messages");
    assert_eq!(proxy.refused.load(Ordering::SeqCst) as usize, parts.div_ceil(2), "every even part refused once");
    let attempts = proxy.attempts.lock().unwrap().clone();
    assert!(
        attempts.iter().all(|(identity, &n)| n == if part(identity).is_multiple_of(2) { 2 } else { 1 }),
        "{attempts:?}"
    );
    let identities: Vec<String> = read.iter().map(|(_, m, _)| m.identity.clone()).collect();
    let mut distinct = identities.clone();
    distinct.dedup();
    assert_eq!(distinct, identities, "each message on the queue once");
    let decoded: Vec<Document> = read.into_iter().flat_map(|(_, _, events)| events).collect();
    assert!(decoded == events, "all events, in order, once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lasting_refusals_fail_the_request_naming_what_failed() {
    let moto = Moto::start().await;
    // Part 1 is refused as the sender's fault (never sent again); part 2 keeps failing.
    let rule: Rule = Box::new(|identity, _| match part(identity) {
        1 => Some((true, "InvalidMessageContents")),
        2 => Some((false, "ServiceUnavailable")),
        _ => None,
    });
    let (proxy_url, proxy) = start_proxy(&moto.url, rule).await;
    let setup = setup(&moto, Some(&proxy_url)).await;
    let events: Vec<Document> = (0..1_200).map(|n| event(n, 1_000)).collect();
    let error = match setup.queue.accept(events).await {
        Err(QueueError::Unavailable(error)) => error,
        other => panic!("expected Unavailable, got {other:?}"),
    };
    assert!(error.starts_with("SQS did not accept 2 of the "), "{error}");
    assert!(error.contains("part 1: InvalidMessageContents: injected by the test proxy"), "{error}");
    assert!(error.contains("part 2: ServiceUnavailable: injected by the test proxy (after 4 attempts)"), "{error}");
    let attempts = proxy.attempts.lock().unwrap().clone();
    let of = |p: usize| attempts.iter().find(|(i, _)| part(i) == p).map(|(_, &n)| n);
    assert_eq!((of(1), of(2)), (Some(1), Some(4)), "a sender fault is not retried; a passing one is, up to the limit");
    // As far as SQS allows: the messages it accepted stay (the shipper's retry may store
    // their events twice, never lose them).
    let landed: Vec<usize> = drain(&setup).await.iter().map(|(_, m, _)| part(&m.identity)).collect();
    assert!(!landed.contains(&1) && !landed.contains(&2) && landed.contains(&0), "{landed:?}");
}
