//! `ShipperTokens` over the SQLite store: secrets shown once and stored hashed, names
//! checked, revocation, and the verification cache (what it remembers, for how long, and
//! that store failures are not remembered).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_service::shipper_tokens::{CacheSettings, Verification, hash_secret};
use mozdef_service::{ShipperTokens, TokenError};
use mozdef_store::{ShipperToken, ShipperTokenStore, StoreError};
use mozdef_store_embedded::SqliteShipperTokens;

/// The SQLite store, counting lookups by hash, failing them on demand.
#[derive(Debug)]
struct Counting {
    inner: SqliteShipperTokens,
    finds: AtomicUsize,
    down: AtomicBool,
}

#[async_trait]
impl ShipperTokenStore for Counting {
    async fn insert(&self, token: &ShipperToken) -> Result<(), StoreError> {
        self.inner.insert(token).await
    }
    async fn find(&self, hash: &str) -> Result<Option<ShipperToken>, StoreError> {
        self.finds.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("throttled".into()));
        }
        self.inner.find(hash).await
    }
    async fn list(&self) -> Result<Vec<ShipperToken>, StoreError> {
        self.inner.list().await
    }
    async fn revoke(&self, name: &str, at: DateTime<Utc>) -> Result<usize, StoreError> {
        self.inner.revoke(name, at).await
    }
}

struct Setup {
    store: Arc<Counting>,
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mozdef.sqlite");
    let inner = SqliteShipperTokens::open(&path).unwrap();
    let store = Arc::new(Counting { inner, finds: AtomicUsize::new(0), down: AtomicBool::new(false) });
    Setup { store, path, _dir: dir }
}

fn tokens(setup: &Setup, settings: CacheSettings) -> ShipperTokens {
    ShipperTokens::new(setup.store.clone(), settings)
}

fn finds(setup: &Setup) -> usize {
    setup.store.finds.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_secret_is_shown_once_and_only_its_hash_is_stored() {
    let setup = setup();
    let tokens = tokens(&setup, CacheSettings::default());
    let before = Utc::now();
    let web1 = tokens.create("web1").await.unwrap();
    let web2 = tokens.create("web2").await.unwrap();
    assert!(web1.secret.starts_with("mzd_") && web1.secret.len() == 47, "{}", web1.secret);
    assert_ne!(web1.secret, web2.secret);
    assert!(web1.created >= before - chrono::Duration::seconds(1) && web1.created <= Utc::now());

    let listed = tokens.list().await.unwrap();
    assert_eq!(listed.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["web1", "web2"]);
    assert_eq!(listed[0].hash, hash_secret(&web1.secret));
    assert_eq!(listed[0].created, web1.created);
    // Nothing of the secret is in the database file.
    let file = std::fs::read(&setup.path).unwrap();
    let secret_part = &web1.secret.as_bytes()[4..];
    assert!(!file.windows(secret_part.len()).any(|w| w == secret_part), "the secret is not stored");

    assert_eq!(tokens.verify(&web1.secret).await.unwrap(), Verification::Valid("web1".into()));
    assert_eq!(tokens.verify(&web2.secret).await.unwrap(), Verification::Valid("web2".into()));
}

#[tokio::test]
async fn names_are_unique_among_active_tokens_and_revocation_needs_one() {
    let setup = setup();
    let tokens = tokens(&setup, CacheSettings::default());
    let first = tokens.create("web1").await.unwrap();
    assert!(matches!(tokens.create("web1").await, Err(TokenError::NameInUse(n)) if n == "web1"));
    assert!(matches!(tokens.create("bad name").await, Err(TokenError::InvalidName { .. })));
    assert!(matches!(tokens.revoke("nobody").await, Err(TokenError::NotFound(n)) if n == "nobody"));

    assert_eq!(tokens.revoke("web1").await.unwrap(), 1);
    assert_eq!(tokens.verify(&first.secret).await.unwrap(), Verification::Revoked("web1".into()));
    assert!(matches!(tokens.revoke("web1").await, Err(TokenError::NotFound(_))));
    // The name is free again; the old secret stays revoked.
    let second = tokens.create("web1").await.unwrap();
    assert_eq!(tokens.verify(&second.secret).await.unwrap(), Verification::Valid("web1".into()));
    assert_eq!(tokens.verify(&first.secret).await.unwrap(), Verification::Revoked("web1".into()));
    let listed = tokens.list().await.unwrap();
    assert_eq!(
        listed.iter().map(|t| (t.name.as_str(), t.is_active())).collect::<Vec<_>>(),
        [("web1", false), ("web1", true)]
    );
}

/// On tokio's paused clock: the defaults (a minute, five seconds) pass in no time.
#[tokio::test(start_paused = true)]
async fn answers_are_cached_for_their_ttl() {
    let setup = setup();
    let tokens = tokens(&setup, CacheSettings::default());
    let token = tokens.create("web1").await.unwrap();

    // A valid token: one store read, then the cache.
    for _ in 0..5 {
        assert_eq!(tokens.verify(&token.secret).await.unwrap(), Verification::Valid("web1".into()));
    }
    assert_eq!(finds(&setup), 1);

    // Revoked elsewhere (another process on the same store): still valid until the TTL ends.
    let elsewhere = ShipperTokens::new(setup.store.clone(), CacheSettings::default());
    elsewhere.revoke("web1").await.unwrap();
    tokio::time::advance(Duration::from_secs(59)).await;
    assert_eq!(tokens.verify(&token.secret).await.unwrap(), Verification::Valid("web1".into()));
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(tokens.verify(&token.secret).await.unwrap(), Verification::Revoked("web1".into()));
    assert_eq!(finds(&setup), 2);

    // Unknown tokens: remembered briefly, so a shipper retrying a bad one costs one read.
    let unknown = format!("mzd_{}", "Q".repeat(43));
    for _ in 0..5 {
        assert_eq!(tokens.verify(&unknown).await.unwrap(), Verification::Unknown);
    }
    assert_eq!(finds(&setup), 3);
    tokio::time::advance(Duration::from_secs(4)).await;
    assert_eq!(tokens.verify(&unknown).await.unwrap(), Verification::Unknown);
    assert_eq!(finds(&setup), 3);
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(tokens.verify(&unknown).await.unwrap(), Verification::Unknown);
    assert_eq!(finds(&setup), 4);

    // Malformed ones never reach the store.
    for bad in ["", "Bearer", "mzd_short", "not-a-token-at-all-but-long-enough-to-be-hashed-anyway"] {
        assert_eq!(tokens.verify(bad).await.unwrap(), Verification::Malformed);
    }
    assert_eq!(finds(&setup), 4);
}

#[tokio::test]
async fn revoking_through_the_same_instance_takes_effect_at_once() {
    let setup = setup();
    let tokens = tokens(&setup, CacheSettings::default());
    let token = tokens.create("web1").await.unwrap();
    assert_eq!(tokens.verify(&token.secret).await.unwrap(), Verification::Valid("web1".into()));
    tokens.revoke("web1").await.unwrap();
    assert_eq!(tokens.verify(&token.secret).await.unwrap(), Verification::Revoked("web1".into()));
}

#[tokio::test]
async fn store_failures_are_retryable_and_not_remembered() {
    let setup = setup();
    let tokens = tokens(&setup, CacheSettings::default());
    let token = tokens.create("web1").await.unwrap();
    setup.store.down.store(true, Ordering::SeqCst);
    let error = tokens.verify(&token.secret).await.unwrap_err();
    assert!(error.is_retryable(), "{error}");
    setup.store.down.store(false, Ordering::SeqCst);
    assert_eq!(tokens.verify(&token.secret).await.unwrap(), Verification::Valid("web1".into()));
}

#[tokio::test]
async fn the_cache_stays_bounded_under_a_flood_of_distinct_tokens() {
    let setup = setup();
    let settings = CacheSettings { max_entries: 50, ..CacheSettings::default() };
    let tokens = tokens(&setup, settings);
    let token = tokens.create("web1").await.unwrap();
    for n in 0..500 {
        let bogus = format!("mzd_{:0>43}", n);
        assert_eq!(tokens.verify(&bogus).await.unwrap(), Verification::Unknown);
        assert!(tokens.cached_answers() <= 50, "{} answers cached", tokens.cached_answers());
    }
    assert_eq!(finds(&setup), 500, "each distinct token costs one read");
    // Still answering correctly after the cache was emptied a few times.
    assert_eq!(tokens.verify(&token.secret).await.unwrap(), Verification::Valid("web1".into()));
    let before = finds(&setup);
    assert_eq!(tokens.verify(&token.secret).await.unwrap(), Verification::Valid("web1".into()));
    assert_eq!(finds(&setup), before, "and remembering again");
}
