//! Reading and checking request bodies: size limits, UTF-8, nesting depth, JSON objects.

use axum::body::Body;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use mozdef_model::Document;
use serde_json::Value;

use crate::ApiError;

/// Reads the whole body, refusing more than `limit` bytes with a 413.
pub(crate) async fn read_limited(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(ApiError::TooLarge { limit, line: None }),
        Err(e) => Err(ApiError::bad_request(format!("cannot read request body: {e}"))),
    }
}

/// Checks that `bytes` is UTF-8, naming the offset of the first bad byte.
pub(crate) fn check_utf8(bytes: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|e| {
        ApiError::bad_request(format!("request body is not valid UTF-8 (bad byte at offset {})", e.valid_up_to()))
    })
}

/// Checks that JSON `text` nests arrays and objects at most `max_depth` deep, without
/// parsing it (so a hostile depth costs no recursion).
pub(crate) fn check_depth(text: &str, max_depth: usize) -> Result<(), String> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (offset, byte) in text.bytes().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Err(format!("JSON nests deeper than {max_depth} levels (at offset {offset})"));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// What a JSON value is, for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses one JSON event: it must be an object.
pub(crate) fn parse_event(text: &str, max_depth: usize) -> Result<Document, String> {
    check_depth(text, max_depth)?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!("an event must be a JSON object, not {}", kind(&other))),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_ignores_brackets_in_strings() {
        assert!(check_depth(r#"{"a": "[[[[[[["}"#, 2).is_ok());
        assert!(check_depth(r#"{"a": "\"[[[", "b": [1]}"#, 2).is_ok());
        assert!(check_depth(r#"{"a": [[1]]}"#, 2).is_err());
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert!(check_depth(&deep, 64).is_err());
        assert!(check_depth(&deep, 65).is_ok());
    }
}
