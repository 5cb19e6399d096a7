//! `esworker_sqs`: a shipper's JSON object sent straight to SQS (inventory §1.3).
//!
//! 1. The body is JSON; if it is not, it is read as base64 of JSON (boto's default SQS
//!    encoding). Anything else is refused with [`DecodeError::InvalidJson`].
//! 2. It must be a JSON object ([`DecodeError::NotAnObject`] otherwise; MozDef dropped it).
//! 3. The queue name is appended to its literal `tags` key (created as `[queue]` if absent).
//! 4. A document whose `customendpoint` is truthy is kept as it is (plugins only); any other
//!    goes through the SQS worker's *reduced* `keyMapping`: no `sourceip`, `date`,
//!    `priority` or `program` mappings; `facility`, `syslogfacility` and `source` → `source`
//!    as text; the `tags` list, already carrying the queue name, copied as is; everything
//!    else as in inventory §1.2 (and with the same decisions: exact key matches, unreadable
//!    timestamps kept in `details.unparsedtimestamp`, no event dropped).
//!
//! Decisions: a `tags` value that is not a list (Python crashed the worker on `.extend`) is
//! made one: `null` and `""` become `[queue]`, any other value `[value, queue]`. The old
//! fluentd-sqs special case (marking `az`/`instance_id`/`__tag` documents as custom) is gone
//! from MozDef's last version and is not reproduced.

use mozdef_model::Document;
use serde_json::Value;

use super::DecodeError;
use super::body::{base64_decode, into_object};
use crate::NormalizeContext;
use crate::keymapping::{KeyMappingProfile, key_mapping_with};
use crate::python::py_truthy;

/// The part named in errors.
const WHAT: &str = "the SQS message body";

/// Decodes one `esworker_sqs` record: always exactly one event.
///
/// # Errors
///
/// [`DecodeError::InvalidJson`] when the body is neither JSON nor base64 of JSON;
/// [`DecodeError::NotAnObject`] when it is not a JSON object.
pub fn decode(body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
    let value = match serde_json::from_slice::<Value>(body) {
        Ok(value) => value,
        Err(json_err) => match base64_decode(body) {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|b64_err| DecodeError::InvalidJson {
                what: WHAT,
                reason: format!("{json_err}; decoded as base64, {b64_err}"),
            })?,
            None => {
                return Err(DecodeError::InvalidJson {
                    what: WHAT,
                    reason: format!("{json_err} (and it is not base64 either)"),
                });
            }
        },
    };
    let mut doc = into_object(value, WHAT)?;
    append_queue_tag(&mut doc, queue);
    let custom = doc.get("customendpoint").is_some_and(py_truthy);
    let event = if custom { doc } else { key_mapping_with(doc, KeyMappingProfile::Sqs, ctx) };
    Ok(vec![event])
}

/// `event['tags'].extend([queue])`, or `event['tags'] = [queue]` when absent.
fn append_queue_tag(doc: &mut Document, queue: &str) {
    let queue = Value::String(queue.to_owned());
    match doc.get_mut("tags") {
        Some(Value::Array(tags)) => tags.push(queue),
        Some(slot) => {
            let old = std::mem::take(slot);
            *slot = match old {
                Value::Null => Value::Array(vec![queue]),
                Value::String(s) if s.is_empty() => Value::Array(vec![queue]),
                other => Value::Array(vec![other, queue]),
            };
        }
        None => {
            doc.insert("tags".to_owned(), Value::Array(vec![queue]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::test_context as ctx;

    fn one(body: &[u8]) -> Document {
        decode(body, "q", &ctx()).ok().and_then(|mut v| v.pop()).unwrap_or_default()
    }

    #[test]
    fn tags_always_end_with_the_queue() {
        assert_eq!(one(br#"{"summary": "s"}"#)["tags"], json!(["q"]));
        assert_eq!(one(br#"{"tags": ["a"]}"#)["tags"], json!(["a", "q"]));
        assert_eq!(one(br#"{"tags": "a"}"#)["tags"], json!(["a", "q"]));
        assert_eq!(one(br#"{"tags": null}"#)["tags"], json!(["q"]));
        assert_eq!(one(br#"{"tags": ""}"#)["tags"], json!(["q"]));
        assert_eq!(one(br#"{"tags": 7}"#)["tags"], json!([7, "q"]));
    }

    #[test]
    fn base64_bodies_are_read() {
        // base64 of {"summary": "from boto", "hostname": "h"}
        let out = one(b"eyJzdW1tYXJ5IjogImZyb20gYm90byIsICJob3N0bmFtZSI6ICJoIn0=");
        assert_eq!(out["summary"], "from boto");
        assert_eq!(out["hostname"], "h");
    }

    #[test]
    fn errors_name_the_body() {
        let err = decode(b"not json at all!", "q", &ctx()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("the SQS message body is not valid JSON"), "{err}");
        let err = decode(b"[1, 2]", "q", &ctx()).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err, "the SQS message body must be a JSON object, got array");
    }
}
