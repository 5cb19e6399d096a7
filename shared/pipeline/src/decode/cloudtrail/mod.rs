//! `esworker_cloudtrail`: CloudTrail log files announced on SQS (inventory §1.3).
//!
//! A record body is a notification ([`parse_notification`]: CloudTrail's SNS message, an S3
//! event notification, either one SNS-wrapped); each gzip log file it names is read from an
//! [`ObjectSource`], decompressed as a stream under a cap on the decompressed size
//! ([`DEFAULT_MAX_DECOMPRESSED_BYTES`]), and its `Records` are parsed one at a time, each
//! becoming one event (see `mapping` for the mapping). Events come out in notification
//! order, then record order, so a caller can derive stable document ids from the SQS
//! message id and the event's position.
//!
//! The whole record fails if any object fails (MozDef deleted the SQS message only after
//! all its files were processed): a failed fetch is retryable, anything else permanent.

pub(crate) mod gzip;
mod mapping;
mod notification;
mod objects;
mod records;

use mozdef_model::Document;
use serde_json::Value;

use crate::NormalizeContext;
use crate::decode::DecodeError;
use crate::python::json_type;

pub use notification::{S3ObjectRef, parse_notification};
pub use objects::{LocalObjects, ObjectSource};

/// The default cap on the decompressed size of one log file: 512 MiB. CloudTrail delivers
/// a file about every five minutes per account and region, rarely over a few tens of MiB.
pub const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = 512 * 1024 * 1024;

/// The `processname` when the executable's name is unknown.
const FALLBACK_PROCESS_NAME: &str = "mozdef-ingest";

/// Decodes CloudTrail notifications, reading the log files from `S`.
#[derive(Debug, Clone)]
pub struct CloudTrailDecoder<S> {
    objects: S,
    max_decompressed_bytes: u64,
    process: mapping::Process,
}

impl<S: ObjectSource> CloudTrailDecoder<S> {
    /// A decoder reading from `objects`, with the default cap and the current process's id
    /// and executable file name as `processid`/`processname` (MozDef wrote `os.getpid()`
    /// and `sys.argv[0]`).
    pub fn new(objects: S) -> Self {
        let name = std::env::args_os()
            .next()
            .and_then(|arg0| std::path::Path::new(&arg0).file_name().map(|n| n.to_string_lossy().into_owned()))
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| FALLBACK_PROCESS_NAME.to_owned());
        CloudTrailDecoder {
            objects,
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
            process: mapping::Process { id: std::process::id().to_string(), name },
        }
    }

    /// Sets the cap on the decompressed size of one log file; a larger file is refused with
    /// [`DecodeError::TooLarge`] once the cap is passed.
    #[must_use]
    pub fn with_max_decompressed_bytes(mut self, limit: u64) -> Self {
        self.max_decompressed_bytes = limit;
        self
    }

    /// Sets the `processid` and `processname` written on every event (e.g. fixed values for
    /// reproducible output, or a service name where the executable is a Lambda `bootstrap`).
    #[must_use]
    pub fn with_process(mut self, processid: impl Into<String>, processname: impl Into<String>) -> Self {
        self.process = mapping::Process { id: processid.into(), name: processname.into() };
        self
    }

    /// The cap on the decompressed size of one log file.
    pub fn max_decompressed_bytes(&self) -> u64 {
        self.max_decompressed_bytes
    }

    /// The object source.
    pub fn objects(&self) -> &S {
        &self.objects
    }

    /// Decodes one notification body from `queue`: the events of every log file it names.
    ///
    /// # Errors
    ///
    /// The notification's [`DecodeError`] (see [`parse_notification`]) or the first failing
    /// object's (see [`CloudTrailDecoder::decode_object`]).
    pub fn decode(&self, body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
        let mut events = Vec::new();
        for object in parse_notification(body)? {
            self.decode_object_into(&object, queue, ctx, &mut events)?;
        }
        Ok(events)
    }

    /// The events of one log file.
    ///
    /// # Errors
    ///
    /// [`DecodeError::ObjectNotFound`], [`DecodeError::InvalidObjectKey`] or
    /// [`DecodeError::ObjectRead`] (retryable) from the source; [`DecodeError::Gzip`] for a
    /// file that is not (complete, valid) gzip; [`DecodeError::TooLarge`] past the cap;
    /// [`DecodeError::InvalidLogFile`] when the content is not `{"Records": [{...}, ...]}`.
    pub fn decode_object(
        &self,
        object: &S3ObjectRef,
        queue: &str,
        ctx: &NormalizeContext,
    ) -> Result<Vec<Document>, DecodeError> {
        let mut events = Vec::new();
        self.decode_object_into(object, queue, ctx, &mut events)?;
        Ok(events)
    }

    fn decode_object_into(
        &self,
        object: &S3ObjectRef,
        queue: &str,
        ctx: &NormalizeContext,
        events: &mut Vec<Document>,
    ) -> Result<(), DecodeError> {
        self.stream_object(object, queue, ctx, &mut |event| events.push(event))
    }

    /// The events of one log file, handed to `on_event` one at a time as they are parsed (the
    /// file is never held whole).
    pub(crate) fn stream_object(
        &self,
        object: &S3ObjectRef,
        queue: &str,
        ctx: &NormalizeContext,
        on_event: &mut dyn FnMut(Document),
    ) -> Result<(), DecodeError> {
        let limit = self.max_decompressed_bytes;
        let source = self.objects.open(&object.bucket, &object.key)?;
        let stream = gzip::gunzip_capped(source, limit);
        let mut index = 0usize;
        records::for_each_record(stream, |record| {
            let Value::Object(record) = record else {
                return Err(format!("Records[{index}] must be an object, got {}", json_type(&record)));
            };
            on_event(mapping::map_record(record, queue, &self.process, ctx));
            index += 1;
            Ok(())
        })
        .map_err(|err| {
            if err.is_io() {
                gzip::classify(err.into(), object, limit)
            } else {
                DecodeError::InvalidLogFile {
                    bucket: object.bucket.clone(),
                    key: object.key.clone(),
                    reason: err.to_string(),
                }
            }
        })
    }
}
