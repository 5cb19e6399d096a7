//! The store the catalogue's cases run on here: [`MemoryBackend`] with [`MemoryLocalities`].

use std::sync::Arc;

use async_trait::async_trait;
use mozdef_alerts::AlertBackend;
use mozdef_alerts::localities::LocalityStore;
use mozdef_alerts::testing::{MemoryBackend, MemoryLocalities};
use mozdef_model::Document;
use serde_json::Value;

use crate::cases::common::{TestStore, now};

/// Fresh, empty stores for one case: the in-memory backend.
pub async fn open() -> Vec<Box<dyn TestStore>> {
    vec![Box::new(Memory { backend: Arc::new(MemoryBackend::new()) })]
}

struct Memory {
    backend: Arc<MemoryBackend>,
}

#[async_trait]
impl TestStore for Memory {
    fn label(&self) -> &'static str {
        "memory"
    }

    async fn index(&self, docs: Vec<(String, String, Value)>) {
        for (index, id, doc) in docs {
            let Value::Object(doc) = doc else { panic!("documents are objects: {doc}") };
            self.backend.index(&index, &id, doc).unwrap_or_else(|e| panic!("{index}/{id} not indexed: {e}"));
        }
    }

    async fn get(&self, index: &str, id: &str) -> Option<Document> {
        self.backend.get(&[index.to_owned()], id, now()).map(|hit| hit.source)
    }

    fn backend(&self) -> Arc<dyn AlertBackend> {
        self.backend.clone()
    }

    fn localities(&self) -> Arc<dyn LocalityStore> {
        Arc::new(MemoryLocalities::new())
    }
}
