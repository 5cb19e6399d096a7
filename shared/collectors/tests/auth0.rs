//! The Auth0 collector against a loopback stub of the Management API, replaying log pages
//! written from Auth0's documented log event schema: the client-credentials token and its
//! reuse, the first run's search and the checkpoint paging after it, a refused token, rate
//! limits, server errors, empty pages and bodies that are not a list of log events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oauth_stub;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mozdef_collectors::auth0::{Auth0, Auth0Settings};
use mozdef_collectors::{CollectorError, Page, Provider};
use oauth_stub::{Reply, Seen, Stub, http};
use serde_json::{Value, json};

const SECRET: &str = "YOUR_CLIENT_SECRET-qwertyuiop0123456789";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z").unwrap().with_timezone(&Utc)
}

/// A stub whose token endpoint checks the documented client-credentials request.
async fn stub() -> Stub {
    Stub::start(
        "/oauth/token",
        Box::new(|seen: &Seen| {
            let body: Value = serde_json::from_str(&seen.body).map_err(|e| format!("not JSON: {e}"))?;
            let expected = json!({
                "grant_type": "client_credentials",
                "client_id": "DwVbU4AfyzlR9Ij1dJ4dCKhfqvDjhXSo",
                "client_secret": SECRET,
                "audience": "https://example.auth0.com/api/v2/"
            });
            if seen.method != "POST" || body != expected {
                return Err(format!("unexpected token request {} {}", seen.method, seen.body));
            }
            Ok(())
        }),
    )
    .await
}

fn auth0(stub: &Stub, page_size: u32) -> Auth0 {
    let settings: Auth0Settings = serde_json::from_value(json!({
        "domain": "example.auth0.com",
        "client_id": "DwVbU4AfyzlR9Ij1dJ4dCKhfqvDjhXSo",
        "page_size": page_size,
        "base_url": stub.origin,
    }))
    .unwrap();
    Auth0::new(settings, SECRET).unwrap()
}

/// A log event as Auth0 documents them (GET /api/v2/logs), under another id, time and type.
fn log(log_id: &str, date: &str, kind: &str, user: &str) -> Value {
    json!({
        "date": date,
        "type": kind,
        "description": if kind == "fp" { "Wrong email or password." } else { "" },
        "connection": "Username-Password-Authentication",
        "connection_id": "con_6KbTEsZtYbWnPqYq",
        "client_id": "AaiyAPdpYdesoKnqjj8HJqRn4T5titww",
        "client_name": "My application Name",
        "ip": "203.0.113.9",
        "hostname": "example.auth0.com",
        "user_id": format!("auth0|{user}"),
        "user_name": format!("{user}@example.com"),
        "strategy": "auth0",
        "strategy_type": "database",
        "log_id": log_id,
        "isMobile": false,
        "details": {},
        "user_agent": "Chrome 120.0.0 / Mac OS X 10.15.7"
    })
}

fn ids(page: &Page) -> Vec<&str> {
    page.events.iter().map(|c| c.id.as_str()).collect()
}

#[tokio::test]
async fn the_first_run_searches_the_lookback_then_pages_by_checkpoint_with_one_token() {
    let stub = stub().await;
    stub.script([
        Reply::json(json!([
            log("90020240501110500000000000000000000000000000000001", "2024-05-01T11:05:00.000Z", "fp", "alice"),
            log("90020240501110600000000000000000000000000000000002", "2024-05-01T11:06:00.000Z", "fp", "alice"),
        ])),
        Reply::json(json!([
            log("90020240501110700000000000000000000000000000000003", "2024-05-01T11:07:00.000Z", "s", "bob"),
            log("90020240501110800000000000000000000000000000000004", "2024-05-01T11:08:00.000Z", "slo", "bob"),
        ])),
        Reply::json(json!([log(
            "90020240501110900000000000000000000000000000000005",
            "2024-05-01T11:09:00.000Z",
            "s",
            "carol"
        )])),
    ]);
    let provider = auth0(&stub, 2);
    let http = http();

    let first = provider.fetch(&http, None, now()).await.unwrap();
    assert_eq!(
        ids(&first),
        ["90020240501110500000000000000000000000000000000001", "90020240501110600000000000000000000000000000000002"]
    );
    assert_eq!(first.next, Some(json!({"from": "90020240501110600000000000000000000000000000000002"})));
    assert!(first.more, "a full page: there may be more");
    let event = &first.events[0].event;
    assert_eq!(event["details"]["eventname"], "Failed Login (wrong password)");
    assert_eq!(event["details"]["username"], "alice@example.com");
    assert_eq!(event["details"]["description"], "Wrong email or password.");
    assert_eq!(event["tags"], json!(["auth0"]));
    assert_eq!(event["utctimestamp"], "2024-05-01T11:05:00+00:00");
    assert!(event.get(mozdef_collectors::COLLECTED_ID_KEY).is_none(), "the runner adds the id");

    let second = provider.fetch(&http, first.next.as_ref(), now()).await.unwrap();
    assert_eq!(
        ids(&second),
        ["90020240501110700000000000000000000000000000000003", "90020240501110800000000000000000000000000000000004"]
    );
    assert_eq!(second.next, Some(json!({"from": "90020240501110800000000000000000000000000000000004"})));
    assert!(second.more);

    let third = provider.fetch(&http, second.next.as_ref(), now()).await.unwrap();
    assert_eq!(ids(&third), ["90020240501110900000000000000000000000000000000005"]);
    assert_eq!(third.next, Some(json!({"from": "90020240501110900000000000000000000000000000000005"})));
    assert!(!third.more, "a short page ends the run");

    let tokens = stub.token_requests();
    assert_eq!(tokens.len(), 1, "one token for the three pages");
    assert_eq!(tokens[0].headers["content-type"], "application/json");
    let logs = stub.data_requests();
    assert_eq!(logs.len(), 3);
    assert!(
        logs.iter()
            .all(|s| s.method == "GET" && s.path == "/api/v2/logs" && s.authorization() == Some("Bearer token-1"))
    );
    assert_eq!(logs[0].param_names(), ["q", "sort", "per_page", "page"]);
    assert_eq!(logs[0].param("q"), Some("date:[2024-05-01T11:00:00.000Z TO *]"));
    assert_eq!(logs[0].param("sort"), Some("date:1"));
    assert_eq!(logs[0].param("per_page"), Some("2"));
    assert_eq!(logs[0].param("page"), Some("0"));
    assert_eq!(
        logs[1].query,
        [("from".into(), "90020240501110600000000000000000000000000000000002".into()), ("take".into(), "2".into())]
    );
    assert_eq!(
        logs[2].query,
        [("from".into(), "90020240501110800000000000000000000000000000000004".into()), ("take".into(), "2".into())]
    );
}

#[tokio::test]
async fn a_saved_cursor_resumes_by_checkpoint_and_an_empty_page_keeps_it() {
    let stub = stub().await;
    stub.script([Reply::json(json!([]))]);
    let provider = auth0(&stub, 100);
    let cursor = json!({"from": "90020240501110900000000000000000000000000000000005"});
    let page = provider.fetch(&http(), Some(&cursor), now()).await.unwrap();
    assert!(page.events.is_empty());
    assert_eq!(page.next, None, "the cursor stays");
    assert!(!page.more);
    let logs = stub.data_requests();
    assert_eq!(
        logs[0].query,
        [("from".into(), "90020240501110900000000000000000000000000000000005".into()), ("take".into(), "100".into())]
    );
}

#[tokio::test]
async fn a_first_run_that_finds_nothing_saves_nothing() {
    let stub = stub().await;
    stub.script([Reply::json(json!([]))]);
    let page = auth0(&stub, 100).fetch(&http(), None, now()).await.unwrap();
    assert_eq!((page.events.len(), page.next, page.more), (0, None, false));
}

#[tokio::test]
async fn the_include_totals_shape_is_read_too() {
    let stub = stub().await;
    stub.script([Reply::json(json!({
        "start": 0, "limit": 100, "length": 1, "total": 1,
        "logs": [log("90020240501110900000000000000000000000000000000005", "2024-05-01T11:09:00.000Z", "s", "carol")]
    }))]);
    let page = auth0(&stub, 100).fetch(&http(), None, now()).await.unwrap();
    assert_eq!(ids(&page), ["90020240501110900000000000000000000000000000000005"]);
}

#[tokio::test]
async fn the_token_is_renewed_within_30_minutes_of_its_expiry() {
    let stub = stub().await;
    stub.set_expires_in(86_400);
    stub.script((0..4).map(|_| Reply::json(json!([]))));
    let provider = auth0(&stub, 100);
    let http = http();
    let cursor = json!({"from": "1"});
    let at = |minutes: i64| now() + chrono::Duration::minutes(minutes);

    provider.fetch(&http, Some(&cursor), at(0)).await.unwrap();
    // 24 h - 23 h 29 min = 31 minutes left: reused.
    provider.fetch(&http, Some(&cursor), at(23 * 60 + 29)).await.unwrap();
    assert_eq!(stub.token_requests().len(), 1);
    // 30 minutes left: renewed.
    provider.fetch(&http, Some(&cursor), at(23 * 60 + 30)).await.unwrap();
    assert_eq!(stub.token_requests().len(), 2);
    provider.fetch(&http, Some(&cursor), at(23 * 60 + 31)).await.unwrap();
    assert_eq!(stub.token_requests().len(), 2, "the new token is reused");
    let bearers: Vec<_> = stub.data_requests().iter().map(|s| s.authorization().unwrap().to_owned()).collect();
    assert_eq!(bearers, ["Bearer token-1", "Bearer token-1", "Bearer token-2", "Bearer token-2"]);
}

#[tokio::test]
async fn a_token_living_less_than_30_minutes_is_never_reused() {
    let stub = stub().await;
    stub.set_expires_in(1_200);
    stub.script((0..2).map(|_| Reply::json(json!([]))));
    let provider = auth0(&stub, 100);
    let http = http();
    provider.fetch(&http, Some(&json!({"from": "1"})), now()).await.unwrap();
    provider.fetch(&http, Some(&json!({"from": "1"})), now()).await.unwrap();
    assert_eq!(stub.token_requests().len(), 2);
}

#[tokio::test]
async fn a_refused_cached_token_is_replaced_once() {
    let stub = stub().await;
    stub.script([Reply::json(json!([])), Reply::json(json!([log("7", "2024-05-01T11:09:00.000Z", "s", "carol")]))]);
    let provider = auth0(&stub, 100);
    let http = http();
    provider.fetch(&http, Some(&json!({"from": "1"})), now()).await.unwrap();
    stub.revoke("token-1");
    let page = provider.fetch(&http, Some(&json!({"from": "1"})), now()).await.unwrap();
    assert_eq!(ids(&page), ["7"]);
    let bearers: Vec<_> = stub.data_requests().iter().map(|s| s.authorization().unwrap().to_owned()).collect();
    assert_eq!(bearers, ["Bearer token-1", "Bearer token-1", "Bearer token-2"]);
    assert_eq!(stub.token_requests().len(), 2);
}

#[tokio::test]
async fn a_new_token_refused_by_the_logs_api_is_a_credentials_error() {
    let stub = stub().await;
    stub.revoke("token-1");
    stub.revoke("token-2");
    let err = auth0(&stub, 100).fetch(&http(), Some(&json!({"from": "1"})), now()).await.unwrap_err();
    assert!(matches!(&err, CollectorError::Credentials { provider, .. } if provider == "auth0"), "{err}");
    assert_eq!(stub.token_requests().len(), 1, "a fresh token refused is not renewed again");
    assert_eq!(stub.data_requests().len(), 1);
}

#[tokio::test]
async fn refused_client_credentials_are_a_credentials_error() {
    for status in [401, 403] {
        let stub = stub().await;
        stub.refuse_tokens(status);
        let err = auth0(&stub, 100).fetch(&http(), None, now()).await.unwrap_err();
        assert!(matches!(err, CollectorError::Credentials { .. }), "{status}: {err}");
        assert!(!err.is_transient());
        assert!(stub.data_requests().is_empty(), "no logs request without a token");
    }
}

#[tokio::test]
async fn a_wrong_secret_refused_with_oauths_400_is_a_credentials_error() {
    let stub = stub().await;
    let settings: Auth0Settings =
        serde_json::from_value(json!({"domain": "example.auth0.com", "client_id": "DwVbU4AfyzlR9Ij1dJ4dCKhfqvDjhXSo", "base_url": stub.origin}))
            .unwrap();
    let err = Auth0::new(settings, "wrong").unwrap().fetch(&http(), None, now()).await.unwrap_err();
    assert!(matches!(&err, CollectorError::Credentials { reason, .. } if reason.contains("invalid_grant")), "{err}");
}

#[tokio::test]
async fn a_rate_limit_is_waited_out() {
    let stub = stub().await;
    stub.script([
        Reply::status(
            429,
            r#"{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached"}"#,
        )
        .header("retry-after", "1")
        .header("x-ratelimit-limit", "50")
        .header("x-ratelimit-remaining", "0"),
        Reply::json(json!([log("7", "2024-05-01T11:09:00.000Z", "s", "carol")])),
    ]);
    let started = Instant::now();
    let page = auth0(&stub, 100).fetch(&http(), Some(&json!({"from": "1"})), now()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After honoured: {:?}", started.elapsed());
    assert_eq!(ids(&page), ["7"]);
    assert_eq!(stub.data_requests().len(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let stub = stub().await;
    stub.script((0..3).map(|_| Reply::status(503, "upstream unavailable")));
    let err = auth0(&stub, 100).fetch(&http(), Some(&json!({"from": "1"})), now()).await.unwrap_err();
    let CollectorError::Http { provider, reason } = &err else { panic!("expected an HTTP error, got {err}") };
    assert_eq!(provider, "auth0");
    assert!(reason.contains("503") && reason.contains("after 3 attempts"), "{reason}");
    assert!(err.is_transient());
    assert_eq!(stub.data_requests().len(), 3);
}

#[tokio::test]
async fn bodies_that_are_not_log_events_are_response_errors() {
    let cases = [
        Reply::status(200, "<html>maintenance</html>"),
        Reply::json(json!({"statusCode": 200, "message": "ok"})),
        Reply::json(json!(["not a log event"])),
        Reply::json(json!([{"date": "2024-05-01T11:09:00.000Z", "type": "s"}])),
    ];
    for reply in cases {
        let stub = stub().await;
        stub.script([reply]);
        let err = auth0(&stub, 100).fetch(&http(), Some(&json!({"from": "1"})), now()).await.unwrap_err();
        assert!(matches!(&err, CollectorError::Response { provider, .. } if provider == "auth0"), "{err}");
    }
}

#[tokio::test]
async fn a_cursor_that_is_not_ours_is_refused_before_any_request() {
    let stub = stub().await;
    let err = auth0(&stub, 100).fetch(&http(), Some(&json!({"after": 5})), now()).await.unwrap_err();
    assert!(matches!(&err, CollectorError::Config(m) if m.contains("auth0 saved cursor")), "{err}");
    assert!(stub.seen().is_empty());
}
