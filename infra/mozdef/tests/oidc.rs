//! `mozdef dev` and authentication, as processes: without OIDC settings it serves the REST
//! API only on a loopback address (and refuses to start otherwise, naming the flags); with
//! `--oidc-issuer` and `--oidc-audience` (a real issuer run by the test) it requires bearer
//! tokens and enforces roles, while loginput stays a matter of shipper tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../../../shared/api/tests/issuer/mod.rs"]
mod issuer;

use std::process::{Command, Stdio};

use common::{client, free_port, start_with};
use issuer::{AUDIENCE, KEYS, TestIssuer, jwks};
use serde_json::{Value, json};

#[test]
fn an_open_api_on_a_network_address_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mozdef"))
        .args(["dev", "--listen", &format!("0.0.0.0:{}", free_port()), "--data-dir"])
        // The web UI is the browser tests' business (scripts/test-web): never build it here.
        .env("MOZDEF_WEB_BUILD", "never")
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--oidc-issuer"), "the refusal names the flags: {stderr}");
}

#[tokio::test]
async fn with_oidc_the_api_requires_tokens_and_roles() {
    let issuer = TestIssuer::start(jwks(&[&KEYS.ec])).await;
    let dir = tempfile::tempdir().unwrap();
    let server =
        start_with(dir.path(), free_port(), &["--oidc-issuer", &issuer.url, "--oidc-audience", AUDIENCE]).await;
    let http = client();
    let token =
        |group: &str| issuer.token(&KEYS.ec, json!({"groups": [group], "email": format!("{group}@example.com")}));
    let api = |path: &str| format!("{}/api{path}", server.base);

    let r = http.get(api("/status")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let r = http.get(api("/me")).bearer_auth(token("viewer")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"email": "viewer@example.com", "role": "viewer"}));
    let incident = json!({"summary": "from a responder"});
    let r = http.post(api("/incidents")).bearer_auth(token("viewer")).json(&incident).send().await.unwrap();
    assert_eq!(r.status(), 403, "a viewer may not open incidents");
    let r = http.post(api("/incidents")).bearer_auth(token("responder")).json(&incident).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["creator"], "responder@example.com");
    let r = http
        .post(api("/shippertokens"))
        .bearer_auth(token("responder"))
        .json(&json!({"name": "web1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "shipper tokens are for admins");
    let r = http
        .post(api("/shippertokens"))
        .bearer_auth(token("admin"))
        .json(&json!({"name": "web1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().starts_with("mzd_"));
    let r = http.get(api("/me")).bearer_auth(token("staff")).send().await.unwrap();
    assert_eq!(r.status(), 403, "a token without a MozDef group");
    // loginput is not the REST API: shippers need no OIDC token.
    let r = http.post(format!("{}/events", server.base)).json(&json!({"summary": "x"})).send().await.unwrap();
    assert!(r.status().is_success());
}
