//! Dotted field paths over an event, read as [`mozdef_model::get_path`] reads them (a key that
//! contains dots literally is found too), and written so that the written value reads back.

use mozdef_model::{Document, get_path};
use serde_json::{Map, Value};

use crate::python::json_type;

/// Why a value cannot be written at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NotAnObject {
    /// The part of the path that holds a non-object.
    pub(super) at: String,
    /// Its JSON type.
    pub(super) found: &'static str,
}

/// Whether `path` is a usable dotted path: not empty, no empty segment.
pub(super) fn is_valid(path: &str) -> bool {
    !path.is_empty() && path.split('.').all(|segment| !segment.is_empty())
}

/// The value at `path`, as [`get_path`] finds it.
pub(super) fn get<'a>(event: &'a Document, path: &str) -> Option<&'a Value> {
    if let Some(value) = event.get(path) {
        return Some(value);
    }
    event.iter().find_map(|(key, child)| get_path(child, path.strip_prefix(key.as_str())?.strip_prefix('.')?))
}

/// The object that holds the existing value at `path`, and that value's key there, resolved as
/// [`get`] resolves the path.
fn locate_mut<'m, 'p>(event: &'m mut Document, path: &'p str) -> Option<(&'m mut Document, &'p str)> {
    if event.contains_key(path) {
        return Some((event, path));
    }
    let key_len = event.iter().find_map(|(key, child)| {
        let rest = path.strip_prefix(key.as_str())?.strip_prefix('.')?;
        get_path(child, rest).is_some().then_some(key.len())
    })?;
    let (key, rest) = (path.get(..key_len)?, path.get(key_len + 1..)?);
    locate_mut(event.get_mut(key)?.as_object_mut()?, rest)
}

/// The existing value at `path`, for change in place.
pub(super) fn get_mut<'a>(event: &'a mut Document, path: &str) -> Option<&'a mut Value> {
    let (parent, key) = locate_mut(event, path)?;
    parent.get_mut(key)
}

/// Removes and returns the value at `path`, keeping the order of the other keys.
pub(super) fn remove(event: &mut Document, path: &str) -> Option<Value> {
    let (parent, key) = locate_mut(event, path)?;
    parent.shift_remove(key)
}

/// Writes `value` at `path`: over the existing value if the path resolves, otherwise creating
/// the missing objects along the way (a `null` on the way counts as missing). When an existing
/// non-object is in the way, the value is handed back with the reason.
pub(super) fn set(event: &mut Document, path: &str, value: Value) -> Result<(), (NotAnObject, Value)> {
    if let Some(slot) = get_mut(event, path) {
        *slot = value;
        return Ok(());
    }
    insert_new(event, path, 0, value)
}

/// Writes `value` at `full[offset..]`, which does not exist in `map`.
fn insert_new(map: &mut Document, full: &str, offset: usize, value: Value) -> Result<(), (NotAnObject, Value)> {
    let Some(path) = full.get(offset..) else {
        return Ok(());
    };
    // Prefer an existing object under a key that is a dotted prefix of the path (the key may
    // itself contain dots), as `get` would look there.
    let existing = map.iter().find_map(|(key, child)| {
        path.strip_prefix(key.as_str())?.strip_prefix('.')?;
        child.is_object().then_some(key.len())
    });
    let head_len = match existing.or_else(|| path.find('.')) {
        Some(len) => len,
        None => {
            map.insert(path.to_owned(), value);
            return Ok(());
        }
    };
    let Some(head) = path.get(..head_len) else {
        return Ok(());
    };
    let slot = map.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(child) => insert_new(child, full, offset + head_len + 1, value),
        other => {
            let at = full.get(..offset + head_len).unwrap_or(full).to_owned();
            Err((NotAnObject { at, found: json_type(other) }, value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(value: Value) -> Document {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn get_reads_nested_and_literal_dotted_keys() {
        let event = doc(json!({"details": {"a": {"b": 1}}, "x.y": 2, "n": null}));
        assert_eq!(get(&event, "details.a.b"), Some(&json!(1)));
        assert_eq!(get(&event, "x.y"), Some(&json!(2)));
        assert_eq!(get(&event, "n"), Some(&Value::Null));
        assert_eq!(get(&event, "details.a.c"), None);
        assert_eq!(get(&event, "detailsa"), None);
    }

    #[test]
    fn set_creates_objects_and_overwrites_where_get_reads() {
        let mut event = doc(json!({"x.y": {"z": 1}, "n": null, "s": "str"}));
        assert!(set(&mut event, "details.a.b", json!(1)).is_ok());
        assert!(set(&mut event, "x.y.z", json!(2)).is_ok());
        assert!(set(&mut event, "x.y.w", json!(3)).is_ok());
        assert!(set(&mut event, "n.m", json!(4)).is_ok());
        assert_eq!(
            Value::Object(event.clone()),
            json!({"x.y": {"z": 2, "w": 3}, "n": {"m": 4}, "s": "str", "details": {"a": {"b": 1}}})
        );
        let err = set(&mut event, "s.t.u", json!(5)).err();
        assert_eq!(err, Some((NotAnObject { at: "s".into(), found: "string" }, json!(5))));
        let err = set(&mut event, "details.a.b.c", json!(6)).err();
        assert_eq!(err, Some((NotAnObject { at: "details.a.b".into(), found: "number" }, json!(6))));
    }

    #[test]
    fn remove_keeps_order() {
        let mut event = doc(json!({"a": 1, "b": {"c": 2, "d": 3}, "e": 4}));
        assert_eq!(remove(&mut event, "a"), Some(json!(1)));
        assert_eq!(remove(&mut event, "b.c"), Some(json!(2)));
        assert_eq!(remove(&mut event, "b.x"), None);
        assert_eq!(event.keys().collect::<Vec<_>>(), ["b", "e"]);
        assert_eq!(Value::Object(event), json!({"b": {"d": 3}, "e": 4}));
    }

    #[test]
    fn valid_paths() {
        assert!(is_valid("a") && is_valid("details.a_b-c"));
        assert!(!is_valid("") && !is_valid(".a") && !is_valid("a.") && !is_valid("a..b"));
    }
}
