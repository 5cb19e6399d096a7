//! Dotted field paths over JSON documents, with Elasticsearch's reading of them: a path
//! `details.sourceipaddress` reaches nested objects, keys that contain dots literally, and the
//! elements of arrays along the way.

use serde_json::Value;

/// Every leaf value at `path` in `doc`: arrays are flattened (as Elasticsearch indexes them),
/// `null`s are skipped. An object at the end of the path is returned as one value.
pub fn field_values<'a>(doc: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    collect(doc, path, &mut out);
    out
}

fn collect<'a>(value: &'a Value, path: &str, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, path, out)),
        Value::Object(map) => {
            for (key, child) in map {
                if key == path {
                    push_leaves(child, out);
                } else if let Some(rest) = path.strip_prefix(key.as_str()).and_then(|r| r.strip_prefix('.')) {
                    collect(child, rest, out);
                }
            }
        }
        _ => {}
    }
}

fn push_leaves<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Null => {}
        Value::Array(items) => items.iter().for_each(|v| push_leaves(v, out)),
        other => out.push(other),
    }
}

/// The first value at a dotted `path` (MozDef's `DotDict.get`), without flattening arrays.
pub fn get_path<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let map = doc.as_object()?;
    if let Some(v) = map.get(path) {
        return Some(v);
    }
    map.iter().find_map(|(key, child)| {
        path.strip_prefix(key.as_str()).and_then(|r| r.strip_prefix('.')).and_then(|rest| get_path(child, rest))
    })
}

/// Whether a dotted `path` exists in `doc` with a non-null value (MozDef's `key_exists`).
pub fn key_exists(doc: &Value, path: &str) -> bool {
    get_path(doc, path).is_some_and(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_dotted_and_arrays() {
        let doc = json!({"details": {"a": {"b": 1}, "list": [{"x": "1"}, {"x": "2"}], "n": null},
                         "details.lit": "yes", "tags": ["t1", ["t2"]]});
        assert_eq!(field_values(&doc, "details.a.b"), vec![&json!(1)]);
        assert_eq!(field_values(&doc, "details.list.x"), vec![&json!("1"), &json!("2")]);
        assert_eq!(field_values(&doc, "details.lit"), vec![&json!("yes")]);
        assert_eq!(field_values(&doc, "tags"), vec![&json!("t1"), &json!("t2")]);
        assert!(field_values(&doc, "details.n").is_empty());
        assert!(field_values(&doc, "details.missing").is_empty());
        assert_eq!(get_path(&doc, "details.a.b"), Some(&json!(1)));
        assert!(key_exists(&doc, "details.a"));
        assert!(!key_exists(&doc, "details.n"));
        assert!(!key_exists(&doc, "detailsx"));
    }
}
