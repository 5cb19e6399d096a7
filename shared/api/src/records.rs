//! The incident handlers' records under `/api`: incidents and investigations, the alerts'
//! triage copies, the lists, preferences, any record's history, presence, and the change
//! feed (long poll, and server-sent events where the API runs as a process). Thin: each
//! handler reads the request, calls [`mozdef_service::records::Records`], renders.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{Method, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use chrono::{DateTime, Duration, Utc};
use mozdef_service::records::facets::{DEFAULT_BUCKETS, FacetRequest};
use mozdef_service::records::watch::WatchKind;
use mozdef_service::records::{Collection, ListRequest, Records, render};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Identity, Role};
use crate::body::{check_utf8, read_limited};
use crate::routes::Routes;
use crate::{ApiError, ApiState};

/// The largest record body.
const MAX_BODY: usize = 256 * 1024;
/// The longest a change-feed poll waits for a change.
const MAX_WAIT_SECONDS: u64 = 25;
/// How often the feed looks for changes while a poll or a stream waits.
const FEED_TICK: StdDuration = StdDuration::from_millis(250);
/// The most changes one answer carries.
const FEED_PAGE: usize = 500;

/// The record routes, to be nested under `/api`.
pub(crate) fn routes() -> Routes {
    let mut routes = Routes::new();
    for (path, item) in [("/incidents", "/incidents/{id}"), ("/investigations", "/investigations/{id}")] {
        routes = routes
            .add(Method::GET, path, Role::Viewer, get(list_collection))
            .add(Method::POST, path, Role::Responder, post(create_casefile))
            .add(Method::GET, item, Role::Viewer, get(read_record))
            .add(Method::PUT, item, Role::Responder, put(update_casefile))
            .add(Method::DELETE, item, Role::Responder, delete(delete_casefile));
    }
    routes
        .add(Method::POST, "/investigations/{id}/incident", Role::Responder, post(make_incident))
        .add(Method::GET, "/alerts/triage", Role::Viewer, get(list_collection))
        .add(Method::GET, "/alerts/triage/facets", Role::Viewer, get(alert_facets))
        .add(Method::GET, "/alerts/{id}/triage", Role::Viewer, get(alert_triage))
        .add(Method::PUT, "/alerts/{id}/triage", Role::Responder, put(update_alert_triage))
        .add(Method::POST, "/alerts/{id}/ack", Role::Responder, post(ack_alert))
        .add(Method::DELETE, "/alerts/{id}/ack", Role::Responder, delete(unack_alert))
        .add(Method::POST, "/alerts/{id}/escalate", Role::Responder, post(escalate_alert))
        .add(Method::GET, "/ipblocklist", Role::Viewer, get(list_collection))
        .add(Method::DELETE, "/ipblocklist/{id}", Role::Responder, delete(delete_entry))
        .add(Method::GET, "/ipblocklist/feed", Role::Viewer, get(ip_feed))
        .add(Method::GET, "/fqdnblocklist", Role::Viewer, get(list_collection))
        .add(Method::DELETE, "/fqdnblocklist/{id}", Role::Responder, delete(delete_entry))
        .add(Method::GET, "/fqdnblocklist/feed", Role::Viewer, get(fqdn_feed))
        .add(Method::GET, "/watchlist", Role::Viewer, get(list_collection))
        .add(Method::DELETE, "/watchlist/{id}", Role::Responder, delete(delete_entry))
        .add(Method::GET, "/duplicatechains", Role::Viewer, get(list_collection))
        .add(Method::GET, "/preferences", Role::Viewer, get(preferences))
        .add(Method::PUT, "/preferences", Role::Viewer, put(save_preferences))
        .add(Method::GET, "/history/{collection}/{id}", Role::Viewer, get(history))
        .add(Method::GET, "/presence/{collection}/{id}", Role::Viewer, get(presence))
        .add(Method::PUT, "/presence/{collection}/{id}", Role::Viewer, put(touch_presence))
        .add(Method::GET, "/changes", Role::Viewer, get(changes))
        .add(Method::GET, "/changes/stream", Role::Viewer, get(change_stream))
        .add(Method::GET, "/veris/tags", Role::Viewer, get(veris_tags))
        .add(Method::GET, "/me", Role::Viewer, get(me))
}

/// The records service, or 503 where none is configured.
pub(crate) fn records(state: &ApiState) -> Result<&Records, ApiError> {
    state.records.as_ref().ok_or_else(|| ApiError::Unavailable("no record store is configured here".into()))
}

/// A JSON body of at most [`MAX_BODY`] bytes.
pub(crate) async fn json_body(body: Body) -> Result<Value, ApiError> {
    let bytes = read_limited(body, MAX_BODY).await?;
    let text = check_utf8(&bytes)?;
    serde_json::from_str(text).map_err(|e| ApiError::bad_request(format!("body: invalid JSON: {e}")))
}

/// The collection a request's path names (its first segment under `/api`).
fn collection_of(uri: &axum::http::Uri) -> Result<Collection, ApiError> {
    let path = uri.path();
    let path = path.strip_prefix("/api").unwrap_or(path);
    let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    Collection::parse(first).ok_or_else(|| ApiError::NotFound(format!("no collection {first:?}")))
}

fn named_collection(name: &str) -> Result<Collection, ApiError> {
    Collection::parse(name).ok_or_else(|| ApiError::NotFound(format!("no collection {name:?}")))
}

fn time_param(params: &HashMap<String, String>, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    params
        .get(name)
        .filter(|v| !v.is_empty())
        .map(|v| {
            mozdef_service::records::fields::parse_date(v).ok_or_else(|| {
                ApiError::bad_request(format!("{name}: {v:?} is not a time (RFC 3339 or \"YYYY-mm-dd hh:mm am\")"))
            })
        })
        .transpose()
}

/// A list request from the query: `limit` (default 25), `cursor`, and [`selection_request`]'s.
fn list_request(params: HashMap<String, String>, now: DateTime<Utc>) -> Result<ListRequest, ApiError> {
    let limit = match params.get("limit") {
        Some(v) => v.parse().map_err(|_| ApiError::bad_request(format!("limit: {v:?} is not a whole number")))?,
        None => 25,
    };
    let cursor = params.get("cursor").filter(|c| !c.is_empty()).cloned();
    Ok(ListRequest { limit, cursor, ..selection_request(&params, now, &["limit", "cursor"])? })
}

/// What a list keeps, from the query: `q`, `since`, `until`, `minutes` (since that many
/// minutes ago), and every other parameter but `own` (the caller's) as a filter by name (the
/// service refuses those that are not the collection's filters, naming them).
fn selection_request(
    params: &HashMap<String, String>,
    now: DateTime<Utc>,
    own: &[&str],
) -> Result<ListRequest, ApiError> {
    let mut since = time_param(params, "since")?;
    if let Some(minutes) = params.get("minutes") {
        let minutes: i64 = minutes
            .parse()
            .ok()
            .filter(|m| (1..=10 * 366 * 24 * 60).contains(m))
            .ok_or_else(|| ApiError::bad_request(format!("minutes: {minutes:?} is not between 1 and 5270400")))?;
        since = Some(now - Duration::minutes(minutes));
    }
    let until = time_param(params, "until")?;
    let reserved = ["q", "since", "until", "minutes"];
    let mut filters: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| !reserved.contains(&k.as_str()) && !own.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    filters.sort();
    Ok(ListRequest { text: params.get("q").cloned(), filters, since, until, ..ListRequest::default() })
}

/// `GET /api/<collection>` (and `/api/alerts/triage`, the alerts table: MozDef's Mongo
/// `alerts`): one page, newest first: `{records, next, scanned}`.
async fn list_collection(
    State(state): State<ApiState>,
    uri: axum::http::Uri,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let records = records(&state)?;
    let request = list_request(params, records.now())?;
    Ok(Json(records.list(collection_of(&uri)?, &request).await?.to_value()))
}

/// `GET /api/alerts/triage/facets`: the triage table's counts by category, severity and
/// status and over time, for its filters (no `limit`, `cursor`: a 400 naming them) and
/// `buckets` (the histogram's intervals, 1..=200, default 48).
async fn alert_facets(
    State(state): State<ApiState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let records = records(&state)?;
    let buckets = match params.get("buckets") {
        Some(v) => v.parse().map_err(|_| ApiError::bad_request(format!("buckets: {v:?} is not a whole number")))?,
        None => DEFAULT_BUCKETS,
    };
    let selection = selection_request(&params, records.now(), &["buckets"])?;
    let request = FacetRequest {
        text: selection.text,
        filters: selection.filters,
        since: selection.since,
        until: selection.until,
        buckets,
    };
    Ok(Json(records.alert_facets(&request).await?.to_value()))
}

/// `GET /api/incidents/{id}`, `/api/investigations/{id}`.
async fn read_record(
    State(state): State<ApiState>,
    uri: axum::http::Uri,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(render(&records(&state)?.get(collection_of(&uri)?, &id).await?)))
}

fn is_investigation(uri: &axum::http::Uri) -> Result<bool, ApiError> {
    Ok(collection_of(uri)? == Collection::Investigations)
}

async fn create_casefile(
    State(state): State<ApiState>,
    identity: Identity,
    uri: axum::http::Uri,
    body: Body,
) -> Result<Response, ApiError> {
    let body = json_body(body).await?;
    let record = records(&state)?.create_casefile(&body, is_investigation(&uri)?, &identity.email).await?;
    Ok((axum::http::StatusCode::CREATED, Json(render(&record))).into_response())
}

async fn update_casefile(
    State(state): State<ApiState>,
    identity: Identity,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body).await?;
    let record = records(&state)?.update_casefile(&id, &body, is_investigation(&uri)?, &identity.email).await?;
    Ok(Json(render(&record)))
}

/// `?version=N` of a deletion.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionParam {
    version: u64,
}

fn version_param(
    params: Result<Query<VersionParam>, axum::extract::rejection::QueryRejection>,
) -> Result<u64, ApiError> {
    params
        .map(|Query(p)| p.version)
        .map_err(|_| ApiError::bad_request("version: the version you read is required (?version=N)"))
}

async fn delete_casefile(
    State(state): State<ApiState>,
    identity: Identity,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    params: Result<Query<VersionParam>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let version = version_param(params)?;
    let record = records(&state)?.delete_casefile(&id, version, is_investigation(&uri)?, &identity.email).await?;
    Ok(Json(json!({"deleted": render(&record)})))
}

async fn make_incident(
    State(state): State<ApiState>,
    identity: Identity,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = records(&state)?.make_incident(&id, &identity.email).await?;
    Ok((axum::http::StatusCode::CREATED, Json(render(&record))).into_response())
}

async fn alert_triage(State(state): State<ApiState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(render(&records(&state)?.alert(&id).await?)))
}

async fn update_alert_triage(
    State(state): State<ApiState>,
    identity: Identity,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body).await?;
    Ok(Json(render(&records(&state)?.triage_alert(&id, &body, &identity.email).await?)))
}

async fn ack_alert(
    State(state): State<ApiState>,
    identity: Identity,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(render(&records(&state)?.acknowledge_alert(&id, true, &identity.email).await?)))
}

async fn unack_alert(
    State(state): State<ApiState>,
    identity: Identity,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(render(&records(&state)?.acknowledge_alert(&id, false, &identity.email).await?)))
}

/// The body of `POST /api/alerts/{id}/escalate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalateBody {
    /// `incident` or `investigation`.
    to: String,
}

async fn escalate_alert(
    State(state): State<ApiState>,
    identity: Identity,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let body = json_body(body).await?;
    let request: EscalateBody = serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request(format!("to: {e} (\"incident\" or \"investigation\")")))?;
    let investigation = match request.to.as_str() {
        "incident" => false,
        "investigation" => true,
        other => return Err(ApiError::bad_request(format!("to: {other:?} is not \"incident\" or \"investigation\""))),
    };
    let record = records(&state)?.escalate_alert(&id, investigation, &identity.email).await?;
    Ok((axum::http::StatusCode::CREATED, Json(render(&record))).into_response())
}

async fn delete_entry(
    State(state): State<ApiState>,
    identity: Identity,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    params: Result<Query<VersionParam>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let version = version_param(params)?;
    let record = records(&state)?.delete(collection_of(&uri)?, &id, version, &identity.email).await?;
    Ok(Json(json!({"deleted": render(&record)})))
}

/// `?limit=N` of a feed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedParams {
    #[serde(default = "default_feed_limit")]
    limit: usize,
}

fn default_feed_limit() -> usize {
    10_000
}

async fn feed(
    state: &ApiState,
    kind: WatchKind,
    params: Result<Query<FeedParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if !(1..=100_000).contains(&params.limit) {
        return Err(ApiError::bad_request("limit: must be between 1 and 100000"));
    }
    let text = records(state)?.blocklist_feed(kind, params.limit).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// `GET /api/ipblocklist/feed`: MozDef's `createIPBlockList` as a text feed.
async fn ip_feed(
    State(state): State<ApiState>,
    params: Result<Query<FeedParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    feed(&state, WatchKind::Ip, params).await
}

/// `GET /api/fqdnblocklist/feed`: MozDef's `createFQDNBlockList` as a text feed.
async fn fqdn_feed(
    State(state): State<ApiState>,
    params: Result<Query<FeedParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    feed(&state, WatchKind::Fqdn, params).await
}

async fn preferences(State(state): State<ApiState>, identity: Identity) -> Result<Json<Value>, ApiError> {
    Ok(Json(records(&state)?.preferences(&identity.email).await?))
}

async fn save_preferences(
    State(state): State<ApiState>,
    identity: Identity,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body).await?;
    Ok(Json(render(&records(&state)?.save_preferences(&identity.email, &body).await?)))
}

async fn history(
    State(state): State<ApiState>,
    identity: Identity,
    Path((collection, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let collection = named_collection(&collection)?;
    if collection == Collection::Preferences && id != identity.email {
        return Err(ApiError::Forbidden("preferences are their user's alone".into()));
    }
    Ok(Json(json!({"changes": records(&state)?.history(collection, &id, 1000).await?})))
}

/// The record whose presence is asked for: it must exist, and preferences are their user's.
async fn presence_target(
    state: &ApiState,
    identity: &Identity,
    collection: &str,
    id: &str,
) -> Result<Collection, ApiError> {
    let collection = named_collection(collection)?;
    if collection == Collection::Preferences && id != identity.email {
        return Err(ApiError::Forbidden("preferences are their user's alone".into()));
    }
    records(state)?.get(collection, id).await?;
    Ok(collection)
}

async fn presence(
    State(state): State<ApiState>,
    identity: Identity,
    Path((collection, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let collection = presence_target(&state, &identity, &collection, &id).await?;
    Ok(Json(json!({"presence": records(&state)?.presence(collection, &id).await?})))
}

/// The body of `PUT /api/presence/{collection}/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresenceBody {
    activity: String,
}

async fn touch_presence(
    State(state): State<ApiState>,
    identity: Identity,
    Path((collection, id)): Path<(String, String)>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body).await?;
    let request: PresenceBody = serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request(format!("activity: {e} (\"viewing\" or \"editing\")")))?;
    let collection = named_collection(&collection)?;
    Ok(Json(
        json!({"presence": records(&state)?.touch_presence(collection, &id, &identity.email, &request.activity).await?}),
    ))
}

/// Query parameters of the change feed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeParams {
    /// The last sequence number seen; absent: from now on (the answer carries the cursor).
    after: Option<u64>,
    /// Seconds to wait for a change when there is none (0: answer at once).
    #[serde(default)]
    wait: u64,
}

/// `GET /api/changes?after=N&wait=S`: the changes after `N` (`{changes, cursor}`), waiting up
/// to `S` seconds (at most 25, under API Gateway's limit) for the first one.
async fn changes(
    State(state): State<ApiState>,
    identity: Identity,
    params: Result<Query<ChangeParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if params.wait > MAX_WAIT_SECONDS {
        return Err(ApiError::bad_request(format!("wait: at most {MAX_WAIT_SECONDS} seconds")));
    }
    let records = records(&state)?;
    let Some(after) = params.after else {
        return Ok(Json(json!({"changes": [], "cursor": records.head().await?})));
    };
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(params.wait);
    loop {
        let (changes, cursor) = records.changes(after, FEED_PAGE, &identity.email).await?;
        if cursor != after || tokio::time::Instant::now() >= deadline {
            return Ok(Json(json!({"changes": changes, "cursor": cursor})));
        }
        tokio::time::sleep(FEED_TICK).await;
    }
}

/// `GET /api/changes/stream?after=N`: the change feed as server-sent events (`change`
/// events whose `id` is the sequence number; a reconnecting client's `Last-Event-ID` goes on
/// from there).
async fn change_stream(
    State(state): State<ApiState>,
    identity: Identity,
    headers: axum::http::HeaderMap,
    params: Result<Query<ChangeParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    if !state.change_stream {
        return Err(ApiError::bad_request(
            "the change stream is not served here (responses are buffered whole): long-poll GET /api/changes?after=N&wait=25",
        ));
    }
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if params.wait != 0 {
        return Err(ApiError::bad_request("wait: a stream waits by itself; use after (or Last-Event-ID) only"));
    }
    let records = records(&state)?.clone();
    let resumed = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let start = match resumed.or(params.after) {
        Some(after) => after,
        None => records.head().await?,
    };
    let user = identity.email;
    let stream = futures_util::stream::unfold((records, start, user), |(records, cursor, user)| async move {
        loop {
            match records.changes(cursor, FEED_PAGE, &user).await {
                Ok((changes, next)) if next != cursor => {
                    let events: Vec<Result<Event, std::convert::Infallible>> = changes
                        .into_iter()
                        .map(|c| {
                            let id = c.get("seq").map(Value::to_string).unwrap_or_default();
                            Ok(Event::default().event("change").id(id).data(c.to_string()))
                        })
                        .collect();
                    return Some((futures_util::stream::iter(events), (records, next, user)));
                }
                Ok(_) => tokio::time::sleep(FEED_TICK).await,
                Err(error) => {
                    tracing::warn!(%error, "change stream: feed unreadable; retrying");
                    tokio::time::sleep(StdDuration::from_secs(1)).await;
                }
            }
        }
    });
    let stream = futures_util::StreamExt::flatten(stream);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

async fn veris_tags() -> Json<Value> {
    Json(json!({"tags": mozdef_service::veris::tags()}))
}

async fn me(identity: Identity) -> Json<Identity> {
    Json(identity)
}
