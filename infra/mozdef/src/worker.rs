//! The local ingest worker of `mozdef dev`: the application layer's batch ingest
//! ([`Ingest`]), fed from the write-ahead log instead of SQS. It reads accepted requests from
//! the log, has them processed (on a blocking thread, while the previous batch is indexed),
//! stores each batch until every record has its end (retrying what the store asks to retry),
//! commits, and only then moves the log's checkpoint — so a crash anywhere replays, and
//! replays replace rather than duplicate (document ids derive from the log position).

use std::sync::Arc;
use std::time::Duration;

use mozdef_service::{Ingest, IngestBatch, IngestRecord, RecordContent};
use mozdef_store::EventStore;
use mozdef_store_embedded::{EmbeddedError, WalEntry, WalPosition, WalReader};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How many events one indexing round takes at most.
const BATCH_EVENTS: usize = 20_000;
/// How long the worker sleeps between attempts while the store fails.
const RETRY_PAUSE: Duration = Duration::from_millis(500);
/// How long it waits before retrying the records the store asked to retry.
const ITEM_RETRY_PAUSE: Duration = Duration::from_millis(50);

/// A batch read from the log and processed, and the position after it.
type Batch = Result<(IngestBatch, Option<WalPosition>), EmbeddedError>;

/// The log's entries as the application layer's records.
pub fn records(entries: Vec<WalEntry>) -> Vec<IngestRecord> {
    entries
        .into_iter()
        .map(|entry| IngestRecord {
            identity: entry.position.identity(),
            received: entry.received,
            source: "loginput".to_owned(),
            content: RecordContent::Events(entry.events),
        })
        .collect()
}

/// Reads and processes the next batch off the async threads (CPU and disk work), handing the
/// reader back with it.
fn read_ahead(mut reader: WalReader, ingest: Arc<Ingest>) -> JoinHandle<(WalReader, Batch)> {
    tokio::task::spawn_blocking(move || {
        let batch = reader.read_batch(BATCH_EVENTS).map(|entries| {
            let next = entries.last().map(|e| e.next);
            (ingest.process(records(entries)), next)
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
        let (mut batch, next) = match batch {
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
        store_until_done(store.as_ref(), &mut batch, &ingest).await;
        while let Err(e) = store.refresh().await {
            tracing::error!(error = %e, "commit failed; retrying");
            tokio::time::sleep(RETRY_PAUSE).await;
        }
        if let Err(e) = checkpointer.checkpoint(next) {
            tracing::error!(error = %e, "cannot write the checkpoint; the batch will be replayed after a restart");
        }
    }
}

/// Stores `batch` until every record has its end: the log holds what was acknowledged, so
/// nothing is given up on while the store only fails for passing reasons.
async fn store_until_done(store: &dyn EventStore, batch: &mut IngestBatch, ingest: &Ingest) {
    while batch.pending() > 0 {
        match ingest.store(store, batch).await {
            Err(e) => {
                tracing::error!(error = %e, records = batch.pending(), "indexing failed; retrying");
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            Ok(()) if batch.pending() > 0 => tokio::time::sleep(ITEM_RETRY_PAUSE).await,
            Ok(()) => {}
        }
    }
}
