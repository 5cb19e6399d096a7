//! The handler: an SQS batch → ingest records → one [`Ingest::ingest_batch`] → the partial
//! batch response. The batch item failures are exactly the records with an event still to
//! store ([`RecordOutcome::needs_retry`]) or that neither the index nor the quarantine took
//! ([`RecordOutcome::failed`]: SQS delivers it again, then moves it to the dead-letter queue
//! after `maxReceiveCount`). Everything else — stored, dropped by a plugin, or quarantined
//! with its reason — is acknowledged.
//!
//! [`Ingest::ingest_batch`]: mozdef_service::Ingest::ingest_batch

use std::time::Instant;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use mozdef_service::{EventOutcome, RecordOutcome};

use crate::IngestFunction;

/// Handles one batch.
pub async fn handle(event: SqsEvent, function: &IngestFunction) -> SqsBatchResponse {
    let started = Instant::now();
    let ids: Vec<String> = event.records.iter().map(|r| r.message_id.clone().unwrap_or_default()).collect();
    let records = function.reader.read(&event).await;
    let outcomes = function.ingest.ingest_batch(function.store.as_ref(), records).await;
    let mut response = SqsBatchResponse::default();
    for (n, id) in ids.iter().enumerate() {
        // A record without an outcome cannot happen (one per record); if it did, it comes back.
        let done = outcomes.get(n).is_some_and(RecordOutcome::is_done);
        if !done {
            response.add_failure(id.clone());
        }
    }
    let summary = Summary::of(&outcomes);
    tracing::info!(
        records = ids.len(),
        indexed = summary.indexed,
        dropped = summary.dropped,
        quarantined = summary.quarantined,
        retry = summary.retry,
        failed = summary.failed,
        batch_item_failures = response.batch_item_failures.len(),
        millis = started.elapsed().as_millis() as u64,
        "batch ingested"
    );
    response
}

/// Events of a batch by outcome.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Summary {
    indexed: usize,
    dropped: usize,
    quarantined: usize,
    retry: usize,
    failed: usize,
}

impl Summary {
    fn of(outcomes: &[RecordOutcome]) -> Self {
        let mut summary = Summary::default();
        for event in outcomes.iter().flat_map(|o| &o.events) {
            let counter = match event {
                EventOutcome::Indexed { .. } => &mut summary.indexed,
                EventOutcome::Dropped { .. } => &mut summary.dropped,
                EventOutcome::Quarantined { .. } => &mut summary.quarantined,
                EventOutcome::Retry { .. } => &mut summary.retry,
                EventOutcome::Failed { .. } => &mut summary.failed,
            };
            *counter += 1;
        }
        summary
    }
}
