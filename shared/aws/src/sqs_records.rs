//! [`SqsRecordReader`]: the records of an SQS event (the ingest Lambda's trigger) as
//! [`IngestRecord`]s, one per SQS record, in order.
//!
//! * A loginput message (message attribute `mozdef-kind` = `loginput`) carries shipper
//!   events ([`RecordContent::Events`]: key mapping, plugins, defaults), or names an S3 object
//!   holding them, fetched here (a failed fetch is retryable; a missing object is not).
//!   Identity and receive time are the message's own (`<request>:<part>`, loginput's clock),
//!   so a redelivery or a loginput retry stores each event once.
//! * Any other body goes to the decoder its shape names ([`crate::sqs_classify`]): SNS,
//!   CloudTrail (log files read from S3 on a blocking thread, see [`crate::S3Objects`]),
//!   GuardDuty, or the plain SQS decoder ([`RecordContent::Decoded`]). Identity is
//!   `sqs:<messageId>`; the receive time the record's `SentTimestamp` (else now); the queue
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
use mozdef_pipeline::decode::{CloudTrailDecoder, DecodeError, guardduty, sns, sqs};
use mozdef_service::{IngestRecord, RecordContent};
use serde_json::Value;

use crate::S3Objects;
use crate::loginput_message::{KIND, KIND_ATTRIBUTE, LoginputContent, LoginputMessage, ObjectLocation};
use crate::sqs_classify::{Source, classify};

/// The `source` of loginput records (as the local worker writes it).
pub const LOGINPUT_SOURCE: &str = "loginput";
/// The queue name when a record has no `eventSourceARN`.
const UNKNOWN_QUEUE: &str = "sqs";

/// Reads SQS records into ingest records.
#[derive(Debug, Clone)]
pub struct SqsRecordReader {
    s3: aws_sdk_s3::Client,
    cloudtrail: Arc<CloudTrailDecoder<S3Objects>>,
    mozdefhostname: String,
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
    /// A reader fetching loginput objects with `s3`, CloudTrail log files through
    /// `cloudtrail`, and stamping `mozdefhostname` where decoders write it.
    pub fn new(
        s3: aws_sdk_s3::Client,
        cloudtrail: CloudTrailDecoder<S3Objects>,
        mozdefhostname: impl Into<String>,
    ) -> Self {
        SqsRecordReader { s3, cloudtrail: Arc::new(cloudtrail), mozdefhostname: mozdefhostname.into() }
    }

    /// One ingest record per SQS record of `event`, in order.
    pub async fn read(&self, event: &SqsEvent) -> Vec<IngestRecord> {
        let mut records = Vec::with_capacity(event.records.len());
        for message in &event.records {
            records.push(self.record(message).await);
        }
        records
    }

    /// The ingest record of one SQS record.
    pub async fn record(&self, message: &SqsMessage) -> IngestRecord {
        let body = message.body.as_deref().unwrap_or_default();
        let sqs_identity = format!("sqs:{}", message.message_id.as_deref().unwrap_or_default());
        let sent = sent_timestamp(message).unwrap_or_else(Utc::now);
        let queue = queue_name(message);
        if is_loginput(message) {
            return match self.loginput(body).await {
                Ok((read, events)) => IngestRecord {
                    identity: read.identity,
                    received: read.received,
                    source: LOGINPUT_SOURCE.to_owned(),
                    content: RecordContent::Events(events),
                },
                Err(unreadable) => undecodable(message, sqs_identity, sent, LOGINPUT_SOURCE, unreadable),
            };
        }
        if message.body.is_none() {
            let unreadable = Unreadable { reason: "the SQS record has no body".into(), retryable: false };
            return undecodable(message, sqs_identity, sent, &queue, unreadable);
        }
        let source = classify(body.as_bytes());
        let ctx = NormalizeContext { received: sent, mozdefhostname: self.mozdefhostname.clone() };
        let decoded = match source {
            Source::Sqs => sqs::decode(body.as_bytes(), &queue, &ctx),
            Source::Sns => sns::decode(body.as_bytes(), &queue, &ctx),
            Source::GuardDuty => guardduty::decode(body.as_bytes(), &queue, &ctx),
            Source::CloudTrail => self.cloudtrail(body, &queue, ctx).await,
        };
        match decoded {
            Ok(events) => IngestRecord {
                identity: sqs_identity,
                received: sent,
                source: queue,
                content: RecordContent::Decoded(events),
            },
            Err(error) => {
                tracing::warn!(message = %sqs_identity, decoder = source.name(), %error, "record not decoded");
                undecodable(message, sqs_identity, sent, &queue, error.into())
            }
        }
    }

    /// A CloudTrail notification's events, on a blocking thread (the object source blocks).
    async fn cloudtrail(&self, body: &str, queue: &str, ctx: NormalizeContext) -> Result<Vec<Document>, DecodeError> {
        let (decoder, body, queue) = (self.cloudtrail.clone(), body.to_owned(), queue.to_owned());
        tokio::task::spawn_blocking(move || decoder.decode(body.as_bytes(), &queue, &ctx)).await.unwrap_or_else(|e| {
            Err(DecodeError::ObjectRead {
                bucket: String::new(),
                key: String::new(),
                source: std::io::Error::other(format!("the CloudTrail decoding task failed: {e}")),
            })
        })
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
