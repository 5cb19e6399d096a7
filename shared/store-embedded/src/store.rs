//! [`EmbeddedStore`]: MozDef's indices as tantivy indices under one directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_query::eval::{CompiledQuery, TermsAggregator};
use mozdef_query::prefilter::document_terms;
use mozdef_query::{Hit, Meta, SearchResults, TopHits};
use mozdef_store::indices::{is_valid_index_name, resolve_all};
use mozdef_store::{
    EventRef, EventStore, IndexRequest, ItemOutcome, SearchRequest, StoreError, StoreHealth, tag_alert_source,
};
use serde_json::Value;

use crate::EmbeddedError;
use crate::index::{MozdefIndex, PreparedDoc};

/// The embedded store: every MozDef index is a tantivy index in `<root>/indices/<name>`.
#[derive(Debug, Clone)]
pub struct EmbeddedStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    indices: RwLock<BTreeMap<String, Arc<MozdefIndex>>>,
}

impl EmbeddedStore {
    /// Opens (or creates) the store in `data_dir`, opening every index found there.
    pub fn open(data_dir: &Path) -> Result<Self, EmbeddedError> {
        let root = data_dir.join("indices");
        std::fs::create_dir_all(&root).map_err(EmbeddedError::io("create directory", &root))?;
        let mut indices = BTreeMap::new();
        let entries = std::fs::read_dir(&root).map_err(EmbeddedError::io("read directory", &root))?;
        for entry in entries {
            let entry = entry.map_err(EmbeddedError::io("read directory", &root))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
            if is_valid_index_name(&name) && entry.path().join("meta.json").exists() {
                let index = MozdefIndex::open_or_create(&name, &entry.path())?;
                indices.insert(name, Arc::new(index));
            }
        }
        tracing::info!(path = %root.display(), indices = indices.len(), "embedded store opened");
        Ok(EmbeddedStore { inner: Arc::new(Inner { root, indices: RwLock::new(indices) }) })
    }

    fn existing(&self) -> Vec<String> {
        self.inner.indices.read().map(|m| m.keys().cloned().collect()).unwrap_or_default()
    }

    fn lookup(&self, name: &str) -> Option<Arc<MozdefIndex>> {
        self.inner.indices.read().ok().and_then(|m| m.get(name).cloned())
    }

    fn get_or_create(&self, name: &str) -> Result<Arc<MozdefIndex>, EmbeddedError> {
        if let Some(index) = self.lookup(name) {
            return Ok(index);
        }
        let mut map = self.inner.indices.write().map_err(|_| poisoned(name))?;
        if let Some(index) = map.get(name) {
            return Ok(index.clone());
        }
        let index = Arc::new(MozdefIndex::open_or_create(name, &self.inner.root.join(name))?);
        tracing::info!(index = name, "index created");
        map.insert(name.to_owned(), index.clone());
        Ok(index)
    }

    fn all_indices(&self) -> Vec<Arc<MozdefIndex>> {
        self.inner.indices.read().map(|m| m.values().cloned().collect()).unwrap_or_default()
    }

    /// Serialises a batch, grouped by index, with an outcome per record for what cannot be.
    fn prepare(docs: &[IndexRequest]) -> (Vec<ItemOutcome>, BTreeMap<String, Vec<PreparedDoc>>) {
        let mut outcomes = vec![ItemOutcome::Indexed; docs.len()];
        let mut by_index: BTreeMap<String, Vec<PreparedDoc>> = BTreeMap::new();
        for (position, request) in docs.iter().enumerate() {
            if !is_valid_index_name(&request.index) {
                outcomes[position] = ItemOutcome::Reject(format!("invalid index name {:?}", request.index));
                continue;
            }
            let utc = request.source.get("utctimestamp").and_then(parse_date);
            let received = request.source.get("receivedtimestamp").and_then(parse_date);
            match serde_json::to_vec(&request.source) {
                Ok(source) => by_index.entry(request.index.clone()).or_default().push(PreparedDoc {
                    id: request.id.clone(),
                    source,
                    terms: document_terms(&request.source),
                    utctimestamp: utc,
                    receivedtimestamp: received,
                }),
                Err(e) => outcomes[position] = ItemOutcome::Reject(format!("document cannot be serialised: {e}")),
            }
        }
        (outcomes, by_index)
    }

    fn write_blocking(&self, by_index: BTreeMap<String, Vec<PreparedDoc>>) -> Result<(), EmbeddedError> {
        for (name, batch) in by_index {
            self.get_or_create(&name)?.upsert(batch)?;
        }
        Ok(())
    }

    fn search_blocking(&self, request: SearchRequest<'_>) -> Result<SearchResults, StoreError> {
        let compiled = CompiledQuery::new(request.query)?;
        let required = compiled.required_terms();
        let dates = compiled.required_date_bounds(request.now);
        let window = request.query.window_bounds(request.now);
        let mut aggregator = TermsAggregator::new(&request.query.aggregations);
        let mut best = TopHits::new(request.size);
        for name in resolve_all(request.indices, request.now, &self.existing()) {
            let Some(index) = self.lookup(&name) else { continue };
            index.candidates(window, &required, &dates, |doc| {
                let source = Value::Object(doc.source);
                if compiled.matches(&source, request.now) {
                    aggregator.add(&source);
                    let Value::Object(source) = source else { return };
                    best.offer(Hit { id: doc.id, index: name.clone(), score: 1.0, source });
                }
            })?;
        }
        let (total, hits) = best.finish();
        Ok(SearchResults {
            hits,
            meta: Meta { timed_out: false },
            total: Some(total),
            aggregations: (!request.query.aggregations.is_empty()).then(|| aggregator.finish()),
        })
    }

    fn get_blocking(&self, indices: &[String], id: &str, now: DateTime<Utc>) -> Result<Option<Hit>, EmbeddedError> {
        for name in resolve_all(indices, now, &self.existing()) {
            let Some(index) = self.lookup(&name) else { continue };
            if let Some(doc) = index.get(id)? {
                return Ok(Some(Hit { id: doc.id, index: name, score: 1.0, source: doc.source }));
            }
        }
        Ok(None)
    }
}

/// Reads a stored date field as the mapping declares it (`date_optional_time||epoch_millis`,
/// normally an `isoformat` string), as OpenSearch indexes and sorts it.
fn parse_date(value: &Value) -> Option<DateTime<Utc>> {
    mozdef_query::eval::indexed_date(value)
}

fn poisoned(name: &str) -> EmbeddedError {
    EmbeddedError::Index {
        index: name.to_owned(),
        source: tantivy::TantivyError::SystemError("index map lock poisoned".into()),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| StoreError::Backend(format!("store task failed: {e}")))?
}

#[async_trait]
impl EventStore for EmbeddedStore {
    async fn index(&self, docs: &[IndexRequest]) -> Result<Vec<ItemOutcome>, StoreError> {
        let (outcomes, by_index) = Self::prepare(docs);
        let store = self.clone();
        blocking(move || Ok(store.write_blocking(by_index)?)).await?;
        Ok(outcomes)
    }

    async fn refresh(&self) -> Result<(), StoreError> {
        let store = self.clone();
        blocking(move || {
            for index in store.all_indices() {
                index.commit()?;
            }
            Ok(())
        })
        .await
    }

    async fn search(&self, request: SearchRequest<'_>) -> Result<SearchResults, StoreError> {
        let store = self.clone();
        let indices = request.indices.to_vec();
        let query = request.query.clone();
        let (size, now) = (request.size, request.now);
        blocking(move || store.search_blocking(SearchRequest { indices: &indices, query: &query, size, now })).await
    }

    async fn get(&self, indices: &[String], id: &str, now: DateTime<Utc>) -> Result<Option<Hit>, StoreError> {
        let store = self.clone();
        let (indices, id) = (indices.to_vec(), id.to_owned());
        blocking(move || Ok(store.get_blocking(&indices, &id, now)?)).await
    }

    async fn list_indices(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.existing())
    }

    async fn tag_alert(
        &self,
        events: &[EventRef],
        alert_name: &str,
        alert: &EventRef,
    ) -> Result<Vec<ItemOutcome>, StoreError> {
        // tantivy has no partial update: read each event, tag it, write it back whole.
        let store = self.clone();
        let (events, alert_name, alert) = (events.to_vec(), alert_name.to_owned(), alert.clone());
        blocking(move || {
            let mut outcomes = Vec::with_capacity(events.len());
            let mut requests = Vec::new();
            for event in &events {
                let found = match store.lookup(&event.index) {
                    Some(index) => index.get(&event.id)?,
                    None => None,
                };
                match found {
                    Some(mut doc) => {
                        tag_alert_source(&mut doc.source, &alert_name, &alert);
                        requests.push(IndexRequest {
                            index: event.index.clone(),
                            id: event.id.clone(),
                            source: doc.source,
                        });
                        outcomes.push(ItemOutcome::Indexed);
                    }
                    None => outcomes.push(ItemOutcome::Reject(format!("no event {} in {}", event.id, event.index))),
                }
            }
            let (prepared, by_index) = Self::prepare(&requests);
            let touched: Vec<String> = by_index.keys().cloned().collect();
            store.write_blocking(by_index)?;
            // Committed at once: the next tag reads the event back and must see this one.
            for name in touched {
                if let Some(index) = store.lookup(&name) {
                    index.commit()?;
                }
            }
            // prepare() only refuses invalid index names, which a found event never has.
            debug_assert!(prepared.iter().all(|o| *o == ItemOutcome::Indexed));
            Ok(outcomes)
        })
        .await
    }

    async fn health(&self) -> Result<StoreHealth, StoreError> {
        let indices = self.all_indices();
        Ok(StoreHealth {
            backend: "embedded",
            status: "green".into(),
            indices: indices.len(),
            documents: indices.iter().map(|i| i.num_docs()).sum(),
            details: serde_json::json!({"path": self.inner.root.display().to_string()}),
        })
    }
}

impl EmbeddedStore {
    /// The documents of one index, for tools and tests (unordered).
    pub fn documents(&self, index: &str) -> Result<Vec<(String, Document)>, EmbeddedError> {
        let mut out = Vec::new();
        if let Some(index) = self.lookup(index) {
            index.candidates(None, &[], &[], |doc| out.push((doc.id, doc.source)))?;
        }
        Ok(out)
    }
}
