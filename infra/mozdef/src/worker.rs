//! The local ingest worker of `mozdef dev`: the same work the ingest Lambda does for an SQS
//! batch, fed from the write-ahead log instead. It reads accepted requests from the log,
//! normalises every event with the pipeline (deterministic ids from the log position, the
//! daily index of the receive time), indexes the batch, commits, and only then moves the
//! log's checkpoint — so a crash anywhere replays, and replays replace rather than duplicate.

use std::sync::Arc;
use std::time::Duration;

use mozdef_model::{Document, isoformat};
use mozdef_pipeline::{NormalizeContext, document_id, normalize};
use mozdef_store::indices::events_index;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome};
use mozdef_store_embedded::{WalEntry, WalReader};
use serde_json::{Value, json};
use tokio::sync::watch;

/// The index that keeps records the pipeline or the store refused, with the reason.
pub const QUARANTINE_INDEX: &str = "quarantine";
/// How many events one indexing round takes at most.
const BATCH_EVENTS: usize = 20_000;
/// How long the worker sleeps between attempts while the store fails.
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// Runs until `shutdown` turns true and the log is drained.
pub async fn run(
    mut reader: WalReader,
    store: Arc<dyn EventStore>,
    mozdefhostname: String,
    mut shutdown: watch::Receiver<bool>,
) {
    let mozdefhostname = Arc::new(mozdefhostname);
    loop {
        // Reading and normalising are CPU and disk work: keep them off the async threads.
        let host = mozdefhostname.clone();
        let read = tokio::task::spawn_blocking(move || {
            let batch = reader.read_batch(BATCH_EVENTS).map(|entries| {
                let next = entries.last().map(|e| e.next);
                (normalize_entries(entries, &host), next)
            });
            (reader, batch)
        })
        .await;
        let (returned, batch) = match read {
            Ok(pair) => pair,
            Err(e) => {
                tracing::error!(error = %e, "write-ahead log reader task failed; the worker stops");
                return;
            }
        };
        reader = returned;
        let (requests, next) = match batch {
            Ok(batch) => batch,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the write-ahead log; retrying");
                tokio::time::sleep(RETRY_PAUSE).await;
                continue;
            }
        };
        let Some(next) = next else {
            if *shutdown.borrow() {
                return;
            }
            tokio::select! {
                () = reader.wait(Duration::from_millis(250)) => {}
                _ = shutdown.changed() => {}
            }
            continue;
        };
        index_until_done(store.as_ref(), requests).await;
        while let Err(e) = store.refresh().await {
            tracing::error!(error = %e, "commit failed; retrying");
            tokio::time::sleep(RETRY_PAUSE).await;
        }
        if let Err(e) = reader.checkpoint(next) {
            tracing::error!(error = %e, "cannot write the checkpoint; the batch will be replayed after a restart");
        }
    }
}

/// Turns log entries into index requests: normalised events, or quarantine records.
pub fn normalize_entries(entries: Vec<WalEntry>, mozdefhostname: &str) -> Vec<IndexRequest> {
    let mut requests = Vec::with_capacity(entries.iter().map(|e| e.events.len()).sum());
    for entry in entries {
        let ctx = NormalizeContext { received: entry.received, mozdefhostname: mozdefhostname.to_owned() };
        let index = events_index(entry.received);
        for (n, event) in entry.events.into_iter().enumerate() {
            let id = document_id(&entry.position.identity(n));
            // The log holds only JSON objects, and `normalize` refuses nothing else; should
            // that change, the refusal is quarantined rather than lost.
            match normalize(Value::Object(event), &ctx) {
                Ok(source) => requests.push(IndexRequest { index: index.clone(), id, source }),
                Err(e) => requests.push(quarantine(id, &e.to_string(), Value::Null, &ctx)),
            }
        }
    }
    requests
}

fn quarantine(id: String, reason: &str, payload: Value, ctx: &NormalizeContext) -> IndexRequest {
    tracing::warn!(id = %id, reason, "record quarantined");
    let mut source = Document::new();
    let received = isoformat(&ctx.received);
    source.insert("utctimestamp".into(), json!(received));
    source.insert("receivedtimestamp".into(), json!(received));
    source.insert("mozdefhostname".into(), json!(ctx.mozdefhostname));
    source.insert("reason".into(), json!(reason));
    source.insert("payload".into(), json!(payload.to_string()));
    IndexRequest { index: QUARANTINE_INDEX.to_owned(), id, source }
}

/// Indexes `requests`, retrying what the store says to retry and quarantining what it
/// rejects, until every record has an end.
async fn index_until_done(store: &dyn EventStore, mut requests: Vec<IndexRequest>) {
    while !requests.is_empty() {
        let outcomes = match store.index(&requests).await {
            Ok(outcomes) => outcomes,
            Err(e) => {
                tracing::error!(error = %e, records = requests.len(), "indexing failed; retrying");
                tokio::time::sleep(RETRY_PAUSE).await;
                continue;
            }
        };
        let mut again = Vec::new();
        for (request, outcome) in requests.into_iter().zip(outcomes) {
            match outcome {
                ItemOutcome::Indexed => {}
                ItemOutcome::Retry(reason) => {
                    tracing::warn!(id = %request.id, reason, "record will be retried");
                    again.push(request);
                }
                ItemOutcome::Reject(reason) if request.index != QUARANTINE_INDEX => {
                    let ctx = NormalizeContext {
                        received: chrono::Utc::now(),
                        mozdefhostname: request
                            .source
                            .get("mozdefhostname")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                    };
                    again.push(quarantine(request.id, &reason, Value::Object(request.source), &ctx));
                }
                ItemOutcome::Reject(reason) => {
                    tracing::error!(id = %request.id, reason, "quarantine record refused; it stays in the log until replayed");
                }
            }
        }
        if !again.is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        requests = again;
    }
}
