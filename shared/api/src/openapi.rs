//! `GET /api/openapi.json`: the OpenAPI 3.1 document of every REST route
//! (`shared/api/openapi.json`, written by hand and held to the router by
//! `shared/api/tests/openapi.rs`: every route documented, no documented route missing, each
//! with the role it needs as `x-mozdef-role`).

use std::sync::OnceLock;

use axum::Json;
use axum::http::Method;
use axum::routing::get;
use serde_json::Value;

use crate::ApiError;
use crate::auth::Role;
use crate::routes::Routes;

/// The document's text.
pub const DOCUMENT: &str = include_str!("../openapi.json");

/// The OpenAPI route, to be nested under `/api`.
pub(crate) fn routes() -> Routes {
    Routes::new().add(Method::GET, "/openapi.json", Role::Viewer, get(openapi))
}

/// The parsed document.
pub fn document() -> Result<&'static Value, ApiError> {
    static PARSED: OnceLock<Result<Value, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| serde_json::from_str(DOCUMENT).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ApiError::Unavailable(format!("the OpenAPI document does not parse: {e}")))
}

async fn openapi() -> Result<Json<Value>, ApiError> {
    Ok(Json(document()?.clone()))
}
