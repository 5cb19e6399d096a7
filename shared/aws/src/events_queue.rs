//! [`SqsEventQueue`]: the loginput Lambda's [`EventQueue`] on the SQS events queue.
//!
//! One [`accept`](EventQueue::accept) is one shipper request: it is stamped with the receive
//! time, given a random identity, split in order into [`crate::loginput_message`] messages
//! under the queue's message size ([`crate::events_split`]; an event too large for a message
//! goes to the large-events bucket and travels as a reference), and sent with
//! `SendMessageBatch` (at most ten entries and the size limit per call). Entries SQS reports
//! as failed for a passing reason are sent again, keeping their identity, a few times with a
//! growing pause.
//!
//! `Ok` means SQS accepted every message of the request. SQS has no transaction across
//! messages, so "all or nothing" holds as far as SQS allows: when some messages could not be
//! sent the request is answered [`QueueError::Unavailable`] (loginput answers 5xx), yet the
//! messages SQS did accept stay on the queue and their events are ingested. The shipper sends
//! the whole request again, under a new identity, so those events may be stored twice — never
//! lost. A message SQS accepted after a retry keeps its identity, so ingest stores it once.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use chrono::Utc;
use mozdef_model::Document;
use mozdef_store::{EventQueue, QueueError};
use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::events_split::{ATTRIBUTE_TYPE, OutgoingMessage, OutgoingObject, SplitLimits, split_request};
use crate::loginput_message::{KIND, KIND_ATTRIBUTE};

/// At most this many entries per `SendMessageBatch` call (SQS's limit).
const MAX_BATCH_ENTRIES: usize = 10;
/// At most this many calls of one request in flight at once.
const MAX_CALLS_IN_FLIGHT: usize = 8;
/// How many failures a refusal lists in the error.
const LISTED_FAILURES: usize = 3;

/// How entries SQS reports as failed are sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRetry {
    /// Attempts per entry, the first included.
    pub attempts: u32,
    /// The pause before the second attempt; doubled after each, up to `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest pause.
    pub max_backoff: Duration,
}

impl Default for SendRetry {
    fn default() -> Self {
        SendRetry { attempts: 4, initial_backoff: Duration::from_millis(50), max_backoff: Duration::from_secs(1) }
    }
}

/// The SQS events queue, with the large-events bucket beside it.
#[derive(Debug, Clone)]
pub struct SqsEventQueue {
    sqs: aws_sdk_sqs::Client,
    s3: aws_sdk_s3::Client,
    queue_url: String,
    bucket: String,
    limits: SplitLimits,
    retry: SendRetry,
    random: SystemRandom,
}

impl SqsEventQueue {
    /// The queue at `queue_url`; events too large for a message go to `bucket`.
    pub fn new(
        sqs: aws_sdk_sqs::Client,
        s3: aws_sdk_s3::Client,
        queue_url: impl Into<String>,
        bucket: impl Into<String>,
    ) -> Self {
        SqsEventQueue {
            sqs,
            s3,
            queue_url: queue_url.into(),
            bucket: bucket.into(),
            limits: SplitLimits::default(),
            retry: SendRetry::default(),
            random: SystemRandom::new(),
        }
    }

    /// Sets the message size limit (the queue's `MaximumMessageSize`; default 256 KiB) and
    /// the largest event the bucket takes.
    #[must_use]
    pub fn with_limits(mut self, limits: SplitLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets how failed entries are sent again.
    #[must_use]
    pub fn with_retry(mut self, retry: SendRetry) -> Self {
        self.retry = retry;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> SplitLimits {
        self.limits
    }

    /// A new request identity: 128 random bits from the system's CSPRNG, in hex.
    fn request_id(&self) -> Result<String, QueueError> {
        let mut bytes = [0u8; 16];
        self.random
            .fill(&mut bytes)
            .map_err(|_| QueueError::Unavailable("the system random number generator failed".into()))?;
        Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    async fn put_object(&self, object: &OutgoingObject) -> Result<(), QueueError> {
        let location = &object.location;
        self.s3
            .put_object()
            .bucket(&location.bucket)
            .key(&location.key)
            .content_type("application/json")
            .body(ByteStream::from(object.body.clone().into_bytes()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                let error = aws_sdk_s3::error::DisplayErrorContext(e);
                QueueError::Unavailable(format!("s3://{}/{}: {error}", location.bucket, location.key))
            })
    }

    /// Sends every message, in calls of at most ten entries and the size limit.
    async fn send(&self, request: &str, messages: Vec<OutgoingMessage>) -> Result<(), QueueError> {
        let total = messages.len();
        let calls = group(messages, self.limits.max_message_bytes);
        let sender = Sender { sqs: self.sqs.clone(), queue_url: self.queue_url.clone(), retry: self.retry };
        let mut failures: Vec<String> = Vec::new();
        if calls.len() == 1 {
            for call in calls {
                failures.extend(sender.send_call(call).await);
            }
        } else {
            let permits = Arc::new(Semaphore::new(MAX_CALLS_IN_FLIGHT));
            let mut tasks = JoinSet::new();
            for call in calls {
                let (sender, permits) = (sender.clone(), permits.clone());
                tasks.spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    sender.send_call(call).await
                });
            }
            while let Some(joined) = tasks.join_next().await {
                match joined {
                    Ok(failed) => failures.extend(failed),
                    Err(e) => failures.push(format!("a send task failed: {e}")),
                }
            }
        }
        if failures.is_empty() {
            return Ok(());
        }
        failures.sort();
        let count = failures.len();
        tracing::error!(request, messages = total, failed = count, first = %failures[0], "events not all accepted by SQS");
        failures.truncate(LISTED_FAILURES);
        Err(QueueError::Unavailable(format!(
            "SQS did not accept {count} of the {total} message(s) of request {request}: {}{}",
            failures.join("; "),
            if count > LISTED_FAILURES { "; ..." } else { "" }
        )))
    }
}

#[async_trait]
impl EventQueue for SqsEventQueue {
    async fn accept(&self, events: Vec<Document>) -> Result<(), QueueError> {
        if events.is_empty() {
            return Ok(());
        }
        let received = Utc::now();
        let request = self.request_id()?;
        let messages = split_request(&events, &request, received, &self.bucket, self.limits)?;
        let objects: Vec<&OutgoingObject> = messages.iter().filter_map(|m| m.object.as_ref()).collect();
        for object in &objects {
            self.put_object(object).await?;
        }
        tracing::debug!(
            request,
            events = events.len(),
            messages = messages.len(),
            objects = objects.len(),
            "sending request"
        );
        self.send(&request, messages).await
    }
}

/// Splits messages, in order, into calls of at most ten entries whose sizes add up to at
/// most `max_bytes` (a message alone is always under it).
fn group(messages: Vec<OutgoingMessage>, max_bytes: usize) -> Vec<Vec<OutgoingMessage>> {
    let mut calls: Vec<Vec<OutgoingMessage>> = Vec::new();
    let mut bytes = 0;
    for message in messages {
        let size = message.size();
        match calls.last_mut() {
            Some(call) if call.len() < MAX_BATCH_ENTRIES && bytes + size <= max_bytes => {
                bytes += size;
                call.push(message);
            }
            _ => {
                bytes = size;
                calls.push(vec![message]);
            }
        }
    }
    calls
}

/// What one call needs, cloned into its task.
#[derive(Debug, Clone)]
struct Sender {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    retry: SendRetry,
}

impl Sender {
    /// Sends one call's messages, sending again the entries SQS reports as failed for a
    /// passing reason; returns what was finally not accepted, one line per message.
    async fn send_call(&self, messages: Vec<OutgoingMessage>) -> Vec<String> {
        let mut pending = messages;
        let mut pause = self.retry.initial_backoff;
        let mut attempt = 1;
        loop {
            let (retry, mut refused) = self.attempt(pending).await;
            if retry.is_empty() {
                return refused;
            }
            if attempt >= self.retry.attempts.max(1) {
                refused.extend(
                    retry.into_iter().map(|(m, why)| format!("part {}: {why} (after {attempt} attempts)", m.part)),
                );
                return refused;
            }
            tracing::warn!(entries = retry.len(), attempt, first = %retry[0].1, "SQS refused entries for now; sending them again");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(self.retry.max_backoff);
            attempt += 1;
            pending = retry.into_iter().map(|(m, _)| m).collect();
        }
    }

    /// One `SendMessageBatch`: (entries to send again with the reason, lasting refusals).
    async fn attempt(&self, messages: Vec<OutgoingMessage>) -> (Vec<(OutgoingMessage, String)>, Vec<String>) {
        let mut entries = Vec::with_capacity(messages.len());
        for message in &messages {
            match entry(message) {
                Ok(entry) => entries.push(entry),
                Err(e) => return (Vec::new(), vec![format!("part {}: {e}", message.part)]),
            }
        }
        let sent = self.sqs.send_message_batch().queue_url(&self.queue_url).set_entries(Some(entries)).send().await;
        let output = match sent {
            Ok(output) => output,
            // The SDK has already retried what its retry policy deems transient.
            Err(e) => {
                let error = format!("SendMessageBatch to {}: {}", self.queue_url, DisplayErrorContext(&e));
                return (Vec::new(), messages.iter().map(|m| format!("part {}: {error}", m.part)).collect());
            }
        };
        let mut retry = Vec::new();
        let mut refused = Vec::new();
        for message in messages {
            let id = message.part.to_string();
            if output.successful().iter().any(|s| s.id() == id) {
                continue;
            }
            match output.failed().iter().find(|f| f.id() == id) {
                Some(failed) => {
                    let why = format!("{}: {}", failed.code(), failed.message().unwrap_or_default());
                    if failed.sender_fault() {
                        refused.push(format!("part {}: {why}", message.part));
                    } else {
                        retry.push((message, why));
                    }
                }
                None => retry.push((message, "SQS did not report the entry".to_owned())),
            }
        }
        (retry, refused)
    }
}

/// The batch entry of a message: id = its part number, the kind attribute.
fn entry(message: &OutgoingMessage) -> Result<SendMessageBatchRequestEntry, String> {
    let kind = MessageAttributeValue::builder()
        .data_type(ATTRIBUTE_TYPE)
        .string_value(KIND)
        .build()
        .map_err(|e| e.to_string())?;
    SendMessageBatchRequestEntry::builder()
        .id(message.part.to_string())
        .message_body(&message.body)
        .message_attributes(KIND_ATTRIBUTE, kind)
        .build()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(part: usize, bytes: usize) -> OutgoingMessage {
        let body = "x".repeat(bytes - crate::events_split::attribute_bytes());
        OutgoingMessage { part, identity: format!("r:{part}"), body, object: None }
    }

    #[test]
    fn calls_hold_ten_entries_and_the_size_limit_at_most() {
        let parts = |calls: &[Vec<OutgoingMessage>]| -> Vec<Vec<usize>> {
            calls.iter().map(|c| c.iter().map(|m| m.part).collect()).collect()
        };
        let small: Vec<OutgoingMessage> = (0..23).map(|p| message(p, 100)).collect();
        let calls = group(small, 10_000);
        assert_eq!(calls.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 3]);
        assert_eq!(parts(&calls).concat(), (0..23).collect::<Vec<_>>(), "order kept");

        let sized = vec![message(0, 600), message(1, 400), message(2, 30), message(3, 1_000)];
        assert_eq!(parts(&group(sized, 1_000)), [vec![0, 1], vec![2], vec![3]], "exactly at the limit shares");
    }
}
