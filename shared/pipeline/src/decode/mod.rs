//! Source decoders: one queue record's body (bytes) → zero or more MozDef events, the way
//! MozDef's SQS workers built them (inventory §1.3), before the plugin chain.
//!
//! | decoder | MozDef worker | body |
//! |---|---|---|
//! | [`sqs`] | `esworker_sqs` | a shipper's JSON object, or base64 of it |
//! | [`sns`] | `esworker_sns_sqs` | an SNS envelope whose `Message` is a JSON object or text |
//! | [`cloudtrail`] | `esworker_cloudtrail` | an S3 / CloudTrail notification naming gzip log files |
//! | [`guardduty`] | `esworker_guardduty` (+ the external "gd2md" normaliser) | an EventBridge GuardDuty finding |
//!
//! Every decoder takes the body, the name of the queue it came from (MozDef's
//! `taskexchange`, written into `tags`) and the [`NormalizeContext`] (receive time, worker
//! host), and returns the events in a deterministic order. The events are what the worker
//! handed to `sendEventToPlugins`: the caller runs the plugin chain on each, then applies the
//! save-time defaults ([`mozdef_model::add_required_fields`]) as MozDef's `save_event` did.
//!
//! A body that cannot be decoded is refused with a [`DecodeError`] naming the part and the
//! problem; nothing is dropped silently. Bodies that carry no events by design (CloudTrail's
//! validation message, S3's test event) decode to an empty list. Only fetching an S3 object
//! can fail transiently ([`DecodeError::is_retryable`]).

pub mod aws_logs;
mod body;
pub mod cloudtrail;
mod error;
pub mod guardduty;
pub mod sns;
pub mod sqs;

use mozdef_model::Document;

use crate::NormalizeContext;

pub use aws_logs::{Entry, Unparsed};
pub use cloudtrail::{CloudTrailDecoder, DEFAULT_MAX_DECOMPRESSED_BYTES, LocalObjects, ObjectSource, S3ObjectRef};
pub use error::DecodeError;

/// A source decoder, for callers that choose the decoder by configuration. The unit structs
/// [`SqsDecoder`], [`SnsDecoder`] and [`GuardDutyDecoder`] delegate to the module functions;
/// [`CloudTrailDecoder`] carries its object source.
pub trait Decoder: Send + Sync {
    /// Decodes one record body received from `queue`.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] naming what is wrong with the body (or, for CloudTrail, with an
    /// object it names or the fetch of it).
    fn decode(&self, body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError>;
}

/// [`sqs::decode`] as a [`Decoder`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SqsDecoder;

/// [`sns::decode`] as a [`Decoder`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SnsDecoder;

/// [`guardduty::decode`] as a [`Decoder`].
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardDutyDecoder;

impl Decoder for SqsDecoder {
    fn decode(&self, body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
        sqs::decode(body, queue, ctx)
    }
}

impl Decoder for SnsDecoder {
    fn decode(&self, body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
        sns::decode(body, queue, ctx)
    }
}

impl Decoder for GuardDutyDecoder {
    fn decode(&self, body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
        guardduty::decode(body, queue, ctx)
    }
}

impl<S: ObjectSource> Decoder for CloudTrailDecoder<S> {
    fn decode(&self, body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
        CloudTrailDecoder::decode(self, body, queue, ctx)
    }
}
