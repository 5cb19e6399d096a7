//! [`SqsRecordReader`]: the records of an SQS event (the ingest Lambda's trigger), one
//! [`SqsRecord`] per SQS record, in order.
//!
//! * A loginput message (message attribute `mozdef-kind` = `loginput`) carries shipper
//!   events ([`RecordContent::Events`]: key mapping, plugins, defaults), or names an S3 object
//!   holding them, fetched here (a failed fetch is retryable; a missing object is not).
//!   Identity and receive time are the message's own (`<request>:<part>`, loginput's clock),
//!   so a redelivery or a loginput retry stores each event once.
//! * An S3 notification (CloudTrail's, or S3's own for any bucket of AWS logs) is an
//!   [`SqsRecord::Objects`]: its log files can be of any size, so they are not read here but
//!   streamed by [`SqsRecordReader::ingest_objects`] — each object routed by its key to its
//!   format ([`S3LogDecoder`]) and decoded on a blocking thread, in chunks stored as they come.
//! * Any other body goes to the decoder its shape names ([`crate::sqs_classify`]): SNS,
//!   GuardDuty, Security Hub, a CloudWatch Logs subscription payload (its log groups' parsers
//!   from the site's [`LogGroupParsers`]), or the plain SQS decoder
//!   ([`RecordContent::Decoded`]). Identity is `sqs:<messageId>` (for CloudWatch Logs
//!   payloads `cwl:<log group>:<log stream>:<first log event id>`, the same however the
//!   payload arrives); the receive time the record's `SentTimestamp` (else now); the queue
//!   name (MozDef's `taskexchange`, which some decoders write into `tags`) comes from the
//!   record's `eventSourceARN`.
//!
//! A record that cannot be read becomes [`RecordContent::Undecodable`] with the reason, the
//! raw body and whether a later delivery may succeed: nothing is dropped here.

use std::sync::Arc;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_s3::operation::get_object::GetObjectError;
use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_pipeline::NormalizeContext;
use mozdef_pipeline::decode::aws_logs::cloudwatch_logs::{self, LogGroupParsers};
use mozdef_pipeline::decode::aws_logs::{S3LogDecoder, security_hub};
use mozdef_pipeline::decode::{DecodeError, Entry, guardduty, sns, sqs};
use mozdef_service::{Ingest, IngestRecord, RecordContent, STREAM_CHUNK, StreamOutcome};
use mozdef_store::EventStore;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::S3Objects;
use crate::loginput_message::{KIND, KIND_ATTRIBUTE, LoginputContent, LoginputMessage, ObjectLocation};
use crate::sqs_classify::{Source, classify};

/// The `source` of loginput records (as the local worker writes it).
pub const LOGINPUT_SOURCE: &str = "loginput";
/// The queue name when a record has no `eventSourceARN`.
const UNKNOWN_QUEUE: &str = "sqs";
/// Chunks of entries buffered between the decoding thread and the store.
const STREAM_BUFFER: usize = 2;

/// Reads SQS records into ingest records.
#[derive(Debug, Clone)]
pub struct SqsRecordReader {
    s3: aws_sdk_s3::Client,
    logs: Arc<S3LogDecoder<S3Objects>>,
    cloudwatch: Arc<LogGroupParsers>,
    mozdefhostname: String,
}

/// One SQS record, read.
#[derive(Debug, Clone, PartialEq)]
pub enum SqsRecord {
    /// A record ready for [`Ingest::ingest_batch`].
    Ready(IngestRecord),
    /// An S3 notification, whose log files are streamed by [`SqsRecordReader::ingest_objects`].
    Objects(S3Notification),
}

/// An S3 notification read from SQS.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Notification {
    /// `sqs:<messageId>`.
    pub identity: String,
    /// The record's `SentTimestamp`.
    pub received: DateTime<Utc>,
    /// The queue's name.
    pub queue: String,
    /// The notification.
    pub body: String,
}

/// Why a record could not be read, and whether another delivery may succeed.
struct Unreadable {
    reason: String,
    retryable: bool,
}

impl From<DecodeError> for Unreadable {
    fn from(error: DecodeError) -> Self {
        Unreadable { retryable: error.is_retryable(), reason: error.to_string() }
    }
}

impl SqsRecordReader {
    /// A reader fetching loginput objects with `s3`, log files through `logs`, reading
    /// CloudWatch Logs payloads with `cloudwatch`, and stamping `mozdefhostname` where decoders
    /// write it.
    pub fn new(
        s3: aws_sdk_s3::Client,
        logs: S3LogDecoder<S3Objects>,
        cloudwatch: LogGroupParsers,
        mozdefhostname: impl Into<String>,
    ) -> Self {
        SqsRecordReader {
            s3,
            logs: Arc::new(logs),
            cloudwatch: Arc::new(cloudwatch),
            mozdefhostname: mozdefhostname.into(),
        }
    }

    /// One record per SQS record of `event`, in order.
    pub async fn read(&self, event: &SqsEvent) -> Vec<SqsRecord> {
        let mut records = Vec::with_capacity(event.records.len());
        for message in &event.records {
            records.push(self.record(message).await);
        }
        records
    }

    /// The record of one SQS record.
    pub async fn record(&self, message: &SqsMessage) -> SqsRecord {
        let body = message.body.as_deref().unwrap_or_default();
        let sqs_identity = format!("sqs:{}", message.message_id.as_deref().unwrap_or_default());
        let sent = sent_timestamp(message).unwrap_or_else(Utc::now);
        let queue = queue_name(message);
        if is_loginput(message) {
            return SqsRecord::Ready(match self.loginput(body).await {
                Ok((read, events)) => IngestRecord {
                    identity: read.identity,
                    received: read.received,
                    source: LOGINPUT_SOURCE.to_owned(),
                    content: RecordContent::Events(events),
                },
                Err(unreadable) => undecodable(message, sqs_identity, sent, LOGINPUT_SOURCE, unreadable),
            });
        }
        if message.body.is_none() {
            let unreadable = Unreadable { reason: "the SQS record has no body".into(), retryable: false };
            return SqsRecord::Ready(undecodable(message, sqs_identity, sent, &queue, unreadable));
        }
        let source = classify(body.as_bytes());
        let ctx = self.context(sent);
        let events =
            |decoded: Result<Vec<Document>, DecodeError>| decoded.map(|e| e.into_iter().map(Entry::Event).collect());
        let decoded = match source {
            Source::S3 => {
                let notification =
                    S3Notification { identity: sqs_identity, received: sent, queue, body: body.to_owned() };
                return SqsRecord::Objects(notification);
            }
            Source::CloudWatchLogs => {
                return SqsRecord::Ready(self.cloudwatch_record(body.as_bytes(), sent, &queue).unwrap_or_else(
                    |error| {
                        tracing::warn!(message = %sqs_identity, decoder = source.name(), %error, "record not decoded");
                        undecodable(message, sqs_identity, sent, &queue, error.into())
                    },
                ));
            }
            Source::Sqs => events(sqs::decode(body.as_bytes(), &queue, &ctx)),
            Source::Sns => events(sns::decode(body.as_bytes(), &queue, &ctx)),
            Source::GuardDuty => events(guardduty::decode(body.as_bytes(), &queue, &ctx)),
            Source::SecurityHub => events(security_hub::decode(body.as_bytes(), &queue, &ctx)),
        };
        SqsRecord::Ready(match decoded {
            Ok(entries) => IngestRecord {
                identity: sqs_identity,
                received: sent,
                source: queue,
                content: RecordContent::Decoded(entries),
            },
            Err(error) => {
                tracing::warn!(message = %sqs_identity, decoder = source.name(), %error, "record not decoded");
                undecodable(message, sqs_identity, sent, &queue, error.into())
            }
        })
    }

    /// The record of a CloudWatch Logs subscription payload (`{"awslogs": {"data": ...}}`),
    /// however it arrived (on SQS, or by the subscription invoking the function): identity
    /// `cwl:<log group>:<log stream>:<first log event id>`.
    ///
    /// # Errors
    ///
    /// The payload's [`DecodeError`].
    pub fn cloudwatch_record(
        &self,
        body: &[u8],
        received: DateTime<Utc>,
        source: &str,
    ) -> Result<IngestRecord, DecodeError> {
        let payload = cloudwatch_logs::decode(body, &self.cloudwatch, &self.context(received))?;
        let first = payload.entries.first().map(|(id, _)| id.as_str()).unwrap_or_default();
        let identity = format!("cwl:{}:{}:{first}", payload.log_group, payload.log_stream);
        let entries = payload.entries.into_iter().map(|(_, entry)| entry).collect();
        Ok(IngestRecord { identity, received, source: source.to_owned(), content: RecordContent::Decoded(entries) })
    }

    fn context(&self, received: DateTime<Utc>) -> NormalizeContext {
        NormalizeContext { received, mozdefhostname: self.mozdefhostname.clone() }
    }

    /// Decodes the log files `notification` names on a blocking thread, sending their entries
    /// in chunks of [`STREAM_CHUNK`] (waiting while the receiver is behind; discarding once it
    /// is dropped). The task ends with the decoding's result.
    pub fn stream(
        &self,
        notification: &S3Notification,
    ) -> (mpsc::Receiver<Vec<Entry>>, JoinHandle<Result<(), DecodeError>>) {
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let (logs, ctx) = (self.logs.clone(), self.context(notification.received));
        let (body, queue) = (notification.body.clone(), notification.queue.clone());
        let task = tokio::task::spawn_blocking(move || {
            let mut chunk = Vec::with_capacity(STREAM_CHUNK);
            let mut open = true;
            let result = logs.decode(body.as_bytes(), &queue, &ctx, &mut |entry| {
                if !open {
                    return;
                }
                chunk.push(entry);
                if chunk.len() >= STREAM_CHUNK {
                    open = tx.blocking_send(std::mem::replace(&mut chunk, Vec::with_capacity(STREAM_CHUNK))).is_ok();
                }
            });
            if open && !chunk.is_empty() {
                let _ = tx.blocking_send(chunk);
            }
            result
        });
        (rx, task)
    }

    /// Ingests every log file `notification` names (see [`SqsRecordReader::stream`] and
    /// [`Ingest::ingest_stream`]). When decoding fails for good (a corrupt or unsupported
    /// object), what was decoded before stays stored and the notification goes to the
    /// quarantine with the reason; when it fails for now (S3 unreachable), the outcome asks
    /// for another delivery.
    pub async fn ingest_objects(
        &self,
        notification: &S3Notification,
        ingest: &Ingest,
        store: &dyn EventStore,
    ) -> StreamOutcome {
        let (chunks, decoding) = self.stream(notification);
        let (identity, received, queue) = (&notification.identity, notification.received, &notification.queue);
        let mut outcome = ingest.ingest_stream(store, identity, received, queue, chunks).await;
        let decoded = decoding.await.unwrap_or_else(|e| {
            Err(DecodeError::ObjectRead {
                bucket: String::new(),
                key: String::new(),
                source: std::io::Error::other(format!("the decoding task failed: {e}")),
            })
        });
        let Err(error) = decoded else { return outcome };
        tracing::warn!(message = %identity, %error, entries = outcome.entries, "log files not (wholly) decoded");
        if error.is_retryable() {
            outcome.retry.get_or_insert_with(|| error.to_string());
            return outcome;
        }
        let payload =
            serde_json::from_str(&notification.body).unwrap_or_else(|_| Value::String(notification.body.clone()));
        let record = IngestRecord {
            identity: format!("{identity}:error"),
            received,
            source: queue.clone(),
            content: RecordContent::Undecodable { reason: error.to_string(), payload, retryable: false },
        };
        let quarantined = ingest.ingest_batch(store, vec![record]).await;
        match quarantined.first() {
            Some(done) if done.is_done() => outcome.quarantined += 1,
            _ => {
                outcome
                    .retry
                    .get_or_insert_with(|| format!("quarantining the undecodable notification failed: {error}"));
            }
        }
        outcome
    }

    /// Every entry of the log files `notification` names, held in one record (tests and
    /// small files; the handler streams instead).
    pub async fn collect(&self, notification: &S3Notification) -> IngestRecord {
        let (mut chunks, decoding) = self.stream(notification);
        let mut entries = Vec::new();
        while let Some(chunk) = chunks.recv().await {
            entries.extend(chunk);
        }
        let content = match decoding.await {
            Ok(Ok(())) => RecordContent::Decoded(entries),
            Ok(Err(error)) => {
                let payload = serde_json::from_str(&notification.body)
                    .unwrap_or_else(|_| Value::String(notification.body.clone()));
                RecordContent::Undecodable { reason: error.to_string(), payload, retryable: error.is_retryable() }
            }
            Err(e) => RecordContent::Undecodable {
                reason: format!("the decoding task failed: {e}"),
                payload: Value::String(notification.body.clone()),
                retryable: true,
            },
        };
        IngestRecord {
            identity: notification.identity.clone(),
            received: notification.received,
            source: notification.queue.clone(),
            content,
        }
    }

    /// A loginput message and its events (fetched from S3 for a large event).
    async fn loginput(&self, body: &str) -> Result<(LoginputMessage, Vec<Document>), Unreadable> {
        let permanent = |reason: String| Unreadable { reason, retryable: false };
        let message = LoginputMessage::from_body(body.as_bytes()).map_err(|e| permanent(e.to_string()))?;
        match message.content.clone() {
            LoginputContent::Events { events } => Ok((message, events)),
            LoginputContent::Object { s3 } => {
                let object = self.fetch(&s3).await?;
                let at = |e: String| permanent(format!("s3://{}/{}: {e}", s3.bucket, s3.key));
                match LoginputMessage::from_body(&object).map_err(|e| at(e.to_string()))?.content {
                    LoginputContent::Events { events } => Ok((message, events)),
                    LoginputContent::Object { .. } => Err(at("names another object instead of holding events".into())),
                }
            }
        }
    }

    /// An object's bytes: a missing object is permanent, any other failure retryable.
    async fn fetch(&self, location: &ObjectLocation) -> Result<Vec<u8>, Unreadable> {
        let (bucket, key) = (location.bucket.clone(), location.key.clone());
        let output = self.s3.get_object().bucket(&bucket).key(&key).send().await.map_err(|e| {
            if e.as_service_error().is_some_and(GetObjectError::is_no_such_key) {
                DecodeError::ObjectNotFound { bucket: bucket.clone(), key: key.clone() }
            } else {
                let source = std::io::Error::other(aws_sdk_s3::error::DisplayErrorContext(e).to_string());
                DecodeError::ObjectRead { bucket: bucket.clone(), key: key.clone(), source }
            }
        })?;
        let bytes = output.body.collect().await.map_err(|e| DecodeError::ObjectRead {
            bucket: bucket.clone(),
            key: key.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(bytes.to_vec())
    }
}

/// Whether the record carries the loginput kind attribute.
fn is_loginput(message: &SqsMessage) -> bool {
    message.message_attributes.get(KIND_ATTRIBUTE).and_then(|a| a.string_value.as_deref()) == Some(KIND)
}

/// The record's `SentTimestamp` attribute (epoch milliseconds).
fn sent_timestamp(message: &SqsMessage) -> Option<DateTime<Utc>> {
    let millis: i64 = message.attributes.get("SentTimestamp")?.trim().parse().ok()?;
    DateTime::from_timestamp_millis(millis)
}

/// The queue's name: the last part of `arn:aws:sqs:<region>:<account>:<name>`.
pub fn queue_name(message: &SqsMessage) -> String {
    message
        .event_source_arn
        .as_deref()
        .and_then(|arn| arn.rsplit(':').next())
        .filter(|name| !name.is_empty())
        .unwrap_or(UNKNOWN_QUEUE)
        .to_owned()
}

/// A record that could not be read: its raw body (JSON when it is JSON, else the text, or
/// the whole record when there is no body) goes with the reason.
fn undecodable(
    message: &SqsMessage,
    identity: String,
    received: DateTime<Utc>,
    source: &str,
    unreadable: Unreadable,
) -> IngestRecord {
    let payload = match message.body.as_deref() {
        Some(body) => serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_owned())),
        None => serde_json::to_value(message).unwrap_or(Value::Null),
    };
    let content = RecordContent::Undecodable { reason: unreadable.reason, payload, retryable: unreadable.retryable };
    IngestRecord { identity, received, source: source.to_owned(), content }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(arn: Option<&str>, sent: Option<&str>) -> SqsMessage {
        let mut message = SqsMessage::default();
        message.event_source_arn = arn.map(str::to_owned);
        if let Some(sent) = sent {
            message.attributes.insert("SentTimestamp".into(), sent.into());
        }
        message
    }

    #[test]
    fn queue_names_come_from_the_source_arn() {
        assert_eq!(
            queue_name(&message(Some("arn:aws:sqs:us-east-1:123456789012:mozdef-events"), None)),
            "mozdef-events"
        );
        assert_eq!(queue_name(&message(None, None)), "sqs");
        assert_eq!(queue_name(&message(Some("arn:aws:sqs:us-east-1:1:"), None)), "sqs");
    }

    #[test]
    fn sent_timestamps_are_epoch_millis() {
        let at = sent_timestamp(&message(None, Some("1763899200123")));
        assert_eq!(at.map(|t| t.timestamp_millis()), Some(1_763_899_200_123));
        assert_eq!(sent_timestamp(&message(None, Some("yesterday"))), None);
        assert_eq!(sent_timestamp(&message(None, None)), None);
    }
}
