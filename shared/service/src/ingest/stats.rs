//! What one process's ingest has done since it started. These counters hold per process
//! (per Lambda instance on AWS, where they are only logged): they answer `GET /api/stats`
//! where the REST API runs in the same process as ingest (`mozdef dev`).

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

/// Counters of one ingest process.
#[derive(Debug, Default)]
pub struct IngestStats {
    /// Events stored.
    pub indexed: AtomicU64,
    /// Events a plugin dropped on purpose.
    pub dropped: AtomicU64,
    /// Records sent to the quarantine.
    pub quarantined: AtomicU64,
}

impl IngestStats {
    /// Counts one outcome.
    pub fn count(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters as `{"indexed": N, "dropped": N, "quarantined": N}`.
    pub fn snapshot(&self) -> Value {
        json!({
            "indexed": self.indexed.load(Ordering::Relaxed),
            "dropped": self.dropped.load(Ordering::Relaxed),
            "quarantined": self.quarantined.load(Ordering::Relaxed),
        })
    }
}
