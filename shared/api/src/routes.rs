//! The REST API's route table: every route is added with its method, path and the least
//! role that may call it, so one list serves three purposes — the router, the role check in
//! front of each handler, and the test that holds the OpenAPI document to the router
//! (`GET /api/openapi.json` documents exactly these routes).

use axum::Router;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

use crate::ApiState;
use crate::auth::{Identity, Role};

/// One route of the REST API, as documented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDoc {
    /// The HTTP method.
    pub method: Method,
    /// The path under `/api`, in OpenAPI's template form (`/incidents/{id}`).
    pub path: &'static str,
    /// The least role that may call it.
    pub role: Role,
}

/// The router being built and its table.
pub(crate) struct Routes {
    router: Router<ApiState>,
    table: Vec<RouteDoc>,
}

impl Routes {
    pub(crate) fn new() -> Self {
        Routes { router: Router::new(), table: Vec::new() }
    }

    /// Adds `handler` (one method's router, e.g. `get(list)`) at `path` for callers with at
    /// least `role`. (MozDef's routes answer with and without a trailing slash: [`Routes::add_both`].)
    pub(crate) fn add(
        mut self,
        method: Method,
        path: &'static str,
        role: Role,
        handler: MethodRouter<ApiState>,
    ) -> Self {
        let guarded = handler.route_layer(from_fn(move |request: Request, next: Next| require(role, request, next)));
        self.router = self.router.route(path, guarded);
        self.table.push(RouteDoc { method, path, role });
        self
    }

    /// [`Routes::add`], at `path` and at `path/` (MozDef's routes take both).
    pub(crate) fn add_both(
        self,
        method: Method,
        path: &'static str,
        role: Role,
        handler: MethodRouter<ApiState>,
    ) -> Self {
        let slashed: &'static str = Box::leak(format!("{path}/").into_boxed_str());
        self.add(method.clone(), path, role, handler.clone()).add(method, slashed, role, handler)
    }

    /// Both tables and routers together.
    pub(crate) fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    pub(crate) fn into_parts(self) -> (Router<ApiState>, Vec<RouteDoc>) {
        (self.router, self.table)
    }
}

/// Lets the request through when its identity has `role`; 401 without an identity, 403
/// without the role.
async fn require(role: Role, request: Request, next: Next) -> Response {
    let allowed = match request.extensions().get::<Identity>() {
        Some(identity) => identity.require(role),
        None => Err(crate::ApiError::Unauthorized("no identity".into())),
    };
    match allowed {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}
