//! OIDC bearer tokens against a real issuer run inside the test: keys generated here (RSA 2048
//! and P-256), the discovery document and a swappable JWKS served by axum on 127.0.0.1, tokens
//! signed with `jsonwebtoken`. Valid tokens give the right identity; every attack is refused
//! (401 through the middleware); key rotation refetches the JWKS; discovery refuses bad
//! issuers; the middleware answers 200, 401 and 403 end to end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::{Json, middleware};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mozdef_api::auth::{
    AuthError, Authentication, Identity, OidcSettings, OidcVerifier, Role, RoleGroups, authenticate,
};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tower::ServiceExt;

const AUDIENCE: &str = "mozdef-api";

mod issuer;

use issuer::*;

// ---------------------------------------------------------------------------------------
// The middleware

/// A router answering the caller's identity, behind `authenticate`.
fn app(auth: Authentication) -> Router {
    Router::new()
        .route("/whoami", get(|identity: Identity| async move { Json(identity) }))
        .layer(middleware::from_fn_with_state(auth, authenticate))
}

/// The status, the `WWW-Authenticate` header and the JSON body of GET /whoami with
/// `authorization`.
async fn call(app: &Router, authorization: Option<&str>) -> (StatusCode, Option<String>, Value) {
    let mut request = Request::get("/whoami");
    if let Some(authorization) = authorization {
        request = request.header(AUTHORIZATION, authorization);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let challenge = response.headers().get(WWW_AUTHENTICATE).map(|v| v.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, challenge, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Asserts `token` is refused by the verifier and with a 401 (and a challenge) by the
/// middleware; the verifier's error.
async fn refused(verifier: &Arc<OidcVerifier>, token: &str) -> AuthError {
    let error = verifier.verify(token).await.expect_err("the token must be refused");
    let (status, challenge, body) =
        call(&app(Authentication::Oidc(Arc::clone(verifier))), Some(&format!("Bearer {token}"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{error}: {body}");
    assert!(challenge.is_some_and(|c| c.starts_with("Bearer")), "{error}");
    assert!(body["error"].as_str().is_some_and(|m| m.contains(&error.to_string())), "{body}");
    error
}

// ---------------------------------------------------------------------------------------
// Valid tokens and roles

#[tokio::test]
async fn valid_rs256_and_es256_tokens_give_the_identity_and_role() {
    let issuer = issuer().await;
    let verifier = issuer.verifier().await;
    for key in [&KEYS.rsa, &KEYS.ec] {
        let identity = verifier.verify(&issuer.token(key, json!({}))).await.unwrap();
        assert_eq!(identity, Identity { email: "alice@example.com".into(), role: Role::Responder }, "{:?}", key.alg);
    }
    // aud as an array containing ours; nbf in the past.
    let token = issuer.token(&KEYS.ec, json!({"aud": ["other", AUDIENCE], "nbf": now() - 10, "groups": ["viewer"]}));
    assert_eq!(verifier.verify(&token).await.unwrap().role, Role::Viewer);
    // The highest role wins; a single string is one group.
    let token = issuer.token(&KEYS.rsa, json!({"groups": ["viewer", "admin", "responder"]}));
    assert_eq!(verifier.verify(&token).await.unwrap().role, Role::Admin);
    let token = issuer.token(&KEYS.rsa, json!({"groups": "admin"}));
    assert_eq!(verifier.verify(&token).await.unwrap().role, Role::Admin);
}

#[tokio::test]
async fn custom_claims_and_group_names_map_to_roles() {
    let issuer = issuer().await;
    let mut settings = issuer.settings();
    settings.groups_claim = "https://mozdef/roles".into();
    settings.email_claim = "mail".into();
    settings.role_groups = RoleGroups {
        viewer: vec!["team_readers".into()],
        responder: vec!["team_ir".into(), "team_soc".into()],
        admin: vec!["team_mozdef_admins".into()],
    };
    let verifier = OidcVerifier::discover(settings).await.unwrap();
    let cases = [
        (json!(["team_readers"]), Some(Role::Viewer)),
        (json!(["x", "team_soc"]), Some(Role::Responder)),
        (json!("team_mozdef_admins"), Some(Role::Admin)),
        (json!(["team_readers", "team_mozdef_admins", "team_ir"]), Some(Role::Admin)),
        (json!(["viewer", "responder", "admin"]), None), // the default names grant nothing here
    ];
    for (groups, role) in cases {
        let token =
            issuer.token(&KEYS.rsa, json!({"https://mozdef/roles": groups, "mail": "bob@example.com", "email": null}));
        match (verifier.verify(&token).await, role) {
            (Ok(identity), Some(role)) => assert_eq!(identity, Identity { email: "bob@example.com".into(), role }),
            (Err(AuthError::NoRole { email }), None) => assert_eq!(email, "bob@example.com"),
            (other, _) => panic!("{groups}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn no_matching_group_is_no_role_and_a_403() {
    let issuer = issuer().await;
    let verifier = Arc::new(issuer.verifier().await);
    for groups in [json!(["staff"]), json!([]), Value::Null] {
        let token = issuer.token(&KEYS.ec, json!({"groups": groups}));
        assert!(matches!(verifier.verify(&token).await, Err(AuthError::NoRole { .. })), "{groups}");
        let (status, challenge, body) =
            call(&app(Authentication::Oidc(Arc::clone(&verifier))), Some(&format!("Bearer {token}"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(challenge.is_none());
        assert!(body["error"].as_str().unwrap().contains("alice@example.com has no MozDef role"), "{body}");
    }
    // A groups claim of the wrong type is a bad token, not a missing role.
    let token = issuer.token(&KEYS.ec, json!({"groups": [1, "admin"]}));
    assert!(matches!(refused(&verifier, &token).await, AuthError::InvalidClaim { .. }));
}

// ---------------------------------------------------------------------------------------
// Attacks

#[tokio::test]
async fn alg_none_and_hmac_with_the_public_key_are_refused() {
    let issuer = issuer().await;
    let verifier = Arc::new(issuer.verifier().await);
    let payload = b64(&claims(&issuer.url, json!({"groups": ["admin"]})));
    for header in [json!({"alg": "none", "kid": KEYS.rsa.kid}), json!({"alg": "none", "typ": "JWT"})] {
        let token = format!("{}.{payload}.", b64(&header));
        assert!(matches!(refused(&verifier, &token).await, AuthError::Malformed(_)), "{header}");
    }
    // HS256 with the RSA public key's bytes, and with its JWK's JSON, as the HMAC secret.
    for secret in [KEYS.rsa.public_bytes.clone(), serde_json::to_vec(&KEYS.rsa.jwk).unwrap()] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(KEYS.rsa.kid.clone());
        let claims = claims(&issuer.url, json!({"groups": ["admin"]}));
        let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&secret)).unwrap();
        assert_eq!(refused(&verifier, &token).await, AuthError::DisallowedAlgorithm("HS256".into()));
    }
    // A critical header extension this verifier does not understand.
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KEYS.rsa.kid.clone());
    header.crit = Some(vec!["exp".into()]);
    let token = jsonwebtoken::encode(&header, &claims(&issuer.url, json!({})), &KEYS.rsa.encoding).unwrap();
    assert!(matches!(refused(&verifier, &token).await, AuthError::Malformed(m) if m.contains("critical")));
    // An allowed algorithm that does not fit the key: RS256 claimed for the EC key's kid.
    let token = format!(
        "{}.{payload}.{}",
        b64(&json!({"alg": "RS256", "kid": KEYS.ec.kid})),
        URL_SAFE_NO_PAD.encode([0u8; 256])
    );
    assert!(matches!(refused(&verifier, &token).await, AuthError::KeyMismatch { .. }));
}

#[tokio::test]
async fn time_claims_are_checked_with_the_leeway() {
    let issuer = issuer().await;
    let verifier = Arc::new(issuer.verifier().await); // leeway 60 s
    let expired = issuer.token(&KEYS.rsa, json!({"exp": now() - 120}));
    assert_eq!(refused(&verifier, &expired).await, AuthError::Expired);
    let early = issuer.token(&KEYS.ec, json!({"nbf": now() + 120}));
    assert_eq!(refused(&verifier, &early).await, AuthError::NotYetValid);
    let no_exp = issuer.token(&KEYS.rsa, json!({"exp": null}));
    assert_eq!(refused(&verifier, &no_exp).await, AuthError::MissingClaim("exp".into()));
    let bad_exp = issuer.token(&KEYS.rsa, json!({"exp": "tomorrow"}));
    assert!(matches!(refused(&verifier, &bad_exp).await, AuthError::InvalidClaim { .. } | AuthError::MissingClaim(_)));
    // Within the leeway: accepted.
    for changes in [json!({"exp": now() - 30}), json!({"nbf": now() + 30})] {
        assert!(verifier.verify(&issuer.token(&KEYS.rsa, changes.clone())).await.is_ok(), "{changes}");
    }
}

#[tokio::test]
async fn wrong_issuer_audience_and_missing_email_are_refused() {
    let issuer = issuer().await;
    let verifier = Arc::new(issuer.verifier().await);
    let cases = [
        (json!({"iss": "https://evil.example.com"}), AuthError::WrongIssuer),
        (json!({"iss": format!("{}/", issuer.url)}), AuthError::WrongIssuer),
        (json!({"iss": [issuer.url.clone()]}), AuthError::WrongIssuer),
        (json!({"iss": null}), AuthError::MissingClaim("iss".into())),
        (json!({"aud": "someone-else"}), AuthError::WrongAudience),
        (json!({"aud": ["a", "b"]}), AuthError::WrongAudience),
        (json!({"aud": null}), AuthError::MissingClaim("aud".into())),
        (json!({"email": null}), AuthError::MissingClaim("email".into())),
    ];
    for (changes, expected) in cases {
        let token = issuer.token(&KEYS.rsa, changes.clone());
        assert_eq!(refused(&verifier, &token).await, expected, "{changes}");
    }
    for email in [json!(""), json!(42), json!(["alice@example.com"])] {
        let token = issuer.token(&KEYS.ec, json!({"email": email}));
        assert!(matches!(refused(&verifier, &token).await, AuthError::InvalidClaim { .. }), "{email}");
    }
}

#[tokio::test]
async fn unknown_kids_tampering_foreign_keys_and_garbage_are_refused() {
    let issuer = issuer().await;
    let verifier = Arc::new(issuer.verifier().await);
    // An unknown kid, even after a refetch.
    let fetches = issuer.jwks_fetches();
    let unknown = issuer.token(&KEYS.rotated_rsa, json!({}));
    assert_eq!(refused(&verifier, &unknown).await, AuthError::UnknownKey { kid: "rsa-2".into() });
    assert!(issuer.jwks_fetches() > fetches, "the verifier refetched the JWKS");
    // No kid at all.
    let mut header = Header::new(Algorithm::ES256);
    header.kid = None;
    let no_kid = jsonwebtoken::encode(&header, &claims(&issuer.url, json!({})), &KEYS.ec.encoding).unwrap();
    assert_eq!(refused(&verifier, &no_kid).await, AuthError::MissingKeyId);
    // A tampered payload: a claim changed, the signature kept.
    for key in [&KEYS.rsa, &KEYS.ec] {
        let valid = issuer.token(key, json!({}));
        let parts: Vec<&str> = valid.split('.').collect();
        let forged = b64(&claims(&issuer.url, json!({"groups": ["admin"]})));
        let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
        assert_eq!(refused(&verifier, &tampered).await, AuthError::InvalidSignature, "{:?}", key.alg);
    }
    // Signed by another issuer's keys under kids that exist in ours.
    for key in [&KEYS.foreign_rsa, &KEYS.foreign_ec] {
        let foreign = issuer.token(key, json!({"groups": ["admin"]}));
        assert_eq!(refused(&verifier, &foreign).await, AuthError::InvalidSignature, "{:?}", key.alg);
    }
    // Garbage.
    for garbage in ["garbage", "a.b.c", "a.b", "...", "eyJhbGciOiJSUzI1NiJ9.e30.", "e30.e30.e30"] {
        assert!(
            matches!(refused(&verifier, garbage).await, AuthError::Malformed(_) | AuthError::MissingKeyId),
            "{garbage}"
        );
    }
    assert!(matches!(verifier.verify("\u{1F600}.x.y").await, Err(AuthError::Malformed(_))));
    // Too long.
    let long = format!("{}.{}.sig", b64(&json!({"alg": "RS256", "kid": "rsa-1"})), "A".repeat(17 * 1024));
    assert!(matches!(refused(&verifier, &long).await, AuthError::TokenTooLong { .. }));
}

#[tokio::test]
async fn missing_or_malformed_authorization_headers_are_401() {
    let issuer = issuer().await;
    let app = app(Authentication::Oidc(Arc::new(issuer.verifier().await)));
    let token = issuer.token(&KEYS.rsa, json!({}));
    for authorization in [
        None,
        Some("".to_owned()),
        Some("Bearer".to_owned()),
        Some("Bearer ".to_owned()),
        Some(format!("Basic {token}")),
        Some(token.clone()),
        Some(format!("Bearer {token} extra")),
    ] {
        let (status, challenge, body) = call(&app, authorization.as_deref()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{authorization:?}");
        assert!(challenge.is_some(), "{authorization:?}");
        assert!(
            body["error"].as_str().is_some_and(|m| m.contains("bearer token") || m.contains("Authorization")),
            "{body}"
        );
    }
    // The scheme in any case.
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let (status, _, body) = call(&app, Some(&format!("{scheme} {token}"))).await;
        assert_eq!(status, StatusCode::OK, "{scheme}: {body}");
    }
}

// ---------------------------------------------------------------------------------------
// Key rotation

#[tokio::test]
async fn rotation_is_followed_and_withdrawn_keys_stop_verifying() {
    let issuer = issuer().await;
    let verifier = Arc::new(issuer.verifier().await);
    let old_rsa = issuer.token(&KEYS.rsa, json!({}));
    let old_ec = issuer.token(&KEYS.ec, json!({}));
    assert!(verifier.verify(&old_rsa).await.is_ok());

    issuer.serve(jwks(&[&KEYS.rotated_rsa, &KEYS.rotated_ec]));
    // Until a refetch the cached keys still verify.
    assert!(verifier.verify(&old_ec).await.is_ok());
    // A token with a new kid makes the verifier refetch, and verifies.
    let fetches = issuer.jwks_fetches();
    let new_rsa = issuer.token(&KEYS.rotated_rsa, json!({"groups": ["admin"]}));
    assert_eq!(verifier.verify(&new_rsa).await.unwrap().role, Role::Admin);
    assert_eq!(issuer.jwks_fetches(), fetches + 1);
    let new_ec = issuer.token(&KEYS.rotated_ec, json!({}));
    assert!(verifier.verify(&new_ec).await.is_ok());
    assert_eq!(issuer.jwks_fetches(), fetches + 1, "the new EC key came with the same refetch");
    // The withdrawn keys are gone from the refetched set.
    assert_eq!(refused(&verifier, &old_rsa).await, AuthError::UnknownKey { kid: "rsa-1".into() });
    assert_eq!(refused(&verifier, &old_ec).await, AuthError::UnknownKey { kid: "ec-1".into() });
}

#[tokio::test]
async fn concurrent_unknown_kids_share_one_refetch() {
    let issuer = issuer().await;
    let verifier = Arc::new(issuer.verifier().await);
    issuer.serve(jwks(&[&KEYS.rsa, &KEYS.ec, &KEYS.rotated_ec]));
    let fetches = issuer.jwks_fetches();
    let token = issuer.token(&KEYS.rotated_ec, json!({}));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (verifier, token) = (Arc::clone(&verifier), token.clone());
            tokio::spawn(async move { verifier.verify(&token).await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().is_ok());
    }
    assert_eq!(issuer.jwks_fetches(), fetches + 1);
}

#[tokio::test]
async fn refetches_on_unknown_kids_are_rate_limited() {
    let issuer = issuer().await;
    let mut settings = issuer.settings();
    settings.min_refresh_interval = Duration::from_secs(30);
    let verifier = OidcVerifier::discover(settings).await.unwrap();
    let fetches = issuer.jwks_fetches();
    // Right after discovery (a fetch) an unknown kid does not refetch ...
    let token = issuer.token(&KEYS.rotated_rsa, json!({}));
    for _ in 0..3 {
        assert_eq!(verifier.verify(&token).await, Err(AuthError::UnknownKey { kid: "rsa-2".into() }));
    }
    assert_eq!(issuer.jwks_fetches(), fetches);
    // ... and known kids keep verifying.
    assert!(verifier.verify(&issuer.token(&KEYS.rsa, json!({}))).await.is_ok());
}

// ---------------------------------------------------------------------------------------
// Discovery

#[tokio::test]
async fn discovery_refuses_bad_issuers() {
    // http on a host that is not a loopback address.
    for issuer in ["http://idp.example.com", "http://192.0.2.1:8080", "ftp://127.0.0.1"] {
        let settings = OidcSettings::new(issuer, AUDIENCE);
        assert!(matches!(settings.validate(), Err(AuthError::Config(_))), "{issuer}");
        let error = OidcVerifier::discover(settings).await.unwrap_err();
        assert!(matches!(&error, AuthError::Config(m) if m.contains(issuer)), "{issuer}: {error}");
    }
    // An issuer mismatch in the discovery document.
    let issuer = issuer().await;
    *issuer.state.discovery_issuer.lock().unwrap() = Some("https://evil.example.com".into());
    let error = OidcVerifier::discover(issuer.settings()).await.unwrap_err();
    assert!(matches!(&error, AuthError::Discovery(m) if m.contains("evil.example.com")), "{error}");
    // A configured trailing slash the document does not have is a mismatch too.
    *issuer.state.discovery_issuer.lock().unwrap() = None;
    let mut settings = issuer.settings();
    settings.issuer.push('/');
    assert!(matches!(OidcVerifier::discover(settings).await, Err(AuthError::Discovery(_))));
    // An unreachable issuer: the error names it.
    let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let error = OidcVerifier::discover(OidcSettings::new(url.clone(), AUDIENCE)).await.unwrap_err();
    assert!(matches!(&error, AuthError::Unavailable(m) if m.contains(&url)), "{error}");
    // A JWKS without usable keys.
    let empty = TestIssuer::start(json!({"keys": [{"kty": "oct", "kid": "x", "k": "c2VjcmV0"}]})).await;
    let error = OidcVerifier::discover(empty.settings()).await.unwrap_err();
    assert!(matches!(&error, AuthError::Discovery(m) if m.contains("no usable signing key")), "{error}");
}

#[tokio::test]
async fn an_issuer_with_a_trailing_slash_is_fetched_without_a_double_slash() {
    let issuer = TestIssuer::start_with_suffix(jwks(&[&KEYS.rsa]), "/").await;
    assert!(issuer.url.ends_with('/'));
    let verifier = issuer.verifier().await;
    let identity = verifier.verify(&issuer.token(&KEYS.rsa, json!({}))).await.unwrap();
    assert_eq!(identity.role, Role::Responder);
}

#[tokio::test]
async fn an_unreachable_jwks_on_refetch_is_unavailable_and_a_503() {
    let issuer = issuer().await;
    let verifier = Arc::new(issuer.verifier().await);
    // The JWKS fails (503), then a JWKS that is not one: both are "unavailable", a 503.
    issuer.state.jwks_down.store(true, Ordering::SeqCst);
    let token = issuer.token(&KEYS.rotated_rsa, json!({}));
    let error = verifier.verify(&token).await.unwrap_err();
    assert!(matches!(&error, AuthError::Unavailable(m) if m.contains("/jwks") && m.contains("503")), "{error}");
    // Known keys still verify from the cache.
    assert!(verifier.verify(&issuer.token(&KEYS.rsa, json!({}))).await.is_ok());
    issuer.state.jwks_down.store(false, Ordering::SeqCst);
    issuer.serve(Value::String("not a jwks".into()));
    let token = issuer.token(&KEYS.rotated_rsa, json!({}));
    let error = verifier.verify(&token).await.unwrap_err();
    assert!(matches!(&error, AuthError::Unavailable(m) if m.contains("/jwks")), "{error}");
    let (status, challenge, _) = call(&app(Authentication::Oidc(verifier)), Some(&format!("Bearer {token}"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(challenge.is_none());
}

// ---------------------------------------------------------------------------------------
// The middleware end to end

#[tokio::test]
async fn the_middleware_answers_200_401_and_403() {
    let issuer = issuer().await;
    let app = app(Authentication::Oidc(Arc::new(issuer.verifier().await)));
    let token = issuer.token(&KEYS.ec, json!({"groups": ["admin"]}));
    let (status, _, body) = call(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"email": "alice@example.com", "role": "admin"})));

    let expired = issuer.token(&KEYS.ec, json!({"exp": now() - 3600}));
    let (status, challenge, body) = call(&app, Some(&format!("Bearer {expired}"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\""));
    assert_eq!(body, json!({"error": "unauthorized: token expired"}));

    let no_role = issuer.token(&KEYS.rsa, json!({"groups": ["staff"]}));
    let (status, _, body) = call(&app, Some(&format!("Bearer {no_role}"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

#[tokio::test]
async fn open_authentication_is_the_anonymous_admin() {
    let app = app(Authentication::Open);
    for authorization in [None, Some("Bearer whatever")] {
        let (status, _, body) = call(&app, authorization).await;
        assert_eq!((status, body), (StatusCode::OK, json!({"email": "anonymous@localhost", "role": "admin"})));
    }
}

#[tokio::test]
async fn a_handler_without_the_middleware_has_no_identity_and_roles_are_required() {
    let bare = Router::new().route("/whoami", get(|identity: Identity| async move { Json(identity) }));
    let (status, challenge, body) = call(&bare, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.is_some());
    assert_eq!(body, json!({"error": "unauthorized: no identity"}));

    // A handler requiring the admin role, called by a responder.
    let issuer = issuer().await;
    let admin_only = Router::new()
        .route(
            "/whoami",
            get(|identity: Identity| async move { identity.require(Role::Admin).map(|()| Json(identity)) }),
        )
        .layer(middleware::from_fn_with_state(Authentication::Oidc(Arc::new(issuer.verifier().await)), authenticate));
    let responder = issuer.token(&KEYS.rsa, json!({}));
    let (status, _, body) = call(&admin_only, Some(&format!("Bearer {responder}"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["error"].as_str().unwrap().contains("admin role"), "{body}");
}
