//! [`EmbeddedStore`]: MozDef's indices as tantivy indices under one directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_query::eval::{CompiledQuery, TermsAggregator};
use mozdef_query::plan::index_document;
use mozdef_query::{Hit, Meta, SearchResults, TopHits};
use mozdef_store::indices::{is_valid_index_name, resolve_all};
use mozdef_store::{
    EventRef, EventStore, IndexRequest, ItemOutcome, SearchRequest, StoreError, StoreHealth, tag_alert_source,
};
use serde_json::Value;

use crate::EmbeddedError;
use crate::catalog::IndexCatalog;
use crate::footprint::IndexFigures;
use crate::index::{MozdefIndex, PreparedDoc, StoredDoc};
use crate::planned::suspect;

/// The embedded store: every MozDef index is a tantivy index in `<root>/indices/<name>`,
/// opened on first use.
#[derive(Debug, Clone)]
pub struct EmbeddedStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    indices: IndexCatalog,
    limits: SearchLimits,
}

/// How the store bounds a search's work and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchLimits {
    /// An exact plan whose patterns would read every term of their ranges is run without
    /// them when the rest of it leaves at most this many candidates, which the evaluator then
    /// tests (default 5,000).
    pub scan_cutoff: u64,
    /// The most distinct values one aggregation may hold (default 1,000,000, about 100 MiB of
    /// keys and counts): beyond it the search is refused rather than the process outgrowing
    /// its memory.
    pub max_aggregation_keys: usize,
}

impl Default for SearchLimits {
    fn default() -> Self {
        SearchLimits { scan_cutoff: 5_000, max_aggregation_keys: 1_000_000 }
    }
}

impl EmbeddedStore {
    /// Opens (or creates) the store in `data_dir`. Lists the indices found there and opens
    /// none: each is opened on first use.
    pub fn open(data_dir: &Path) -> Result<Self, EmbeddedError> {
        Self::open_with(data_dir, SearchLimits::default())
    }

    /// [`EmbeddedStore::open`] with other search limits.
    pub fn open_with(data_dir: &Path, limits: SearchLimits) -> Result<Self, EmbeddedError> {
        let root = data_dir.join("indices");
        let indices = IndexCatalog::open(&root)?;
        tracing::info!(path = %root.display(), indices = indices.names().len(), "embedded store opened");
        Ok(EmbeddedStore { inner: Arc::new(Inner { root, indices, limits }) })
    }

    /// The names of the indices, sorted.
    fn existing(&self) -> Vec<String> {
        self.inner.indices.names()
    }

    /// The index `name`, opened now if it is not yet (`None`: no such index, or it cannot be
    /// opened, which is logged).
    fn lookup(&self, name: &str) -> Option<Arc<MozdefIndex>> {
        self.inner.indices.lookup(name)
    }

    fn get_or_create(&self, name: &str) -> Result<Arc<MozdefIndex>, EmbeddedError> {
        self.inner.indices.get_or_create(name)
    }

    /// The indices opened so far: the others have nothing to commit.
    fn all_indices(&self) -> Vec<Arc<MozdefIndex>> {
        self.inner.indices.opened()
    }

    /// The catalog of indices (for retention).
    pub(crate) fn catalog(&self) -> &IndexCatalog {
        &self.inner.indices
    }

    /// How many indices are open (an index is opened on first use).
    pub fn opened_indices(&self) -> usize {
        self.inner.indices.open_count()
    }

    /// The indices' count, documents and bytes, reading their directories (blocking; opens no
    /// index: the documents of an index not open come from its `meta.json`).
    pub fn figures(&self) -> Result<IndexFigures, EmbeddedError> {
        self.inner.indices.figures()
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
            match serde_json::to_vec(&request.source) {
                Ok(source) => by_index.entry(request.index.clone()).or_default().push(PreparedDoc {
                    id: request.id.clone(),
                    source,
                    indexed: index_document(&request.source),
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
        let plan = compiled.index_plan(request.now);
        let limits = self.inner.limits;
        let mut search = Search {
            compiled: &compiled,
            now: request.now,
            aggregator: TermsAggregator::bounded(&request.query.aggregations, limits.max_aggregation_keys),
            best: TopHits::new(request.size),
        };
        for name in resolve_all(request.indices, request.now, &self.existing()) {
            let Some(index) = self.lookup(&name) else { continue };
            let fields = index.plan_fields();
            let few = match fields {
                Some(fields) if plan.exact => index.few_without_scans(&plan, fields, limits.scan_cutoff)?,
                _ => None,
            };
            match (fields, few) {
                (Some(fields), Some(reduced)) => {
                    // The other clauses leave few candidates: read them and let the evaluator
                    // test the patterns, rather than reading every term of their ranges.
                    index.visit_planned(&reduced, fields, |doc| {
                        search.offer(&name, doc);
                    })?;
                }
                (Some(fields), None) if plan.exact => {
                    // Counted, ranked and aggregated in the index; only the newest are read,
                    // and the suspect candidates, which the evaluator judges.
                    let (count, newest) = index.exact_newest(&plan, fields, request.size)?;
                    let read = newest.len() as u64;
                    for doc in newest {
                        if !search.rank(&name, doc) {
                            tracing::warn!(index = %name, "an exact index plan admitted a document the evaluator rejects");
                        }
                    }
                    search.best.count_unseen(count.saturating_sub(read));
                    if !request.query.aggregations.is_empty() {
                        index.exact_aggregate(&plan, fields, &request.query.aggregations, &mut search.aggregator)?;
                    }
                    index.visit_planned(&suspect(&plan), fields, |doc| {
                        search.offer(&name, doc);
                    })?;
                }
                (Some(fields), None) => index.visit_planned(&plan.query, fields, |doc| {
                    search.offer(&name, doc);
                })?,
                (None, _) => {
                    // An index made before index plans: the prefilter's terms and the window.
                    let required = compiled.required_terms();
                    let dates = compiled.required_date_bounds(request.now);
                    let window = request.query.window_bounds(request.now);
                    index.candidates(window, &required, &dates, |doc| {
                        search.offer(&name, doc);
                    })?;
                }
            }
        }
        let Search { aggregator, best, .. } = search;
        if let Some(field) = aggregator.overflow() {
            return Err(StoreError::TooLarge(format!(
                "the aggregation on {field} has more than {} distinct values in the window: narrow the query or the window",
                limits.max_aggregation_keys
            )));
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

/// One search over the indices: the query, the aggregations and the best hits so far.
struct Search<'a> {
    compiled: &'a CompiledQuery,
    now: DateTime<Utc>,
    aggregator: TermsAggregator,
    best: TopHits,
}

impl Search<'_> {
    /// Judges a candidate of `index` with the evaluator, and counts, aggregates and keeps it
    /// when it matches; whether it matched.
    fn offer(&mut self, index: &str, doc: StoredDoc) -> bool {
        self.judge(index, doc, true)
    }

    /// [`Search::offer`] without aggregating: for hits whose values the index counted.
    fn rank(&mut self, index: &str, doc: StoredDoc) -> bool {
        self.judge(index, doc, false)
    }

    fn judge(&mut self, index: &str, doc: StoredDoc, aggregate: bool) -> bool {
        let source = Value::Object(doc.source);
        if !self.compiled.matches(&source, self.now) {
            return false;
        }
        if aggregate {
            self.aggregator.add(&source);
        }
        if let Value::Object(source) = source {
            self.best.offer(Hit { id: doc.id, index: index.to_owned(), score: 1.0, source });
        }
        true
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

    /// Counts from the directories and the `meta.json` of the indices not open (none is
    /// opened for it): `details` holds the path, the indices' bytes and how many are open.
    async fn health(&self) -> Result<StoreHealth, StoreError> {
        let store = self.clone();
        let figures = blocking(move || Ok(store.figures()?)).await?;
        Ok(StoreHealth {
            backend: "embedded",
            status: "green".into(),
            indices: figures.count,
            documents: figures.documents,
            details: serde_json::json!({
                "path": self.inner.root.display().to_string(),
                "bytes": figures.bytes,
                "openIndices": figures.open,
            }),
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
