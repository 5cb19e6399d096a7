//! `esworker_sns_sqs`: SNS notifications delivered to SQS (inventory §1.3).
//!
//! The body is an SNS envelope (`Type`, `MessageId`, `TopicArn`, `Message`, `Timestamp`,
//! ...); only its `Message` is used. The event starts as `receivedtimestamp`,
//! `mozdefhostname`, `tags=[queue]`, `severity=INFO`, `details={}`; then, when `Message` is
//! a JSON object, each of its keys (exact, case-sensitive, in order) is mapped:
//!
//! | key | output |
//! |---|---|
//! | `type`, `category` | `category` (as is) and `type=event` |
//! | `processid`, `pid` | `processid`: Python `str()` with every `[` and `]` removed |
//! | `processname`, `pname` | `processname` (as is) |
//! | `hostname` | `hostname` (as is) |
//! | `time`, `timestamp` | `timestamp` and `utctimestamp`, through `toUTC` |
//! | `summary`, `payload`, `message` | `summary`, left-stripped |
//! | `source` | `source` (as is) |
//! | `fields`, `details` | an object merged into `details`; anything else → `details.message` |
//! | any other key | `details.<key>` (as is) |
//!
//! A `Message` that is not JSON becomes the `summary` as it is.
//!
//! Decisions (MozDef dropped the event in each case): a `Message` that is JSON but not an
//! object (`"42"`, `"[1]"`) is text too, so it becomes the `summary`; a non-text summary
//! value is first made text with Python's `str()`; an unreadable time leaves the received
//! time and keeps the value in `details.unparsedtimestamp`, as the key mapping does. Exact
//! key matches (Python's `k in ("hostname")` was a substring test). An envelope without a
//! string `Message` is refused (Python stored an empty event).

use mozdef_model::{Document, isoformat};
use serde_json::Value;

use super::DecodeError;
use super::body::{parse_object, sns_message};
use crate::NormalizeContext;
use crate::keymapping::map_timestamp;
use crate::python::py_str;

/// The part named in errors.
const WHAT: &str = "the SNS envelope";

/// Decodes one `esworker_sns_sqs` record: always exactly one event.
///
/// # Errors
///
/// [`DecodeError::InvalidJson`] / [`DecodeError::NotAnObject`] when the body is not a JSON
/// object; [`DecodeError::MissingField`] / [`DecodeError::InvalidField`] when it has no
/// string `Message`.
pub fn decode(body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
    let envelope = parse_object(body, WHAT)?;
    let message = sns_message(&envelope, WHAT)?;
    let mut event = seed(queue, ctx);
    match serde_json::from_str::<Value>(message) {
        Ok(Value::Object(inner)) => map_message(&mut event, inner, ctx),
        _ => {
            event.insert("summary".to_owned(), Value::String(message.to_owned()));
        }
    }
    Ok(vec![event])
}

/// The fields every `esworker_sns_sqs` event starts with.
fn seed(queue: &str, ctx: &NormalizeContext) -> Document {
    let mut event = Document::new();
    event.insert("receivedtimestamp".to_owned(), Value::String(isoformat(&ctx.received)));
    event.insert("mozdefhostname".to_owned(), Value::String(ctx.mozdefhostname.clone()));
    event.insert("tags".to_owned(), Value::Array(vec![Value::String(queue.to_owned())]));
    event.insert("severity".to_owned(), Value::String("INFO".to_owned()));
    event.insert("details".to_owned(), Value::Object(Document::new()));
    event
}

/// The keys of a JSON `Message`, mapped onto `event` (see the module table).
fn map_message(event: &mut Document, message: Document, ctx: &NormalizeContext) {
    let received = isoformat(&ctx.received);
    let mut details = match event.insert("details".to_owned(), Value::Null) {
        Some(Value::Object(details)) => details,
        _ => Document::new(),
    };
    for (key, value) in message {
        match key.as_str() {
            "type" | "category" => {
                event.insert("category".to_owned(), value);
                event.insert("type".to_owned(), Value::String("event".to_owned()));
            }
            "processid" | "pid" => {
                let pid = py_str(&value).replace(['[', ']'], "");
                event.insert("processid".to_owned(), Value::String(pid));
            }
            "processname" | "pname" => {
                event.insert("processname".to_owned(), value);
            }
            "hostname" => {
                event.insert("hostname".to_owned(), value);
            }
            "time" | "timestamp" => map_timestamp(event, &mut details, value, &received, ctx),
            "summary" | "payload" | "message" => {
                let summary = match value {
                    Value::String(s) if !s.starts_with(char::is_whitespace) => s,
                    other => py_str(&other).trim_start().to_owned(),
                };
                event.insert("summary".to_owned(), Value::String(summary));
            }
            "source" => {
                event.insert("source".to_owned(), value);
            }
            "fields" | "details" => match value {
                Value::Object(fields) => details.extend(fields),
                other => {
                    details.insert("message".to_owned(), other);
                }
            },
            _ => {
                details.insert(key, value);
            }
        }
    }
    event.insert("details".to_owned(), Value::Object(details));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::test_context as ctx;

    fn decode_message(message: &str) -> Document {
        let body = json!({"Type": "Notification", "Message": message}).to_string();
        decode(body.as_bytes(), "q", &ctx()).ok().and_then(|mut v| v.pop()).unwrap_or_default()
    }

    #[test]
    fn process_ids_lose_their_brackets() {
        assert_eq!(decode_message(r#"{"pid": "[1234]"}"#)["processid"], "1234");
        assert_eq!(decode_message(r#"{"processid": 99}"#)["processid"], "99");
    }

    #[test]
    fn summaries_are_left_stripped_text() {
        assert_eq!(decode_message(r#"{"message": "  \t hello  "}"#)["summary"], "hello  ");
        assert_eq!(decode_message(r#"{"summary": 12}"#)["summary"], "12");
        assert_eq!(decode_message("  plain text  ")["summary"], "  plain text  ");
        assert_eq!(decode_message("42")["summary"], "42");
    }

    #[test]
    fn the_seed_comes_first() {
        let out = decode_message(r#"{"extra": 1}"#);
        let keys: Vec<&str> = out.keys().map(String::as_str).collect();
        assert_eq!(keys, ["receivedtimestamp", "mozdefhostname", "tags", "severity", "details"]);
        assert_eq!(out["details"], json!({"extra": 1}));
    }
}
