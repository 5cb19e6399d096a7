//! A real OIDC issuer for tests: keys generated here (RSA 2048 and P-256), the discovery
//! document and a swappable JWKS served by axum on 127.0.0.1, tokens signed with
//! `jsonwebtoken`. Shared by the OIDC tests and the route tests (roles).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mozdef_api::auth::{OidcSettings, OidcVerifier};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use serde_json::{Value, json};
use tokio::net::TcpListener;

pub const AUDIENCE: &str = "mozdef-api";

// ---------------------------------------------------------------------------------------
// Keys

/// A signing key with its public JWK.
pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub jwk: Value,
    /// The public key's bytes (PKCS#1 DER for RSA), for the HMAC confusion attack.
    pub public_bytes: Vec<u8>,
}

pub fn rsa_key(kid: &str) -> TestKey {
    let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let der = private.to_pkcs1_der().unwrap();
    let public_bytes = private.to_public_key().to_pkcs1_der().unwrap().as_bytes().to_vec();
    test_key(kid, Algorithm::RS256, EncodingKey::from_rsa_der(der.as_bytes()), public_bytes)
}

pub fn ec_key(kid: &str) -> TestKey {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 =
        ring::signature::EcdsaKeyPair::generate_pkcs8(&ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    test_key(kid, Algorithm::ES256, EncodingKey::from_ec_der(pkcs8.as_ref()), Vec::new())
}

pub fn test_key(kid: &str, alg: Algorithm, encoding: EncodingKey, public_bytes: Vec<u8>) -> TestKey {
    let mut jwk = Jwk::from_encoding_key(&encoding, alg).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    TestKey { kid: kid.to_owned(), alg, encoding, jwk: serde_json::to_value(&jwk).unwrap(), public_bytes }
}

/// Every key the tests use, generated once per test binary.
pub struct Keys {
    pub rsa: TestKey,
    pub ec: TestKey,
    /// The issuer's keys after a rotation.
    pub rotated_rsa: TestKey,
    pub rotated_ec: TestKey,
    /// Another issuer's keys, with the same kids as ours.
    pub foreign_rsa: TestKey,
    pub foreign_ec: TestKey,
}

pub static KEYS: LazyLock<Keys> = LazyLock::new(|| {
    let started = std::time::Instant::now();
    let (rsa, rotated_rsa, foreign_rsa) = std::thread::scope(|s| {
        let a = s.spawn(|| rsa_key("rsa-1"));
        let b = s.spawn(|| rsa_key("rsa-2"));
        let c = rsa_key("rsa-1");
        (a.join().unwrap(), b.join().unwrap(), c)
    });
    eprintln!("generated the RSA keys in {:?}", started.elapsed());
    Keys { rsa, ec: ec_key("ec-1"), rotated_rsa, rotated_ec: ec_key("ec-2"), foreign_rsa, foreign_ec: ec_key("ec-1") }
});

pub fn jwks(keys: &[&TestKey]) -> Value {
    json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()})
}

// ---------------------------------------------------------------------------------------
// The test issuer

#[derive(Default)]
pub struct IssuerState {
    pub url: String,
    pub jwks: Mutex<Value>,
    /// The `issuer` the discovery document names, when not `url`.
    pub discovery_issuer: Mutex<Option<String>>,
    pub jwks_fetches: AtomicUsize,
    /// When set, the JWKS answers 503.
    pub jwks_down: AtomicBool,
}

pub struct TestIssuer {
    pub url: String,
    pub state: Arc<IssuerState>,
}

impl TestIssuer {
    /// An issuer at http://127.0.0.1:<port><suffix> serving `jwks`.
    pub async fn start_with_suffix(jwks: Value, suffix: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}{suffix}", listener.local_addr().unwrap());
        let state = Arc::new(IssuerState { url: url.clone(), jwks: Mutex::new(jwks), ..IssuerState::default() });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(serve_jwks))
            .with_state(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TestIssuer { url, state }
    }

    pub async fn start(jwks: Value) -> Self {
        Self::start_with_suffix(jwks, "").await
    }

    /// Swaps the JWKS served (a key rotation).
    pub fn serve(&self, jwks: Value) {
        *self.state.jwks.lock().unwrap() = jwks;
    }

    pub fn jwks_fetches(&self) -> usize {
        self.state.jwks_fetches.load(Ordering::SeqCst)
    }

    pub fn settings(&self) -> OidcSettings {
        let mut settings = OidcSettings::new(self.url.clone(), AUDIENCE);
        settings.min_refresh_interval = Duration::ZERO;
        settings
    }

    pub async fn verifier(&self) -> OidcVerifier {
        OidcVerifier::discover(self.settings()).await.unwrap()
    }

    /// A token signed by `key`, with the default claims changed by `changes` (a null removes
    /// a claim).
    pub fn token(&self, key: &TestKey, changes: Value) -> String {
        sign(key, &claims(&self.url, changes))
    }
}

pub async fn discovery(State(state): State<Arc<IssuerState>>) -> Json<Value> {
    let issuer = state.discovery_issuer.lock().unwrap().clone().unwrap_or_else(|| state.url.clone());
    let base = state.url.trim_end_matches('/');
    Json(
        json!({"issuer": issuer, "jwks_uri": format!("{base}/jwks"), "id_token_signing_alg_values_supported": ["RS256", "ES256"]}),
    )
}

pub async fn serve_jwks(State(state): State<Arc<IssuerState>>) -> Response {
    state.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    if state.jwks_down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    Json(state.jwks.lock().unwrap().clone()).into_response()
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

pub fn claims(issuer: &str, changes: Value) -> Value {
    let mut claims = json!({
        "iss": issuer, "aud": AUDIENCE, "sub": "alice", "iat": now(), "exp": now() + 300,
        "email": "alice@example.com", "groups": ["staff", "responder"],
    });
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

pub fn sign(key: &TestKey, claims: &Value) -> String {
    let mut header = Header::new(key.alg);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

pub fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// Both the issuer's current keys.
pub async fn issuer() -> TestIssuer {
    TestIssuer::start(jwks(&[&KEYS.rsa, &KEYS.ec])).await
}
