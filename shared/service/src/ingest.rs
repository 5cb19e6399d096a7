//! Batch ingest, the work every ingest entry point does (the local worker of `mozdef dev` fed
//! by its write-ahead log, the ingest Lambda fed by SQS): each record's events go through the
//! pipeline (key mapping for shipper events, the plugin chain, MozDef's save-time defaults),
//! are routed (daily index of the receive time, a plugin's index, or the quarantine) and
//! indexed; the store's refusals are quarantined with its reason; and every record comes back
//! with the outcome of each of its events, so the caller knows exactly what to deliver again.
//!
//! [`Ingest::ingest_batch`] does it all in one call (one indexing attempt, then a commit).
//! Callers that overlap processing with indexing (the local worker reads and processes the
//! next batch while the current one is indexed) use its two halves: [`Ingest::process`]
//! (CPU only, no I/O) and [`Ingest::store`] (one attempt at what is still pending).

mod route;
mod stats;
mod stream;

use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_pipeline::decode::Entry;
use mozdef_pipeline::{
    COLLECTED_ID_KEY, NormalizeContext, PipelineError, PluginAction, PluginChain, Processed, document_id, process,
    process_decoded, process_explained,
};
use mozdef_store::{EventStore, IndexRequest, ItemOutcome, StoreError};
use serde_json::Value;

pub use mozdef_store::indices::QUARANTINE_INDEX;
pub use route::{RecordInfo, Routed, quarantine, route};
pub use stats::IngestStats;
pub use stream::{STREAM_CHUNK, StreamOutcome};

/// One record of a batch: what one delivery carries (a loginput request, an SQS message).
#[derive(Debug, Clone, PartialEq)]
pub struct IngestRecord {
    /// The record's stable identity (`wal:<segment>:<offset>`, `sqs:<message id>`): the `n`th
    /// event's document id derives from `<identity>:<n>`, so a redelivered record replaces
    /// its earlier copy instead of duplicating it.
    pub identity: String,
    /// When it was received (the daily index, `receivedtimestamp`, default times).
    pub received: DateTime<Utc>,
    /// Where it came from (`loginput`, a queue name, an S3 object), written on quarantine
    /// records.
    pub source: String,
    /// What it carries.
    pub content: RecordContent,
}

/// What a record carries.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordContent {
    /// Events as shippers post them to loginput: key mapping (skipped for `/custom/<app>`
    /// events, which carry `customendpoint`), the plugin chain, the defaults. An event a
    /// collector queued carries its provider's id under [`COLLECTED_ID_KEY`]: it is removed
    /// and the document id derives from it.
    Events(Vec<Document>),
    /// Events a source decoder built (CloudTrail, GuardDuty, SNS, the AWS logs...): the
    /// plugin chain and the defaults only, the decoder having done its worker's
    /// normalisation. A log record the decoder could not parse ([`Entry::Unparsed`]) goes to
    /// the quarantine with its reason and raw text.
    Decoded(Vec<Entry>),
    /// The record could not be decoded.
    Undecodable {
        /// Why, naming the part and the problem.
        reason: String,
        /// The raw record, as JSON (a string when it is not JSON), for the quarantine.
        payload: Value,
        /// Whether decoding may succeed later (an S3 object that could not be fetched): the
        /// record comes back as [`EventOutcome::Retry`] instead of being quarantined.
        retryable: bool,
    },
}

/// What became of one event of a record (or of the record itself, when it could not be
/// decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// Stored, and committed.
    Indexed {
        /// The concrete index.
        index: String,
        /// The document id.
        id: String,
    },
    /// A plugin dropped it on purpose (MozDef's `return (None, metadata)`).
    Dropped {
        /// The plugin.
        plugin: &'static str,
    },
    /// Stored in the quarantine index with the reason (the pipeline or the store refused it).
    Quarantined {
        /// Why.
        reason: String,
    },
    /// Not stored for a passing reason: deliver the record again.
    Retry {
        /// Why.
        reason: String,
    },
    /// Not stored, and the quarantine refused it too: only the delivery itself (the queue's
    /// dead-letter queue, the log) still holds it.
    Failed {
        /// Why.
        reason: String,
    },
}

/// What became of one record: one outcome per event, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordOutcome {
    /// The outcomes of the record's events.
    pub events: Vec<EventOutcome>,
}

impl RecordOutcome {
    /// Whether the record must be delivered again (an event is still to be stored).
    pub fn needs_retry(&self) -> bool {
        self.events.iter().any(|e| matches!(e, EventOutcome::Retry { .. }))
    }

    /// Whether some of the record could be neither stored nor quarantined.
    pub fn failed(&self) -> bool {
        self.events.iter().any(|e| matches!(e, EventOutcome::Failed { .. }))
    }

    /// Whether every event has its end (stored, dropped or quarantined).
    pub fn is_done(&self) -> bool {
        !self.needs_retry() && !self.failed()
    }
}

/// A request still to be stored, and where its outcome goes.
#[derive(Debug)]
struct Pending {
    record: usize,
    event: usize,
    request: IndexRequest,
    /// `Some(reason)` when the request is a quarantine record.
    quarantined: Option<String>,
}

/// A processed batch: the outcomes so far and what is still to be stored.
#[derive(Debug, Default)]
pub struct IngestBatch {
    outcomes: Vec<RecordOutcome>,
    pending: Vec<Pending>,
}

impl IngestBatch {
    /// How many documents are still to be stored.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The outcomes, one per record in input order; what is still pending is
    /// [`EventOutcome::Retry`] with the last reason.
    pub fn into_outcomes(self) -> Vec<RecordOutcome> {
        self.outcomes
    }

    /// The outcomes so far.
    pub fn outcomes(&self) -> &[RecordOutcome] {
        &self.outcomes
    }

    fn set(&mut self, record: usize, event: usize, outcome: EventOutcome) {
        if let Some(slot) = self.outcomes.get_mut(record).and_then(|r| r.events.get_mut(event)) {
            *slot = outcome;
        }
    }

    /// Every pending outcome becomes a retry for `reason`.
    fn retry_all(&mut self, reason: &str) {
        let slots: Vec<(usize, usize)> = self.pending.iter().map(|p| (p.record, p.event)).collect();
        for (record, event) in slots {
            self.set(record, event, EventOutcome::Retry { reason: reason.to_owned() });
        }
    }
}

/// The ingest path: the plugin chain, the host name stamped on events, and the counters.
#[derive(Debug)]
pub struct Ingest {
    chain: PluginChain,
    mozdefhostname: String,
    stats: std::sync::Arc<IngestStats>,
}

const NOT_STORED_YET: &str = "not stored yet";

impl Ingest {
    /// An ingest path running `chain`, stamping `mozdefhostname`.
    pub fn new(chain: PluginChain, mozdefhostname: impl Into<String>) -> Self {
        Ingest { chain, mozdefhostname: mozdefhostname.into(), stats: std::sync::Arc::default() }
    }

    /// The counters of this process's ingest.
    pub fn stats(&self) -> &std::sync::Arc<IngestStats> {
        &self.stats
    }

    /// The plugin chain.
    pub fn chain(&self) -> &PluginChain {
        &self.chain
    }

    /// The `mozdefhostname` stamped on events.
    pub fn mozdefhostname(&self) -> &str {
        &self.mozdefhostname
    }

    /// One shipper event through the pipeline as [`process`](Self::process) runs each
    /// (`mozdef normalize`): the key mapping (unless it is a `/custom/<app>` event), the
    /// plugin chain, MozDef's save-time defaults.
    pub fn process_event(&self, event: Document, received: DateTime<Utc>) -> Processed {
        process(Value::Object(event), &self.context(received), &self.chain)
    }

    /// [`process_event`](Self::process_event), also saying what each plugin did.
    pub fn explain_event(&self, event: Document, received: DateTime<Utc>) -> (Processed, Vec<PluginAction>) {
        process_explained(Value::Object(event), &self.context(received), &self.chain)
    }

    fn context(&self, received: DateTime<Utc>) -> NormalizeContext {
        NormalizeContext { received, mozdefhostname: self.mozdefhostname.clone() }
    }

    /// Processes, indexes and commits `records`: the whole of one delivery. One indexing
    /// attempt is made (quarantining what the store rejects within it); whatever could not be
    /// stored, or whose commit failed, comes back as [`EventOutcome::Retry`].
    pub async fn ingest_batch(&self, store: &dyn EventStore, records: Vec<IngestRecord>) -> Vec<RecordOutcome> {
        let mut batch = self.process(records);
        if let Err(e) = self.store(store, &mut batch).await {
            tracing::warn!(error = %e, records = batch.pending(), "the batch's indexing failed; its records are to retry");
        }
        let stored = |e: &EventOutcome| matches!(e, EventOutcome::Indexed { .. } | EventOutcome::Quarantined { .. });
        if batch.outcomes.iter().flat_map(|o| &o.events).any(stored)
            && let Err(e) = store.refresh().await
        {
            // Indexed but not committed: not durable on a store that needs the commit.
            tracing::warn!(error = %e, "commit failed; the batch's stored events will be delivered again");
            let reason = format!("commit failed: {e}");
            for event in batch.outcomes.iter_mut().flat_map(|o| o.events.iter_mut()).filter(|e| stored(e)) {
                *event = EventOutcome::Retry { reason: reason.clone() };
            }
        }
        batch.into_outcomes()
    }

    /// The CPU half: every record through the pipeline, routed. Drops and the pipeline's
    /// refusals are counted here.
    pub fn process(&self, records: Vec<IngestRecord>) -> IngestBatch {
        let mut batch = IngestBatch { outcomes: Vec::with_capacity(records.len()), pending: Vec::new() };
        for (r, record) in records.into_iter().enumerate() {
            let ctx = self.context(record.received);
            let mut outcome = RecordOutcome::default();
            let mut route_one = |n: usize, processed: Processed, identity: String| {
                let id = document_id(&identity);
                let info = RecordInfo {
                    id: &id,
                    received: record.received,
                    source: &record.source,
                    mozdefhostname: &self.mozdefhostname,
                };
                let quarantined = match &processed {
                    Processed::Quarantined { reason, .. } => Some(reason.to_string()),
                    _ => None,
                };
                match route(processed, info) {
                    Routed::Index(request) => {
                        if quarantined.is_some() {
                            self.stats.count(&self.stats.quarantined);
                        }
                        outcome.events.push(EventOutcome::Retry { reason: NOT_STORED_YET.to_owned() });
                        batch.pending.push(Pending { record: r, event: n, request, quarantined });
                    }
                    Routed::Dropped { plugin } => {
                        self.stats.count(&self.stats.dropped);
                        tracing::debug!(id = %id, plugin, "event dropped by plugin");
                        outcome.events.push(EventOutcome::Dropped { plugin });
                    }
                }
            };
            match record.content {
                RecordContent::Events(events) => {
                    for (n, mut event) in events.into_iter().enumerate() {
                        let identity = match event.remove(COLLECTED_ID_KEY) {
                            Some(Value::String(id)) if !id.is_empty() => format!("collected:{id}"),
                            _ => format!("{}:{n}", record.identity),
                        };
                        let processed = process(Value::Object(event), &ctx, &self.chain);
                        route_one(n, processed, identity);
                    }
                }
                RecordContent::Decoded(entries) => {
                    for (n, entry) in entries.into_iter().enumerate() {
                        let processed = match entry {
                            Entry::Event(event) => process_decoded(event, &ctx, &self.chain),
                            Entry::Unparsed(unparsed) => Processed::Quarantined {
                                reason: PipelineError::Unparsed { reason: unparsed.reason },
                                payload: Value::String(unparsed.raw),
                            },
                        };
                        route_one(n, processed, format!("{}:{n}", record.identity));
                    }
                }
                RecordContent::Undecodable { reason, retryable: true, .. } => {
                    tracing::warn!(record = %record.identity, source = %record.source, reason, "record not decoded; to be delivered again");
                    outcome.events.push(EventOutcome::Retry { reason });
                }
                RecordContent::Undecodable { reason, payload, retryable: false } => {
                    let id = document_id(&record.identity);
                    let info = RecordInfo {
                        id: &id,
                        received: record.received,
                        source: &record.source,
                        mozdefhostname: &self.mozdefhostname,
                    };
                    self.stats.count(&self.stats.quarantined);
                    outcome.events.push(EventOutcome::Retry { reason: NOT_STORED_YET.to_owned() });
                    let request = quarantine(&reason, &payload, info);
                    batch.pending.push(Pending { record: r, event: 0, request, quarantined: Some(reason) });
                }
            }
            batch.outcomes.push(outcome);
        }
        batch
    }

    /// The I/O half: one attempt at storing what `batch` still holds. Rejected events are
    /// quarantined within the same attempt; what the store asks to retry stays pending (its
    /// outcome says why). `Err` when the whole attempt failed (everything stays pending).
    /// Nothing is committed: call [`EventStore::refresh`] before acknowledging anything.
    pub async fn store(&self, store: &dyn EventStore, batch: &mut IngestBatch) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut batch.pending);
        let (mut again, rejected) = match self.attempt(store, batch, pending).await {
            Ok(split) => split,
            Err(e) => {
                batch.retry_all(&e.to_string());
                return Err(e);
            }
        };
        if !rejected.is_empty() {
            match self.attempt(store, batch, rejected).await {
                // A refused quarantine record ends as `Failed` inside attempt(): nothing
                // comes back rejected from this round.
                Ok((retry, _)) => again.extend(retry),
                Err(e) => {
                    tracing::warn!(error = %e, "quarantining rejected events failed; they will be retried");
                    batch.pending.extend(again);
                    batch.retry_all(&e.to_string());
                    return Err(e);
                }
            }
        }
        batch.pending.extend(again);
        Ok(())
    }

    /// Indexes `pending` once and records each outcome: (to retry, rejected events turned
    /// into quarantine records).
    async fn attempt(
        &self,
        store: &dyn EventStore,
        batch: &mut IngestBatch,
        pending: Vec<Pending>,
    ) -> Result<(Vec<Pending>, Vec<Pending>), StoreError> {
        if pending.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let requests: Vec<IndexRequest> = pending.iter().map(|p| p.request.clone()).collect();
        let outcomes = match store.index(&requests).await {
            Ok(outcomes) => outcomes,
            Err(e) => {
                tracing::warn!(error = %e, records = pending.len(), "indexing failed");
                batch.pending.extend(pending);
                return Err(e);
            }
        };
        let mut again = Vec::new();
        let mut rejected = Vec::new();
        for (p, outcome) in pending.into_iter().zip(outcomes) {
            match (outcome, &p.quarantined) {
                (ItemOutcome::Indexed, None) => {
                    self.stats.count(&self.stats.indexed);
                    let done = EventOutcome::Indexed { index: p.request.index.clone(), id: p.request.id.clone() };
                    batch.set(p.record, p.event, done);
                }
                (ItemOutcome::Indexed, Some(reason)) => {
                    batch.set(p.record, p.event, EventOutcome::Quarantined { reason: reason.clone() });
                }
                (ItemOutcome::Retry(reason), _) => {
                    tracing::warn!(id = %p.request.id, reason, "record will be retried");
                    batch.set(p.record, p.event, EventOutcome::Retry { reason });
                    again.push(p);
                }
                (ItemOutcome::Reject(reason), None) => {
                    self.stats.count(&self.stats.quarantined);
                    let info = RecordInfo {
                        id: &p.request.id,
                        received: Utc::now(),
                        source: "store",
                        mozdefhostname: &self.mozdefhostname,
                    };
                    let request = quarantine(&reason, &Value::Object(p.request.source), info);
                    rejected.push(Pending { record: p.record, event: p.event, request, quarantined: Some(reason) });
                }
                (ItemOutcome::Reject(reason), Some(_)) => {
                    tracing::error!(id = %p.request.id, reason, "quarantine record refused");
                    batch.set(
                        p.record,
                        p.event,
                        EventOutcome::Failed { reason: format!("quarantine refused: {reason}") },
                    );
                }
            }
        }
        Ok((again, rejected))
    }
}
