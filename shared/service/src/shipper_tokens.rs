//! Shipper tokens, as every entry point uses them: `mozdef token create|list|revoke`, `mozdef
//! dev --shipper-tokens required` and the loginput Lambda all call [`ShipperTokens`] over
//! whichever [`ShipperTokenStore`] they chose (SQLite, DynamoDB).
//!
//! A secret is [`SECRET_BYTES`] bytes from the operating system's CSPRNG (ring's
//! `SystemRandom`), written `mzd_<base64url, no padding>` (47 characters). It is shown once,
//! in the answer to [`ShipperTokens::create`]; the store keeps only its SHA-256. A fast,
//! unsalted hash is enough here, unlike for passwords: the secret has 256 bits of entropy, so
//! there is no dictionary to try and no brute force that a slow or salted hash would slow
//! down further (finding a secret from its hash is a SHA-256 preimage); and an unsalted hash
//! is a lookup key, so checking a token is one read by key. A leaked table therefore opens
//! nothing.
//!
//! [`ShipperTokens::verify`] answers from a small in-memory cache, keyed by hash: a valid
//! token is remembered for [`CacheSettings::ttl`] (so a revocation elsewhere — the command on
//! another machine — takes effect within it), an unknown or revoked one for
//! [`CacheSettings::negative_ttl`] (so a shipper retrying with a bad token does not cost a
//! store read per request), a malformed one never reaches the store. Revoking through the same
//! instance takes effect at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DurationRound, Utc};
use mozdef_store::{ShipperToken, ShipperTokenStore, StoreError};
use ring::rand::{SecureRandom, SystemRandom};
use tokio::time::Instant;

/// What every secret starts with.
pub const TOKEN_PREFIX: &str = "mzd_";
/// Random bytes in a secret.
pub const SECRET_BYTES: usize = 32;
/// Characters of a secret after the prefix (base64url of [`SECRET_BYTES`], no padding).
const ENCODED_LEN: usize = (SECRET_BYTES * 4).div_ceil(3);
/// The longest shipper name.
pub const MAX_NAME_LEN: usize = 64;

/// Why a token operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The name is not a valid shipper name.
    #[error("invalid shipper name {name:?}: {reason}")]
    InvalidName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The shipper already has an active token.
    #[error("shipper {0:?} already has an active token (revoke it first, or choose another name)")]
    NameInUse(String),
    /// No active token has this name.
    #[error("no active token for shipper {0:?}")]
    NotFound(String),
    /// The token store failed.
    #[error("shipper tokens: {0}")]
    Store(#[from] StoreError),
    /// The operating system gave no random bytes.
    #[error("no secure random bytes from the operating system")]
    Random,
}

impl TokenError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, TokenError::Store(e) if e.is_retryable())
    }
}

/// The new token's secret, to be shown once.
#[derive(Clone, PartialEq, Eq)]
pub struct NewToken {
    /// The shipper.
    pub name: String,
    /// The secret the shipper sends as `Authorization: Bearer <secret>`.
    pub secret: String,
    /// When it was created.
    pub created: chrono::DateTime<Utc>,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken").field("name", &self.name).field("created", &self.created).finish_non_exhaustive()
    }
}

/// What a presented secret is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// An active token of this shipper.
    Valid(String),
    /// A token of this shipper, revoked.
    Revoked(String),
    /// Well formed, but no token has this secret.
    Unknown,
    /// Not of the form `mzd_<43 base64url characters>`; the store was not asked.
    Malformed,
}

/// How long answers are remembered, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheSettings {
    /// How long a valid token is trusted without asking the store again: the longest a
    /// revocation made elsewhere takes to be noticed.
    pub ttl: Duration,
    /// How long an unknown or revoked token is refused without asking the store again.
    pub negative_ttl: Duration,
    /// The most answers kept (past it, expired answers are dropped, then all of them).
    pub max_entries: usize,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings { ttl: Duration::from_secs(60), negative_ttl: Duration::from_secs(5), max_entries: 10_000 }
    }
}

/// Creates, lists, revokes and checks shipper tokens over a store.
#[derive(Debug)]
pub struct ShipperTokens {
    store: Arc<dyn ShipperTokenStore>,
    settings: CacheSettings,
    cache: Mutex<HashMap<String, (Verification, Instant)>>,
    random: SystemRandom,
}

/// The SHA-256 of `secret`, lowercase hex: what the store keeps.
pub fn hash_secret(secret: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, secret.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `secret` has the form of a shipper token secret.
fn well_formed(secret: &str) -> bool {
    secret.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| {
        rest.len() == ENCODED_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Checks a shipper name: 1 to [`MAX_NAME_LEN`] ASCII letters, digits, `.`, `_` or `-`,
/// starting with a letter or digit (it is printed in logs and typed on command lines).
pub fn check_name(name: &str) -> Result<(), TokenError> {
    let invalid = |reason| Err(TokenError::InvalidName { name: name.to_owned(), reason });
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return invalid("a name has 1 to 64 characters");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
        return invalid("only ASCII letters, digits, '.', '_' and '-' are allowed");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return invalid("a name starts with a letter or a digit");
    }
    Ok(())
}

impl ShipperTokens {
    /// Tokens in `store`, checked through a cache with `settings`.
    pub fn new(store: Arc<dyn ShipperTokenStore>, settings: CacheSettings) -> Self {
        ShipperTokens { store, settings, cache: Mutex::new(HashMap::new()), random: SystemRandom::new() }
    }

    /// Creates a token for the shipper `name`, which must have no active token; the answer
    /// holds the secret, which is stored nowhere.
    pub async fn create(&self, name: &str) -> Result<NewToken, TokenError> {
        check_name(name)?;
        if self.store.list().await?.iter().any(|t| t.name == name && t.is_active()) {
            return Err(TokenError::NameInUse(name.to_owned()));
        }
        let mut bytes = [0u8; SECRET_BYTES];
        self.random.fill(&mut bytes).map_err(|_| TokenError::Random)?;
        let secret = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        // Stores keep microseconds.
        let now = Utc::now();
        let created = now.duration_trunc(chrono::Duration::microseconds(1)).unwrap_or(now);
        let record = ShipperToken { name: name.to_owned(), hash: hash_secret(&secret), created, revoked_at: None };
        self.store.insert(&record).await?;
        tracing::info!(shipper = name, "shipper token created");
        Ok(NewToken { name: name.to_owned(), secret, created })
    }

    /// Every token record, active and revoked (hashes, never secrets), by name.
    pub async fn list(&self) -> Result<Vec<ShipperToken>, TokenError> {
        Ok(self.store.list().await?)
    }

    /// Revokes the active token(s) of `name`; returns how many (at least one).
    pub async fn revoke(&self, name: &str) -> Result<usize, TokenError> {
        let revoked = self.store.revoke(name, Utc::now()).await?;
        if revoked == 0 {
            return Err(TokenError::NotFound(name.to_owned()));
        }
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|_, (answer, _)| *answer != Verification::Valid(name.to_owned()));
        }
        tracing::info!(shipper = name, revoked, "shipper token revoked");
        Ok(revoked)
    }

    /// What `secret` is. An `Err` means the store could not answer (worth a retry when
    /// [`TokenError::is_retryable`]); it is not remembered.
    pub async fn verify(&self, secret: &str) -> Result<Verification, TokenError> {
        if !well_formed(secret) {
            return Ok(Verification::Malformed);
        }
        let hash = hash_secret(secret);
        let now = Instant::now();
        if let Some(answer) = self.cached(&hash, now) {
            return Ok(answer);
        }
        let answer = match self.store.find(&hash).await? {
            Some(token) if token.is_active() => Verification::Valid(token.name),
            Some(token) => Verification::Revoked(token.name),
            None => Verification::Unknown,
        };
        self.remember(hash, answer.clone(), now);
        Ok(answer)
    }

    /// How many answers the cache holds now (at most [`CacheSettings::max_entries`]).
    pub fn cached_answers(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or_default()
    }

    fn cached(&self, hash: &str, now: Instant) -> Option<Verification> {
        let cache = self.cache.lock().ok()?;
        cache.get(hash).filter(|(_, expires)| *expires > now).map(|(answer, _)| answer.clone())
    }

    fn remember(&self, hash: String, answer: Verification, now: Instant) {
        let Ok(mut cache) = self.cache.lock() else { return };
        if cache.len() >= self.settings.max_entries {
            cache.retain(|_, (_, expires)| *expires > now);
            if cache.len() >= self.settings.max_entries {
                cache.clear();
            }
        }
        let ttl = if matches!(answer, Verification::Valid(_)) { self.settings.ttl } else { self.settings.negative_ttl };
        cache.insert(hash, (answer, now + ttl));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex() {
        // The SHA-256 test vector of "abc" (FIPS 180-2).
        assert_eq!(hash_secret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn names_are_checked() {
        for good in ["web1", "syslog-ng.dc1", "a", "Fluent_Bit-2", &"x".repeat(64)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-web", ".x", "web 1", "web/1", "wéb", &"x".repeat(65)] {
            let error = check_name(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(error.starts_with(&format!("invalid shipper name {bad:?}: ")), "{bad:?}: {error}");
        }
    }

    #[test]
    fn only_the_token_form_is_well_formed() {
        let good = format!("mzd_{}", "A".repeat(43));
        assert!(well_formed(&good));
        assert!(well_formed(&format!("mzd_{}", "-_09az".repeat(8).chars().take(43).collect::<String>())));
        for bad in [
            String::new(),
            "mzd_".into(),
            "A".repeat(47),
            format!("mzd_{}", "A".repeat(42)),
            format!("mzd_{}", "A".repeat(44)),
            format!("mzd_{}=", "A".repeat(42)),
            format!("MZD_{}", "A".repeat(43)),
            format!("mzd_{}+", "A".repeat(42)),
        ] {
            assert!(!well_formed(&bad), "{bad:?}");
        }
    }

    #[test]
    fn a_new_token_prints_without_its_secret() {
        let token = NewToken { name: "web1".into(), secret: "mzd_secret".into(), created: Utc::now() };
        assert!(!format!("{token:?}").contains("mzd_"), "{token:?}");
    }
}
