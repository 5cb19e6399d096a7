//! Every route of the REST API, by each role, through a real OIDC issuer: the route table's
//! role is enforced (a lower role gets 403, the role itself and higher ones get past the
//! check), no token is a 401 everywhere, and a token without a MozDef group is a 403.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod issuer;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use issuer::*;
use mozdef_api::auth::{Authentication, Role};
use mozdef_api::{ApiState, api_router, api_routes};
use mozdef_model::SystemClock;
use mozdef_service::records::{Records, Whitelists};
use mozdef_store::EventStore;
use mozdef_store_embedded::{EmbeddedStore, SqliteRecords, SqliteSchedules};
use serde_json::json;
use tower::ServiceExt;

#[tokio::test]
async fn every_route_admits_its_role_and_above_and_refuses_the_rest() {
    let issuer = TestIssuer::start(jwks(&[&KEYS.ec])).await;
    let verifier = Arc::new(issuer.verifier().await);
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("mozdef.sqlite");
    let store: Arc<dyn EventStore> = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let clock = Arc::new(SystemClock);
    let records = Records::new(
        Arc::new(SqliteRecords::open(&database).unwrap()),
        store.clone(),
        clock.clone(),
        Whitelists::default(),
    );
    let state = ApiState {
        records: Some(records),
        authentication: Authentication::Oidc(verifier),
        ..ApiState::new(store, Arc::new(SqliteSchedules::open(&database).unwrap()), clock)
    };
    let app = api_router(state);
    let token =
        |group: &str| issuer.token(&KEYS.ec, json!({"groups": [group], "email": format!("{group}@example.com")}));
    let tokens =
        [(Role::Viewer, token("viewer")), (Role::Responder, token("responder")), (Role::Admin, token("admin"))];
    let stranger = token("staff");
    let routes = api_routes();
    assert!(routes.len() > 60, "the table lists every route: {}", routes.len());
    for route in &routes {
        let path = format!(
            "/api{}",
            route
                .path
                .replace("{id}", "x")
                .replace("{collection}", "incidents")
                .replace("{name}", "x")
                .replace("{endpoint}", "blockip")
        );
        let call = |authorization: Option<&str>| {
            let mut request = Request::builder().method(route.method.clone()).uri(&path);
            if let Some(token) = authorization {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            app.clone().oneshot(request.body(Body::from("{}")).unwrap())
        };
        let status = call(None).await.unwrap().status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{} {path} without a token", route.method);
        let status = call(Some(&stranger)).await.unwrap().status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{} {path} with no MozDef group", route.method);
        for (role, token) in &tokens {
            let status = call(Some(token)).await.unwrap().status();
            if *role >= route.role {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{} {path} must admit a {role}: {status}",
                    route.method
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{} {path} must refuse a {role}", route.method);
            }
        }
    }
}
