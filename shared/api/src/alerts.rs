//! Alert routes under `/api`: listing and reading alerts, running alerts now, and MozDef's
//! schedule routes (`/alertschedules`, `/syncalertschedules`, `/updatealertschedules`).

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chrono::{DateTime, Duration, Utc};
use mozdef_alerts::AlertSchedule;
use mozdef_query::{Hit, Match, QueryString, SearchQuery, SearchResults};
use mozdef_service::{RunNow, ServiceError};
use mozdef_store::SearchRequest;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Role;
use crate::body::{check_utf8, read_limited};
use crate::rest::MAX_SIZE;
use crate::routes::Routes;
use crate::{ApiError, ApiState};

const MAX_REQUEST_BYTES: usize = 1 << 20;

/// The alert routes, to be nested under `/api`.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .add(Method::GET, "/alerts", Role::Viewer, get(list_alerts))
        .add(Method::POST, "/alerts/run", Role::Responder, post(run_alerts))
        .add(Method::GET, "/alerts/{id}", Role::Viewer, get(alert))
        .add_both(Method::GET, "/alertschedules", Role::Viewer, get(alert_schedules))
        .add(Method::PUT, "/alertschedules/{name}", Role::Admin, put(set_schedule_enabled))
        .add_both(Method::POST, "/syncalertschedules", Role::Admin, post(sync_alert_schedules))
        .add_both(Method::POST, "/updatealertschedules", Role::Admin, post(update_alert_schedules))
}

async fn json_body<T: serde::de::DeserializeOwned>(body: Body, what: &str) -> Result<T, ApiError> {
    let bytes = read_limited(body, MAX_REQUEST_BYTES).await?;
    let text = check_utf8(&bytes)?;
    serde_json::from_str(text).map_err(|e| ApiError::bad_request(format!("invalid {what}: {e}")))
}

/// Query parameters of `GET /api/alerts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertListParams {
    /// The window in minutes back from now (default one day).
    #[serde(default = "default_minutes")]
    pub minutes: u64,
    /// Only this category.
    pub category: Option<String>,
    /// Only this severity.
    pub severity: Option<String>,
    /// A Lucene query string over the alert documents.
    pub q: Option<String>,
    /// At most this many alerts (default 100).
    #[serde(default = "default_size")]
    pub size: usize,
}

fn default_minutes() -> u64 {
    24 * 60
}

fn default_size() -> usize {
    100
}

/// `GET /api/alerts`: alerts newest first.
async fn list_alerts(
    State(state): State<ApiState>,
    params: Result<Query<AlertListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if params.size > MAX_SIZE {
        return Err(ApiError::bad_request(format!("size must be at most {MAX_SIZE}")));
    }
    let minutes = i64::try_from(params.minutes)
        .ok()
        .filter(|m| (1..=10 * 366 * 24 * 60).contains(m))
        .ok_or_else(|| ApiError::bad_request("minutes must be between 1 and 5270400"))?;
    let mut query = SearchQuery::new(Some(Duration::minutes(minutes)));
    if let Some(category) = params.category.filter(|c| !c.is_empty()) {
        query.add_must(Match::term("category", category));
    }
    if let Some(severity) = params.severity.filter(|s| !s.is_empty()) {
        query.add_must(Match::term("severity", severity.to_uppercase()));
    }
    if let Some(text) = params.q.as_deref().filter(|t| !t.trim().is_empty()) {
        let parsed = QueryString::parse(text).map_err(|e| ApiError::bad_request(format!("q: {e}")))?;
        query.add_must(Match::QueryString(parsed));
    }
    let indices = vec!["alerts-*".to_owned()];
    let now = state.clock.now();
    let results =
        state.store.search(SearchRequest { indices: &indices, query: &query, size: params.size, now }).await?;
    Ok(Json(results))
}

/// `GET /api/alerts/{id}`: one alert, with its events as they were when it was raised.
async fn alert(State(state): State<ApiState>, Path(id): Path<String>) -> Result<Json<Hit>, ApiError> {
    let indices = vec!["alerts-*".to_owned()];
    match state.store.get(&indices, &id, state.clock.now()).await? {
        Some(hit) => Ok(Json(hit)),
        None => Err(ApiError::NotFound(format!("no alert with id {id:?}"))),
    }
}

/// The body of `POST /api/alerts/run`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunBody {
    /// Entries to run (`file.Class`, the file or the class); empty: every enabled one.
    #[serde(default)]
    names: Vec<String>,
}

/// `POST /api/alerts/run`: runs alerts now and returns what they raised (200), or, where
/// alerts run elsewhere, hands the run on (202 `{"queued": [names]}`).
async fn run_alerts(State(state): State<ApiState>, body: Body) -> Result<Response, ApiError> {
    let runner =
        state.run_alerts.as_ref().ok_or_else(|| ApiError::Unavailable("alerts are not configured here".into()))?;
    let bytes = read_limited(body, MAX_REQUEST_BYTES).await?;
    let request: RunBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        RunBody::default()
    } else {
        serde_json::from_str(check_utf8(&bytes)?)
            .map_err(|e| ApiError::bad_request(format!("invalid run request: {e}")))?
    };
    let ran = runner.run_now(&request.names, state.clock.now()).await.map_err(|e| match e {
        ServiceError::UnknownAlert(_) => ApiError::bad_request(e.to_string()),
        other => ApiError::Unavailable(other.to_string()),
    })?;
    Ok(match ran {
        RunNow::Ran(reports) => {
            let raised: usize = reports.iter().map(|r| r.raised.len()).sum();
            let runs: Vec<Value> = reports.iter().map(|r| r.to_value()).collect();
            Json(json!({"raised": raised, "runs": runs})).into_response()
        }
        RunNow::Queued { names } => (StatusCode::ACCEPTED, Json(json!({"queued": names}))).into_response(),
    })
}

/// `GET /api/alertschedules`: `{name: schedule document}`.
async fn alert_schedules(State(state): State<ApiState>) -> Result<Json<BTreeMap<String, AlertSchedule>>, ApiError> {
    let schedules = state.schedules.list().await?;
    Ok(Json(schedules.into_iter().map(|s| (s.name.clone(), s)).collect()))
}

/// One entry of `/syncalertschedules`.
#[derive(Debug, Deserialize)]
struct SyncEntry {
    total_run_count: u64,
    #[serde(default, with = "mozdef_alerts::schedule::isoformat_option")]
    last_run_at: Option<DateTime<Utc>>,
}

/// `POST /api/syncalertschedules`: `{name: {total_run_count, last_run_at, ...}}` updates
/// only those two fields of existing schedules. (MozDef answered an empty body with 503; it
/// is a client error here, 400.)
async fn sync_alert_schedules(State(state): State<ApiState>, body: Body) -> Result<Json<Value>, ApiError> {
    let entries: BTreeMap<String, Value> = json_body(body, "schedule sync").await?;
    if entries.is_empty() {
        return Err(ApiError::bad_request("no schedules to sync"));
    }
    let mut runs = Vec::new();
    for (name, value) in entries {
        let entry: SyncEntry =
            serde_json::from_value(value).map_err(|e| ApiError::bad_request(format!("schedule {name:?}: {e}")))?;
        runs.push((name, entry.last_run_at, entry.total_run_count));
    }
    let updated = state.schedules.sync_runs(&runs).await?;
    Ok(Json(json!({"updated": updated})))
}

/// `POST /api/updatealertschedules`: `{name: schedule document}` replaces the collection.
async fn update_alert_schedules(State(state): State<ApiState>, body: Body) -> Result<Json<Value>, ApiError> {
    let entries: BTreeMap<String, Value> = json_body(body, "schedules").await?;
    if entries.is_empty() {
        // An empty body would delete every schedule: surely a mistake.
        return Err(ApiError::bad_request("no schedules: the body would replace every schedule with none"));
    }
    let mut schedules = Vec::new();
    for (name, value) in entries {
        let schedule: AlertSchedule =
            serde_json::from_value(value).map_err(|e| ApiError::bad_request(format!("schedule {name:?}: {e}")))?;
        if schedule.name != name {
            return Err(ApiError::bad_request(format!("schedule {name:?} is named {:?}", schedule.name)));
        }
        schedule.schedule.validate().map_err(|e| ApiError::bad_request(format!("schedule {name:?}: {e}")))?;
        schedules.push(schedule);
    }
    state.schedules.replace_all(&schedules).await?;
    Ok(Json(json!({"schedules": schedules.len()})))
}

/// The body of `PUT /api/alertschedules/{name}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnabledBody {
    enabled: bool,
}

/// `PUT /api/alertschedules/{name}` with `{"enabled": bool}`: turns one alert on or off.
async fn set_schedule_enabled(
    State(state): State<ApiState>,
    Path(name): Path<String>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let request: EnabledBody = json_body(body, "schedule change").await?;
    if state.schedules.set_enabled(&name, request.enabled).await? {
        Ok(Json(json!({"name": name, "enabled": request.enabled})))
    } else {
        Err(ApiError::NotFound(format!("no alert schedule {name:?}")))
    }
}
