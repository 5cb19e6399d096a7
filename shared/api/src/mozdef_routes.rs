//! MozDef's own REST routes (`rest/index.py`) under `/api`, with and without the trailing
//! slash, with their payloads and answers — and MozDef's bugs fixed: bad input is a 400
//! naming the field (MozDef answered 500, or 200 with the refusal hidden in a log).
//!
//! `test`, `getwatchlist`, `veris`, `kibanadashboards`, `blockip`, `blockfqdn`, `watchitem`,
//! `ipwhois`, `ipdshieldquery`, `plugins`, `incident`, `alertstatus`, `alerttriagechain`.
//! (`status` lives with the other read routes, the schedule routes with the alerts.)

use std::net::IpAddr;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use mozdef_service::records::render;
use mozdef_service::records::watch::WatchKind;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Identity, Role};
use crate::records::{json_body, records};
use crate::routes::Routes;
use crate::{ApiError, ApiState};

/// MozDef's routes, to be nested under `/api`.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .add_both(Method::GET, "/test", Role::Viewer, get(test))
        .add_both(Method::GET, "/getwatchlist", Role::Viewer, get(get_watchlist))
        .add_both(Method::GET, "/veris", Role::Viewer, get(veris))
        .add_both(Method::GET, "/kibanadashboards", Role::Viewer, get(kibana_dashboards))
        .add_both(Method::POST, "/blockip", Role::Responder, post(block_ip))
        .add_both(Method::POST, "/blockfqdn", Role::Responder, post(block_fqdn))
        .add_both(Method::POST, "/watchitem", Role::Responder, post(watch_item))
        .add_both(Method::POST, "/ipwhois", Role::Viewer, post(ip_whois))
        .add_both(Method::POST, "/ipdshieldquery", Role::Viewer, post(ip_dshield))
        .add_both(Method::GET, "/plugins", Role::Viewer, get(plugins))
        .add(Method::GET, "/plugins/{endpoint}", Role::Viewer, get(plugins_for))
        .add_both(Method::POST, "/incident", Role::Responder, post(incident))
        .add_both(Method::POST, "/alertstatus", Role::Responder, post(alert_status))
        .add_both(Method::GET, "/alerttriagechain", Role::Viewer, get(triage_chain))
        .add_both(Method::POST, "/alerttriagechain", Role::Responder, post(create_triage_chain))
        .add_both(Method::PUT, "/alerttriagechain", Role::Responder, put(extend_triage_chain))
        .add_both(Method::DELETE, "/alerttriagechain", Role::Responder, delete(delete_triage_chain))
}

/// `GET /api/test`: 200, empty.
async fn test() -> StatusCode {
    StatusCode::OK
}

/// `GET /api/getwatchlist`: the active watched terms, newest first (expired ones pruned).
async fn get_watchlist(State(state): State<ApiState>) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(records(&state)?.watchlist_terms().await?))
}

/// `GET /api/veris`: `[{dateOpened, tags, phase}]`, one row per tag of each tagged incident.
async fn veris(State(state): State<ApiState>) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(records(&state)?.veris_pivot().await?))
}

/// `GET /api/kibanadashboards`: `[{name, id}]` of the OpenSearch Dashboards dashboards
/// (`[]` on the embedded store).
async fn kibana_dashboards(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let dashboards = state.store.dashboards().await?;
    Ok(Json(json!(dashboards.iter().map(|d| json!({"name": d.name, "id": d.id})).collect::<Vec<_>>())))
}

/// A list entry's answer, with MozDef's `X-PLUGIN` header naming the plugin that acted.
async fn add_entry(state: &ApiState, kind: WatchKind, identity: &Identity, body: Body) -> Result<Response, ApiError> {
    let body = json_body(body).await?;
    let record = records(state)?.add_watch_entry(kind, &body, &identity.email).await?;
    let mut response = Json(render(&record)).into_response();
    response.headers_mut().insert("X-PLUGIN", HeaderValue::from_static(kind.plugin()));
    Ok(response)
}

/// `POST /api/blockip`: MozDef's list-of-single-key-objects body (or a plain object):
/// `ipaddress`, `duration`, `comment`, `referenceid`.
async fn block_ip(State(state): State<ApiState>, identity: Identity, body: Body) -> Result<Response, ApiError> {
    add_entry(&state, WatchKind::Ip, &identity, body).await
}

/// `POST /api/blockfqdn`: `fqdn`, `duration`, `comment`, `referenceid`.
async fn block_fqdn(State(state): State<ApiState>, identity: Identity, body: Body) -> Result<Response, ApiError> {
    add_entry(&state, WatchKind::Fqdn, &identity, body).await
}

/// `POST /api/watchitem`: `watchcontent`, `duration`, `comment`, `referenceid`.
async fn watch_item(State(state): State<ApiState>, identity: Identity, body: Body) -> Result<Response, ApiError> {
    add_entry(&state, WatchKind::Watch, &identity, body).await
}

/// `{"ipaddress": "<address>"}` of the lookups.
async fn lookup_address(body: Body) -> Result<IpAddr, ApiError> {
    let body = json_body(body).await?;
    let text = body
        .get("ipaddress")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("ipaddress: is required (a string)"))?;
    text.trim().parse().map_err(|_| ApiError::bad_request(format!("ipaddress: {text:?} is not an IP address")))
}

fn lookups(state: &ApiState) -> Result<&crate::lookups::Lookups, ApiError> {
    state.lookups.as_deref().ok_or_else(|| ApiError::Unavailable("outbound lookups are not configured here".into()))
}

/// `POST /api/ipwhois`: registration data of a public address (RDAP), with its `fqdn`.
async fn ip_whois(State(state): State<ApiState>, body: Body) -> Result<Json<Value>, ApiError> {
    let ip = lookup_address(body).await?;
    Ok(Json(lookups(&state)?.ipwhois(ip).await?))
}

/// `POST /api/ipdshieldquery`: DShield's view of an address; its status passed through.
async fn ip_dshield(State(state): State<ApiState>, body: Body) -> Result<Response, ApiError> {
    let ip = lookup_address(body).await?;
    let (status, value) = lookups(&state)?.dshield(ip).await?;
    Ok((status, Json(value)).into_response())
}

/// MozDef's REST plugins, as `/plugins` lists them: the three that do the lists' work.
fn plugin_list() -> Vec<Value> {
    [
        (WatchKind::Ip, "blockip", "Adds an IP address or network to the blocklist (refusing loopback, private, reserved and whitelisted networks)"),
        (WatchKind::Fqdn, "blockfqdn", "Adds a domain name to the FQDN blocklist"),
        (WatchKind::Watch, "watchitem", "Adds a term to the watchlist of the get_watchlist alert"),
    ]
    .iter()
    .map(|(kind, endpoint, description)| {
        json!({"file": format!("plugins.{}", kind.plugin()), "name": kind.plugin(), "description": description, "registration": [endpoint], "priority": 10})
    })
    .collect()
}

/// `GET /api/plugins`.
async fn plugins() -> Json<Vec<Value>> {
    Json(plugin_list())
}

/// `GET /api/plugins/{endpoint}`: those registered for one endpoint.
async fn plugins_for(Path(endpoint): Path<String>) -> Json<Vec<Value>> {
    Json(
        plugin_list()
            .into_iter()
            .filter(|p| p["registration"].as_array().is_some_and(|r| r.iter().any(|e| e == endpoint.as_str())))
            .collect(),
    )
}

/// `POST /api/incident`: MozDef's incident body → `{"status": "success", "message":
/// "Incident: <summary> added.", "id"}`.
async fn incident(State(state): State<ApiState>, identity: Identity, body: Body) -> Result<Json<Value>, ApiError> {
    let body = json_body(body).await?;
    let record = records(&state)?.create_mozdef_incident(&body, &identity.email).await?;
    let summary = record.data.get("summary").and_then(Value::as_str).unwrap_or_default();
    Ok(Json(json!({"status": "success", "message": format!("Incident: {summary} added."), "id": record.id})))
}

/// `POST /api/alertstatus`: `{alert, status, user: {email, slack}, identityConfidence,
/// response}` → `{"error": null}`.
async fn alert_status(State(state): State<ApiState>, identity: Identity, body: Body) -> Result<Json<Value>, ApiError> {
    let body = json_body(body).await?;
    records(&state)?.alert_status(&body, &identity.email).await?;
    Ok(Json(json!({"error": null})))
}

/// `?alert=<label>&user=<email>` of `GET /api/alerttriagechain`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainParams {
    alert: Option<String>,
    user: Option<String>,
}

/// `GET /api/alerttriagechain?alert=&user=`: `{error, identifiers, created, modified}`;
/// MozDef's 200 with an error message when there is no chain.
async fn triage_chain(
    State(state): State<ApiState>,
    Query(params): Query<ChainParams>,
) -> Result<Json<Value>, ApiError> {
    let alert = params.alert.filter(|a| !a.is_empty()).ok_or_else(|| ApiError::bad_request("alert: is required"))?;
    let user = params.user.filter(|u| !u.is_empty()).ok_or_else(|| ApiError::bad_request("user: is required"))?;
    Ok(Json(match records(&state)?.triage_chain(&alert, &user).await? {
        Some(chain) => json!({
            "error": null,
            "identifiers": chain.data.get("identifiers").cloned().unwrap_or_else(|| json!([])),
            "created": chain.data.get("chainCreated"),
            "modified": chain.data.get("chainModified"),
            "version": chain.version,
        }),
        None => {
            json!({"error": format!("no duplicate chain for alert {alert:?} and user {user:?}"), "identifiers": [], "created": null, "modified": null})
        }
    }))
}

async fn create_triage_chain(
    State(state): State<ApiState>,
    identity: Identity,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body).await?;
    records(&state)?.create_triage_chain(&body, &identity.email).await?;
    Ok(Json(json!({"error": null})))
}

async fn extend_triage_chain(
    State(state): State<ApiState>,
    identity: Identity,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body).await?;
    records(&state)?.extend_triage_chain(&body, &identity.email).await.map_err(|e| match ApiError::from(e) {
        // MozDef: extending a chain that is not there is the client's mistake (400).
        ApiError::NotFound(m) => ApiError::bad_request(format!("alert: {m}")),
        other => other,
    })?;
    Ok(Json(json!({"error": null})))
}

async fn delete_triage_chain(
    State(state): State<ApiState>,
    identity: Identity,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body).await?;
    records(&state)?.delete_triage_chain(&body, &identity.email).await?;
    Ok(Json(json!({"error": null})))
}
