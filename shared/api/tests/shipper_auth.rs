//! loginput with shipper tokens, through `oneshot`: tokens from `ShipperTokens` over the
//! SQLite store; every refusal is a 401 with a JSON error and queues nothing; `/status` and
//! `/test` stay open; the accepted case queues the events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shipper;

use std::sync::Arc;

use async_trait::async_trait;
use axum::http::StatusCode;
use mozdef_api::{ApiState, ShipperAuth, loginput_router_with_auth, router_with_auth};
use mozdef_model::{Document, SystemClock};
use mozdef_service::TokenError;
use mozdef_service::shipper_tokens::Verification;
use mozdef_store::StoreError;
use mozdef_store_embedded::{EmbeddedStore, SqliteSchedules};
use serde_json::{Value, json};
use shipper::{Setup, send};

/// Every route that takes events, with a body it accepts.
const EVENT_ROUTES: [(&str, &str); 7] = [
    ("/events", r#"{"summary": "one"}"#),
    ("/events/", r#"{"summary": "one"}"#),
    ("/nxlog", r#"{"summary": "nx"}"#),
    ("/cef", r#"{"summary": "cef"}"#),
    ("/custom/myapp", r#"{"summary": "custom"}"#),
    ("/_bulk", "{\"summary\": \"b1\"}\n{\"summary\": \"b2\"}\n"),
    ("/_bulk/", r#"[{"summary": "b3"}]"#),
];

#[tokio::test]
async fn every_refusal_is_a_401_with_a_json_error_and_queues_nothing() {
    let setup = Setup::new();
    let app = setup.app();
    let revoked = setup.tokens.create("old-shipper").await.unwrap();
    setup.tokens.revoke("old-shipper").await.unwrap();
    let unknown = format!("mzd_{}", "x".repeat(43));
    let cases: [(Option<String>, &str); 7] = [
        (None, "missing shipper token: send it as \"Authorization: Bearer <token>\""),
        (Some("Basic d2ViMTpwdw==".into()), "malformed Authorization header: expected \"Bearer <token>\""),
        (Some("Bearer".into()), "malformed Authorization header: expected \"Bearer <token>\""),
        (Some(revoked.secret.clone()), "malformed Authorization header: expected \"Bearer <token>\""),
        (Some("Bearer not-a-mozdef-token".into()), "malformed shipper token"),
        (Some(format!("Bearer {unknown}")), "invalid or revoked shipper token"),
        (Some(format!("Bearer {}", revoked.secret)), "invalid or revoked shipper token"),
    ];
    for (method, verb) in [("POST", "post"), ("PUT", "put")] {
        for (path, body) in EVENT_ROUTES {
            for (authorization, error) in &cases {
                let (status, answer) = send(&app, method, path, authorization.as_deref(), body).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{verb} {path} with {authorization:?}: {answer}");
                assert_eq!(answer, json!({"error": error}), "{verb} {path} with {authorization:?}");
            }
        }
    }
    assert_eq!(setup.queued(), Vec::<Document>::new(), "nothing was queued");
}

#[tokio::test]
async fn a_valid_token_opens_every_event_route() {
    let setup = Setup::new();
    let app = setup.app();
    let token = setup.tokens.create("web1").await.unwrap();
    let authorization = format!("Bearer {}", token.secret);
    for (path, body) in EVENT_ROUTES {
        let (status, answer) = send(&app, "POST", path, Some(&authorization), body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    }
    let summaries: Vec<Value> = setup.queued().iter().map(|e| e["summary"].clone()).collect();
    assert_eq!(summaries, ["one", "one", "nx", "cef", "custom", "b1", "b2", "b3"].map(Value::from));
    assert_eq!(setup.queued()[4]["endpoint"], "myapp", "the routes behave as without authentication");
    // The scheme is case-insensitive.
    let (status, _) = send(&app, "PUT", "/events", Some(&format!("bearer {}", token.secret)), "{}").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn status_and_test_answer_without_a_token_and_unknown_paths_are_404() {
    let setup = Setup::new();
    let app = setup.app();
    for path in ["/status", "/status/", "/test", "/test/"] {
        let (status, _) = send(&app, "GET", path, None, "").await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let (status, body) = send(&app, "GET", "/status", None, "").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok", "service": "loginput"})));
    let (status, body) = send(&app, "POST", "/nowhere", None, "{}").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn bad_input_with_a_valid_token_is_still_a_400() {
    let setup = Setup::new();
    let app = setup.app();
    let token = setup.tokens.create("web1").await.unwrap();
    let authorization = format!("Bearer {}", token.secret);
    let (status, body) = send(&app, "POST", "/events", Some(&authorization), "[1, 2]").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "an event must be a JSON object, not an array");
    let (status, body) = send(&app, "POST", "/_bulk", Some(&authorization), "{\"a\": 1}\n{oops\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["line"], 2, "{body}");
    assert!(setup.queued().is_empty());
}

/// A token store that cannot answer.
#[derive(Debug)]
struct Unreachable;

#[async_trait]
impl ShipperAuth for Unreachable {
    async fn verify(&self, _secret: &str) -> Result<Verification, TokenError> {
        Err(TokenError::Store(StoreError::Unavailable("DynamoDB get shipper token: throttled".into())))
    }
}

#[tokio::test]
async fn a_token_store_that_cannot_answer_gets_a_503_not_a_401() {
    let setup = Setup::new();
    let app = loginput_router_with_auth(setup.state(), Some(Arc::new(Unreachable)));
    let authorization = format!("Bearer mzd_{}", "x".repeat(43));
    let (status, body) = send(&app, "POST", "/events", Some(&authorization), "{}").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, json!({"error": "service unavailable: cannot check the shipper token now"}));
    assert!(setup.queued().is_empty());
}

#[tokio::test]
async fn in_one_router_only_loginput_needs_tokens() {
    let setup = Setup::new();
    let store = EmbeddedStore::open(setup.dir.path()).unwrap();
    let api = ApiState {
        run_alerts: None,
        ingest_stats: None,
        ..ApiState::new(
            Arc::new(store),
            Arc::new(SqliteSchedules::open(&setup.dir.path().join("mozdef.sqlite")).unwrap()),
            Arc::new(SystemClock),
        )
    };
    let app = router_with_auth(setup.state(), Some(setup.tokens.clone()), api);
    let (status, body) = send(&app, "GET", "/api/status", None, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = send(&app, "POST", "/events", None, "{}").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let token = setup.tokens.create("web1").await.unwrap();
    let (status, _) = send(&app, "POST", "/events", Some(&format!("Bearer {}", token.secret)), "{}").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(setup.queued().len(), 1);
}
