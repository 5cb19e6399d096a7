//! Shipper tokens: the bearer tokens log shippers present to loginput. A record holds the
//! shipper's name, the SHA-256 of the secret (never the secret), when it was created and
//! when it was revoked. The secret itself exists only in the answer to its creation (the
//! application layer, `mozdef_service::shipper_tokens`, makes and checks secrets); a store
//! only keeps and finds records, by hash for a check and by name for a revocation.
//!
//! Implemented in SQLite for `mozdef dev` and in DynamoDB on AWS; both pass
//! `check_shipper_token_store` (feature `conformance`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;

/// One shipper token record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipperToken {
    /// The shipper's name (what logs name, what `revoke` takes).
    pub name: String,
    /// The SHA-256 of the secret, lowercase hex (64 characters).
    pub hash: String,
    /// When the token was created.
    pub created: DateTime<Utc>,
    /// When it was revoked; `None` while it is active.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ShipperToken {
    /// Whether the token still opens loginput.
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// Where shipper token records live. Errors say whether a retry may help
/// ([`StoreError::is_retryable`]).
#[async_trait]
pub trait ShipperTokenStore: Send + Sync + std::fmt::Debug {
    /// Stores a new record. A record with the same hash already there is an error that a
    /// retry does not fix, and the stored record stays as it was.
    async fn insert(&self, token: &ShipperToken) -> Result<(), StoreError>;

    /// The record whose hash is `hash` (active or revoked), read consistently: a revocation
    /// that returned is seen.
    async fn find(&self, hash: &str) -> Result<Option<ShipperToken>, StoreError>;

    /// Every record, active and revoked, ordered by name, then creation time.
    async fn list(&self) -> Result<Vec<ShipperToken>, StoreError>;

    /// Marks every active record named `name` revoked at `at`; returns how many it revoked
    /// (0 when none was active). Records revoked before keep their `revoked_at`.
    async fn revoke(&self, name: &str, at: DateTime<Utc>) -> Result<usize, StoreError>;
}

/// The check every [`ShipperTokenStore`] passes, on a fresh (empty) store.
///
/// # Panics
/// When the store does not behave as the trait says.
#[cfg(feature = "conformance")]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub async fn check_shipper_token_store(store: &dyn ShipperTokenStore) {
    use chrono::TimeZone;

    let at = |minute: u32, micros: u32| {
        Utc.with_ymd_and_hms(2026, 11, 23, 12, minute, 0).single().expect("valid time")
            + chrono::Duration::microseconds(i64::from(micros))
    };
    let record = |name: &str, fill: char, created| ShipperToken {
        name: name.into(),
        hash: std::iter::repeat_n(fill, 64).collect(),
        created,
        revoked_at: None,
    };

    assert_eq!(store.list().await.unwrap(), Vec::new(), "a fresh store is empty");
    assert_eq!(store.find(&"0".repeat(64)).await.unwrap(), None);

    // Inserted out of order: the list is ordered by name, then creation time.
    let web2 = record("web2", 'b', at(1, 0));
    let web1 = record("web1", 'a', at(2, 123_456));
    store.insert(&web2).await.unwrap();
    store.insert(&web1).await.unwrap();
    assert_eq!(store.list().await.unwrap(), vec![web1.clone(), web2.clone()]);
    assert_eq!(store.find(&web1.hash).await.unwrap(), Some(web1.clone()), "times keep their microseconds");

    // The same hash twice: refused for good, the first record unchanged.
    let clash = ShipperToken { name: "other".into(), ..web1.clone() };
    let error = store.insert(&clash).await.expect_err("a second record with the same hash");
    assert!(!error.is_retryable(), "a duplicate hash is not worth a retry: {error}");
    assert_eq!(store.find(&web1.hash).await.unwrap(), Some(web1.clone()));

    // Revocation by name; a second one changes nothing.
    assert_eq!(store.revoke("web1", at(3, 0)).await.unwrap(), 1);
    let revoked = ShipperToken { revoked_at: Some(at(3, 0)), ..web1.clone() };
    assert_eq!(store.find(&web1.hash).await.unwrap(), Some(revoked.clone()), "a revocation is seen at once");
    assert!(!revoked.is_active());
    assert_eq!(store.revoke("web1", at(4, 0)).await.unwrap(), 0);
    assert_eq!(store.find(&web1.hash).await.unwrap(), Some(revoked.clone()), "revoked_at is kept");
    assert_eq!(store.revoke("nobody", at(4, 0)).await.unwrap(), 0);
    assert_eq!(store.find(&web2.hash).await.unwrap(), Some(web2.clone()), "other shippers are untouched");

    // A name comes back with a new token; revoking it leaves the old record as it was.
    let web1_again = record("web1", 'c', at(5, 0));
    store.insert(&web1_again).await.unwrap();
    assert_eq!(store.list().await.unwrap(), vec![revoked.clone(), web1_again.clone(), web2.clone()]);
    assert_eq!(store.revoke("web1", at(6, 0)).await.unwrap(), 1);
    assert_eq!(store.find(&web1.hash).await.unwrap(), Some(revoked));
    let listed = store.list().await.unwrap();
    assert_eq!(listed.iter().filter(|t| t.is_active()).map(|t| t.name.as_str()).collect::<Vec<_>>(), vec!["web2"]);
}
