//! Field checks for record documents: each reads one field of a JSON object, checks its type
//! and bounds, and names the field (a dotted path with list indices, `theories[2].status`)
//! when it is wrong, so the REST API answers 400 naming it.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use crate::ServiceError;

/// The longest text field (a description, a note).
pub const MAX_TEXT: usize = 64 * 1024;
/// The longest short field (a summary, a name).
pub const MAX_SHORT: usize = 1024;
/// The most entries of one list field.
pub const MAX_ITEMS: usize = 1000;

/// The time as every record writes it: RFC 3339, UTC, microseconds, `Z` — so times compare
/// as strings (sort keys, time windows).
pub fn timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The body as a JSON object, or an error naming `what`.
pub fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, ServiceError> {
    value.as_object().ok_or_else(|| ServiceError::invalid(what, "must be a JSON object"))
}

/// Refuses keys of `object` not in `known` (naming the first), so a misspelt field is not
/// silently dropped.
pub fn only_known(object: &Map<String, Value>, known: &[&str], path: &str) -> Result<(), ServiceError> {
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(ServiceError::invalid(join(path, key), "is not a known field")),
        None => Ok(()),
    }
}

/// `path.field`, or `field` at the top.
pub fn join(path: &str, field: &str) -> String {
    if path.is_empty() { field.to_owned() } else { format!("{path}.{field}") }
}

/// An optional string field, trimmed, at most `max` characters (`None` for absent or null).
pub fn opt_text(
    object: &Map<String, Value>,
    field: &str,
    path: &str,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() > max => {
            Err(ServiceError::invalid(join(path, field), format!("is longer than {max} characters")))
        }
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(ServiceError::invalid(join(path, field), "must be a string")),
    }
}

/// A required, non-empty string field.
pub fn text(object: &Map<String, Value>, field: &str, path: &str, max: usize) -> Result<String, ServiceError> {
    match opt_text(object, field, path, max)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ServiceError::invalid(join(path, field), "is required")),
    }
}

/// An optional field whose value must be one of `allowed`.
pub fn opt_choice(
    object: &Map<String, Value>,
    field: &str,
    path: &str,
    allowed: &[&str],
) -> Result<Option<String>, ServiceError> {
    match opt_text(object, field, path, MAX_SHORT)? {
        None => Ok(None),
        Some(value) if allowed.contains(&value.as_str()) => Ok(Some(value)),
        Some(value) => Err(ServiceError::invalid(join(path, field), format!("{value:?} is not one of {allowed:?}"))),
    }
}

/// An optional boolean field.
pub fn opt_bool(object: &Map<String, Value>, field: &str, path: &str) -> Result<Option<bool>, ServiceError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ServiceError::invalid(join(path, field), "must be true or false")),
    }
}

/// An optional date field: RFC 3339, or MozDef's `YYYY-mm-dd hh:mm am/pm` (UTC), written back
/// as [`timestamp`].
pub fn opt_date(object: &Map<String, Value>, field: &str, path: &str) -> Result<Option<String>, ServiceError> {
    match opt_text(object, field, path, 64)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => parse_date(&s).map(|t| Some(timestamp(&t))).ok_or_else(|| {
            ServiceError::invalid(
                join(path, field),
                format!("{s:?} is not a date (RFC 3339 or \"YYYY-mm-dd hh:mm am\")"),
            )
        }),
    }
}

/// RFC 3339, or MozDef's `YYYY-mm-dd hh:mm am/pm`.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(&text.to_uppercase(), "%Y-%m-%d %I:%M %p").ok().map(|t| t.and_utc())
}

/// An optional list of strings (each trimmed, non-empty, at most `max` characters).
pub fn string_list(
    object: &Map<String, Value>,
    field: &str,
    path: &str,
    max: usize,
) -> Result<Vec<String>, ServiceError> {
    let items = list(object, field, path)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("{}[{i}]", join(path, field));
        match item {
            Value::String(s) if s.trim().is_empty() => return Err(ServiceError::invalid(at, "is empty")),
            Value::String(s) if s.chars().count() > max => {
                return Err(ServiceError::invalid(at, format!("is longer than {max} characters")));
            }
            Value::String(s) => out.push(s.trim().to_owned()),
            _ => return Err(ServiceError::invalid(at, "must be a string")),
        }
    }
    Ok(out)
}

/// An optional list field's items (absent or null: empty), at most [`MAX_ITEMS`].
pub fn list<'a>(object: &'a Map<String, Value>, field: &str, path: &str) -> Result<&'a [Value], ServiceError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) if items.len() > MAX_ITEMS => {
            Err(ServiceError::invalid(join(path, field), format!("has more than {MAX_ITEMS} entries")))
        }
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ServiceError::invalid(join(path, field), "must be a list")),
    }
}

/// Inserts `value` under `field` unless it is `None`.
pub fn put<T: Into<Value>>(out: &mut Map<String, Value>, field: &str, value: Option<T>) {
    if let Some(value) = value {
        out.insert(field.to_owned(), value.into());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn errors_name_the_field_path() {
        let body = json!({"summary": 3, "tags": ["a", 1], "dateOpened": "yesterday"});
        let obj = object(&body, "body").expect("object");
        let e = text(obj, "summary", "", 10).expect_err("a number");
        assert_eq!(e.to_string(), "summary: must be a string");
        let e = string_list(obj, "tags", "", 10).expect_err("a number in the list");
        assert_eq!(e.to_string(), "tags[1]: must be a string");
        let e = opt_date(obj, "dateOpened", "").expect_err("not a date");
        assert!(e.to_string().starts_with("dateOpened: \"yesterday\" is not a date"), "{e}");
        let e = only_known(obj, &["summary", "tags"], "").expect_err("dateOpened unknown");
        assert_eq!(e.to_string(), "dateOpened: is not a known field");
    }

    #[test]
    fn mozdef_dates_and_rfc3339() {
        assert_eq!(
            parse_date("2026-12-07 09:05 pm").map(|t| timestamp(&t)).as_deref(),
            Some("2026-12-07T21:05:00.000000Z")
        );
        assert_eq!(
            parse_date("2026-12-07T09:05:00+01:00").map(|t| timestamp(&t)).as_deref(),
            Some("2026-12-07T08:05:00.000000Z")
        );
        assert_eq!(parse_date("2026-13-07 09:05 pm"), None);
    }
}
