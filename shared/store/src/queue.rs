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
