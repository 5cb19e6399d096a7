//! The pull collectors in a running `mozdef dev`, end to end: a `collectors.json` in the data
//! directory names an Auth0 tenant, a Duo account and an Okta org, all three loopback stubs
//! answering as the providers document (secrets in `<data-dir>/secrets/`). The collectors run
//! at start; their events go through the write-ahead log and the whole pipeline (GeoIP with a
//! synthetic database), and MozDef's own alerts fire on them: Auth0's bruteforce, Duo's fraud
//! report and GeoModel's impossible travel. The Okta org refuses the token: no heartbeat, so
//! that source's silence alert fires while the others' do not. A restart resumes from the
//! saved cursors (the stubs see `from=<last log id>`) and stores nothing twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, SecondsFormat, Utc};
use common::{client, free_port, search, start_with, wait_for};
use serde_json::{Value, json};

/// What the stubs were asked.
#[derive(Default)]
struct Seen {
    auth0_queries: Vec<String>,
}

type Shared = Arc<Mutex<Seen>>;

fn at(minutes_ago: i64) -> String {
    (Utc::now() - Duration::minutes(minutes_ago)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Auth0 log events (Management API shape): three wrong passwords for alice, and bob signing
/// in from London and, five minutes later, from Changchun.
fn auth0_logs() -> Value {
    let log = |id: &str, kind: &str, minutes_ago: i64, user: &str, ip: &str, description: &str| {
        json!({"date": at(minutes_ago), "type": kind, "description": description, "connection": "Username-Password-Authentication",
               "client_id": "AaiyAPdpYdesoKnqjj8HJqRn4T5titww", "client_name": "Intranet", "ip": ip,
               "user_agent": "Firefox 133.0.0 / Linux 0.0.0", "user_id": format!("auth0|{user}"), "user_name": user,
               "log_id": id, "details": {}})
    };
    json!([
        log(
            "90020261207000000000000000000000000000000000000000000001",
            "fp",
            12,
            "alice@example.com",
            "203.0.113.7",
            "Wrong email or password."
        ),
        log(
            "90020261207000000000000000000000000000000000000000000002",
            "fp",
            11,
            "alice@example.com",
            "203.0.113.8",
            "Wrong email or password."
        ),
        log("90020261207000000000000000000000000000000000000000000003", "s", 10, "bob@example.com", "81.2.69.160", ""),
        log("90020261207000000000000000000000000000000000000000000004", "s", 5, "bob@example.com", "175.16.199.10", ""),
    ])
}

async fn auth0_token() -> Json<Value> {
    Json(json!({"access_token": "stub-token", "expires_in": 86400, "token_type": "Bearer"}))
}

async fn auth0_logs_route(State(seen): State<Shared>, Query(query): Query<Vec<(String, String)>>) -> Json<Value> {
    let text: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    seen.lock().unwrap().auth0_queries.push(text.join("&"));
    // By checkpoint after the last log: nothing newer.
    if query.iter().any(|(k, _)| k == "from") { Json(json!([])) } else { Json(auth0_logs()) }
}

/// Duo's v2 authentication log: a push the user marked as fraud.
async fn duo_authlogs() -> Json<Value> {
    let now = Utc::now().timestamp();
    Json(json!({"stat": "OK", "response": {"authlogs": [{
        "access_device": {"browser": "Chrome", "hostname": null, "ip": "198.51.100.77",
                          "location": {"city": "Ann Arbor", "country": "United States", "state": "Michigan"}, "os": "Mac OS X"},
        "alias": "", "application": {"key": "DIY231J8BR23QK4UKBY8", "name": "Microsoft Azure Active Directory"},
        "auth_device": {"ip": "192.0.2.10", "location": {"city": "Ann Arbor", "country": "United States", "state": "Michigan"},
                        "name": "My iPhone X (734-555-2342)"},
        "email": "carol@example.com", "event_type": "authentication", "factor": "duo_push",
        "isotimestamp": chrono::DateTime::from_timestamp(now - 600, 0).unwrap().to_rfc3339(), "reason": "user_marked_fraud",
        "result": "fraud", "timestamp": now - 600, "txid": "340a23e3-23f3-4c2c-9d5d-5a1b3b8e9f10",
        "user": {"groups": ["Duo Users"], "key": "DU3KC77WJ06Y5HIV7XKQ", "name": "carol"}}],
        "metadata": {"next_offset": null, "total_objects": 1}}}))
}

async fn okta_refused() -> (StatusCode, Json<Value>) {
    (StatusCode::UNAUTHORIZED, Json(json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided"})))
}

async fn stubs(seen: Shared) -> String {
    let app = Router::new()
        .route("/auth0/oauth/token", post(auth0_token))
        .route("/auth0/api/v2/logs", get(auth0_logs_route))
        .route("/duo/admin/v2/logs/authentication", get(duo_authlogs))
        .route("/okta/api/v1/logs", get(okta_refused))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn configure(data_dir: &Path, stub: &str) {
    let sources = json!({"sources": [
        {"name": "auth0", "provider": "auth0", "secret": "auth0-client-secret",
         "settings": {"domain": "example.auth0.com", "client_id": "AaiyAPdpYdesoKnqjj8HJqRn4T5titww", "base_url": format!("{stub}/auth0")}},
        {"name": "duo", "provider": "duo", "secret": "duo-secret-key",
         "settings": {"api_host": "api-1a2b3c4d.duosecurity.com", "integration_key": "DIWJ8X6AEYOR5OMC6TQ1",
                      "logs": ["authentication"], "base_url": format!("{stub}/duo")}},
        {"name": "okta", "provider": "okta", "secret": "okta-api-token",
         "settings": {"domain": "example.okta.com", "base_url": format!("{stub}/okta")}}
    ]});
    std::fs::create_dir_all(data_dir.join("secrets")).unwrap();
    std::fs::write(data_dir.join("collectors.json"), sources.to_string()).unwrap();
    std::fs::write(data_dir.join("secrets/auth0-client-secret"), "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n")
        .unwrap();
    std::fs::write(data_dir.join("secrets/duo-secret-key"), "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep").unwrap();
    std::fs::write(data_dir.join("secrets/okta-api-token"), "00QCjAl4MlV-WPXM-expired-token").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collected_events_raise_mozdefs_identity_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let db = dir.path().join("GeoLite2-City-Test.mmdb");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/make-test-geoip");
    let made = Command::new("python3").arg(&script).arg("--city").arg(&db).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let seen: Shared = Arc::default();
    let stub = stubs(seen.clone()).await;
    configure(&data, &stub);
    let port = free_port();
    let geoip = ["--geoip", db.to_str().unwrap(), "--alerts-paused"];
    let server = start_with(&data, port, &geoip).await;
    let http = client();

    let auth0 = wait_for(&http, &server.base, "tags:auth0", 4).await;
    assert_eq!(auth0.len(), 4, "{auth0:?}");
    let duo = wait_for(&http, &server.base, "tags:duosecurity", 1).await;
    assert_eq!(duo.len(), 1, "{duo:?}");
    let heartbeats = wait_for(&http, &server.base, "category:collector", 2).await;
    let beating: Vec<&str> = heartbeats.iter().filter_map(|h| h["_source"]["details"]["collector"].as_str()).collect();
    assert!(beating.contains(&"auth0") && beating.contains(&"duo") && !beating.contains(&"okta"), "{beating:?}");
    let bob = search(&http, &server.base, "details.username:\"bob@example.com\"").await;
    assert_eq!(
        bob["hits"][0]["_source"]["details"]["sourceipgeolocation"]["country_code"]
            .as_str()
            .map(|c| c == "GB" || c == "CN"),
        Some(true),
        "GeoIP ran on the collected events: {bob}"
    );

    let run = |names: Value| {
        let (http, url) = (http.clone(), format!("{}/api/alerts/run", server.base));
        async move { http.post(url).json(&json!({"names": names})).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let summaries = |ran: &Value| -> Vec<String> {
        ran["runs"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["alerts"].as_array().cloned().unwrap_or_default())
            .map(|a| a["_source"]["summary"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let ran = run(json!(["auth0_bruteforce_user", "duo_authfail", "geomodel_location"])).await;
    let raised = summaries(&ran);
    assert!(
        raised.contains(
            &"Auth0 Username/Password Bruteforce Attack in Progress against user (alice@example.com) from the following source ip(s): 203.0.113.7, 203.0.113.8"
                .to_owned()
        ),
        "{ran:#}"
    );
    assert!(
        raised.contains(
            &"Duo Authentication Failure: user carol rejected and marked a Duo Authentication attempt from 198.51.100.77 as fraud"
                .to_owned()
        ),
        "{ran:#}"
    );
    assert!(
        raised.iter().any(|s| s.starts_with("bob@example.com seen in London,GB then Changchun,CN (")),
        "GeoModel's impossible travel: {ran:#}"
    );

    let silence = run(json!(["collector_silence.AlertDeadmanGeneric"])).await;
    assert_eq!(
        summaries(&silence),
        ["Deadman check failed for 'collector okta' the past 60 minutes"],
        "only the source that never succeeded: {silence:#}"
    );
    drop(server);

    // A restart: each source resumes from its cursor; nothing is stored twice.
    let server = start_with(&data, port, &geoip).await;
    let heartbeats = wait_for(&http, &server.base, "category:collector AND details.collector:auth0", 2).await;
    assert_eq!(heartbeats.len(), 2, "a second run of auth0");
    let queries = seen.lock().unwrap().auth0_queries.clone();
    let last = "from=90020261207000000000000000000000000000000000000000000004";
    assert!(queries.last().is_some_and(|q| q.contains(last)), "resumed by checkpoint: {queries:?}");
    assert_eq!(search(&http, &server.base, "tags:auth0").await["hits"].as_array().map(Vec::len), Some(4));
}
