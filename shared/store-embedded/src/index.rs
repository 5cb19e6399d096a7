//! One MozDef index as a tantivy index: the whole document stored as JSON, the id indexed
//! for upserts and look-ups, the window fields indexed as dates.

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_query::plan::IndexedDocument;
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{DateOptions, DateTimePrecision, Field, IndexRecordOption, STORED, STRING, Schema, Value};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::EmbeddedError;

/// Indexing threads of one index writer.
const WRITER_THREADS: usize = 2;
/// Memory budget of one index writer, shared by its threads (tantivy wants 15 MB a thread).
const WRITER_HEAP_BYTES: usize = 96_000_000;

/// The fields of an index. Indices made before index plans lack `typed`, `any` and `exists`
/// (and keep second-precision dates): they are searched by the prefilter alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) source: Field,
    pub(crate) terms: Field,
    pub(crate) utctimestamp: Field,
    pub(crate) receivedtimestamp: Field,
    /// The plan fields, when the index has them.
    pub(crate) planned: Option<PlanFields>,
}

/// The fields of [`mozdef_query::plan::TermField::Typed`], `Any` and `Exists`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanFields {
    pub(crate) typed: Field,
    pub(crate) any: Field,
    pub(crate) exists: Field,
}

impl Fields {
    fn schema() -> Schema {
        let mut builder = Schema::builder();
        builder.add_text_field("_id", STRING | STORED);
        builder.add_bytes_field("_source", STORED);
        builder.add_text_field("_terms", STRING);
        builder.add_text_field("_typed", STRING);
        builder.add_text_field("_any", STRING);
        builder.add_text_field("_exists", STRING);
        let date = DateOptions::default().set_indexed().set_fast().set_precision(DateTimePrecision::Milliseconds);
        builder.add_date_field("utctimestamp", date.clone());
        builder.add_date_field("receivedtimestamp", date);
        builder.build()
    }

    fn of(schema: &Schema, index: &str) -> Result<Self, EmbeddedError> {
        let get = |name: &str| {
            schema.get_field(name).map_err(|e| EmbeddedError::Index { index: index.to_owned(), source: e })
        };
        let planned = match (schema.get_field("_typed"), schema.get_field("_any"), schema.get_field("_exists")) {
            (Ok(typed), Ok(any), Ok(exists)) => Some(PlanFields { typed, any, exists }),
            _ => None,
        };
        Ok(Fields {
            id: get("_id")?,
            source: get("_source")?,
            terms: get("_terms")?,
            utctimestamp: get("utctimestamp")?,
            receivedtimestamp: get("receivedtimestamp")?,
            planned,
        })
    }
}

/// A document ready to write.
pub(crate) struct PreparedDoc {
    /// The document id.
    pub id: String,
    /// The serialised source.
    pub source: Vec<u8>,
    /// What the index holds of the source ([`mozdef_query::plan::index_document`]).
    pub indexed: IndexedDocument,
}

/// How long a writer may sit without writes before a commit closes it.
const WRITER_IDLE: std::time::Duration = std::time::Duration::from_secs(600);

/// The writer of an index, opened on the first write and closed by a commit once it has
/// had nothing to write for [`WRITER_IDLE`] (so yesterday's index does not keep threads and
/// memory). Kept open otherwise: each new writer would start merging the segments again
/// while the previous one's merges still run (a bulk load followed by alert tagging, which
/// commits often, piled up dozens of merging writers).
#[derive(Default)]
struct WriterState {
    writer: Option<IndexWriter>,
    pending: bool,
    last_write: Option<std::time::Instant>,
}

/// A stored document found by a search: its id and source.
pub(crate) struct StoredDoc {
    pub id: String,
    pub source: Document,
}

/// One MozDef index on disk.
pub(crate) struct MozdefIndex {
    pub(crate) name: String,
    index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<WriterState>,
    pub(crate) fields: Fields,
}

impl std::fmt::Debug for MozdefIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MozdefIndex").field("name", &self.name).finish()
    }
}

impl MozdefIndex {
    /// Opens the index in `dir`, creating it when it does not exist yet.
    pub fn open_or_create(name: &str, dir: &Path) -> Result<Self, EmbeddedError> {
        std::fs::create_dir_all(dir).map_err(EmbeddedError::io("create index directory", dir))?;
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir).map_err(EmbeddedError::index(name))?
        } else {
            Index::create_in_dir(dir, Fields::schema()).map_err(EmbeddedError::index(name))?
        };
        let fields = Fields::of(&index.schema(), name)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(EmbeddedError::index(name))?;
        Ok(MozdefIndex { name: name.to_owned(), index, reader, writer: Mutex::new(WriterState::default()), fields })
    }

    /// Upserts documents by id. Not visible or durable until [`MozdefIndex::commit`].
    pub fn upsert(&self, docs: Vec<PreparedDoc>) -> Result<(), EmbeddedError> {
        let mut guard = self.writer.lock().map_err(|_| self.poisoned())?;
        let state = &mut *guard;
        if state.writer.is_none() {
            let writer = self
                .index
                .writer_with_num_threads(WRITER_THREADS, WRITER_HEAP_BYTES)
                .map_err(EmbeddedError::index(&self.name))?;
            state.writer = Some(writer);
        }
        let Some(writer) = state.writer.as_mut() else { return Err(self.poisoned()) };
        state.pending = true;
        state.last_write = Some(std::time::Instant::now());
        for prepared in docs {
            writer.delete_term(Term::from_field_text(self.fields.id, &prepared.id));
            let mut doc = TantivyDocument::default();
            doc.add_text(self.fields.id, &prepared.id);
            doc.add_bytes(self.fields.source, &prepared.source);
            let indexed = &prepared.indexed;
            for term in &indexed.terms {
                doc.add_text(self.fields.terms, term);
            }
            if let Some(planned) = self.fields.planned {
                for (field, terms) in
                    [(planned.typed, &indexed.typed), (planned.any, &indexed.any), (planned.exists, &indexed.exists)]
                {
                    for term in terms {
                        doc.add_text(field, term);
                    }
                }
            }
            let [utc, received] = &indexed.window_dates;
            for (field, dates) in [(self.fields.utctimestamp, utc), (self.fields.receivedtimestamp, received)] {
                // tantivy holds nanoseconds in an i64: instants beyond it (before 1678 or
                // after 2262) cannot be in a window and are left out.
                for ms in dates.iter().filter(|ms| ms.checked_mul(1_000_000).is_some()) {
                    doc.add_date(field, tantivy::DateTime::from_timestamp_millis(*ms));
                }
            }
            writer.add_document(doc).map_err(EmbeddedError::index(&self.name))?;
        }
        Ok(())
    }

    /// The number of searchable documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Commits pending writes (durable on disk) and makes them searchable. A writer idle for
    /// [`WRITER_IDLE`] is closed after its merges finish; the next write opens it again.
    pub fn commit(&self) -> Result<(), EmbeddedError> {
        let mut guard = self.writer.lock().map_err(|_| self.poisoned())?;
        let state = &mut *guard;
        match state.writer.as_mut() {
            Some(writer) if state.pending => {
                writer.commit().map_err(EmbeddedError::index(&self.name))?;
                self.reader.reload().map_err(EmbeddedError::index(&self.name))?;
                state.pending = false;
            }
            Some(_) if state.last_write.is_none_or(|t| t.elapsed() >= WRITER_IDLE) => {
                if let Some(writer) = state.writer.take() {
                    writer.wait_merging_threads().map_err(EmbeddedError::index(&self.name))?;
                }
            }
            Some(_) | None => {}
        }
        Ok(())
    }

    /// Closes the writer, dropping what is not committed and waiting for its merges: for an
    /// index about to be deleted. Searches still work (on what was committed).
    pub fn close(&self) -> Result<(), EmbeddedError> {
        let mut guard = self.writer.lock().map_err(|_| self.poisoned())?;
        guard.pending = false;
        if let Some(writer) = guard.writer.take() {
            writer.wait_merging_threads().map_err(EmbeddedError::index(&self.name))?;
        }
        Ok(())
    }

    /// Every stored document whose `utctimestamp` or `receivedtimestamp` may fall within
    /// `window` (all documents without a window) and that holds a term of every group of
    /// `required` (the query's prefilter, see `CompiledQuery::required_terms`). The caller
    /// applies the exact test.
    /// `dates` narrows further: `(field, lowest ms, highest ms)` the query requires of
    /// `utctimestamp` or `receivedtimestamp` (other fields are not indexed as dates).
    pub fn candidates(
        &self,
        window: Option<(DateTime<Utc>, DateTime<Utc>)>,
        required: &[Vec<String>],
        dates: &[(String, i64, i64)],
        mut visit: impl FnMut(StoredDoc),
    ) -> Result<(), EmbeddedError> {
        if required.iter().any(Vec::is_empty) {
            return Ok(()); // a group no document can satisfy: nothing can match
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = required
            .iter()
            .map(|group| {
                let any: Vec<(Occur, Box<dyn Query>)> = group
                    .iter()
                    .map(|t| {
                        let term =
                            TermQuery::new(Term::from_field_text(self.fields.terms, t), IndexRecordOption::Basic);
                        (Occur::Should, Box::new(term) as Box<dyn Query>)
                    })
                    .collect();
                (Occur::Must, Box::new(BooleanQuery::new(any)) as Box<dyn Query>)
            })
            .collect();
        let window: Option<Box<dyn Query>> = match window {
            None => None,
            Some((from, to)) => {
                // Indexed dates have second precision: widen by a second each side.
                let from = to_tantivy(from - chrono::Duration::seconds(1));
                let to = to_tantivy(to + chrono::Duration::seconds(1));
                let range = |field| -> Box<dyn Query> {
                    Box::new(RangeQuery::new(
                        Bound::Included(Term::from_field_date(field, from)),
                        Bound::Included(Term::from_field_date(field, to)),
                    ))
                };
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Should, range(self.fields.utctimestamp)),
                    (Occur::Should, range(self.fields.receivedtimestamp)),
                ])))
            }
        };
        clauses.extend(window.map(|w| (Occur::Must, w)));
        for (field, lo, hi) in dates {
            let field = match field.as_str() {
                "utctimestamp" => self.fields.utctimestamp,
                "receivedtimestamp" => self.fields.receivedtimestamp,
                _ => continue,
            };
            // Indexed dates have second precision: widen by a second each side.
            let bound = |ms: i64, widen: i64| {
                let at = DateTime::<Utc>::from_timestamp_millis(ms.saturating_add(widen))?;
                Some(Term::from_field_date(field, to_tantivy(at)))
            };
            let lower = bound(*lo, -1000).map_or(Bound::Unbounded, Bound::Included);
            let upper = bound(*hi, 1000).map_or(Bound::Unbounded, Bound::Included);
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        let query: Box<dyn Query> =
            if clauses.is_empty() { Box::new(AllQuery) } else { Box::new(BooleanQuery::new(clauses)) };
        let searcher = self.reader.searcher();
        let mut addresses: Vec<DocAddress> =
            searcher.search(&query, &DocSetCollector).map_err(EmbeddedError::index(&self.name))?.into_iter().collect();
        addresses.sort();
        for address in addresses {
            if let Some(doc) = self.load(&searcher, address)? {
                visit(doc);
            }
        }
        Ok(())
    }

    /// The document with this id, if the index holds it.
    pub fn get(&self, id: &str) -> Result<Option<StoredDoc>, EmbeddedError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(EmbeddedError::index(&self.name))?;
        match top.first() {
            Some((_, address)) => self.load(&searcher, *address),
            None => Ok(None),
        }
    }

    fn load(&self, searcher: &tantivy::Searcher, address: DocAddress) -> Result<Option<StoredDoc>, EmbeddedError> {
        let doc: TantivyDocument = searcher.doc(address).map_err(EmbeddedError::index(&self.name))?;
        self.stored(doc)
    }

    /// The id and source of a stored tantivy document.
    pub(crate) fn stored(&self, doc: TantivyDocument) -> Result<Option<StoredDoc>, EmbeddedError> {
        let id = doc.get_first(self.fields.id).and_then(|v| v.as_str()).map(str::to_owned);
        let source = doc.get_first(self.fields.source).and_then(|v| v.as_bytes());
        match (id, source) {
            (Some(id), Some(bytes)) => match serde_json::from_slice::<Document>(bytes) {
                Ok(source) => Ok(Some(StoredDoc { id, source })),
                Err(e) => Err(EmbeddedError::Corrupt {
                    path: self.index_path(),
                    offset: 0,
                    reason: format!("document {id} is not valid JSON: {e}"),
                }),
            },
            _ => Ok(None),
        }
    }

    fn index_path(&self) -> std::path::PathBuf {
        std::path::PathBuf::from(&self.name)
    }

    fn poisoned(&self) -> EmbeddedError {
        EmbeddedError::Index {
            index: self.name.clone(),
            source: tantivy::TantivyError::SystemError("index writer lock poisoned".into()),
        }
    }
}

fn to_tantivy(t: DateTime<Utc>) -> tantivy::DateTime {
    // tantivy holds nanoseconds in an i64 (1678 to 2262): bounds beyond are clamped.
    let limit = i64::MAX / 1000;
    tantivy::DateTime::from_timestamp_micros(t.timestamp_micros().clamp(-limit, limit))
}
