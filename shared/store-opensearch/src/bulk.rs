//! Bulk indexing without loss: every record ends `Indexed`, `Reject` (a mapping or
//! validation error OpenSearch will give again: quarantine it, with OpenSearch's reason) or
//! `Retry` (429, 5xx, timeouts and unreachable clusters that outlasted the retries: deliver
//! it again). Requests are bounded by count and bytes, ids are the caller's deterministic
//! ids (a redelivered record replaces itself), and records are serialized once however often
//! they are sent.

use std::collections::HashMap;

use bytes::{Bytes, BytesMut};
use mozdef_store::indices::is_valid_index_name;
use mozdef_store::{EventRef, IndexRequest, ItemOutcome};
use opensearch::http::Method;
use serde::Deserialize;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::OpenSearchError;
use crate::client::{Body, Client, reason_of};
use crate::config::{BulkLimits, RetryPolicy};
use crate::error::is_retryable_status;

/// One record, serialized once: the action line and the source line of `_bulk`.
struct Encoded {
    lines: Bytes,
}

/// What one bulk request did to its records (positions into the caller's slice).
enum BatchResult {
    /// One `(position, outcome)` per record; `Retry` outcomes may be tried again.
    Items(Vec<(usize, ItemOutcome)>),
    /// The request as a whole failed for a passing reason.
    Failed { positions: Vec<usize>, reason: String, too_large: bool },
}

/// Indexes `docs` and returns one outcome per record, in order.
pub async fn index_all(
    client: &Client,
    docs: &[IndexRequest],
    limits: BulkLimits,
    retry: RetryPolicy,
) -> Vec<ItemOutcome> {
    let records = docs.iter().map(|doc| encode(client, doc)).collect();
    bulk_all(client, records, limits, retry).await
}

/// Tags events with an alert (MozDef's `tagEventsAlert`) by partial updates: a painless
/// script that does what `mozdef_store::tag_alert_source` does, so the event is not sent
/// again. One outcome per event; a missing event is a `Reject` (404).
pub async fn tag_alert_all(
    client: &Client,
    events: &[EventRef],
    alert_name: &str,
    alert: &EventRef,
    limits: BulkLimits,
    retry: RetryPolicy,
) -> Vec<ItemOutcome> {
    let records = events.iter().map(|event| encode_tag(client, event, alert_name, alert)).collect();
    bulk_all(client, records, limits, retry).await
}

/// The painless twin of `mozdef_store::tag_alert_source`.
const TAG_ALERT_SCRIPT: &str = "\
for (String f : ['alert_names', 'alerts']) { def v = ctx._source[f]; \
  if (v == null) { ctx._source[f] = new ArrayList(); } \
  else if (!(v instanceof List)) { def l = new ArrayList(); l.add(v); ctx._source[f] = l; } } \
if (!ctx._source.alert_names.contains(params.name)) { ctx._source.alert_names.add(params.name); } \
ctx._source.alerts.add(params.alert);";

fn encode_tag(client: &Client, event: &EventRef, alert_name: &str, alert: &EventRef) -> Result<Encoded, String> {
    let body = serde_json::json!({"script": {"lang": "painless", "source": TAG_ALERT_SCRIPT,
        "params": {"name": alert_name, "alert": {"index": alert.index, "id": alert.id}}}});
    encode_lines(client, "update", &event.index, &event.id, &body)
}

/// Sends pre-encoded records (`Err` = refused before sending) and returns one outcome each.
async fn bulk_all(
    client: &Client,
    records: Vec<Result<Encoded, String>>,
    limits: BulkLimits,
    retry: RetryPolicy,
) -> Vec<ItemOutcome> {
    let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; records.len()];
    let mut encoded: Vec<Option<Encoded>> = Vec::with_capacity(records.len());
    let mut pending = Vec::with_capacity(records.len());
    for (position, record) in records.into_iter().enumerate() {
        match record {
            Ok(e) => {
                encoded.push(Some(e));
                pending.push(position);
            }
            Err(reason) => {
                encoded.push(None);
                outcomes[position] = Some(ItemOutcome::Reject(reason));
            }
        }
    }
    let mut max_bytes = limits.max_bytes;
    let mut attempt = 1;
    while !pending.is_empty() {
        let batches = split(&pending, &encoded, limits.max_docs, max_bytes);
        let results = send_batches(client, batches, &encoded, limits.concurrency).await;
        let mut again = Vec::new();
        for result in results {
            match result {
                BatchResult::Items(items) => {
                    for (position, outcome) in items {
                        if let ItemOutcome::Retry(_) = outcome {
                            again.push(position);
                        }
                        outcomes[position] = Some(outcome);
                    }
                }
                BatchResult::Failed { positions, reason, too_large } => {
                    if too_large {
                        if positions.len() == 1 {
                            let reason = format!("document too large for one bulk request: {reason}");
                            outcomes[positions[0]] = Some(ItemOutcome::Reject(reason));
                            continue;
                        }
                        max_bytes = (max_bytes / 2).max(1024);
                    }
                    for position in positions {
                        outcomes[position] = Some(ItemOutcome::Retry(reason.clone()));
                        again.push(position);
                    }
                }
            }
        }
        if again.is_empty() || attempt >= retry.max_attempts {
            if !again.is_empty() {
                tracing::warn!(
                    records = again.len(),
                    attempts = attempt,
                    "bulk records still failing; reported as retryable"
                );
            }
            break;
        }
        attempt += 1;
        let pause = retry.backoff(attempt);
        tracing::debug!(records = again.len(), attempt, pause_ms = pause.as_millis() as u64, "retrying bulk records");
        tokio::time::sleep(pause).await;
        again.sort_unstable();
        pending = again;
    }
    outcomes.into_iter().map(|o| o.unwrap_or_else(|| ItemOutcome::Retry("not attempted".into()))).collect()
}

fn encode(client: &Client, doc: &IndexRequest) -> Result<Encoded, String> {
    encode_lines(client, "index", &doc.index, &doc.id, &doc.source)
}

/// The two `_bulk` lines of one record: the action (`index` or `update`, with `_index` and
/// `_id`; updates retry version conflicts) and its body. An invalid index name is refused
/// before anything is sent.
fn encode_lines(
    client: &Client,
    action: &str,
    index: &str,
    id: &str,
    body: &impl serde::Serialize,
) -> Result<Encoded, String> {
    if !is_valid_index_name(index) {
        return Err(format!("invalid index name {index:?}"));
    }
    let mut target = serde_json::json!({"_index": client.physical(index), "_id": id});
    if action == "update" {
        target["retry_on_conflict"] = serde_json::json!(3);
    }
    let action = serde_json::json!({ action: target });
    let mut lines = serde_json::to_vec(&action).map_err(|e| e.to_string())?;
    lines.push(b'\n');
    serde_json::to_writer(&mut lines, body).map_err(|e| e.to_string())?;
    lines.push(b'\n');
    Ok(Encoded { lines: Bytes::from(lines) })
}

/// Groups positions into requests of at most `max_docs` records and `max_bytes` bytes (a
/// record larger than `max_bytes` goes alone).
fn split(pending: &[usize], encoded: &[Option<Encoded>], max_docs: usize, max_bytes: usize) -> Vec<Vec<usize>> {
    let mut batches = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0;
    for &position in pending {
        let size = encoded[position].as_ref().map_or(0, |e| e.lines.len());
        if !current.is_empty() && (current.len() >= max_docs || bytes + size > max_bytes) {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.push(position);
        bytes += size;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

async fn send_batches(
    client: &Client,
    batches: Vec<Vec<usize>>,
    encoded: &[Option<Encoded>],
    concurrency: usize,
) -> Vec<BatchResult> {
    let mut results = Vec::with_capacity(batches.len());
    let mut in_flight = JoinSet::new();
    // Which records each task carries, so a task that panics still accounts for them.
    let mut carried: HashMap<tokio::task::Id, Vec<usize>> = HashMap::new();
    for positions in batches {
        let total: usize = positions.iter().filter_map(|&p| encoded[p].as_ref()).map(|e| e.lines.len()).sum();
        let mut body = BytesMut::with_capacity(total);
        for &p in &positions {
            if let Some(e) = &encoded[p] {
                body.extend_from_slice(&e.lines);
            }
        }
        while in_flight.len() >= concurrency {
            if let Some(done) = in_flight.join_next_with_id().await {
                results.push(joined(done, &mut carried));
            }
        }
        let client = client.clone();
        let task_positions = positions.clone();
        let handle = in_flight.spawn(async move { send_one(&client, task_positions, body.freeze()).await });
        carried.insert(handle.id(), positions);
    }
    while let Some(done) = in_flight.join_next_with_id().await {
        results.push(joined(done, &mut carried));
    }
    results
}

fn joined(
    done: Result<(tokio::task::Id, BatchResult), tokio::task::JoinError>,
    carried: &mut HashMap<tokio::task::Id, Vec<usize>>,
) -> BatchResult {
    match done {
        Ok((id, result)) => {
            carried.remove(&id);
            result
        }
        Err(e) => {
            tracing::error!(error = %e, "bulk task failed");
            let positions = carried.remove(&e.id()).unwrap_or_default();
            BatchResult::Failed { positions, reason: format!("bulk task failed: {e}"), too_large: false }
        }
    }
}

/// The parts of a `_bulk` answer that are read.
const BULK_FILTER_PATH: &str = "items.*.status,items.*.error";

#[derive(Deserialize)]
struct BulkResponse {
    /// Absent when the request had no item (filtered answers drop empty arrays).
    #[serde(default)]
    items: Vec<BulkItem>,
}

#[derive(Deserialize)]
struct BulkItem {
    #[serde(alias = "create", alias = "update", alias = "delete")]
    index: BulkItemResult,
}

#[derive(Deserialize)]
struct BulkItemResult {
    status: u16,
    #[serde(default)]
    error: Option<Value>,
}

async fn send_one(client: &Client, positions: Vec<usize>, body: Bytes) -> BatchResult {
    // Only the per-item status and error are read: the rest of the answer (ids, versions,
    // shard counts) is most of its bytes and of the client's parsing time.
    let query = [("filter_path", BULK_FILTER_PATH)];
    let answer = match client.send(Method::Post, "/_bulk", &query, Some(Body::NdJson(body))).await {
        Ok(answer) => answer,
        Err(e) => return BatchResult::Failed { positions, reason: e.to_string(), too_large: false },
    };
    if !(200..300).contains(&answer.status) {
        let reason = format!("bulk request answered {}: {}", answer.status, crate::client::error_reason(&answer.body));
        return BatchResult::Failed { positions, reason, too_large: answer.status == 413 };
    }
    let parsed: BulkResponse = match serde_json::from_slice(&answer.body) {
        Ok(p) => p,
        Err(e) => {
            let reason = OpenSearchError::Response { what: "POST /_bulk".into(), message: e.to_string() }.to_string();
            return BatchResult::Failed { positions, reason, too_large: false };
        }
    };
    if parsed.items.len() != positions.len() {
        let reason = format!("bulk answer has {} items for {} records", parsed.items.len(), positions.len());
        return BatchResult::Failed { positions, reason, too_large: false };
    }
    let items = positions.into_iter().zip(parsed.items).map(|(p, item)| (p, classify(item.index))).collect();
    BatchResult::Items(items)
}

fn classify(item: BulkItemResult) -> ItemOutcome {
    if (200..300).contains(&item.status) {
        return ItemOutcome::Indexed;
    }
    let reason = item.error.as_ref().and_then(reason_of).unwrap_or_else(|| "no reason given".into());
    let reason = format!("OpenSearch {}: {reason}", item.status);
    if is_retryable_status(item.status) { ItemOutcome::Retry(reason) } else { ItemOutcome::Reject(reason) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_are_classified_by_status() {
        let item = |status: u16, error: Value| BulkItemResult { status, error: Some(error) };
        assert_eq!(classify(BulkItemResult { status: 201, error: None }), ItemOutcome::Indexed);
        let mapping = classify(item(
            400,
            json!({"type": "mapper_parsing_exception", "reason": "failed to parse field [details.success]"}),
        ));
        assert_eq!(
            mapping,
            ItemOutcome::Reject(
                "OpenSearch 400: mapper_parsing_exception: failed to parse field [details.success]".into()
            )
        );
        assert!(matches!(
            classify(item(409, json!({"type": "version_conflict_engine_exception"}))),
            ItemOutcome::Reject(_)
        ));
        assert!(matches!(
            classify(item(429, json!({"type": "es_rejected_execution_exception"}))),
            ItemOutcome::Retry(_)
        ));
        assert!(matches!(classify(item(503, json!({"type": "unavailable_shards_exception"}))), ItemOutcome::Retry(_)));
    }

    #[test]
    fn batches_are_bounded_by_count_and_bytes() {
        let enc = |n: usize| Some(Encoded { lines: Bytes::from(vec![b'x'; n]) });
        let encoded = vec![enc(40), enc(40), enc(40), enc(200), enc(10), enc(10), enc(10)];
        let pending: Vec<usize> = (0..encoded.len()).collect();
        assert_eq!(split(&pending, &encoded, 2, 100), vec![vec![0, 1], vec![2], vec![3], vec![4, 5], vec![6]]);
        assert_eq!(split(&pending, &encoded, 10, 1000), vec![pending.clone()]);
    }
}
