//! MozDef's `remove_dots` mq plugin (registration `cloudtrail`; priority 5).
//!
//! Elasticsearch rejects field names that start or end with a dot (`.ds_store`), which
//! CloudTrail events carry in e.g. `details.responseelements.fileuploadurls`. Every key that
//! starts or ends with a dot loses **all** its dots (`.a.b` → `ab`, `.` → the empty key), at
//! any depth, in objects and in objects inside lists. A renamed key moves to the end of its
//! object and, when the new name already exists there, replaces that key's value in place.
//!
//! Deviation from MozDef: MozDef looked a renamed key's value up under the old name afterwards,
//! so the keys *inside* a renamed key's value were never cleaned (and Elasticsearch then
//! refused the document); here the value of a renamed key is cleaned too.

use mozdef_model::Document;
use serde_json::{Map, Value};

use super::{Handling, Metadata, Plugin, PluginError, Verdict};

/// MozDef's `remove_dots`.
#[derive(Debug, Default)]
pub struct RemoveDots;

impl Plugin for RemoveDots {
    fn name(&self) -> &'static str {
        "remove_dots"
    }

    fn registration(&self) -> &[&str] {
        &["cloudtrail"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        self.handle(event, metadata).map(Handling::verdict)
    }

    fn handle(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Handling, PluginError> {
        Ok(if clean_map(event) { Handling::Verdict(Verdict::Keep) } else { Handling::PassedOver })
    }
}

fn is_dotted(key: &str) -> bool {
    key.starts_with('.') || key.ends_with('.')
}

/// MozDef's `renameKeysToRemoveDots` on an object; whether it renamed a key.
fn clean_map(map: &mut Map<String, Value>) -> bool {
    let dotted_here = map.keys().any(|k| is_dotted(k));
    if dotted_here {
        let dotted: Vec<String> = map.keys().filter(|k| is_dotted(k)).cloned().collect();
        for key in dotted {
            if let Some(value) = map.shift_remove(&key) {
                map.insert(key.replace('.', ""), value);
            }
        }
    }
    clean_all(map.values_mut()) || dotted_here
}

/// [`clean_value`] on every value (none skipped once one renamed); whether any renamed a key.
fn clean_all<'a>(values: impl Iterator<Item = &'a mut Value>) -> bool {
    let mut renamed = false;
    for value in values {
        renamed |= clean_value(value);
    }
    renamed
}

/// [`clean_map`] on the objects in `value`; whether it renamed a key.
fn clean_value(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => clean_map(map),
        Value::Array(items) => clean_all(items.iter_mut()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dotted_keys_are_renamed_at_any_depth_and_reported() {
        let mut event = json!({"a": {"b.": 1, ".c": [{"d.e.": 2}]}, "f": "g."});
        let Value::Object(map) = &mut event else { return };
        assert!(clean_map(map));
        assert_eq!(event, json!({"a": {"b": 1, "c": [{"de": 2}]}, "f": "g."}));
        let mut clean = json!({"a": {"b.c": 1}, "l": [[{"x": "y."}]]});
        let before = clean.clone();
        let Value::Object(map) = &mut clean else { return };
        assert!(!clean_map(map), "inner dots and dotted values are no renames");
        assert_eq!(clean, before);
    }
}
