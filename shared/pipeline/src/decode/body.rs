//! Reading record bodies: JSON objects, base64 (as boto wrote it) and SNS envelopes.

use mozdef_model::Document;
use serde_json::Value;

use super::DecodeError;
use crate::python::json_type;

/// The body parsed as JSON.
pub(crate) fn parse_json(body: &[u8], what: &'static str) -> Result<Value, DecodeError> {
    serde_json::from_slice(body).map_err(|e| DecodeError::InvalidJson { what, reason: e.to_string() })
}

/// The body parsed as a JSON object.
pub(crate) fn parse_object(body: &[u8], what: &'static str) -> Result<Document, DecodeError> {
    into_object(parse_json(body, what)?, what)
}

/// `value` if it is a JSON object.
pub(crate) fn into_object(value: Value, what: &'static str) -> Result<Document, DecodeError> {
    match value {
        Value::Object(doc) => Ok(doc),
        other => Err(DecodeError::NotAnObject { what, found: json_type(&other) }),
    }
}

/// Whether `doc` looks like an SNS envelope (`Type`/`TopicArn` beside a `Message`), as
/// delivered to SQS without raw message delivery.
pub(crate) fn is_sns_envelope(doc: &Document) -> bool {
    doc.contains_key("Message") && (doc.contains_key("Type") || doc.contains_key("TopicArn"))
}

/// The `Message` text of an SNS envelope: present and a string, else an error naming it.
pub(crate) fn sns_message<'a>(envelope: &'a Document, what: &'static str) -> Result<&'a str, DecodeError> {
    match envelope.get("Message") {
        Some(Value::String(message)) => Ok(message),
        Some(other) => Err(DecodeError::wrong_type(what, "Message", "a string", json_type(other))),
        None => Err(DecodeError::MissingField { what, field: "Message".to_owned() }),
    }
}

/// Base64 as Python's `base64.b64decode` reads it without validation: the standard
/// alphabet; characters outside it (white space, line breaks) are skipped; decoding stops
/// at the first `=`. Missing padding is accepted (Python refused it). `None` when a single
/// character is left over at the end or nothing at all was decoded.
pub(crate) fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut chars = 0usize;
    for &b in text {
        let sextet = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => continue,
        };
        chars += 1;
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    (chars % 4 != 1 && !out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_reads_what_python_reads() {
        assert_eq!(base64_decode(b"eyJhIjogMX0=").as_deref(), Some(&b"{\"a\": 1}"[..]));
        assert_eq!(base64_decode(b"eyJh\nIjogMX0=\n").as_deref(), Some(&b"{\"a\": 1}"[..]));
        assert_eq!(base64_decode(b"eyJhIjogMX0").as_deref(), Some(&b"{\"a\": 1}"[..]));
        assert_eq!(base64_decode(b"YQ==trailing").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode(b"Y"), None);
        assert_eq!(base64_decode(b"YWJjZ"), None);
        assert_eq!(base64_decode(b""), None);
        assert_eq!(base64_decode(b"{not base64}"), None);
    }

    #[test]
    fn sns_envelopes_are_recognised() {
        let env = into_object(serde_json::json!({"Type": "Notification", "Message": "m"}), "e").unwrap_or_default();
        assert!(is_sns_envelope(&env));
        assert_eq!(sns_message(&env, "e").ok(), Some("m"));
        let raw = into_object(serde_json::json!({"Message": "m"}), "e").unwrap_or_default();
        assert!(!is_sns_envelope(&raw));
        let bad = into_object(serde_json::json!({"Type": "Notification", "Message": 3}), "e").unwrap_or_default();
        assert!(sns_message(&bad, "e").is_err_and(|e| e.to_string() == "e: `Message` must be a string, got number"));
    }
}
