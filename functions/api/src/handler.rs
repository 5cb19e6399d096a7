//! The function's HTTP application: MozDef's REST router (the one `mozdef dev` serves under
//! `/api`) behind the claims check. `lambda_http` turns each API Gateway payload (2.0) into a
//! request for it and its answer into the payload's response.

use std::sync::Arc;

use axum::Router;
use mozdef_api::ApiState;

use crate::claims::{RequiredClaims, require};

/// The REST router over `state`, every route behind `claims`.
pub fn app(state: ApiState, claims: RequiredClaims) -> Router {
    mozdef_api::api_router(state).layer(axum::middleware::from_fn_with_state(Arc::new(claims), require))
}
