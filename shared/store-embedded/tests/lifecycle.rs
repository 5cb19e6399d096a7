//! Embedded-store behaviour beyond the conformance suite: writers that close when idle and
//! reopen, and data that persists across reopening the directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use mozdef_query::SearchQuery;
use mozdef_store::{EventStore, IndexRequest, SearchRequest};
use mozdef_store_embedded::EmbeddedStore;
use serde_json::json;

fn request(id: &str) -> IndexRequest {
    let source = json!({"utctimestamp": "2026-11-23T11:00:00+00:00", "receivedtimestamp": "2026-11-23T11:00:00+00:00", "summary": id});
    IndexRequest { index: "events-20261123".into(), id: id.into(), source: source.as_object().unwrap().clone() }
}

async fn count(store: &EmbeddedStore) -> u64 {
    let indices = vec!["events-*".to_owned()];
    let query = SearchQuery::new(None);
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    store.search(SearchRequest { indices: &indices, query: &query, size: 0, now }).await.unwrap().total.unwrap()
}

#[tokio::test]
async fn idle_writers_close_and_reopen_and_data_persists() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    store.index(&[request("a")]).await.unwrap();
    store.refresh().await.unwrap();
    store.refresh().await.unwrap(); // nothing pending: the writer closes
    store.index(&[request("b")]).await.unwrap(); // and reopens
    store.refresh().await.unwrap();
    assert_eq!(count(&store).await, 2);
    drop(store);
    let reopened = EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(count(&reopened).await, 2, "committed documents survive reopening");
    assert_eq!(reopened.list_indices().await.unwrap(), ["events-20261123"]);
    reopened.index(&[request("a")]).await.unwrap();
    reopened.refresh().await.unwrap();
    assert_eq!(count(&reopened).await, 2, "an upsert after reopening replaces, never duplicates");
}
