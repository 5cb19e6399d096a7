//! MozDef's loginput routes (inventory §1.1). Every route answers with or without a trailing
//! `/`. A request is accepted whole (200, durable in the queue) or refused whole (4xx/5xx).
//!
//! Differences from MozDef, all deliberate: invalid JSON or a non-object event is a 400 with
//! a JSON body naming the problem (MozDef answered 500); an NDJSON bulk with a bad line is
//! refused whole, nothing of it is queued (MozDef had queued the lines before the bad one);
//! only genuine bulk action lines (`{"index": {...}}` or `{"create": {...}}`, one key) are
//! skipped, so an event that merely has an `index` field is kept; the `/_status` quirk (a GET
//! routed to the event handler) is not reproduced.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};
use mozdef_model::Document;
use serde_json::{Value, json};

use crate::body::{check_depth, check_utf8, kind, parse_event, read_limited};
use crate::{ApiError, Limits, LoginputState};

/// The loginput routes, to be given an [`LoginputState`].
pub fn router() -> Router<LoginputState> {
    health_routes().merge(event_routes())
}

/// `/status` and `/test`: open even where shippers authenticate.
pub fn health_routes() -> Router<LoginputState> {
    with_trailing_slash([("/status", get(status)), ("/test", get(test))])
}

/// The routes that take events (where shippers authenticate, each needs a token).
pub fn event_routes() -> Router<LoginputState> {
    with_trailing_slash([
        ("/events", post(events).put(events)),
        ("/nxlog", post(events).put(events)),
        ("/cef", post(cef).put(cef)),
        ("/custom/{application}", post(custom).put(custom)),
        ("/_bulk", post(bulk).put(bulk)),
    ])
}

/// Each route at its path with and without a trailing `/`.
fn with_trailing_slash<const N: usize>(routes: [(&str, MethodRouter<LoginputState>); N]) -> Router<LoginputState> {
    let mut router = Router::new();
    for (path, route) in routes {
        router = router.route(path, route.clone()).route(&format!("{path}/"), route);
    }
    router
}

async fn status() -> Json<Value> {
    Json(json!({"status": "ok", "service": "loginput"}))
}

async fn test() -> StatusCode {
    StatusCode::OK
}

/// Reads, checks and parses a single-event body.
async fn single_event(state: &LoginputState, body: Body) -> Result<Document, ApiError> {
    let bytes = read_limited(body, state.limits.max_event_bytes).await?;
    let text = check_utf8(&bytes)?;
    parse_event(text, state.limits.max_depth).map_err(ApiError::bad_request)
}

/// Hands `events` to the queue. A shipper may not choose document ids: the collectors' id key
/// ([`mozdef_pipeline::COLLECTED_ID_KEY`]) is removed from every event first, so an event
/// posted here can never overwrite another by id.
async fn accept(state: &LoginputState, mut events: Vec<Document>) -> Result<(), ApiError> {
    for event in &mut events {
        if event.remove(mozdef_pipeline::COLLECTED_ID_KEY).is_some() {
            tracing::debug!("a shipper's event carried the collectors' id key; removed");
        }
    }
    let count = events.len();
    state.queue.accept(events).await?;
    tracing::debug!(events = count, "accepted");
    Ok(())
}

/// `/events` and `/nxlog`: one event, marked `endpoint=events`.
async fn events(State(state): State<LoginputState>, body: Body) -> Result<StatusCode, ApiError> {
    let mut event = single_event(&state, body).await?;
    event.insert("endpoint".into(), json!("events"));
    accept(&state, vec![event]).await?;
    Ok(StatusCode::OK)
}

/// `/cef`: one event, marked `endpoint=cef`.
async fn cef(State(state): State<LoginputState>, body: Body) -> Result<StatusCode, ApiError> {
    let mut event = single_event(&state, body).await?;
    event.insert("endpoint".into(), json!("cef"));
    accept(&state, vec![event]).await?;
    Ok(StatusCode::OK)
}

/// `/custom/<application>`: one event, marked `endpoint=<application>` and
/// `customendpoint=true`, which makes the pipeline skip key mapping.
async fn custom(
    State(state): State<LoginputState>,
    Path(application): Path<String>,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let mut event = single_event(&state, body).await?;
    event.insert("endpoint".into(), json!(application));
    event.insert("customendpoint".into(), json!(true));
    accept(&state, vec![event]).await?;
    Ok(StatusCode::OK)
}

/// `/_bulk`: a JSON array of events, or newline-delimited JSON; bulk action lines skipped.
async fn bulk(State(state): State<LoginputState>, body: Body) -> Result<impl IntoResponse, ApiError> {
    let bytes = read_limited(body, state.limits.max_bulk_bytes).await?;
    let text = check_utf8(&bytes)?;
    let events = parse_bulk(text, &state)?;
    let accepted = events.len();
    if accepted > 0 {
        accept(&state, events).await?;
    }
    Ok(Json(json!({"errors": false, "accepted": accepted})))
}

/// Whether `event` is an Elasticsearch bulk action line rather than an event.
fn is_action_line(event: &Document) -> bool {
    event.len() == 1 && ["index", "create"].iter().any(|action| event.get(*action).is_some_and(Value::is_object))
}

fn parse_bulk(text: &str, state: &LoginputState) -> Result<Vec<Document>, ApiError> {
    let limits = state.limits;
    if text.trim_start().starts_with('[') {
        check_depth(text, limits.max_depth + 1).map_err(ApiError::bad_request)?;
        let items: Vec<Value> =
            serde_json::from_str(text).map_err(|e| ApiError::bad_request(format!("invalid JSON array: {e}")))?;
        let mut events = Vec::with_capacity(items.len());
        for (n, item) in items.into_iter().enumerate() {
            match item {
                Value::Object(event) if is_action_line(&event) => {}
                Value::Object(event) => events.push(event),
                other => {
                    return Err(ApiError::bad_request(format!(
                        "element {n} of the array: an event must be a JSON object, not {}",
                        kind(&other)
                    )));
                }
            }
        }
        return Ok(events);
    }
    let mut events = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        let line_no = n + 1;
        match parse_line(line, &limits) {
            Ok(Some(event)) => events.push(event),
            Ok(None) => {}
            Err(LineError::TooLarge { limit, .. }) => return Err(ApiError::TooLarge { limit, line: Some(line_no) }),
            Err(LineError::Invalid(message)) => {
                return Err(ApiError::BadRequest {
                    message: format!("line {line_no}: {message}"),
                    line: Some(line_no),
                });
            }
        }
    }
    Ok(events)
}

/// Why one NDJSON line is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// The line is longer than one event may be.
    #[error("an event of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The line's length.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not an acceptable event (invalid JSON, not an object, nested too deep).
    #[error("{0}")]
    Invalid(String),
}

/// One line of NDJSON as loginput's `/_bulk` reads it (and `mozdef normalize`, so that both
/// accept exactly the same events): `None` for a blank line or an Elasticsearch bulk action
/// line, the event otherwise, or why it is refused.
pub fn parse_line(line: &str, limits: &Limits) -> Result<Option<Document>, LineError> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    if line.len() > limits.max_event_bytes {
        return Err(LineError::TooLarge { size: line.len(), limit: limits.max_event_bytes });
    }
    let event = parse_event(line, limits.max_depth).map_err(LineError::Invalid)?;
    Ok((!is_action_line(&event)).then_some(event))
}
