//! The Duo Admin API logs collector against a loopback stub that checks every request's
//! signature (canonicalised here independently of the collector) and replays pages written
//! from Duo's Admin API documentation: a round through the three logs, authentication logs
//! paged by `next_offset`, resuming from a cursor, empty pages, 429, refused credentials,
//! server errors and malformed bodies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Utc};
use mozdef_collectors::duo::{Duo, DuoSettings};
use mozdef_collectors::http::{Http, RetryPolicy};
use mozdef_collectors::{CollectorError, Page, Provider};
use ring::hmac;
use serde_json::{Value, json};

const API_HOST: &str = "api-xxxxxxxx.duosecurity.com";
const IKEY: &str = "DIWJ8X6AEYOR5OMC6TQ1";
const SKEY: &str = "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep";
/// 2026-12-07T10:00:00Z.
const NOW_S: i64 = 1_796_637_600;
/// `now` − 60 minutes, in seconds and milliseconds.
const START_S: i64 = NOW_S - 3600;
const START_MS: i64 = START_S * 1000;
/// `now` − 2 minutes, in milliseconds.
const MAXTIME_MS: i64 = (NOW_S - 120) * 1000;

/// One scripted answer.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
}

fn ok(response: Value) -> Reply {
    Reply { status: 200, headers: vec![], body: json!({"stat": "OK", "response": response}).to_string() }
}

fn reply(status: u16, body: &str, headers: Vec<(&'static str, &'static str)>) -> Reply {
    Reply { status, headers, body: body.to_owned() }
}

type Seen = Arc<Mutex<Vec<(Method, Uri, HeaderMap)>>>;
type Script = Arc<Mutex<VecDeque<Reply>>>;

/// A stub answering `replies` in turn to correctly signed requests, and Duo's 401 to others.
async fn stub(replies: Vec<Reply>) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let replies: Script = Arc::new(Mutex::new(replies.into_iter().collect()));
    let app = Router::new()
        .fallback(
            |State((seen, replies)): State<(Seen, Script)>, method: Method, uri: Uri, headers: HeaderMap| async move {
                let signed = signature_holds(&method, &uri, &headers);
                seen.lock().unwrap().push((method, uri, headers));
                if !signed {
                    let body =
                        r#"{"code": 40103, "message": "Invalid signature in request credentials", "stat": "FAIL"}"#;
                    return (StatusCode::UNAUTHORIZED, body).into_response();
                }
                let Some(reply) = replies.lock().unwrap().pop_front() else {
                    return (StatusCode::IM_A_TEAPOT, "script exhausted").into_response();
                };
                let mut response = Response::new(axum::body::Body::from(reply.body));
                *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
                for (name, value) in reply.headers {
                    response.headers_mut().append(name, value.parse().unwrap());
                }
                response
            },
        )
        .with_state((seen.clone(), replies));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (origin, seen)
}

/// Duo's check, as its documentation describes it: the canonical string rebuilt from the
/// request as received, HMAC-SHA1 with the secret key, `Basic base64(ikey:hex)`.
fn signature_holds(method: &Method, uri: &Uri, headers: &HeaderMap) -> bool {
    let Some(date) = headers.get("date").and_then(|date| date.to_str().ok()) else { return false };
    let mut params: Vec<(String, String)> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (quote(&unquote(key)), quote(&unquote(value)))
        })
        .collect();
    params.sort();
    let params: Vec<String> = params.into_iter().map(|(key, value)| format!("{key}={value}")).collect();
    let canonical = format!("{date}\n{method}\n{API_HOST}\n{}\n{}", uri.path(), params.join("&"));
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, SKEY.as_bytes());
    let tag = hmac::sign(&key, canonical.as_bytes());
    let hex: String = tag.as_ref().iter().map(|byte| format!("{byte:02x}")).collect();
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{IKEY}:{hex}")));
    headers.get("authorization").and_then(|value| value.to_str().ok()) == Some(expected.as_str())
}

/// Percent-decoding (`+` is not a space here: Duo's clients never send one).
fn unquote(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Python's `urllib.parse.quote(text, safe='~')`.
fn quote(text: &str) -> String {
    const KEEP: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    text.bytes()
        .map(|byte| if KEEP.contains(&byte) { (byte as char).to_string() } else { format!("%{byte:02X}") })
        .collect()
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(NOW_S, 0).unwrap()
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

fn duo_with(origin: &str, extra: Value, secret: &str) -> Duo {
    let mut settings = json!({"api_host": API_HOST, "integration_key": IKEY, "base_url": origin});
    settings.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    Duo::new(serde_json::from_value::<DuoSettings>(settings).unwrap(), secret).unwrap()
}

fn duo(origin: &str, extra: Value) -> Duo {
    duo_with(origin, extra, SKEY)
}

/// Duo's documented authentication log (v2) record, moved into the test's window.
fn authlog(txid: &str, timestamp: i64, result: &str, reason: &str) -> Value {
    json!({
        "access_device": {
            "browser": "Chrome", "browser_version": "67.0.3396.99", "flash_version": "uninstalled",
            "hostname": null, "ip": "169.232.89.219", "is_encryption_enabled": true,
            "is_firewall_enabled": true, "is_password_set": true, "java_version": "uninstalled",
            "location": {"city": "Ann Arbor", "country": "United States", "state": "Michigan"},
            "os": "Mac OS X", "os_version": "10.14.1", "security_agents": []
        },
        "alias": "",
        "application": {"key": "DIY231J8BR23QK4UKBY8", "name": "Microsoft Azure Active Directory"},
        "auth_device": {
            "ip": "192.168.225.254",
            "location": {"city": "Ann Arbor", "country": "United States", "state": "Michigan"},
            "name": "My iPhone X (734-555-2342)"
        },
        "email": "narroway@example.com",
        "event_type": "authentication",
        "factor": "duo_push",
        "isotimestamp": DateTime::from_timestamp(timestamp, 0).unwrap().to_rfc3339(),
        "ood_software": null,
        "reason": reason,
        "result": result,
        "timestamp": timestamp,
        "trusted_endpoint_status": "not trusted",
        "txid": txid,
        "user": {"groups": ["Duo Users", "CorpHQ Users"], "key": "DU3KC77WJ06Y5HIV7XKQ", "name": "narroway@example.com"}
    })
}

fn authlogs(records: Vec<Value>, next_offset: Value) -> Reply {
    ok(json!({"authlogs": records, "metadata": {"next_offset": next_offset, "total_objects": 3}}))
}

/// Duo's documented administrator log records, moved into the test's window.
fn admin_logs() -> Reply {
    ok(json!([
        {
            "action": "admin_login_error",
            "description": "{\"ip_address\": \"10.1.23.116\", \"error\": \"SAML login is disabled\", \"email\": \"narroway@example.com\"}",
            "isotimestamp": "2026-12-07T09:11:40+00:00",
            "object": null,
            "timestamp": START_S + 700,
            "username": ""
        },
        {
            "action": "user_update",
            "description": "{\"notes\": \"Joe asked for their nickname to be displayed instead of Joseph.\", \"realname\": \"Joe Smith\"}",
            "isotimestamp": "2026-12-07T09:13:20+00:00",
            "object": "jsmith",
            "timestamp": START_S + 800,
            "username": "admin"
        }
    ]))
}

/// Duo's documented telephony log record, moved into the test's window.
fn telephony_logs() -> Reply {
    ok(json!([{
        "context": "authentication",
        "credits": 1,
        "isotimestamp": "2026-12-07T09:15:00+00:00",
        "phone": "+15035550100",
        "timestamp": START_S + 900,
        "type": "sms"
    }]))
}

fn ids(page: &Page) -> Vec<&str> {
    page.events.iter().map(|collected| collected.id.as_str()).collect()
}

fn request(seen: &Seen, i: usize) -> String {
    seen.lock().unwrap()[i].1.to_string()
}

#[tokio::test]
async fn a_round_visits_each_log_and_pages_through_authentication() {
    let (origin, seen) = stub(vec![
        authlogs(
            vec![
                authlog("340a23e3-0001", START_S + 500, "fraud", "user_marked_fraud"),
                authlog("340a23e3-0002", START_S + 600, "success", "user_approved"),
            ],
            json!([((START_S + 600) * 1000).to_string(), "340a23e3-0002"]),
        ),
        admin_logs(),
        telephony_logs(),
        authlogs(vec![authlog("340a23e3-0003", START_S + 650, "denied", "user_mistake")], Value::Null),
    ])
    .await;
    let duo = duo(&origin, json!({"page_size": 2, "add_tag": "mozilla"}));
    let http = http();

    let first = duo.fetch(&http, None, now()).await.unwrap();
    assert_eq!(
        request(&seen, 0),
        format!("/admin/v2/logs/authentication?limit=2&maxtime={MAXTIME_MS}&mintime={START_MS}&sort=ts%3Aasc")
    );
    assert_eq!(ids(&first), ["340a23e3-0001", "340a23e3-0002"]);
    let fraud = &first.events[0].event;
    assert_eq!(fraud["category"], "authentication");
    assert_eq!(fraud["tags"], json!(["duosecurity", "mozilla"]));
    assert_eq!(fraud["details"]["result"], "fraud");
    assert_eq!(fraud["details"]["username"], "narroway@example.com");
    assert_eq!(fraud["details"]["sourceipaddress"], "169.232.89.219");
    assert_eq!(fraud["summary"], "authentication fraud for narroway@example.com due to user_marked_fraud");
    assert!(first.more);
    let offset = json!([((START_S + 600) * 1000).to_string(), "340a23e3-0002"]);
    assert_eq!(
        first.next,
        Some(json!({
            "authentication": {"mintime": START_MS, "next_offset": offset},
            "pending": ["administrator", "telephony", "authentication"]
        }))
    );

    let second = duo.fetch(&http, first.next.as_ref(), now()).await.unwrap();
    assert_eq!(request(&seen, 1), format!("/admin/v1/logs/administrator?mintime={START_S}"));
    assert_eq!(second.events.len(), 2);
    assert!(second.events[0].id.starts_with(&format!("administrator:{}:", START_S + 700)));
    assert_eq!(second.events[0].event["summary"], "admin_login_error because of SAML login is disabled by ");
    assert_eq!(second.events[0].event["details"]["sourceipaddress"], "10.1.23.116");
    assert_eq!(second.events[1].event["summary"], "user_update by admin");
    assert!(second.more);
    assert_eq!(
        second.next,
        Some(json!({
            "authentication": {"mintime": START_MS, "next_offset": offset},
            "administrator": {"mintime": START_S + 801},
            "pending": ["telephony", "authentication"]
        }))
    );

    let third = duo.fetch(&http, second.next.as_ref(), now()).await.unwrap();
    assert_eq!(request(&seen, 2), format!("/admin/v1/logs/telephony?mintime={START_S}"));
    assert_eq!(third.events.len(), 1);
    assert_eq!(third.events[0].event["category"], "telephony");
    assert_eq!(third.events[0].event["summary"], "authentication");
    assert!(third.more);

    let fourth = duo.fetch(&http, third.next.as_ref(), now()).await.unwrap();
    assert_eq!(
        request(&seen, 3),
        format!(
            "/admin/v2/logs/authentication?limit=2&maxtime={MAXTIME_MS}&mintime={START_MS}&next_offset={}%2C340a23e3-0002&sort=ts%3Aasc",
            (START_S + 600) * 1000
        )
    );
    assert_eq!(ids(&fourth), ["340a23e3-0003"]);
    assert_eq!(fourth.events[0].event["details"]["success"], false);
    assert!(!fourth.more, "every log caught up");
    assert_eq!(
        fourth.next,
        Some(json!({
            "authentication": {"mintime": MAXTIME_MS + 1, "next_offset": null},
            "administrator": {"mintime": START_S + 801},
            "telephony": {"mintime": START_S + 901},
            "pending": []
        }))
    );

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4);
    for (method, _, headers) in seen.iter() {
        assert_eq!(method, Method::GET);
        let date = headers["date"].to_str().unwrap();
        assert!(date.ends_with(" -0000"), "{date}");
        let sent = DateTime::parse_from_rfc2822(date).unwrap();
        assert!((Utc::now() - sent.with_timezone(&Utc)).num_seconds().abs() < 60, "the clock's date: {date}");
    }
}

#[tokio::test]
async fn a_saved_cursor_resumes_and_starts_a_new_round() {
    let (origin, seen) = stub(vec![ok(json!([])), authlogs(vec![], Value::Null)]).await;
    let duo = duo(&origin, json!({"logs": ["administrator", "authentication"]}));
    let cursor = json!({
        "authentication": {"mintime": START_MS + 5000, "next_offset": null},
        "administrator": {"mintime": START_S + 77},
        "telephony": {"mintime": START_S + 99},
        "pending": []
    });
    let page = duo.fetch(&http(), Some(&cursor), now()).await.unwrap();
    assert_eq!(request(&seen, 0), format!("/admin/v1/logs/administrator?mintime={}", START_S + 77));
    assert!(page.events.is_empty());
    assert!(page.more, "authentication is still to come in this round");
    let next = page.next.unwrap();
    assert_eq!(next["administrator"], json!({"mintime": START_S + 77}), "an empty v1 page keeps its mintime");
    assert_eq!(next["telephony"], json!({"mintime": START_S + 99}), "a log not configured is left alone");
    assert_eq!(next["pending"], json!(["authentication"]));

    let page = duo.fetch(&http(), Some(&next), now()).await.unwrap();
    assert_eq!(
        request(&seen, 1),
        format!(
            "/admin/v2/logs/authentication?limit=1000&maxtime={MAXTIME_MS}&mintime={}&sort=ts%3Aasc",
            START_MS + 5000
        )
    );
    assert!(page.events.is_empty());
    assert!(!page.more);
    let next = page.next.unwrap();
    assert_eq!(
        next["authentication"],
        json!({"mintime": MAXTIME_MS + 1, "next_offset": null}),
        "Duo answers for the whole window up to maxtime, even when it is empty"
    );
}

#[tokio::test]
async fn a_window_that_duo_cannot_answer_yet_is_not_asked_for() {
    let (origin, seen) = stub(vec![ok(json!([]))]).await;
    let duo = duo(&origin, json!({"logs": ["authentication", "telephony"], "lookback_minutes": 1}));
    let page = duo.fetch(&http(), None, now()).await.unwrap();
    assert!(seen.lock().unwrap().is_empty(), "mintime (now − 1 min) is after maxtime (now − 2 min)");
    assert!(page.more);
    let next = page.next.unwrap();
    assert_eq!(next["authentication"], json!({"mintime": (NOW_S - 60) * 1000, "next_offset": null}));
    let page = duo.fetch(&http(), Some(&next), now()).await.unwrap();
    assert_eq!(request(&seen, 0), format!("/admin/v1/logs/telephony?mintime={}", NOW_S - 60));
    assert!(!page.more);
}

#[tokio::test]
async fn a_429_is_waited_out_as_retry_after_asks() {
    let (origin, seen) = stub(vec![
        reply(429, r#"{"code": 42901, "message": "Too Many Requests", "stat": "FAIL"}"#, vec![("retry-after", "1")]),
        telephony_logs(),
    ])
    .await;
    let started = Instant::now();
    let page = duo(&origin, json!({"logs": ["telephony"]})).fetch(&http(), None, now()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    assert_eq!(page.events.len(), 1);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_as_credentials() {
    let (origin, seen) = stub(vec![telephony_logs()]).await;
    let duo = duo_with(&origin, json!({"logs": ["telephony"]}), "not-the-secret-key-of-this-integration-x");
    let error = duo.fetch(&http(), None, now()).await.unwrap_err();
    assert!(matches!(&error, CollectorError::Credentials { provider, .. } if provider == "duo"), "{error}");
    assert!(error.to_string().contains("40103"), "{error}");
    assert_eq!(seen.lock().unwrap().len(), 1, "not retried");
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let (origin, seen) = stub((0..3).map(|_| reply(503, "unavailable", vec![])).collect()).await;
    let error = duo(&origin, json!({})).fetch(&http(), None, now()).await.unwrap_err();
    assert!(matches!(error, CollectorError::Http { .. }), "{error}");
    let text = error.to_string();
    assert!(text.contains("503") && text.contains("after 3 attempts"), "{text}");
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn bodies_that_are_not_what_duo_documents_are_response_errors() {
    let (origin, _) = stub(vec![
        reply(200, "<html>gateway</html>", vec![]),
        ok(json!({"metadata": {"next_offset": null}})),
        reply(200, r#"{"code": 40002, "message": "Invalid request parameters", "stat": "FAIL"}"#, vec![]),
        ok(json!({"authlogs": [], "metadata": {"next_offset": "1547486297000,5bea"}})),
    ])
    .await;
    let duo = duo(&origin, json!({"logs": ["authentication"]}));
    for expected in ["not JSON", "no authlogs", "Invalid request parameters", "next_offset"] {
        let error = duo.fetch(&http(), None, now()).await.unwrap_err();
        assert!(matches!(error, CollectorError::Response { .. }), "{error}");
        assert!(error.to_string().contains(expected), "{error} should mention {expected}");
    }
}
