//! The stores the catalogue's cases run on here: the embedded store, and OpenSearch when the
//! full run provides one (an isolated index prefix per case), each through the application
//! layer's [`StoreAlertBackend`] with GeoModel's state in SQLite beside it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use mozdef_alerts::AlertBackend;
use mozdef_alerts::localities::LocalityStore;
use mozdef_model::Document;
use mozdef_service::StoreAlertBackend;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome};
use mozdef_store_embedded::{EmbeddedStore, SqliteLocalities};
use mozdef_store_opensearch::testing::{Cleanup, isolated_store_at};
use serde_json::Value;

use crate::cases::common::{TestStore, now};

/// Fresh, empty stores for one case: the embedded store, and OpenSearch when
/// `MOZDEF_TEST_OPENSEARCH_URL` is set.
pub async fn open() -> Vec<Box<dyn TestStore>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let embedded = EmbeddedStore::open(&dir.path().join("events")).expect("embedded store");
    let mut stores: Vec<Box<dyn TestStore>> = vec![Box::new(Store::new("embedded", Arc::new(embedded), dir, None))];
    if let Some(url) = std::env::var("MOZDEF_TEST_OPENSEARCH_URL").ok().filter(|u| !u.is_empty()) {
        let (store, cleanup) = isolated_store_at(&url).await;
        let dir = tempfile::tempdir().expect("tempdir");
        stores.push(Box::new(Store::new("opensearch", Arc::new(store), dir, Some(cleanup))));
    }
    stores
}

/// One event store, with a directory for its locality databases.
struct Store {
    label: &'static str,
    events: Arc<dyn EventStore>,
    dir: tempfile::TempDir,
    localities: AtomicUsize,
    _cleanup: Option<Cleanup>,
}

impl Store {
    fn new(label: &'static str, events: Arc<dyn EventStore>, dir: tempfile::TempDir, cleanup: Option<Cleanup>) -> Self {
        Store { label, events, dir, localities: AtomicUsize::new(0), _cleanup: cleanup }
    }
}

#[async_trait]
impl TestStore for Store {
    fn label(&self) -> &'static str {
        self.label
    }

    async fn index(&self, docs: Vec<(String, String, Value)>) {
        let requests: Vec<IndexRequest> = docs
            .into_iter()
            .map(|(index, id, source)| IndexRequest {
                index,
                id,
                source: source.as_object().cloned().expect("documents are objects"),
            })
            .collect();
        if !requests.is_empty() {
            let outcomes = self.events.index(&requests).await.expect("index");
            assert!(outcomes.iter().all(|o| *o == ItemOutcome::Indexed), "not indexed: {outcomes:?}");
        }
        self.events.refresh().await.expect("refresh");
    }

    async fn get(&self, index: &str, id: &str) -> Option<Document> {
        let hit = self.events.get(&[index.to_owned()], id, now()).await.expect("get");
        hit.map(|hit| hit.source)
    }

    fn backend(&self) -> Arc<dyn AlertBackend> {
        Arc::new(StoreAlertBackend::new(self.events.clone()))
    }

    fn localities(&self) -> Arc<dyn LocalityStore> {
        let n = self.localities.fetch_add(1, Ordering::SeqCst);
        let path = self.dir.path().join(format!("localities-{n}.db"));
        Arc::new(SqliteLocalities::open(&path).expect("localities"))
    }
}
