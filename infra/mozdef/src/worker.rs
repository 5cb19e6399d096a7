//! The local ingest worker of `mozdef dev`: the same work the ingest Lambda does for an SQS
//! batch, fed from the write-ahead log instead. It reads accepted requests from the log, runs
//! every event through the pipeline (key mapping, the plugin chain, defaults; deterministic
//! ids from the log position), routes it (daily index of the receive time, a plugin's index,
//! or quarantine), indexes the batch, commits, and only then moves the log's checkpoint — so
//! a crash anywhere replays, and replays replace rather than duplicate.

use std::sync::Arc;
use std::time::Duration;

use mozdef_pipeline::{NormalizeContext, PluginChain, document_id, process};
use mozdef_store::ingest::{IngestStats, QUARANTINE_INDEX, RecordInfo, Routed, quarantine, route};
use mozdef_store::{EventStore, IndexRequest, ItemOutcome};
use mozdef_store_embedded::{EmbeddedError, WalEntry, WalPosition, WalReader};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How many events one indexing round takes at most.
const BATCH_EVENTS: usize = 20_000;
/// How long the worker sleeps between attempts while the store fails.
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// What the worker needs to process records, and what it counts.
#[derive(Debug)]
pub struct Ingest {
    /// The plugin chain.
    pub chain: PluginChain,
    /// The `mozdefhostname` stamped on events.
    pub mozdefhostname: String,
    /// What it has done (shared with the REST API's `/api/stats`).
    pub stats: Arc<IngestStats>,
}

/// A batch read from the log and processed: its index requests and the position after it.
type Batch = Result<(Vec<IndexRequest>, Option<WalPosition>), EmbeddedError>;

/// Reads and processes the next batch off the async threads (CPU and disk work), handing the
/// reader back with it.
fn read_ahead(mut reader: WalReader, ingest: Arc<Ingest>) -> JoinHandle<(WalReader, Batch)> {
    tokio::task::spawn_blocking(move || {
        let batch = reader.read_batch(BATCH_EVENTS).map(|entries| {
            let next = entries.last().map(|e| e.next);
            (process_entries(entries, &ingest), next)
        });
        (reader, batch)
    })
}

/// Runs until `shutdown` turns true and the log is drained. While one batch is indexed and
/// committed, the next is read and processed on the other core; checkpoints are still written
/// in log order, each after its batch's commit.
pub async fn run(
    reader: WalReader,
    store: Arc<dyn EventStore>,
    ingest: Arc<Ingest>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut pending = read_ahead(reader, ingest.clone());
    loop {
        let (reader, batch) = match pending.await {
            Ok(pair) => pair,
            Err(e) => {
                tracing::error!(error = %e, "write-ahead log reader task failed; the worker stops");
                return;
            }
        };
        let (requests, next) = match batch {
            Ok(batch) => batch,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the write-ahead log; retrying");
                tokio::time::sleep(RETRY_PAUSE).await;
                pending = read_ahead(reader, ingest.clone());
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
            pending = read_ahead(reader, ingest.clone());
            continue;
        };
        let checkpointer = reader.checkpointer();
        pending = read_ahead(reader, ingest.clone());
        index_until_done(store.as_ref(), requests, &ingest).await;
        while let Err(e) = store.refresh().await {
            tracing::error!(error = %e, "commit failed; retrying");
            tokio::time::sleep(RETRY_PAUSE).await;
        }
        if let Err(e) = checkpointer.checkpoint(next) {
            tracing::error!(error = %e, "cannot write the checkpoint; the batch will be replayed after a restart");
        }
    }
}

/// Runs log entries through the pipeline: index requests for events and quarantine records
/// (drops are only counted).
pub fn process_entries(entries: Vec<WalEntry>, ingest: &Ingest) -> Vec<IndexRequest> {
    let mut requests = Vec::with_capacity(entries.iter().map(|e| e.events.len()).sum());
    for entry in entries {
        let ctx = NormalizeContext { received: entry.received, mozdefhostname: ingest.mozdefhostname.clone() };
        for (n, event) in entry.events.into_iter().enumerate() {
            let id = document_id(&entry.position.identity(n));
            let record = RecordInfo {
                id: &id,
                received: entry.received,
                source: "loginput",
                mozdefhostname: &ingest.mozdefhostname,
            };
            match route(process(Value::Object(event), &ctx, &ingest.chain), record) {
                Routed::Index(request) => {
                    if request.index == QUARANTINE_INDEX {
                        ingest.stats.count(&ingest.stats.quarantined);
                    }
                    requests.push(request);
                }
                Routed::Dropped { plugin } => {
                    ingest.stats.count(&ingest.stats.dropped);
                    tracing::debug!(id = %id, plugin, "event dropped by plugin");
                }
            }
        }
    }
    requests
}

/// Indexes `requests`, retrying what the store says to retry and quarantining what it
/// rejects, until every record has an end.
async fn index_until_done(store: &dyn EventStore, mut requests: Vec<IndexRequest>, ingest: &Ingest) {
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
                ItemOutcome::Indexed if request.index != QUARANTINE_INDEX => ingest.stats.count(&ingest.stats.indexed),
                ItemOutcome::Indexed => {}
                ItemOutcome::Retry(reason) => {
                    tracing::warn!(id = %request.id, reason, "record will be retried");
                    again.push(request);
                }
                ItemOutcome::Reject(reason) if request.index != QUARANTINE_INDEX => {
                    ingest.stats.count(&ingest.stats.quarantined);
                    let record = RecordInfo {
                        id: &request.id,
                        received: chrono::Utc::now(),
                        source: "store",
                        mozdefhostname: &ingest.mozdefhostname,
                    };
                    again.push(quarantine(&reason, &Value::Object(request.source.clone()), record));
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
