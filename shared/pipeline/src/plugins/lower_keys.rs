//! MozDef's `lower_keys` mq plugin (registration `cloudtrail`, `suricata`, `guardduty`;
//! priority 4).
//!
//! Lower-cases every key of the event, recursively: in objects at any depth, including objects
//! inside lists (and lists of lists). Lower-casing is Python's `str.lower()` (full Unicode).
//!
//! Keys that collide once lower-cased resolve as MozDef's in-place renaming did: the value of
//! the last key that was not already lower case wins (the value of the lower-case key itself
//! only survives when it is alone), and the key lands where MozDef's pop-and-reinsert put it.
//! No deviation from MozDef.

use std::borrow::Cow;

use mozdef_model::Document;
use serde_json::map::Entry;
use serde_json::{Map, Value};

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `lower_keys`.
#[derive(Debug, Default)]
pub struct LowerKeys;

impl Plugin for LowerKeys {
    fn name(&self) -> &'static str {
        "lower_keys"
    }

    fn registration(&self) -> &[&str] {
        &["cloudtrail", "suricata", "guardduty"]
    }

    fn priority(&self) -> u32 {
        4
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        lower_map(event);
        Ok(Verdict::Keep)
    }
}

/// `key` lower-cased, borrowed when it already is lower case.
fn lowered(key: &str) -> Cow<'_, str> {
    if key.is_ascii() {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(key.to_ascii_lowercase())
        } else {
            Cow::Borrowed(key)
        }
    } else {
        let lower = key.to_lowercase();
        if lower == key { Cow::Borrowed(key) } else { Cow::Owned(lower) }
    }
}

/// Whether `key` is lower case already (without building its lower-case form when it is
/// ASCII).
fn is_lower(key: &str) -> bool {
    if key.is_ascii() { !key.bytes().any(|b| b.is_ascii_uppercase()) } else { key.to_lowercase() == key }
}

/// MozDef's `renameKeysToLower` on an object: each key, in order, is popped and its value
/// stored under the lower-cased key (in place when that key exists, at the end otherwise).
fn lower_map(map: &mut Map<String, Value>) {
    if !map.keys().all(|k| is_lower(k)) {
        let old = std::mem::take(map);
        let mut renamed = Map::with_capacity(old.len());
        for (key, value) in old {
            match lowered(&key) {
                Cow::Borrowed(_) => match renamed.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert(value);
                    }
                    // Popped and re-inserted at the end; an earlier key with the same
                    // lower-case form had overwritten its value in place.
                    Entry::Occupied(slot) => {
                        let (key, earlier) = slot.shift_remove_entry();
                        renamed.insert(key, earlier);
                    }
                },
                Cow::Owned(lower) => {
                    renamed.insert(lower, value);
                }
            }
        }
        *map = renamed;
    }
    for value in map.values_mut() {
        lower_value(value);
    }
}

fn lower_value(value: &mut Value) {
    match value {
        Value::Object(map) => lower_map(map),
        Value::Array(items) => items.iter_mut().for_each(lower_value),
        _ => {}
    }
}
