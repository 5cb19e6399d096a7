//! Opening a store with many indices opens none of them: each is opened on first use, and the
//! health figures come from the directories without opening any.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Days, NaiveDate, TimeZone, Utc};
use mozdef_query::SearchQuery;
use mozdef_store::{EventStore, IndexRequest, SearchRequest};
use mozdef_store_embedded::EmbeddedStore;
use serde_json::json;

/// `events-20261001` and the 39 days after it.
fn days() -> Vec<String> {
    let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    (0..40).map(|n| format!("events-{}", (first + Days::new(n)).format("%Y%m%d"))).collect()
}

fn doc(index: &str, id: &str) -> IndexRequest {
    IndexRequest {
        index: index.to_owned(),
        id: id.to_owned(),
        source: json!({"summary": id}).as_object().unwrap().clone(),
    }
}

#[tokio::test]
async fn a_store_of_forty_indices_opens_them_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let names = days();
    // Written ten indices at a time, so that at most ten writers run at once.
    for chunk in names.chunks(10) {
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let docs: Vec<IndexRequest> = chunk.iter().map(|name| doc(name, &format!("one-{name}"))).collect();
        store.index(&docs).await.unwrap();
        store.refresh().await.unwrap();
    }
    {
        let store = EmbeddedStore::open(dir.path()).unwrap();
        store.index(&[doc("events-20261105", "two")]).await.unwrap();
        store.refresh().await.unwrap();
    }

    let store = EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(store.opened_indices(), 0);
    assert_eq!(store.list_indices().await.unwrap(), names);
    let health = store.health().await.unwrap();
    assert_eq!((health.indices, health.documents), (40, 41));
    assert_eq!(health.details["openIndices"], 0);
    assert!(health.details["bytes"].as_u64().unwrap() > 0);
    assert_eq!(store.opened_indices(), 0, "the health figures open no index");

    let query = SearchQuery::new(None);
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let indices = vec!["events-20261105".to_owned()];
    let found = store.search(SearchRequest { indices: &indices, query: &query, size: 10, now }).await.unwrap();
    assert_eq!(found.total, Some(2));
    assert_eq!(store.opened_indices(), 1);

    let hit = store.get(&["events-20261020".to_owned()], "one-events-20261020", now).await.unwrap().unwrap();
    assert_eq!(hit.index, "events-20261020");
    assert_eq!(store.opened_indices(), 2);
    store.refresh().await.unwrap();
    assert_eq!(store.opened_indices(), 2, "a refresh commits the open indices only");
    let health = store.health().await.unwrap();
    assert_eq!((health.indices, health.documents, health.details["openIndices"].as_u64()), (40, 41, Some(2)));
}
