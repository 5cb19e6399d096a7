//! The issuer's signing keys: parsing a JWKS into the keys this verifier can use, and the
//! cache that refetches it on an unknown key id (rate-limited, one refetch shared by
//! concurrent callers).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};
use reqwest::Client;
use serde_json::Value;

use super::AuthError;
use super::fetch;

/// The age after which the cached keys are refetched even without an unknown key id, so a
/// key the issuer withdrew stops verifying.
const MAX_KEY_AGE: Duration = Duration::from_secs(3600);

/// The smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

/// What kind of public key a JWK holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    /// An RSA key (RS256).
    Rsa,
    /// An EC key on P-256 (ES256).
    EcP256,
}

/// One usable signing key of the issuer.
#[derive(Debug)]
pub(super) struct SigningKey {
    kind: KeyKind,
    /// The JWK's `alg`, when it names one.
    alg: Option<KeyAlgorithm>,
    /// The key, for `jsonwebtoken::decode`.
    pub(super) key: DecodingKey,
}

impl SigningKey {
    /// Ok when this key can verify `alg` (RS256 or ES256): its type and its JWK `alg` fit.
    pub(super) fn check_algorithm(&self, kid: &str, alg: Algorithm) -> Result<(), AuthError> {
        let (kind, key_alg) = match alg {
            Algorithm::RS256 => (KeyKind::Rsa, KeyAlgorithm::RS256),
            Algorithm::ES256 => (KeyKind::EcP256, KeyAlgorithm::ES256),
            other => return Err(AuthError::DisallowedAlgorithm(format!("{other:?}"))),
        };
        let mismatch = |reason: String| AuthError::KeyMismatch { kid: kid.to_owned(), alg: format!("{alg:?}"), reason };
        if self.kind != kind {
            return Err(mismatch(format!("the key is of type {:?}", self.kind)));
        }
        match self.alg {
            Some(named) if named != key_alg => Err(mismatch(format!("the key is for {named}"))),
            _ => Ok(()),
        }
    }
}

/// The usable keys of one fetch of the JWKS, by key id.
#[derive(Debug)]
struct KeySet {
    keys: HashMap<String, Arc<SigningKey>>,
    /// Counts the fetches, so a caller can tell whether a refetch happened since it looked.
    generation: u64,
    fetched_at: Instant,
}

/// The last refetch attempt: when, and why it failed if it did.
#[derive(Debug, Default)]
struct LastRefresh {
    at: Option<Instant>,
    failure: Option<String>,
}

/// The issuer's keys, refetched on demand.
#[derive(Debug)]
pub(super) struct KeyCache {
    jwks_uri: String,
    current: RwLock<Arc<KeySet>>,
    /// Held while refetching: concurrent callers wait for the one refetch and use its keys.
    refresh: tokio::sync::Mutex<LastRefresh>,
}

impl KeyCache {
    /// Fetches the JWKS at `jwks_uri` for the first time.
    pub(super) async fn fetch(client: &Client, jwks_uri: &str) -> Result<Self, AuthError> {
        let keys = fetch_keys(client, jwks_uri).await?;
        let now = Instant::now();
        Ok(KeyCache {
            jwks_uri: jwks_uri.to_owned(),
            current: RwLock::new(Arc::new(KeySet { keys, generation: 0, fetched_at: now })),
            refresh: tokio::sync::Mutex::new(LastRefresh { at: Some(now), failure: None }),
        })
    }

    /// Where the keys come from.
    pub(super) fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }

    /// How many usable keys are cached.
    pub(super) fn len(&self) -> usize {
        self.snapshot().keys.len()
    }

    /// Whether no usable key is cached.
    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn snapshot(&self) -> Arc<KeySet> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The key with id `kid`: from the cache, else after a refetch of the JWKS (at most one per
    /// `min_interval`); cached keys older than an hour are refetched first.
    pub(super) async fn key(
        &self,
        client: &Client,
        kid: &str,
        min_interval: Duration,
    ) -> Result<Arc<SigningKey>, AuthError> {
        let mut set = self.snapshot();
        if set.fetched_at.elapsed() >= MAX_KEY_AGE {
            match self.refresh(client, set.generation, min_interval).await {
                Ok(fresh) => set = fresh,
                Err(error) => {
                    tracing::warn!(jwks_uri = %self.jwks_uri, %error, "cannot refetch the stale JWKS; using the cached keys");
                }
            }
        }
        if let Some(key) = set.keys.get(kid) {
            return Ok(Arc::clone(key));
        }
        tracing::debug!(kid, jwks_uri = %self.jwks_uri, "unknown key id: refetching the JWKS");
        let set = self.refresh(client, set.generation, min_interval).await?;
        set.keys.get(kid).cloned().ok_or_else(|| AuthError::UnknownKey { kid: kid.to_owned() })
    }

    /// The keys after a refetch, unless one happened since the caller saw `seen_generation`
    /// (then its keys) or the last attempt is less than `min_interval` ago (then the cached
    /// keys, or the error of that attempt if it failed).
    async fn refresh(
        &self,
        client: &Client,
        seen_generation: u64,
        min_interval: Duration,
    ) -> Result<Arc<KeySet>, AuthError> {
        let mut last = self.refresh.lock().await;
        let current = self.snapshot();
        if current.generation != seen_generation {
            return Ok(current);
        }
        if last.at.is_some_and(|at| at.elapsed() < min_interval) {
            return match &last.failure {
                Some(failure) => Err(AuthError::Unavailable(failure.clone())),
                None => Ok(current),
            };
        }
        last.at = Some(Instant::now());
        let keys = match fetch_keys(client, &self.jwks_uri).await {
            Ok(keys) => keys,
            Err(error) => {
                tracing::warn!(jwks_uri = %self.jwks_uri, %error, "JWKS refetch failed");
                last.failure = Some(error.to_string());
                return Err(error);
            }
        };
        last.failure = None;
        tracing::info!(jwks_uri = %self.jwks_uri, keys = keys.len(), "JWKS refetched");
        let next = Arc::new(KeySet { keys, generation: current.generation + 1, fetched_at: Instant::now() });
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&next);
        Ok(next)
    }
}

/// The usable keys of the JWKS at `jwks_uri`.
async fn fetch_keys(client: &Client, jwks_uri: &str) -> Result<HashMap<String, Arc<SigningKey>>, AuthError> {
    let document = fetch::get_json(client, "JWKS", jwks_uri).await?;
    parse_keys(&document).ok_or_else(|| AuthError::Unavailable(format!("JWKS at {jwks_uri}: no \"keys\" array")))
}

/// The usable keys of a JWKS document (`None` when it has no `keys` array). A key is usable
/// when it has a `kid`, is for signatures (`use` absent or "sig"), and is RSA (2048 bits or
/// more) or EC on P-256; other keys are skipped, and of keys sharing a `kid` the first is kept.
fn parse_keys(document: &Value) -> Option<HashMap<String, Arc<SigningKey>>> {
    let mut keys = HashMap::new();
    for value in document.get("keys")?.as_array()? {
        let Some((kid, key)) = parse_key(value) else { continue };
        if keys.contains_key(&kid) {
            tracing::warn!(kid, "JWKS has two keys with one key id: keeping the first");
            continue;
        }
        keys.insert(kid, Arc::new(key));
    }
    Some(keys)
}

/// One JWK as a usable key, or `None` (logged) when it is not one.
fn parse_key(value: &Value) -> Option<(String, SigningKey)> {
    let skip = |kid: Option<&str>, reason: &str| {
        tracing::debug!(kid, reason, "JWKS key skipped");
    };
    let jwk: Jwk = match serde_json::from_value(value.clone()) {
        Ok(jwk) => jwk,
        Err(error) => {
            skip(value.get("kid").and_then(Value::as_str), &format!("unsupported key: {error}"));
            return None;
        }
    };
    let kid = jwk.common.key_id.as_deref().filter(|kid| !kid.is_empty());
    let Some(kid) = kid else {
        skip(None, "no kid");
        return None;
    };
    if jwk.common.public_key_use.as_ref().is_some_and(|key_use| *key_use != PublicKeyUse::Signature) {
        skip(Some(kid), "not a signature key");
        return None;
    }
    let kind = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => KeyKind::Rsa,
        AlgorithmParameters::EllipticCurve(params) if params.curve == EllipticCurve::P256 => KeyKind::EcP256,
        _ => {
            skip(Some(kid), "neither RSA nor EC on P-256");
            return None;
        }
    };
    let key = match DecodingKey::from_jwk(&jwk) {
        Ok(key) => key,
        Err(error) => {
            skip(Some(kid), &format!("invalid key: {error}"));
            return None;
        }
    };
    if kind == KeyKind::Rsa && rsa_bits(&key) < MIN_RSA_BITS {
        skip(Some(kid), "RSA modulus shorter than 2048 bits");
        return None;
    }
    Some((kid.to_owned(), SigningKey { kind, alg: jwk.common.key_algorithm, key }))
}

/// The size of an RSA key's modulus, in bits (0 for a key of another form).
fn rsa_bits(key: &DecodingKey) -> usize {
    let DecodingKeyKind::RsaModulusExponent { n, .. } = key.kind() else { return 0 };
    let Some(first) = n.iter().position(|byte| *byte != 0) else { return 0 };
    let leading_zeros = n.get(first).map_or(0, |byte| byte.leading_zeros() as usize);
    (n.len() - first) * 8 - leading_zeros
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unusable_keys_are_skipped() {
        let ec = json!({"kty": "EC", "crv": "P-256", "kid": "ec",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
        let small_rsa = json!({"kty": "RSA", "kid": "small", "n": "wQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "e": "AQAB"});
        let document = json!({"keys": [
            ec,
            {"kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "EC", "crv": "P-256", "kid": "enc", "use": "enc",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "weird", "kid": "weird"},
            small_rsa,
        ]});
        let keys = parse_keys(&document).unwrap_or_default();
        assert_eq!(keys.keys().collect::<Vec<_>>(), vec!["ec"]);
        assert!(parse_keys(&json!({"nokeys": []})).is_none());
    }
}
