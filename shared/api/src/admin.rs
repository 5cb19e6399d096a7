//! Admin routes under `/api`: loginput's shipper tokens (create — the secret shown once —,
//! list, revoke), the same operations as `mozdef token`.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use mozdef_service::ShipperTokens;
use mozdef_service::shipper_tokens::TokenError;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Role;
use crate::records::json_body;
use crate::routes::Routes;
use crate::{ApiError, ApiState};

/// The admin routes, to be nested under `/api`.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .add(Method::GET, "/shippertokens", Role::Admin, get(list_tokens))
        .add(Method::POST, "/shippertokens", Role::Admin, post(create_token))
        .add(Method::DELETE, "/shippertokens/{name}", Role::Admin, delete(revoke_token))
}

fn tokens(state: &ApiState) -> Result<&ShipperTokens, ApiError> {
    state
        .shipper_tokens
        .as_deref()
        .ok_or_else(|| ApiError::Unavailable("no shipper token store is configured here".into()))
}

fn token_error(e: TokenError) -> ApiError {
    match e {
        TokenError::Store(e) => e.into(),
        TokenError::Random => ApiError::Unavailable(e.to_string()),
        TokenError::NotFound(_) => ApiError::NotFound(e.to_string()),
        TokenError::NameInUse(ref name) => {
            ApiError::Conflict { message: e.to_string(), current: Box::new(serde_json::json!({"name": name})) }
        }
        other => ApiError::bad_request(format!("name: {other}")),
    }
}

fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    mozdef_service::records::fields::timestamp(t)
}

/// `GET /api/shippertokens`: every token, active and revoked, without secrets.
async fn list_tokens(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let tokens = tokens(&state)?.list().await.map_err(token_error)?;
    let rendered: Vec<Value> = tokens
        .iter()
        .map(|t| json!({"name": t.name, "created": time(&t.created), "revokedAt": t.revoked_at.as_ref().map(time), "active": t.is_active()}))
        .collect();
    Ok(Json(json!({"tokens": rendered})))
}

/// The body of `POST /api/shippertokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTokenBody {
    name: String,
}

/// `POST /api/shippertokens` `{"name"}`: a new token; its secret is in this answer only.
async fn create_token(State(state): State<ApiState>, body: Body) -> Result<Response, ApiError> {
    let body = json_body(body).await?;
    let request: NewTokenBody =
        serde_json::from_value(body).map_err(|e| ApiError::bad_request(format!("name: {e}")))?;
    let token = tokens(&state)?.create(&request.name).await.map_err(token_error)?;
    let answer = json!({"name": token.name, "secret": token.secret, "created": time(&token.created)});
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `DELETE /api/shippertokens/{name}`: revokes the shipper's active tokens.
async fn revoke_token(State(state): State<ApiState>, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let revoked = tokens(&state)?.revoke(&name).await.map_err(token_error)?;
    if revoked == 0 {
        return Err(ApiError::NotFound(format!("no active shipper token named {name:?}")));
    }
    Ok(Json(json!({"name": name, "revoked": revoked})))
}
