//! The REST API, mounted under `/api`: MozDef's `/status`, event search and look-up.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::routing::{get, post};
use chrono::Duration;
use mozdef_query::{Aggregation, Hit, Match, QueryString, SearchQuery, SearchResults};
use mozdef_store::SearchRequest;
use mozdef_store::indices::{QUARANTINE_INDEX, events_indices_between};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Role;
use crate::body::{check_utf8, read_limited};
use crate::routes::Routes;
use crate::{ApiError, ApiState};

/// The largest search request body.
const MAX_REQUEST_BYTES: usize = 1 << 20;
/// The most hits one search returns.
pub const MAX_SIZE: usize = 10_000;
/// The longest search window: ten years.
const MAX_MINUTES: u64 = 10 * 366 * 24 * 60;

/// The read routes, to be nested under `/api`.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .add_both(Method::GET, "/status", Role::Viewer, get(status))
        .add(Method::POST, "/search", Role::Viewer, post(search))
        .add(Method::GET, "/events/{id}", Role::Viewer, get(event))
        .add(Method::GET, "/quarantine", Role::Viewer, get(quarantine))
        .add(Method::GET, "/stats", Role::Viewer, get(stats))
}

/// `GET /api/stats`: what ingest has stored, dropped and quarantined. Where the ingest path
/// runs in this process (`mozdef dev`): its counters since start,
/// `{"indexed", "dropped", "quarantined"}`. Where the API runs alone (a Lambda): counted from
/// the store over the last day, `{"indexed", "quarantined", "dropped": null, "minutes": 1440}`
/// (drops are not stored anywhere).
async fn stats(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    if let Some(stats) = &state.ingest_stats {
        return Ok(Json(stats.snapshot()));
    }
    const MINUTES: u64 = 24 * 60;
    let count = |indices: Vec<String>| {
        let state = state.clone();
        async move {
            let body = SearchBody { query: None, minutes: MINUTES, size: 0, aggregations: vec![] };
            let query = body.to_query()?;
            let request = SearchRequest { indices: &indices, query: &query, size: 0, now: state.clock.now() };
            Ok::<u64, ApiError>(state.store.search(request).await?.total.unwrap_or(0))
        }
    };
    let now = state.clock.now();
    let from = now - Duration::minutes(i64::try_from(MINUTES).unwrap_or(1440));
    let indexed = count(events_indices_between(from, now)).await?;
    let quarantined = count(vec![QUARANTINE_INDEX.to_owned()]).await?;
    Ok(Json(json!({"indexed": indexed, "dropped": null, "quarantined": quarantined, "minutes": MINUTES})))
}

/// `GET /api/status`: MozDef's `{"status": "ok", "service": "restapi"}`, with `storage` where
/// the process keeps local storage ([`ApiState::storage`]): what is stored, the room left on
/// the disk and whether loginput refuses events for want of it.
async fn status(State(state): State<ApiState>) -> Json<Value> {
    let mut answer = json!({"status": "ok", "service": "restapi"});
    if let Some(storage) = &state.storage {
        answer["storage"] = match storage.storage().await {
            Ok(figures) => figures,
            Err(error) => json!({"error": error.to_string()}),
        };
    }
    Json(answer)
}

/// The body of `POST /api/search`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    /// A Lucene query string; `null` or absent for every event.
    #[serde(default)]
    pub query: Option<String>,
    /// The window, in minutes back from now (default 60).
    #[serde(default = "default_minutes")]
    pub minutes: u64,
    /// At most this many hits (default 100, at most 10 000).
    #[serde(default = "default_size")]
    pub size: usize,
    /// Fields to aggregate (terms, top 20).
    #[serde(default)]
    pub aggregations: Vec<String>,
}

fn default_minutes() -> u64 {
    60
}

fn default_size() -> usize {
    100
}

impl SearchBody {
    /// The MozDef `SearchQuery` this request stands for.
    pub fn to_query(&self) -> Result<SearchQuery, ApiError> {
        if self.minutes == 0 || self.minutes > MAX_MINUTES {
            return Err(ApiError::bad_request(format!("minutes must be between 1 and {MAX_MINUTES}")));
        }
        if self.size > MAX_SIZE {
            return Err(ApiError::bad_request(format!("size must be at most {MAX_SIZE}")));
        }
        let minutes = i64::try_from(self.minutes).map_err(|_| ApiError::bad_request("minutes is too large"))?;
        let mut query = SearchQuery::new(Some(Duration::minutes(minutes)));
        if let Some(text) = self.query.as_deref().filter(|t| !t.trim().is_empty()) {
            query.add_must(Match::QueryString(
                QueryString::parse(text).map_err(|e| ApiError::bad_request(e.to_string()))?,
            ));
        }
        for field in &self.aggregations {
            if field.is_empty() {
                return Err(ApiError::bad_request("an aggregation field name is empty"));
            }
            query.aggregations.push(Aggregation { field: field.clone(), size: 20 });
        }
        Ok(query)
    }
}

async fn search(State(state): State<ApiState>, body: Body) -> Result<Json<SearchResults>, ApiError> {
    let bytes = read_limited(body, MAX_REQUEST_BYTES).await?;
    let text = check_utf8(&bytes)?;
    let request: SearchBody =
        serde_json::from_str(text).map_err(|e| ApiError::bad_request(format!("invalid search request: {e}")))?;
    let query = request.to_query()?;
    let now = state.clock.now();
    let indices = match query.window_bounds(now) {
        Some((from, to)) => events_indices_between(from, to),
        None => vec!["events-*".to_owned()],
    };
    let results =
        state.store.search(SearchRequest { indices: &indices, query: &query, size: request.size, now }).await?;
    Ok(Json(results))
}

async fn event(State(state): State<ApiState>, Path(id): Path<String>) -> Result<Json<Hit>, ApiError> {
    let indices = vec!["events-*".to_owned()];
    match state.store.get(&indices, &id, state.clock.now()).await? {
        Some(hit) => Ok(Json(hit)),
        None => Err(ApiError::NotFound(format!("no event with id {id:?}"))),
    }
}

/// Query parameters of `GET /api/quarantine`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuarantineParams {
    /// The window, in minutes back from now (default one day).
    #[serde(default = "default_quarantine_minutes")]
    pub minutes: u64,
    /// At most this many records (default 100).
    #[serde(default = "default_size")]
    pub size: usize,
}

fn default_quarantine_minutes() -> u64 {
    24 * 60
}

/// `GET /api/quarantine`: the records the pipeline or the store refused, newest first, each
/// with its raw payload, source and reason.
async fn quarantine(
    State(state): State<ApiState>,
    params: Result<Query<QuarantineParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let body = SearchBody { query: None, minutes: params.minutes, size: params.size, aggregations: vec![] };
    let query = body.to_query()?;
    let indices = vec![QUARANTINE_INDEX.to_owned()];
    let results = state
        .store
        .search(SearchRequest { indices: &indices, query: &query, size: params.size, now: state.clock.now() })
        .await?;
    Ok(Json(results))
}
