//! Which S3 objects a CloudTrail notification names.
//!
//! Accepted bodies (each may also arrive wrapped in an SNS envelope, whose `Message` is then
//! read):
//!
//! * CloudTrail's SNS message `{"s3Bucket": "...", "s3ObjectKey": ["...", ...]}` (keys as
//!   they are); the SNS text `CloudTrail validation message.` names no object;
//! * an S3 event notification `{"Records": [{"eventSource": "aws:s3", "eventName":
//!   "ObjectCreated:Put", "s3": {"bucket": {"name"}, "object": {"key"}}}, ...]}`, whose keys
//!   are URL-encoded (`+` for a space, `%XX` escapes) and decoded here. Records of other
//!   events (`ObjectRemoved:*`...) are skipped;
//! * S3's `s3:TestEvent`, sent when a notification is configured: names no object.
//!
//! Keys under `CloudTrail-Digest/` (integrity digests, no events) are skipped; skipped
//! records are logged at debug level.

use mozdef_model::Document;
use serde_json::Value;

use crate::decode::DecodeError;
use crate::decode::body::{into_object, is_sns_envelope, parse_object, sns_message};
use crate::python::json_type;

/// The text CloudTrail publishes to a topic when it is attached to a trail.
const VALIDATION_MESSAGE: &str = "CloudTrail validation message.";

/// One S3 object (a gzip CloudTrail log file) named by a notification.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct S3ObjectRef {
    /// The bucket name.
    pub bucket: String,
    /// The object key, decoded (as stored in S3).
    pub key: String,
}

/// The S3 objects a notification body names, in order; empty for CloudTrail's validation
/// message, S3's test event and notifications of other events than object creation.
///
/// # Errors
///
/// A [`DecodeError`] naming the part of the notification that is malformed.
pub fn parse_notification(body: &[u8]) -> Result<Vec<S3ObjectRef>, DecodeError> {
    const WHAT: &str = "the CloudTrail notification";
    let doc = parse_object(body, WHAT)?;
    let objects = if is_sns_envelope(&doc) {
        const INNER: &str = "the SNS Message of the CloudTrail notification";
        let message = sns_message(&doc, WHAT)?;
        if message == VALIDATION_MESSAGE {
            return Ok(Vec::new());
        }
        if message.trim().is_empty() {
            return Err(DecodeError::InvalidField {
                what: WHAT,
                field: "Message".to_owned(),
                problem: "is empty".into(),
            });
        }
        let inner = serde_json::from_str(message)
            .map_err(|e| DecodeError::InvalidJson { what: INNER, reason: e.to_string() })?;
        objects_of(&into_object(inner, INNER)?, INNER)?
    } else {
        objects_of(&doc, WHAT)?
    };
    Ok(objects.into_iter().filter(|o| !skipped_key(o)).collect())
}

/// The objects of an unwrapped notification.
fn objects_of(doc: &Document, what: &'static str) -> Result<Vec<S3ObjectRef>, DecodeError> {
    if doc.contains_key("s3ObjectKey") || doc.contains_key("s3Bucket") {
        cloudtrail_message(doc, what)
    } else if let Some(records) = doc.get("Records") {
        s3_event(records, what)
    } else if doc.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        Ok(Vec::new())
    } else {
        Err(DecodeError::Unrecognized {
            what,
            expected: "a CloudTrail message {s3Bucket, s3ObjectKey}, an S3 event notification {Records} \
                       or an s3:TestEvent",
        })
    }
}

/// CloudTrail's `{"s3Bucket": "...", "s3ObjectKey": [...]}`.
fn cloudtrail_message(doc: &Document, what: &'static str) -> Result<Vec<S3ObjectRef>, DecodeError> {
    let bucket = required_str(doc, "s3Bucket", what, "s3Bucket")?;
    let keys = match doc.get("s3ObjectKey") {
        Some(Value::Array(keys)) => keys,
        Some(other) => return Err(DecodeError::wrong_type(what, "s3ObjectKey", "a list", json_type(other))),
        None => return Err(DecodeError::MissingField { what, field: "s3ObjectKey".to_owned() }),
    };
    keys.iter()
        .enumerate()
        .map(|(i, key)| match key {
            Value::String(key) if !key.is_empty() => Ok(S3ObjectRef { bucket: bucket.to_owned(), key: key.clone() }),
            Value::String(_) => Err(DecodeError::InvalidField {
                what,
                field: format!("s3ObjectKey[{i}]"),
                problem: "is empty".to_owned(),
            }),
            other => Err(DecodeError::wrong_type(what, format!("s3ObjectKey[{i}]"), "a string", json_type(other))),
        })
        .collect()
}

/// An S3 event notification's `Records`.
fn s3_event(records: &Value, what: &'static str) -> Result<Vec<S3ObjectRef>, DecodeError> {
    let Value::Array(records) = records else {
        return Err(DecodeError::wrong_type(what, "Records", "a list", json_type(records)));
    };
    let mut objects = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        let Value::Object(record) = record else {
            return Err(DecodeError::wrong_type(what, format!("Records[{i}]"), "an object", json_type(record)));
        };
        let source = required_str(record, "eventSource", what, &format!("Records[{i}].eventSource"))?;
        if source != "aws:s3" {
            return Err(DecodeError::InvalidField {
                what,
                field: format!("Records[{i}].eventSource"),
                problem: format!("must be aws:s3, got {source:?}"),
            });
        }
        if let Some(Value::String(event)) = record.get("eventName")
            && !event.starts_with("ObjectCreated:")
        {
            tracing::debug!(event = %event, "cloudtrail: skipping an s3 notification that is not an object creation");
            continue;
        }
        let s3 = record.get("s3").and_then(Value::as_object);
        let bucket = s3.and_then(|s| s.get("bucket")).and_then(Value::as_object);
        let object = s3.and_then(|s| s.get("object")).and_then(Value::as_object);
        let (Some(bucket), Some(object)) = (bucket, object) else {
            return Err(DecodeError::MissingField { what, field: format!("Records[{i}].s3.bucket / .s3.object") });
        };
        let bucket = required_str(bucket, "name", what, &format!("Records[{i}].s3.bucket.name"))?;
        let raw_key = required_str(object, "key", what, &format!("Records[{i}].s3.object.key"))?;
        let key = url_decode(raw_key).map_err(|problem| DecodeError::InvalidField {
            what,
            field: format!("Records[{i}].s3.object.key"),
            problem: problem.to_owned(),
        })?;
        objects.push(S3ObjectRef { bucket: bucket.to_owned(), key });
    }
    Ok(objects)
}

/// `doc[key]` as a non-empty string; `field` is its path for the error.
fn required_str<'a>(doc: &'a Document, key: &str, what: &'static str, field: &str) -> Result<&'a str, DecodeError> {
    match doc.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => {
            Err(DecodeError::InvalidField { what, field: field.to_owned(), problem: "is empty".to_owned() })
        }
        Some(other) => Err(DecodeError::wrong_type(what, field, "a string", json_type(other))),
        None => Err(DecodeError::MissingField { what, field: field.to_owned() }),
    }
}

/// Objects that carry no events: CloudTrail digest files.
fn skipped_key(object: &S3ObjectRef) -> bool {
    let digest = object.key.contains("/CloudTrail-Digest/") || object.key.starts_with("CloudTrail-Digest/");
    if digest {
        tracing::debug!(bucket = %object.bucket, key = %object.key, "cloudtrail: skipping a digest file");
    }
    digest
}

/// An S3 notification key decoded: `+` is a space, `%XX` a byte; the result must be UTF-8.
fn url_decode(key: &str) -> Result<String, &'static str> {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or("has a truncated %-escape")?;
                let (Some(high), Some(low)) = (hex_digit(hex[0]), hex_digit(hex[1])) else {
                    return Err("has an invalid %-escape");
                };
                out.push(high << 4 | low);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "does not decode to UTF-8")
}

/// The value of one hexadecimal digit.
fn hex_digit(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_url_decoded() {
        assert_eq!(url_decode("AWSLogs/a+b/c%3Ad%2B.json.gz"), Ok("AWSLogs/a b/c:d+.json.gz".to_owned()));
        assert_eq!(url_decode("caf%C3%A9"), Ok("café".to_owned()));
        assert_eq!(url_decode("bad%2"), Err("has a truncated %-escape"));
        assert_eq!(url_decode("bad%zz"), Err("has an invalid %-escape"));
        assert_eq!(url_decode("bad%+1"), Err("has an invalid %-escape"));
        assert_eq!(url_decode("bad%ff"), Err("does not decode to UTF-8"));
    }

    #[test]
    fn validation_and_test_events_name_nothing() {
        let validation = br#"{"Type": "Notification", "Message": "CloudTrail validation message."}"#;
        assert_eq!(parse_notification(validation).ok(), Some(Vec::new()));
        let test_event = br#"{"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"}"#;
        assert_eq!(parse_notification(test_event).ok(), Some(Vec::new()));
    }
}
