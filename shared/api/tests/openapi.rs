//! The OpenAPI document (`shared/api/openapi.json`) held to the router: it is OpenAPI 3.1,
//! documents exactly the routes of [`mozdef_api::api_routes`] (every difference reported at
//! once), each with the table's role as `x-mozdef-role`; every `$ref` resolves inside the
//! document, operation ids are unique, every path template's `{param}` has its path
//! parameter, every operation has a summary, declared tags and a success response; and
//! `GET /api/openapi.json` serves that same document.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use mozdef_api::{ApiState, api_router, api_routes, openapi};
use mozdef_model::SystemClock;
use mozdef_store::EventStore;
use mozdef_store_embedded::{EmbeddedStore, SqliteSchedules};
use serde_json::{Map, Value};
use tower::ServiceExt;

/// The HTTP methods an OpenAPI path item can hold.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn document() -> Value {
    serde_json::from_str(openapi::DOCUMENT).expect("shared/api/openapi.json is JSON")
}

/// Every operation of the document: `(method, path) -> operation`.
fn operations(doc: &Value) -> BTreeMap<(String, String), &Value> {
    let paths = doc["paths"].as_object().expect("the document has paths");
    let mut out = BTreeMap::new();
    for (path, item) in paths {
        let item = item.as_object().unwrap_or_else(|| panic!("path item {path} is an object"));
        for (key, operation) in item {
            if METHODS.contains(&key.as_str()) {
                out.insert((key.clone(), path.clone()), operation);
            }
        }
    }
    out
}

/// Follows a local `$ref` (`#/components/...`), if `value` is one.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("{reference} is not local"));
            doc.pointer(pointer).unwrap_or_else(|| panic!("{reference} does not resolve"))
        }
        None => value,
    }
}

/// Every `$ref` in `value`, with where it is.
fn collect_refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    out.push((at.to_owned(), child.as_str().unwrap_or_default().to_owned()));
                } else {
                    collect_refs(child, &format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The `{name}`s of a path template.
fn template_params(path: &str) -> BTreeSet<String> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(name, _)| name.to_owned()).collect()
}

#[test]
fn the_document_is_openapi_3_1_and_documents_exactly_the_route_table() {
    let doc = document();
    let version = doc["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3.1"), "openapi is {version:?}, not 3.1");
    assert_eq!(doc["servers"][0]["url"], "/api", "paths are written under the /api server");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string(), "info names the API");

    let table: BTreeMap<(String, String), &'static str> =
        api_routes().iter().map(|r| ((r.method.as_str().to_lowercase(), r.path.to_owned()), r.role.as_str())).collect();
    assert_eq!(table.len(), api_routes().len(), "the route table lists no route twice");
    let documented = operations(&doc);

    let missing: Vec<String> = table
        .keys()
        .filter(|k| !documented.contains_key(*k))
        .map(|(m, p)| format!("{} {p}", m.to_uppercase()))
        .collect();
    let extra: Vec<String> = documented
        .keys()
        .filter(|k| !table.contains_key(*k))
        .map(|(m, p)| format!("{} {p}", m.to_uppercase()))
        .collect();
    let wrong_roles: Vec<String> = table
        .iter()
        .filter_map(|(key, role)| {
            let documented = documented.get(key)?.get("x-mozdef-role");
            (documented != Some(&Value::from(*role))).then(|| {
                format!("{} {}: x-mozdef-role {documented:?}, the table says {role:?}", key.0.to_uppercase(), key.1)
            })
        })
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && wrong_roles.is_empty(),
        "openapi.json and api_routes() differ:\n  routes not documented: {missing:#?}\n  documented operations \
         that are not routes: {extra:#?}\n  roles that differ: {wrong_roles:#?}"
    );
}

#[test]
fn every_operation_is_complete_and_every_reference_resolves() {
    let doc = document();
    let mut problems = Vec::new();

    let mut refs = Vec::new();
    collect_refs(&doc, "#", &mut refs);
    assert!(!refs.is_empty(), "the document shares its schemas through $ref");
    for (at, reference) in &refs {
        match reference.strip_prefix('#') {
            Some(pointer) if doc.pointer(pointer).is_some() => {}
            _ => problems.push(format!("{at}: $ref {reference:?} does not resolve inside the document")),
        }
    }

    let declared_tags: BTreeSet<&str> =
        doc["tags"].as_array().into_iter().flatten().filter_map(|t| t["name"].as_str()).collect();
    let mut ids: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for ((method, path), operation) in operations(&doc) {
        let name = format!("{} {path}", method.to_uppercase());
        match operation.get("operationId").and_then(Value::as_str) {
            Some(id) => ids.entry(id).or_default().push(name.clone()),
            None => problems.push(format!("{name}: no operationId")),
        }
        if operation.get("summary").and_then(Value::as_str).is_none_or(str::is_empty) {
            problems.push(format!("{name}: no summary"));
        }
        let tags = operation.get("tags").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        if tags.is_empty() {
            problems.push(format!("{name}: no tags"));
        }
        for tag in tags.iter().filter(|t| !t.as_str().is_some_and(|t| declared_tags.contains(t))) {
            problems.push(format!("{name}: tag {tag} is not declared in the top-level tags"));
        }
        let responses = operation.get("responses").and_then(Value::as_object);
        if !responses.is_some_and(|r| r.keys().any(|status| status.starts_with('2'))) {
            problems.push(format!("{name}: no success response"));
        }

        // Path parameters: the path item's and the operation's, the operation's winning.
        let mut declared: BTreeMap<(String, String), &Value> = BTreeMap::new();
        let empty = Vec::new();
        let item_params = doc["paths"][&path].get("parameters").and_then(Value::as_array).unwrap_or(&empty);
        let operation_params = operation.get("parameters").and_then(Value::as_array).unwrap_or(&empty);
        for parameter in item_params.iter().chain(operation_params) {
            let parameter = resolve(&doc, parameter);
            let key = (
                parameter["in"].as_str().unwrap_or_default().to_owned(),
                parameter["name"].as_str().unwrap_or_default().to_owned(),
            );
            declared.insert(key, parameter);
        }
        let in_path: BTreeMap<&str, &Value> =
            declared.iter().filter(|((place, _), _)| place == "path").map(|((_, n), p)| (n.as_str(), *p)).collect();
        let wanted = template_params(&path);
        for param in &wanted {
            match in_path.get(param.as_str()) {
                Some(p) if p.get("required") == Some(&Value::Bool(true)) => {}
                Some(_) => problems.push(format!("{name}: path parameter {param:?} is not required: true")),
                None => problems.push(format!("{name}: no `in: path` parameter {param:?}")),
            }
        }
        for param in in_path.keys().filter(|p| !wanted.contains(**p)) {
            problems.push(format!("{name}: path parameter {param:?} is not in the template"));
        }
    }
    for (id, names) in ids.iter().filter(|(_, names)| names.len() > 1) {
        problems.push(format!("operationId {id:?} is used by {names:?}"));
    }

    let schemes = doc["components"]["securitySchemes"].as_object().map(Map::len).unwrap_or_default();
    if schemes == 0 {
        problems.push("no components.securitySchemes".to_owned());
    }
    for requirement in doc["security"].as_array().into_iter().flatten() {
        for scheme in requirement.as_object().into_iter().flat_map(Map::keys) {
            if doc["components"]["securitySchemes"].get(scheme).is_none() {
                problems.push(format!("security names {scheme:?}, which components.securitySchemes lacks"));
            }
        }
    }
    if doc["security"].as_array().is_none_or(Vec::is_empty) {
        problems.push("no global security requirement".to_owned());
    }
    assert!(problems.is_empty(), "openapi.json has {} problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn the_api_serves_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let schedules = Arc::new(SqliteSchedules::open(&dir.path().join("mozdef.sqlite")).unwrap());
    let state = ApiState::new(store, schedules, Arc::new(SystemClock));
    let request = Request::builder().uri("/api/openapi.json").body(Body::empty()).unwrap();
    let response = api_router(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "content type {content_type:?}");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let served: Value = serde_json::from_slice(&body).expect("the answer is JSON");
    assert_eq!(served, document(), "GET /api/openapi.json serves shared/api/openapi.json");
}
