//! One record too large to hold whole — an S3 log file of millions of lines — ingested as a
//! stream of chunks: each chunk is processed and stored as it arrives (the decoder, on another
//! thread, waits while the channel is full), and the store is committed once at the end. The
//! `c`th chunk is the record `<identity>:<c>`, so its `n`th entry is stored under the id of
//! `<identity>:<c>:<n>`: with the same chunk size, a delivery of the same record again
//! replaces every document instead of duplicating it.

use chrono::{DateTime, Utc};
use mozdef_pipeline::decode::Entry;
use mozdef_store::EventStore;
use tokio::sync::mpsc;

use super::{EventOutcome, Ingest, IngestRecord, RecordContent};

/// How many entries one chunk carries (the decoders' side sends chunks of this size).
pub const STREAM_CHUNK: usize = 2_000;
/// Attempts at storing one chunk's items the store asks to retry.
const CHUNK_ATTEMPTS: usize = 3;

/// What became of a streamed record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamOutcome {
    /// Entries received.
    pub entries: u64,
    /// Events stored.
    pub indexed: u64,
    /// Events a plugin dropped.
    pub dropped: u64,
    /// Entries quarantined (unparsed records, refused events).
    pub quarantined: u64,
    /// Why the record must be delivered again, if it must.
    pub retry: Option<String>,
}

impl StreamOutcome {
    /// Whether every entry has its end (stored, dropped or quarantined) and is committed.
    pub fn is_done(&self) -> bool {
        self.retry.is_none()
    }

    fn add(&mut self, outcome: &EventOutcome) {
        match outcome {
            EventOutcome::Indexed { .. } => self.indexed += 1,
            EventOutcome::Dropped { .. } => self.dropped += 1,
            EventOutcome::Quarantined { .. } => self.quarantined += 1,
            EventOutcome::Retry { reason } | EventOutcome::Failed { reason } => {
                self.retry.get_or_insert_with(|| reason.clone());
            }
        }
    }
}

impl Ingest {
    /// Ingests the chunks `chunks` yields as the record `identity` (received at `received`,
    /// from `source`), then commits. Stops at the first chunk that cannot be stored (the
    /// outcome says why; dropping the receiver tells the sender to stop).
    pub async fn ingest_stream(
        &self,
        store: &dyn EventStore,
        identity: &str,
        received: DateTime<Utc>,
        source: &str,
        mut chunks: mpsc::Receiver<Vec<Entry>>,
    ) -> StreamOutcome {
        let mut outcome = StreamOutcome::default();
        let mut chunk_no = 0usize;
        while let Some(entries) = chunks.recv().await {
            outcome.entries += entries.len() as u64;
            let record = IngestRecord {
                identity: format!("{identity}:{chunk_no}"),
                received,
                source: source.to_owned(),
                content: RecordContent::Decoded(entries),
            };
            chunk_no += 1;
            let mut batch = self.process(vec![record]);
            for attempt in 1..=CHUNK_ATTEMPTS {
                if let Err(e) = self.store(store, &mut batch).await {
                    tracing::warn!(identity, chunk = chunk_no - 1, attempt, error = %e, "storing a chunk failed");
                }
                if batch.pending() == 0 {
                    break;
                }
            }
            for event in batch.outcomes().iter().flat_map(|o| &o.events) {
                outcome.add(event);
            }
            if outcome.retry.is_some() {
                return outcome;
            }
        }
        if outcome.indexed + outcome.quarantined > 0
            && let Err(e) = store.refresh().await
        {
            outcome.retry = Some(format!("commit failed: {e}"));
        }
        outcome
    }
}
