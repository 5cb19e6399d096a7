//! The one error type of the source decoders.

/// Why a record body could not be decoded into MozDef events.
///
/// Every variant names the part of the record at fault (`what`, a field path, an S3 object)
/// and the problem. Only [`DecodeError::ObjectRead`] is transient (the S3 fetch failed
/// mid-way: retry the record); every other variant is a property of the record or of the
/// object it names, so retrying can never succeed and the record belongs in quarantine. Use
/// [`DecodeError::is_retryable`] rather than matching variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// A part of the record is not valid JSON.
    #[error("{what} is not valid JSON: {reason}")]
    InvalidJson {
        /// The part, e.g. `the SNS envelope`.
        what: &'static str,
        /// The parser's message (line and column included).
        reason: String,
    },
    /// A part of the record is JSON but not a JSON object.
    #[error("{what} must be a JSON object, got {found}")]
    NotAnObject {
        /// The part, e.g. `the SQS message body`.
        what: &'static str,
        /// The JSON type found instead (`array`, `string`, `number`, `boolean`, `null`).
        found: &'static str,
    },
    /// A required field is missing.
    #[error("{what} has no `{field}`")]
    MissingField {
        /// The part, e.g. `the EventBridge event`.
        what: &'static str,
        /// The missing field (a dotted path below `what`).
        field: String,
    },
    /// A field is present but unusable.
    #[error("{what}: `{field}` {problem}")]
    InvalidField {
        /// The part, e.g. `the S3 event notification`.
        what: &'static str,
        /// The field (a dotted path below `what`, `[n]` for array positions).
        field: String,
        /// What is wrong with it, e.g. `must be a string, got number`.
        problem: String,
    },
    /// The record is JSON of a shape this decoder does not know.
    #[error("{what} is not recognised: {expected}")]
    Unrecognized {
        /// The part.
        what: &'static str,
        /// What was expected instead.
        expected: &'static str,
    },
    /// An S3 object key that may not be read (e.g. one that would escape the local root).
    #[error("s3://{bucket}/{key}: refused object key: {reason}")]
    InvalidObjectKey {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The S3 object does not exist (permanent: S3 is strongly consistent).
    #[error("s3://{bucket}/{key}: no such object")]
    ObjectNotFound {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
    },
    /// Reading the S3 object failed (network, throttling, I/O): **retryable**.
    #[error("s3://{bucket}/{key}: cannot read the object: {source}")]
    ObjectRead {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The I/O error of the object source.
        #[source]
        source: std::io::Error,
    },
    /// The object is not a valid gzip stream (not gzip, corrupt, or truncated).
    #[error("s3://{bucket}/{key}: not a valid gzip stream: {reason}")]
    Gzip {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The decompressor's complaint.
        reason: String,
    },
    /// The object decompresses to more than the configured cap: refused before it is
    /// expanded any further (a gzip bomb, or a cap set too low).
    #[error("s3://{bucket}/{key}: decompresses to more than {limit} bytes; refused (gzip bomb?)")]
    TooLarge {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The cap, in decompressed bytes.
        limit: u64,
    },
    /// The decompressed object is not a CloudTrail log file (`{"Records": [{...}, ...]}`).
    #[error("s3://{bucket}/{key}: not a CloudTrail log file: {reason}")]
    InvalidLogFile {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// What is wrong, with the JSON position where known.
        reason: String,
    },
    /// The S3 object is of a kind no decoder reads (e.g. Parquet flow logs, Classic Load
    /// Balancer logs).
    #[error("s3://{bucket}/{key}: {reason}")]
    UnsupportedObject {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// What it is and what is supported instead.
        reason: String,
    },
}

impl DecodeError {
    /// Whether decoding the same record again could succeed: `true` only for
    /// [`DecodeError::ObjectRead`] (a failed S3 fetch). Malformed input is permanent.
    pub fn is_retryable(&self) -> bool {
        matches!(self, DecodeError::ObjectRead { .. })
    }

    /// The opposite of [`DecodeError::is_retryable`]: the record should be quarantined.
    pub fn is_permanent(&self) -> bool {
        !self.is_retryable()
    }

    /// `InvalidField` for a value of the wrong JSON type.
    pub(crate) fn wrong_type(what: &'static str, field: impl Into<String>, expected: &str, found: &str) -> Self {
        DecodeError::InvalidField { what, field: field.into(), problem: format!("must be {expected}, got {found}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_object_reads_are_retryable() {
        let read = DecodeError::ObjectRead {
            bucket: "b".into(),
            key: "k".into(),
            source: std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"),
        };
        assert!(read.is_retryable() && !read.is_permanent());
        assert_eq!(read.to_string(), "s3://b/k: cannot read the object: reset");
        let permanent = [
            DecodeError::InvalidJson { what: "the body", reason: "x".into() },
            DecodeError::NotAnObject { what: "the body", found: "array" },
            DecodeError::MissingField { what: "the body", field: "Message".into() },
            DecodeError::wrong_type("the body", "Message", "a string", "number"),
            DecodeError::Unrecognized { what: "the body", expected: "x" },
            DecodeError::InvalidObjectKey { bucket: "b".into(), key: "../k".into(), reason: "r" },
            DecodeError::ObjectNotFound { bucket: "b".into(), key: "k".into() },
            DecodeError::Gzip { bucket: "b".into(), key: "k".into(), reason: "r".into() },
            DecodeError::TooLarge { bucket: "b".into(), key: "k".into(), limit: 1 },
            DecodeError::InvalidLogFile { bucket: "b".into(), key: "k".into(), reason: "r".into() },
        ];
        for err in permanent {
            assert!(err.is_permanent(), "{err}");
        }
        assert_eq!(
            DecodeError::wrong_type("the SNS envelope", "Message", "a string", "number").to_string(),
            "the SNS envelope: `Message` must be a string, got number"
        );
    }
}
