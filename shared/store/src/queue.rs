//! The durable queue between loginput and the ingest pipeline: SQS on AWS, a write-ahead log
//! in `mozdef dev`. An `accept` that returns `Ok` means the events are durable.

use async_trait::async_trait;
use mozdef_model::Document;

/// Errors of a durable queue.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The request is too large for one queue message.
    #[error("request of {size} bytes exceeds the queue's limit of {limit} bytes")]
    TooLarge {
        /// The serialised size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The queue could not make the events durable; nothing was acknowledged.
    #[error("queue unavailable: {0}")]
    Unavailable(String),
    /// The queue refuses events for now, by its own choice (the local log's disk is nearly
    /// full); nothing was acknowledged. It takes events again by itself once the cause is gone.
    #[error("{reason}")]
    Refused {
        /// Why, naming the resource and the figures (what the client is told).
        reason: String,
        /// How long the client should wait before sending again.
        retry_after: std::time::Duration,
    },
}

/// Where loginput puts accepted events.
#[async_trait]
pub trait EventQueue: Send + Sync + std::fmt::Debug {
    /// Makes `events` durable as one unit: all of them or none.
    async fn accept(&self, events: Vec<Document>) -> Result<(), QueueError>;
}

/// How deep one event queue is (MozDef's `healthAndStatus` / `sqs_queue_status` figures).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueueDepth {
    /// The queue (an SQS queue's name, `wal` for the local log).
    pub name: String,
    /// Waiting to be processed (SQS: ApproximateNumberOfMessages; the log: its unprocessed
    /// frames).
    pub ready: u64,
    /// Being processed (SQS: ApproximateNumberOfMessagesNotVisible).
    pub in_flight: u64,
    /// Delayed (SQS: ApproximateNumberOfMessagesDelayed).
    pub delayed: u64,
    /// Unprocessed bytes, where the queue knows them (the local log).
    pub backlog_bytes: Option<u64>,
}

/// Reports the depth of the event queues (the health page).
#[async_trait]
pub trait QueueStatus: Send + Sync {
    /// Every queue's depth now.
    async fn depth(&self) -> Result<Vec<QueueDepth>, QueueError>;
}

/// Reports local storage (`mozdef dev`): how much its data directory holds and how much room
/// is left on its disk, for `/api/status`.
#[async_trait]
pub trait StorageStatus: Send + Sync {
    /// The figures, as a JSON object.
    async fn storage(&self) -> Result<serde_json::Value, QueueError>;
}
