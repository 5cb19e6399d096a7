//! What the shipper token tests share: a loginput over a recording queue, tokens from
//! `ShipperTokens` over the SQLite store, and a request helper.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use mozdef_api::{Limits, LoginputState, loginput_router_with_auth};
use mozdef_model::Document;
use mozdef_service::ShipperTokens;
use mozdef_service::shipper_tokens::CacheSettings;
use mozdef_store::{EventQueue, QueueError};
use mozdef_store_embedded::SqliteShipperTokens;
use serde_json::Value;
use tower::ServiceExt;

/// Every event the router handed on, in order.
#[derive(Debug, Default)]
pub struct Queued(Mutex<Vec<Document>>);

#[async_trait]
impl EventQueue for Queued {
    async fn accept(&self, mut events: Vec<Document>) -> Result<(), QueueError> {
        self.0.lock().unwrap().append(&mut events);
        Ok(())
    }
}

/// A loginput needing shipper tokens, over a recording queue, with its token service.
pub struct Setup {
    pub tokens: Arc<ShipperTokens>,
    pub queue: Arc<Queued>,
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteShipperTokens::open(&dir.path().join("mozdef.sqlite")).unwrap();
        let tokens = Arc::new(ShipperTokens::new(Arc::new(store), CacheSettings::default()));
        Setup { tokens, queue: Arc::default(), dir }
    }

    pub fn state(&self) -> LoginputState {
        LoginputState { queue: self.queue.clone(), limits: Limits::default() }
    }

    pub fn app(&self) -> Router {
        loginput_router_with_auth(self.state(), Some(self.tokens.clone()))
    }

    pub fn queued(&self) -> Vec<Document> {
        self.queue.0.lock().unwrap().clone()
    }
}

/// Sends a request (with `authorization` as its header); the status and the JSON body
/// (`Null` when empty). A 401 must carry a Bearer challenge.
pub async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    authorization: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let response = app.clone().oneshot(request.body(Body::from(body.to_owned())).unwrap()).await.unwrap();
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        let challenge = response.headers().get(header::WWW_AUTHENTICATE).and_then(|v| v.to_str().ok());
        assert!(challenge.is_some_and(|c| c.starts_with("Bearer")), "401 without a Bearer challenge: {challenge:?}");
    }
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
    (status, body)
}
