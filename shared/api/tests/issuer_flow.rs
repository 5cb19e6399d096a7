//! The interactive test issuer (`issuer/flow.rs`, served as a process by the `oidc_issuer`
//! example for the web UI's browser tests), run in-process and driven over HTTP with reqwest:
//! discovery and CORS; the login form (escaped) and its answer; the code exchange with PKCE
//! (a wrong verifier, a reused, expired or misdirected code refused); the access token
//! accepted by the real `OidcVerifier` with the email and role, the id token for the client;
//! userinfo; refresh, and refresh refused after /test/revoke; /test/lifetime and
//! /test/stats; bad authorization requests refused; auto-login; logout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod issuer;

#[path = "issuer/flow.rs"]
mod flow;

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flow::{CLIENT_ID, FlowConfig, FlowIssuer, Login, encode_form, pkce_challenge};
use issuer::AUDIENCE;
use mozdef_api::auth::{AuthError, Identity, Role};
use reqwest::header::{ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_ORIGIN, LOCATION};
use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};

const CALLBACK: &str = "http://127.0.0.1:5173/auth/callback";
const VERIFIER: &str = "the-code-verifier-of-this-test-0123456789abcdefghij";

fn client() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The parameters of an authorization request for `CALLBACK` with `VERIFIER`'s challenge,
/// with `changes` (an empty value removes one).
fn authorize_params(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let challenge = pkce_challenge(VERIFIER);
    let mut params: Vec<(String, String)> = [
        ("client_id", CLIENT_ID),
        ("redirect_uri", CALLBACK),
        ("response_type", "code"),
        ("scope", "openid email offline_access"),
        ("state", "state-1"),
        ("nonce", "nonce-1"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
    .collect();
    for (name, value) in changes {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    params
}

fn form(params: &[(String, String)]) -> String {
    let pairs: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    encode_form(&pairs)
}

async fn get_authorize(http: &Client, issuer: &FlowIssuer, params: &[(String, String)]) -> reqwest::Response {
    http.get(format!("{}/authorize?{}", issuer.url, form(params))).send().await.unwrap()
}

/// Signs in through the form as `email` with `groups`: the redirect's code.
async fn sign_in(http: &Client, issuer: &FlowIssuer, email: &str, groups: &str) -> String {
    let mut params = authorize_params(&[]);
    params.push(("email".to_owned(), email.to_owned()));
    params.push(("groups".to_owned(), groups.to_owned()));
    let response = http
        .post(format!("{}/authorize", issuer.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&params))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    code_of(&response)
}

/// The code of a redirect to `CALLBACK` (whose state must be "state-1").
fn code_of(response: &reqwest::Response) -> String {
    let location = response.headers()[LOCATION].to_str().unwrap();
    assert!(location.starts_with(&format!("{CALLBACK}?")), "{location}");
    let query: HashMap<String, String> = Url::parse(location).unwrap().query_pairs().into_owned().collect();
    assert_eq!(query["state"], "state-1");
    query["code"].clone()
}

/// POSTs `pairs` to /token: the status and the JSON body.
async fn token(http: &Client, issuer: &FlowIssuer, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = http
        .post(format!("{}/token", issuer.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://127.0.0.1:5173")
        .body(encode_form(pairs))
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    (status, response.json().await.unwrap())
}

async fn exchange(http: &Client, issuer: &FlowIssuer, code: &str, verifier: &str) -> (StatusCode, Value) {
    token(
        http,
        issuer,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("client_id", CLIENT_ID),
            ("code_verifier", verifier),
        ],
    )
    .await
}

async fn refresh(http: &Client, issuer: &FlowIssuer, refresh_token: &str) -> (StatusCode, Value) {
    token(http, issuer, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token), ("client_id", CLIENT_ID)])
        .await
}

fn assert_invalid_grant((status, body): &(StatusCode, Value), why: &str) {
    assert_eq!(*status, StatusCode::BAD_REQUEST, "{why}: {body}");
    assert_eq!(body["error"], "invalid_grant", "{why}: {body}");
}

/// The claims of a JWT, unverified.
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn header(token: &str) -> Value {
    let header = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

async fn stats(http: &Client, issuer: &FlowIssuer) -> Value {
    http.get(format!("{}/test/stats", issuer.url)).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn discovery_and_cors() {
    let issuer = FlowIssuer::start(FlowConfig::default()).await;
    let http = client();
    let url = &issuer.url;
    let response = http.get(format!("{url}/.well-known/openid-configuration")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["issuer"], json!(url));
    assert_eq!(document["jwks_uri"], json!(format!("{url}/jwks")));
    assert_eq!(document["authorization_endpoint"], json!(format!("{url}/authorize")));
    assert_eq!(document["token_endpoint"], json!(format!("{url}/token")));
    assert_eq!(document["end_session_endpoint"], json!(format!("{url}/logout")));
    assert_eq!(document["userinfo_endpoint"], json!(format!("{url}/userinfo")));
    assert_eq!(document["response_types_supported"], json!(["code"]));
    assert_eq!(document["grant_types_supported"], json!(["authorization_code", "refresh_token"]));
    assert_eq!(document["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(document["id_token_signing_alg_values_supported"], json!(["ES256", "RS256"]));
    assert_eq!(document["token_endpoint_auth_methods_supported"], json!(["none"]));
    assert!(document["scopes_supported"].as_array().unwrap().contains(&json!("openid")));

    let jwks: Value = http.get(format!("{url}/jwks")).send().await.unwrap().json().await.unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "flow-ec-1");

    for path in ["/token", "/userinfo", "/jwks", "/.well-known/openid-configuration"] {
        let preflight = http
            .request(reqwest::Method::OPTIONS, format!("{url}{path}"))
            .header("origin", "http://127.0.0.1:5173")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type, authorization")
            .send()
            .await
            .unwrap();
        assert!(preflight.status().is_success(), "{path}: {}", preflight.status());
        assert_eq!(preflight.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*", "{path}");
        let allowed = preflight.headers()[ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().to_owned();
        assert!(allowed.contains("content-type") && allowed.contains("authorization"), "{path}: {allowed}");
    }

    // The API's verifier discovers the issuer.
    issuer.verifier().await;
}

#[tokio::test]
async fn the_code_flow_gives_tokens_the_api_accepts() {
    let issuer = FlowIssuer::start(FlowConfig::default()).await;
    let http = client();
    let verifier = issuer.verifier().await;

    // The login form, with the request's parameters in hidden fields, escaped.
    let response =
        get_authorize(&http, &issuer, &authorize_params(&[("state", "s\"><script>alert(1)</script>")])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = response.text().await.unwrap();
    for expected in [
        "<label for=\"email\">Email</label>",
        "name=\"email\"",
        "<label for=\"groups\">Groups</label>",
        "name=\"groups\" type=\"text\" value=\"responder\"",
        "<button type=\"submit\">Sign in</button>",
        "<form method=\"post\" action=\"/authorize\">",
        "name=\"state\" value=\"s&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"",
        "name=\"nonce\" value=\"nonce-1\"",
        &format!("name=\"code_challenge\" value=\"{}\"", pkce_challenge(VERIFIER)),
    ] {
        assert!(page.contains(expected), "the form has {expected}: {page}");
    }
    assert!(!page.contains("<script>"), "{page}");

    // A wrong verifier is refused, and the code is spent.
    let code = sign_in(&http, &issuer, "alice@example.com", "staff, responder").await;
    let wrong = "a-wrong-code-verifier-0123456789abcdefghijklmnopqrstuvwxyz";
    assert_invalid_grant(&exchange(&http, &issuer, &code, wrong).await, "wrong verifier");
    assert_invalid_grant(&exchange(&http, &issuer, &code, VERIFIER).await, "code tried once already");

    // Another redirect_uri than the request's is refused.
    let code = sign_in(&http, &issuer, "alice@example.com", "staff, responder").await;
    let misdirected = token(
        &http,
        &issuer,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:5173/elsewhere"),
            ("client_id", CLIENT_ID),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_invalid_grant(&misdirected, "another redirect_uri");

    // The right verifier gives tokens.
    let code = sign_in(&http, &issuer, "alice@example.com", "staff, responder").await;
    let (status, tokens) = exchange(&http, &issuer, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 300);
    assert_eq!(tokens["scope"], "openid email offline_access");
    assert_invalid_grant(&exchange(&http, &issuer, &code, VERIFIER).await, "a used code");

    // The access token passes the API's verifier.
    let access_token = tokens["access_token"].as_str().unwrap();
    let identity = verifier.verify(access_token).await.unwrap();
    assert_eq!(identity, Identity { email: "alice@example.com".to_owned(), role: Role::Responder });
    assert_eq!(header(access_token)["alg"], "ES256");
    assert_eq!(header(access_token)["kid"], "flow-ec-1");
    let access = claims(access_token);
    assert_eq!(access["iss"], json!(issuer.url));
    assert_eq!(access["aud"], AUDIENCE);
    assert_eq!(access["sub"], "alice@example.com");
    assert_eq!(access["groups"], json!(["staff", "responder"]));
    assert_eq!(access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(), 300);
    assert_eq!(access["nbf"], access["iat"]);

    // The id token is for the client, with the nonce; the API refuses it.
    let id_token = tokens["id_token"].as_str().unwrap();
    let id = claims(id_token);
    assert_eq!(id["aud"], CLIENT_ID);
    assert_eq!(id["azp"], CLIENT_ID);
    assert_eq!(id["nonce"], "nonce-1");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["sub"], access["sub"]);
    assert_eq!(id["groups"], json!(["staff", "responder"]));
    assert!(
        matches!(verifier.verify(id_token).await, Err(AuthError::WrongAudience)),
        "the id token is not for the API"
    );

    // Userinfo.
    let response = http.get(format!("{}/userinfo", issuer.url)).bearer_auth(access_token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let info: Value = response.json().await.unwrap();
    assert_eq!(
        info,
        json!({"sub": "alice@example.com", "email": "alice@example.com", "groups": ["staff", "responder"]})
    );
    let response = http.get(format!("{}/userinfo", issuer.url)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = http.get(format!("{}/userinfo", issuer.url)).bearer_auth(id_token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "an id token is no access token");

    // Refresh: new tokens, the API accepts the new access token.
    let (status, refreshed) = refresh(&http, &issuer, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_ne!(refreshed["access_token"], tokens["access_token"]);
    let identity = verifier.verify(refreshed["access_token"].as_str().unwrap()).await.unwrap();
    assert_eq!(identity, Identity { email: "alice@example.com".to_owned(), role: Role::Responder });
    assert_eq!(claims(refreshed["id_token"].as_str().unwrap())["sub"], "alice@example.com");
    assert_invalid_grant(&refresh(&http, &issuer, "not-a-refresh-token").await, "an unknown refresh token");

    // Revoking: every refresh token issued so far fails; new sign-ins work again.
    let response = http.post(format!("{}/test/revoke", issuer.url)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["revoked"], 2);
    for refresh_token in [&tokens["refresh_token"], &refreshed["refresh_token"]] {
        assert_invalid_grant(
            &refresh(&http, &issuer, refresh_token.as_str().unwrap()).await,
            "a revoked refresh token",
        );
    }

    // The lifetime of tokens issued from now on.
    let response = http
        .post(format!("{}/test/lifetime", issuer.url))
        .header("content-type", "application/json")
        .body(r#"{"seconds": 30}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = http.post(format!("{}/test/lifetime", issuer.url)).body("{}").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let code = sign_in(&http, &issuer, "root@example.com", "admin").await;
    let (status, tokens) = exchange(&http, &issuer, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["expires_in"], 30);
    let access_token = tokens["access_token"].as_str().unwrap();
    let access = claims(access_token);
    assert_eq!(access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(), 30);
    let identity = verifier.verify(access_token).await.unwrap();
    assert_eq!(identity, Identity { email: "root@example.com".to_owned(), role: Role::Admin });
    let (status, _) = refresh(&http, &issuer, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "a refresh token issued after the revocation");

    // No group: a token the API refuses for want of a role.
    let code = sign_in(&http, &issuer, "nobody@example.com", "").await;
    let (_, tokens) = exchange(&http, &issuer, &code, VERIFIER).await;
    assert!(matches!(verifier.verify(tokens["access_token"].as_str().unwrap()).await, Err(AuthError::NoRole { .. })));

    assert_eq!(
        stats(&http, &issuer).await,
        json!({"codes_issued": 5, "tokens_issued": 5, "refreshes": 2, "refreshes_refused": 3, "token_lifetime": 30})
    );
}

#[tokio::test]
async fn bad_requests_are_refused() {
    let issuer = FlowIssuer::start(FlowConfig::default()).await;
    let http = client();
    for (changes, named) in [
        (vec![("redirect_uri", "http://evil.example/auth/callback")], "redirect_uri"),
        (vec![("redirect_uri", "http://127.0.0.1.evil.example/auth/callback")], "redirect_uri"),
        (vec![("redirect_uri", "https://127.0.0.1:5173/auth/callback")], "redirect_uri"),
        (vec![("redirect_uri", "http://localhost:5173/auth/callback")], "redirect_uri"),
        (vec![("redirect_uri", "http://127.0.0.1:5173/auth/callback#x")], "redirect_uri"),
        (vec![("redirect_uri", "/auth/callback")], "redirect_uri"),
        (vec![("redirect_uri", "")], "redirect_uri"),
        (vec![("client_id", "someone-else")], "client_id"),
        (vec![("client_id", "")], "client_id"),
        (vec![("response_type", "token")], "response_type"),
        (vec![("code_challenge_method", "plain")], "code_challenge_method"),
        (vec![("code_challenge_method", "")], "code_challenge_method"),
        (vec![("code_challenge", "")], "code_challenge"),
        (vec![("code_challenge", "short")], "code_challenge"),
        (vec![("state", "")], "state"),
        (vec![("scope", "email")], "scope"),
    ] {
        let response = get_authorize(&http, &issuer, &authorize_params(&changes)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{changes:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains(named), "{changes:?}: {page}");
    }
    // A duplicated parameter.
    let mut params = authorize_params(&[]);
    params.push(("state".to_owned(), "again".to_owned()));
    let response = get_authorize(&http, &issuer, &params).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // The form's answer is checked as well: a bad redirect, no email.
    for (changes, email) in [(vec![("redirect_uri", "http://evil.example/")], "a@example.com"), (vec![], "  ")] {
        let mut params = authorize_params(&changes);
        params.push(("email".to_owned(), email.to_owned()));
        let response = http.post(format!("{}/authorize", issuer.url)).body(form(&params)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{changes:?} {email:?}");
    }

    // The token endpoint: a wrong client, missing parameters, another grant.
    let code = sign_in(&http, &issuer, "alice@example.com", "responder").await;
    let (status, body) = token(
        &http,
        &issuer,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("client_id", "someone-else"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let (status, body) = token(&http, &issuer, &[("grant_type", "authorization_code"), ("code", &code)]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
    let (status, body) = token(&http, &issuer, &[("grant_type", "password")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));
    let (status, body) = token(&http, &issuer, &[("grant_type", "refresh_token")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
    // The code survived the requests that did not get as far as using it.
    let (status, body) = exchange(&http, &issuer, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn expired_codes_are_refused() {
    let config = FlowConfig { code_lifetime: Duration::from_millis(200), ..FlowConfig::default() };
    let issuer = FlowIssuer::start(config).await;
    let http = client();
    let code = sign_in(&http, &issuer, "alice@example.com", "responder").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let refused = exchange(&http, &issuer, &code, VERIFIER).await;
    assert_invalid_grant(&refused, "an expired code");
    assert!(refused.1["error_description"].as_str().unwrap().contains("expired"), "{}", refused.1);
}

#[tokio::test]
async fn auto_login_redirects_at_once() {
    let config = FlowConfig {
        auto_login: Some(Login::parse("root@example.com:staff,admin").unwrap()),
        redirect_prefixes: vec!["http://127.0.0.1:5173".to_owned()],
        ..FlowConfig::default()
    };
    let issuer = FlowIssuer::start(config).await;
    let http = client();
    let response = get_authorize(&http, &issuer, &authorize_params(&[])).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let code = code_of(&response);
    let (status, tokens) = exchange(&http, &issuer, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let identity = issuer.verifier().await.verify(tokens["access_token"].as_str().unwrap()).await.unwrap();
    assert_eq!(identity, Identity { email: "root@example.com".to_owned(), role: Role::Admin });

    // The configured prefix, at a path boundary.
    for (uri, status) in [
        ("http://127.0.0.1:5173/other/callback", StatusCode::FOUND),
        ("http://127.0.0.1:51730/auth/callback", StatusCode::BAD_REQUEST),
        ("http://127.0.0.1:4000/auth/callback", StatusCode::BAD_REQUEST),
    ] {
        let response = get_authorize(&http, &issuer, &authorize_params(&[("redirect_uri", uri)])).await;
        assert_eq!(response.status(), status, "{uri}");
    }

    assert_eq!(Login::parse("a@example.com").unwrap().groups, ["responder"]);
    assert!(Login::parse(":admin").is_err());
}

#[tokio::test]
async fn logout_returns_to_the_client_or_says_signed_out() {
    let issuer = FlowIssuer::start(FlowConfig::default()).await;
    let http = client();
    let back = encode_form(&[("post_logout_redirect_uri", "http://127.0.0.1:5173/"), ("state", "bye")]);
    let response = http.get(format!("{}/logout?{back}", issuer.url)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()[LOCATION], "http://127.0.0.1:5173/?state=bye");

    let elsewhere = encode_form(&[("post_logout_redirect_uri", "http://evil.example/")]);
    let response = http.get(format!("{}/logout?{elsewhere}", issuer.url)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("post_logout_redirect_uri"));

    let response = http.get(format!("{}/logout", issuer.url)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Signed out"));
}
