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

use super::{Metadata, Plugin, PluginError, Verdict};

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

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        clean_map(event);
        Ok(Verdict::Keep)
    }
}

fn is_dotted(key: &str) -> bool {
    key.starts_with('.') || key.ends_with('.')
}

/// MozDef's `renameKeysToRemoveDots` on an object.
fn clean_map(map: &mut Map<String, Value>) {
    if map.keys().any(|k| is_dotted(k)) {
        let dotted: Vec<String> = map.keys().filter(|k| is_dotted(k)).cloned().collect();
        for key in dotted {
            if let Some(value) = map.shift_remove(&key) {
                map.insert(key.replace('.', ""), value);
            }
        }
    }
    for value in map.values_mut() {
        clean_value(value);
    }
}

fn clean_value(value: &mut Value) {
    match value {
        Value::Object(map) => clean_map(map),
        Value::Array(items) => items.iter_mut().for_each(clean_value),
        _ => {}
    }
}
