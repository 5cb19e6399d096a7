//! The behaviour every GeoModel state store ([`LocalityStore`]) must have: SQLite in
//! `mozdef dev`, DynamoDB on AWS.

use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::error::BackendError;
use crate::localities::{LocalityStore, Versioned};

/// The behaviour every [`LocalityStore`] must have (call it with an empty store); panics on
/// the first difference.
pub async fn check_locality_store(store: &dyn LocalityStore) {
    let doc = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
    let ok = |r: Result<bool, BackendError>| r.unwrap_or_else(|e| panic!("put: {e}"));
    assert_eq!(store.get("alice").await.ok(), Some(None), "no state yet");
    let first = doc(json!({"type_": "locality", "username": "alice", "localities": [{"city": "Toronto"}]}));
    assert!(!ok(store.put("alice", &first, Some(1)).await), "a version that does not exist conflicts");
    assert!(ok(store.put("alice", &first, None).await), "created");
    assert!(!ok(store.put("alice", &first, None).await), "created twice conflicts");
    let read = store.get("alice").await.ok().flatten();
    assert_eq!(read, Some(Versioned { document: first.clone(), version: 1 }));

    // Two runs read version 1; the first write wins, the second sees the conflict.
    let second = doc(json!({"type_": "locality", "username": "alice", "localities": [{"city": "Berlin"}]}));
    assert!(ok(store.put("alice", &second, Some(1)).await));
    assert!(!ok(store.put("alice", &first, Some(1)).await), "a stale version conflicts");
    assert_eq!(store.get("alice").await.ok().flatten().map(|v| (v.document, v.version)), Some((second, 2)));
    assert_eq!(store.get("bob").await.ok(), Some(None), "users are apart");

    let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default();
    assert_eq!(store.execution_time("geomodel").await.ok(), Some(None));
    store.set_execution_time("geomodel", at).await.unwrap_or_else(|e| panic!("set_execution_time: {e}"));
    store
        .set_execution_time("geomodel", at + chrono::Duration::minutes(1))
        .await
        .unwrap_or_else(|e| panic!("set_execution_time: {e}"));
    assert_eq!(store.execution_time("geomodel").await.ok(), Some(Some(at + chrono::Duration::minutes(1))));
    assert_eq!(store.execution_time("other").await.ok(), Some(None));
}
