//! The Okta System Log collector against a loopback stub replaying pages written from Okta's
//! System Log API reference: polling requests, the next link as cursor, rate limits, refused
//! tokens, server errors and bodies that are not a list of LogEvents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use mozdef_collectors::http::{Http, RetryPolicy};
use mozdef_collectors::okta::{Okta, OktaSettings};
use mozdef_collectors::{CollectorError, Provider};
use serde_json::{Value, json};

const TOKEN: &str = "00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUVW";

/// One scripted answer.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Reply {
    fn json(body: Value, headers: Vec<(&'static str, String)>) -> Self {
        Reply { status: 200, headers, body: body.to_string() }
    }

    fn status(status: u16, body: &str, headers: Vec<(&'static str, String)>) -> Self {
        Reply { status, headers, body: body.to_owned() }
    }
}

type Seen = Arc<Mutex<Vec<(Uri, HeaderMap)>>>;
type Script = Arc<Mutex<VecDeque<Reply>>>;

/// A stub answering the replies `script` makes (given its own origin) in turn.
async fn stub(script: impl FnOnce(&str) -> Vec<Reply>) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let replies: Script = Arc::new(Mutex::new(script(&origin).into_iter().collect()));
    let app = Router::new()
        .fallback(|State((seen, replies)): State<(Seen, Script)>, uri: Uri, headers: HeaderMap| async move {
            seen.lock().unwrap().push((uri, headers));
            let Some(reply) = replies.lock().unwrap().pop_front() else {
                return (StatusCode::IM_A_TEAPOT, "script exhausted").into_response();
            };
            let mut response = Response::new(axum::body::Body::from(reply.body));
            *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
            for (name, value) in reply.headers {
                response.headers_mut().append(name, value.parse().unwrap());
            }
            response
        })
        .with_state((seen.clone(), replies));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (origin, seen)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z").unwrap().with_timezone(&Utc)
}

fn http() -> Http {
    Http::with_retry(RetryPolicy {
        attempts: 3,
        base: Duration::from_millis(10),
        max_wait: Duration::from_secs(5),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

fn okta(origin: &str, page_size: u32) -> Okta {
    let settings = OktaSettings {
        domain: "example.okta.com".into(),
        base_url: Some(origin.to_owned()),
        lookback_minutes: None,
        page_size: Some(page_size),
    };
    Okta::new(settings, TOKEN).unwrap()
}

/// Okta's documented example LogEvent (System Log API reference) under another uuid, time and
/// event type.
fn log_event(uuid: &str, published: &str, event_type: &str, display: &str, result: &str) -> Value {
    json!({
        "version": "0",
        "severity": "INFO",
        "client": {
            "zone": "OFF_NETWORK",
            "device": "Unknown",
            "userAgent": {"os": "Unknown", "browser": "UNKNOWN", "rawUserAgent": "UNKNOWN-DOWNLOAD"},
            "ipAddress": "12.97.85.90"
        },
        "actor": {"id": "00u1qw1mqitPHM8AJ0g7", "type": "User", "alternateId": "admin@example.com", "displayName": "John Doe"},
        "outcome": {"result": result},
        "uuid": uuid,
        "published": published,
        "eventType": event_type,
        "displayMessage": display,
        "transaction": {"type": "WEB", "id": "V04Oy4ubUOc5UuG6s9DyNQAABtc"},
        "debugContext": {"debugData": {"requestUri": "/login/do-login"}},
        "legacyEventType": "core.user_auth.login_success",
        "authenticationContext": {"authenticationStep": 0, "externalSessionId": "1013FfF-DKQSvCI4RVXChzX-w"}
    })
}

fn links(origin: &str, self_query: &str, next_query: &str) -> Vec<(&'static str, String)> {
    vec![
        ("link", format!("<{origin}/api/v1/logs?{self_query}>; rel=\"self\"")),
        ("link", format!("<{origin}/api/v1/logs?{next_query}>; rel=\"next\"")),
        ("x-rate-limit-limit", "120".to_owned()),
        ("x-rate-limit-remaining", "119".to_owned()),
        ("x-rate-limit-reset", "1796637660".to_owned()),
    ]
}

fn ids(page: &mozdef_collectors::Page) -> Vec<&str> {
    page.events.iter().map(|collected| collected.id.as_str()).collect()
}

const FIRST: &str = "since=2026-12-07T09%3A00%3A00.000Z&limit=2&sortOrder=ASCENDING";
const AFTER_1: &str = "limit=2&sortOrder=ASCENDING&after=1796634187777_1";
const AFTER_2: &str = "limit=2&sortOrder=ASCENDING&after=1796634300000_1";

#[tokio::test]
async fn pages_follow_the_next_link_until_a_short_page() {
    let (origin, seen) = stub(|origin| {
        vec![
            Reply::json(
                json!([
                    log_event(
                        "f790999f-0001",
                        "2026-12-07T09:03:07.777Z",
                        "user.session.start",
                        "User login to Okta",
                        "SUCCESS"
                    ),
                    log_event(
                        "f790999f-0002",
                        "2026-12-07T09:04:00.000Z",
                        "user.authentication.auth_via_mfa",
                        "Authentication of user via MFA",
                        "FAILURE"
                    ),
                ]),
                links(origin, FIRST, AFTER_1),
            ),
            Reply::json(
                json!([log_event(
                    "f790999f-0003",
                    "2026-12-07T09:05:00.000Z",
                    "user.lifecycle.create",
                    "Create Okta user",
                    "SUCCESS"
                )]),
                links(origin, AFTER_1, AFTER_2),
            ),
        ]
    })
    .await;
    let okta = okta(&origin, 2);
    let http = http();

    let first = okta.fetch(&http, None, now()).await.unwrap();
    assert_eq!(ids(&first), ["f790999f-0001", "f790999f-0002"]);
    assert_eq!(first.next, Some(json!({"next": format!("/api/v1/logs?{AFTER_1}")})));
    assert!(first.more, "a full page: there may be more");
    let login = &first.events[0].event;
    assert_eq!(login["category"], "authentication");
    assert_eq!(login["utctimestamp"], "2026-12-07T09:03:07.777000+00:00");
    assert_eq!(login["details"]["username"], "admin@example.com");
    assert_eq!(login["details"]["sourceipaddress"], "12.97.85.90");
    assert_eq!(first.events[1].event["details"]["success"], false);

    let second = okta.fetch(&http, first.next.as_ref(), now()).await.unwrap();
    assert_eq!(ids(&second), ["f790999f-0003"]);
    assert_eq!(second.events[0].event["category"], "administration");
    assert_eq!(second.next, Some(json!({"next": format!("/api/v1/logs?{AFTER_2}")})));
    assert!(!second.more, "a short page: caught up");

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0.to_string(), format!("/api/v1/logs?{FIRST}"));
    assert_eq!(seen[1].0.to_string(), format!("/api/v1/logs?{AFTER_1}"));
    for (_, headers) in seen.iter() {
        assert_eq!(headers["authorization"], format!("SSWS {TOKEN}").as_str());
        assert_eq!(headers["accept"], "application/json");
    }
}

#[tokio::test]
async fn a_saved_cursor_resumes_where_it_was() {
    let saved = "limit=1000&sortOrder=ASCENDING&after=1796634187777_1";
    let (origin, seen) = stub(|origin| {
        vec![Reply::json(
            json!([log_event(
                "f790999f-0004",
                "2026-12-07T09:06:00.000Z",
                "user.session.end",
                "User logout from Okta",
                "SUCCESS"
            )]),
            links(origin, saved, "limit=1000&sortOrder=ASCENDING&after=1796634360000_1"),
        )]
    })
    .await;
    let cursor = json!({"next": format!("/api/v1/logs?{saved}")});
    let page = okta(&origin, 1000).fetch(&http(), Some(&cursor), now()).await.unwrap();
    assert_eq!(ids(&page), ["f790999f-0004"]);
    assert!(!page.more, "one record of a thousand");
    assert_eq!(page.next, Some(json!({"next": "/api/v1/logs?limit=1000&sortOrder=ASCENDING&after=1796634360000_1"})));
    assert_eq!(seen.lock().unwrap()[0].0.to_string(), format!("/api/v1/logs?{saved}"));
}

#[tokio::test]
async fn an_empty_page_means_caught_up_and_keeps_the_next_link() {
    let (origin, _) = stub(|origin| vec![Reply::json(json!([]), links(origin, AFTER_1, AFTER_1))]).await;
    let cursor = json!({"next": format!("/api/v1/logs?{AFTER_1}")});
    let page = okta(&origin, 2).fetch(&http(), Some(&cursor), now()).await.unwrap();
    assert!(page.events.is_empty());
    assert!(!page.more);
    assert_eq!(page.next, Some(cursor));
}

#[tokio::test]
async fn a_used_up_rate_limit_leaves_the_rest_to_the_next_run() {
    let (origin, _) = stub(|origin| {
        let mut headers = links(origin, FIRST, AFTER_1);
        headers.retain(|(name, _)| *name != "x-rate-limit-remaining");
        headers.push(("x-rate-limit-remaining", "0".to_owned()));
        vec![Reply::json(
            json!([
                log_event(
                    "f790999f-0001",
                    "2026-12-07T09:03:07.777Z",
                    "user.session.start",
                    "User login to Okta",
                    "SUCCESS"
                ),
                log_event(
                    "f790999f-0002",
                    "2026-12-07T09:04:00.000Z",
                    "user.session.start",
                    "User login to Okta",
                    "SUCCESS"
                ),
            ]),
            headers,
        )]
    })
    .await;
    let page = okta(&origin, 2).fetch(&http(), None, now()).await.unwrap();
    assert_eq!(page.events.len(), 2);
    assert!(!page.more, "a full page, but no requests left");
    assert_eq!(page.next, Some(json!({"next": format!("/api/v1/logs?{AFTER_1}")})));
}

#[tokio::test]
async fn a_429_is_waited_out_as_retry_after_asks() {
    let (origin, seen) = stub(|origin| {
        vec![
            Reply::status(
                429,
                r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#,
                vec![("retry-after", "1".to_owned()), ("x-rate-limit-remaining", "0".to_owned())],
            ),
            Reply::json(json!([]), links(origin, FIRST, AFTER_1)),
        ]
    })
    .await;
    let started = Instant::now();
    let page = okta(&origin, 2).fetch(&http(), None, now()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    assert!(page.events.is_empty());
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_refused_token_is_a_credentials_error() {
    let (origin, seen) = stub(|_| {
        vec![Reply::status(
            401,
            r#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeDpNeBTHKQ0uOgc2ZwnhUFg","errorCauses":[]}"#,
            vec![],
        )]
    })
    .await;
    let error = okta(&origin, 2).fetch(&http(), None, now()).await.unwrap_err();
    assert!(matches!(&error, CollectorError::Credentials { provider, .. } if provider == "okta"), "{error}");
    assert!(error.to_string().contains("Invalid token provided"), "{error}");
    assert_eq!(seen.lock().unwrap().len(), 1, "not retried");
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let (origin, seen) = stub(|_| (0..3).map(|_| Reply::status(500, "internal error", vec![])).collect()).await;
    let error = okta(&origin, 2).fetch(&http(), None, now()).await.unwrap_err();
    assert!(matches!(error, CollectorError::Http { .. }), "{error}");
    let text = error.to_string();
    assert!(text.contains("500") && text.contains("after 3 attempts"), "{text}");
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_body_that_is_not_a_list_of_log_events_is_a_response_error() {
    let (origin, _) = stub(|origin| {
        vec![
            Reply::json(json!({"errorCode": "E0000001"}), links(origin, FIRST, AFTER_1)),
            Reply::status(200, "<html>maintenance</html>", vec![]),
        ]
    })
    .await;
    let okta = okta(&origin, 2);
    for _ in 0..2 {
        let error = okta.fetch(&http(), None, now()).await.unwrap_err();
        assert!(matches!(error, CollectorError::Response { .. }), "{error}");
    }
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let (origin, _) = stub(|_| {
        vec![Reply::json(
            json!([]),
            vec![("link", "<https://attacker.example/api/v1/logs?after=x>; rel=\"next\"".to_owned())],
        )]
    })
    .await;
    let error = okta(&origin, 2).fetch(&http(), None, now()).await.unwrap_err();
    assert!(matches!(error, CollectorError::Response { .. }), "{error}");
    assert!(error.to_string().contains("attacker.example"), "{error}");
}
