//! The handler: an SQS batch → ingest records → one [`Ingest::ingest_batch`] (and each S3
//! notification's log files streamed through [`SqsRecordReader::ingest_objects`]) → the
//! partial batch response. The batch item failures are exactly the records with an event
//! still to store ([`RecordOutcome::needs_retry`]) or that neither the index nor the
//! quarantine took ([`RecordOutcome::failed`]: SQS delivers it again, then moves it to the
//! dead-letter queue after `maxReceiveCount`). Everything else — stored, dropped by a plugin,
//! or quarantined with its reason — is acknowledged.
//!
//! A CloudWatch Logs subscription payload invoking the function directly is one record
//! ([`handle_cloudwatch`]); it fails the invocation unless it is wholly stored.
//!
//! [`Ingest::ingest_batch`]: mozdef_service::Ingest::ingest_batch
//! [`SqsRecordReader::ingest_objects`]: mozdef_aws::SqsRecordReader::ingest_objects

use std::time::Instant;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use mozdef_aws::SqsRecord;
use mozdef_service::{EventOutcome, RecordOutcome};

use crate::IngestFunction;

/// Handles one batch.
pub async fn handle(event: SqsEvent, function: &IngestFunction) -> SqsBatchResponse {
    let started = Instant::now();
    let ids: Vec<String> = event.records.iter().map(|r| r.message_id.clone().unwrap_or_default()).collect();
    let read = function.reader.read(&event).await;
    let mut done = vec![false; read.len()];
    let mut ready = Vec::new();
    let mut notifications = Vec::new();
    for (n, record) in read.into_iter().enumerate() {
        match record {
            SqsRecord::Ready(record) => ready.push((n, record)),
            SqsRecord::Objects(notification) => notifications.push((n, notification)),
        }
    }
    let (positions, records): (Vec<usize>, Vec<_>) = ready.into_iter().unzip();
    let outcomes = function.ingest.ingest_batch(function.store.as_ref(), records).await;
    let mut summary = Summary::of(&outcomes);
    for (n, outcome) in positions.iter().zip(&outcomes) {
        done[*n] = outcome.is_done();
    }
    for (n, notification) in &notifications {
        let outcome = function.reader.ingest_objects(notification, &function.ingest, function.store.as_ref()).await;
        summary.indexed += outcome.indexed as usize;
        summary.dropped += outcome.dropped as usize;
        summary.quarantined += outcome.quarantined as usize;
        if let Some(reason) = &outcome.retry {
            summary.retry += 1;
            tracing::warn!(record = %notification.identity, reason, "log files to be delivered again");
        }
        done[*n] = outcome.is_done();
    }
    let mut response = SqsBatchResponse::default();
    for (n, id) in ids.iter().enumerate() {
        // A record without an outcome cannot happen (one per record); if it did, it comes back.
        if !done.get(n).copied().unwrap_or(false) {
            response.add_failure(id.clone());
        }
    }
    tracing::info!(
        records = ids.len(),
        log_notifications = notifications.len(),
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

/// Handles a CloudWatch Logs subscription payload (`{"awslogs": {"data": ...}}`): `Err`
/// unless every event is stored (or quarantined), so that Lambda retries the invocation.
///
/// # Errors
///
/// The reason the payload is not wholly stored.
pub async fn handle_cloudwatch(body: &[u8], function: &IngestFunction) -> Result<(), String> {
    let record = match function.reader.cloudwatch_record(body, Utc::now(), "cloudwatchlogs") {
        Ok(record) => record,
        Err(error) => {
            // The payload itself is bad: quarantine it whole rather than have Lambda retry it.
            let payload = serde_json::from_slice(body).unwrap_or_else(|_| String::from_utf8_lossy(body).into());
            mozdef_service::IngestRecord {
                identity: format!("cwl:undecodable:{}", mozdef_pipeline::document_id(&String::from_utf8_lossy(body))),
                received: Utc::now(),
                source: "cloudwatchlogs".to_owned(),
                content: mozdef_service::RecordContent::Undecodable {
                    reason: error.to_string(),
                    payload,
                    retryable: false,
                },
            }
        }
    };
    let identity = record.identity.clone();
    let outcomes = function.ingest.ingest_batch(function.store.as_ref(), vec![record]).await;
    let summary = Summary::of(&outcomes);
    tracing::info!(record = %identity, indexed = summary.indexed, quarantined = summary.quarantined,
                   retry = summary.retry, failed = summary.failed, "cloudwatch logs payload ingested");
    match outcomes.first() {
        Some(outcome) if outcome.is_done() => Ok(()),
        Some(outcome) => {
            let reason = outcome.events.iter().find_map(|e| match e {
                EventOutcome::Retry { reason } | EventOutcome::Failed { reason } => Some(reason.clone()),
                _ => None,
            });
            Err(format!("{identity}: not stored: {}", reason.unwrap_or_default()))
        }
        None => Err(format!("{identity}: no outcome")),
    }
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
