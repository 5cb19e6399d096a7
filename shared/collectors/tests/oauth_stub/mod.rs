//! A loopback stub of an OAuth-protected log API, shared by the Auth0 and Google tests: a token
//! endpoint issuing `token-1`, `token-2`... (its answers' lifetime and refusals under the
//! test's control, each request checked by the test's function), and every other path answering
//! a script of replies in turn, 401 for a bearer the test revoked. Every request is recorded.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use mozdef_collectors::http::{Http, RetryPolicy};
use serde_json::{Value, json};

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    /// The query, decoded, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: String,
}

impl Seen {
    /// The decoded query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The query parameter names, in order.
    pub fn param_names(&self) -> Vec<&str> {
        self.query.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The `Authorization` header.
    pub fn authorization(&self) -> Option<&str> {
        self.headers.get("authorization").and_then(|v| v.to_str().ok())
    }
}

/// One scripted answer of the data route.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(body: Value) -> Self {
        Reply { status: 200, headers: vec![("content-type", "application/json".into())], body: body.to_string() }
    }

    pub fn status(status: u16, body: &str) -> Self {
        Reply { status, headers: Vec::new(), body: body.to_owned() }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// Checks a token request; an `Err` is answered 400 `invalid_grant` with the text.
pub type TokenCheck = Box<dyn Fn(&Seen) -> Result<(), String> + Send + Sync>;

/// What the stub knows and saw.
pub struct StubState {
    pub token_path: String,
    pub seen: Mutex<Vec<Seen>>,
    pub replies: Mutex<VecDeque<Reply>>,
    /// `expires_in` of the tokens issued.
    pub expires_in: Mutex<i64>,
    /// When set, the token endpoint answers this status.
    pub refuse_token: Mutex<Option<u16>>,
    /// Bearers the data route answers 401.
    pub revoked: Mutex<Vec<String>>,
    pub issued: Mutex<u32>,
    pub check: TokenCheck,
}

/// A running stub.
pub struct Stub {
    pub origin: String,
    pub state: Arc<StubState>,
}

impl Stub {
    /// A stub whose token endpoint is `token_path`, checking token requests with `check`.
    pub async fn start(token_path: &str, check: TokenCheck) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(StubState {
            token_path: token_path.to_owned(),
            seen: Mutex::default(),
            replies: Mutex::default(),
            expires_in: Mutex::new(86_400),
            refuse_token: Mutex::default(),
            revoked: Mutex::default(),
            issued: Mutex::new(0),
            check,
        });
        let app = Router::new().fallback(answer).with_state(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Stub { origin, state }
    }

    /// Queues replies of the data route.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.replies.lock().unwrap().extend(replies);
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// The token requests so far.
    pub fn token_requests(&self) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == self.state.token_path).collect()
    }

    /// The data requests so far.
    pub fn data_requests(&self) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path != self.state.token_path).collect()
    }

    pub fn set_expires_in(&self, seconds: i64) {
        *self.state.expires_in.lock().unwrap() = seconds;
    }

    pub fn refuse_tokens(&self, status: u16) {
        *self.state.refuse_token.lock().unwrap() = Some(status);
    }

    pub fn revoke(&self, token: &str) {
        self.state.revoked.lock().unwrap().push(token.to_owned());
    }

    /// Replies not used yet.
    pub fn unused_replies(&self) -> usize {
        self.state.replies.lock().unwrap().len()
    }
}

async fn answer(
    State(state): State<Arc<StubState>>,
    method: Method,
    uri: Uri,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seen =
        Seen { method, path: uri.path().to_owned(), query, headers, body: String::from_utf8_lossy(&body).into_owned() };
    state.seen.lock().unwrap().push(seen.clone());
    if seen.path == state.token_path {
        return token(&state, &seen);
    }
    let bearer = seen.authorization().and_then(|a| a.strip_prefix("Bearer ")).unwrap_or_default().to_owned();
    if bearer.is_empty() || state.revoked.lock().unwrap().contains(&bearer) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"statusCode": 401, "error": "Unauthorized", "message": "Invalid token"})),
        )
            .into_response();
    }
    let Some(reply) = state.replies.lock().unwrap().pop_front() else {
        return (StatusCode::IM_A_TEAPOT, "script exhausted").into_response();
    };
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (name, value) in reply.headers {
        response.headers_mut().append(name, value.parse().unwrap());
    }
    response
}

fn token(state: &StubState, seen: &Seen) -> Response {
    if let Some(status) = *state.refuse_token.lock().unwrap() {
        let body = json!({"error": "access_denied", "error_description": "Unauthorized"});
        return (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
    }
    if let Err(problem) = (state.check)(seen) {
        let body = json!({"error": "invalid_grant", "error_description": problem});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    }
    let mut issued = state.issued.lock().unwrap();
    *issued += 1;
    let expires_in = *state.expires_in.lock().unwrap();
    axum::Json(json!({"access_token": format!("token-{issued}"), "expires_in": expires_in, "token_type": "Bearer"}))
        .into_response()
}

/// A client retrying fast: 3 attempts, 10 ms backoff.
pub fn http() -> Http {
    Http::with_retry(RetryPolicy {
        attempts: 3,
        base: Duration::from_millis(10),
        max_wait: Duration::from_secs(5),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}
