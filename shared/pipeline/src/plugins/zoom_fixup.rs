//! MozDef's `zoom_fixup` mq plugin (registration `zoom_host`; priority 2).
//!
//! Rebuilds Zoom webhook events (from MozDef's Zoom Lambda) as a new event: `category=zoom`,
//! `eventsource=MozDef-EF-zoom`, `source=api_aws_lambda`, `hostname=zoom_host`,
//! `severity=info`, `processname=zoom_webhook_api`, the original `tags`, and in `details`:
//! `event` (`UNKNOWN` when missing), `account_id` (from `details.payload.account_id`, else
//! `details.payload.object.account_id`), and the fields of `zoom_mapping.json` (MozDef's
//! `zoom_mapping.yml`, JMESPath expressions over the original event; `null` results are
//! skipped). `summary` is `zoom: <event>`, followed by ` triggered by user <participant
//! user_name>` or, failing that, ` triggered by user <operator>`. Every other field of the
//! original event is dropped, as in MozDef.
//!
//! Events with `tags` that do not contain `zoom` (a list element, or a substring of a string)
//! are left unchanged. Empty `start_time`, `original_sched_start_time`, `recording_files_end`
//! and `recording_file_end` are removed; `duration` and `original_sched_duration` come from
//! `details.payload.object.duration` / `old_object.duration` whenever those keys exist.
//!
//! Kept MozDef quirks: the mapping file names `original_sched_duration` twice and YAML keeps
//! the last value (`old_object.id`), so without an `old_object.duration` it holds the old
//! meeting id; `meeting_account_id` is never set from the payload, because MozDef compared
//! `newmessage.get('details.account_id')` (always `None`) with a top-level key literally named
//! `details.payload.object.account_id` — only an event with such a key gets it; MozDef's
//! "drop the event when `source` has no mapping" never happens (`source` is always
//! `api_aws_lambda`).
//!
//! Deviations, where MozDef crashed and lost the event: an event without `details.event`
//! gets the summary `zoom: UNKNOWN` (MozDef: `KeyError`); `tags` that are not a string, list
//! or object (MozDef: `TypeError`) count as not containing `zoom`; `key_exists` only walks
//! objects (see [`super::jmes::get_key`]). Values are formatted into the summary with
//! Python's `str()` (objects and lists as JSON, see `python::py_str`).

use std::sync::LazyLock;

use mozdef_model::Document;
use serde_json::{Map, Value};

use super::jmes::{MappingSet, get_key, py_contains};
use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::py_str;

/// `zoom_mapping.yml`, converted to JSON.
static MAPPING: LazyLock<Result<MappingSet, String>> =
    LazyLock::new(|| MappingSet::from_json(include_str!("zoom_mapping.json")));

/// The `source` of every rebuilt event, and the mapping's only event type.
const SOURCE: &str = "api_aws_lambda";

/// MozDef's `zoom_fixup`.
#[derive(Debug, Default)]
pub struct ZoomFixup;

impl Plugin for ZoomFixup {
    fn name(&self) -> &'static str {
        "zoom_fixup"
    }

    fn registration(&self) -> &[&str] {
        &["zoom_host"]
    }

    fn priority(&self) -> u32 {
        2
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if let Some(tags) = event.get("tags")
            && !py_contains(tags, "zoom")
        {
            return Ok(Verdict::Keep);
        }
        let mappings = MAPPING.as_ref().map_err(|e| PluginError::new(format!("zoom_mapping.json: {e}")))?;
        let Some(mapping) = mappings.get(SOURCE) else {
            // MozDef's `newmessage = None` for a source without a mapping.
            return Ok(Verdict::Drop);
        };

        let mut details = Map::new();
        let zoom_event = get_key(event, "details.event").cloned().unwrap_or_else(|| Value::from("UNKNOWN"));
        let mut summary = format!("zoom: {}", py_str(&zoom_event));
        details.insert("event".to_owned(), zoom_event);
        if let Some(account) = get_key(event, "details.payload.account_id") {
            details.insert("account_id".to_owned(), account.clone());
            // MozDef: `newmessage.get('details.account_id') != message.get('details.payload.object.account_id')`,
            // two plain `dict.get`s of dotted names: `None` against a literal top-level key.
            if let Some(object_account) = get_key(event, "details.payload.object.account_id")
                && event.get("details.payload.object.account_id").is_some_and(|v| !v.is_null())
            {
                details.insert("meeting_account_id".to_owned(), object_account.clone());
            }
        } else if let Some(account) = get_key(event, "details.payload.object.account_id") {
            details.insert("account_id".to_owned(), account.clone());
        }

        if let Some(user) = get_key(event, "details.payload.object.participant.user_name") {
            summary.push_str(" triggered by user ");
            summary.push_str(&py_str(user));
        } else if let Some(operator) = get_key(event, "details.payload.operator") {
            summary.push_str(" triggered by user ");
            summary.push_str(&py_str(operator));
        }

        for (key, expr) in mapping.fields() {
            if let Some(value) = expr.search_map(event) {
                details.insert(key.to_owned(), value.clone());
            }
        }
        // Empty times are removed; other values (even `null`) replace the mapped ones.
        for (path, key) in [
            ("details.payload.object.start_time", "start_time"),
            ("details.payload.old_object.start_time", "original_sched_start_time"),
            ("details.payload.object.recording_files.recording_end", "recording_files_end"),
            ("details.payload.object.recording_file.recording_end", "recording_file_end"),
        ] {
            match get_key(event, path) {
                Some(Value::String(s)) if s.is_empty() => {
                    details.shift_remove(key);
                }
                Some(value) => {
                    details.insert(key.to_owned(), value.clone());
                }
                None => {}
            }
        }
        for (path, key) in [
            ("details.payload.object.duration", "duration"),
            ("details.payload.old_object.duration", "original_sched_duration"),
        ] {
            if let Some(value) = get_key(event, path) {
                details.insert(key.to_owned(), value.clone());
            }
        }

        let mut rebuilt = Map::new();
        rebuilt.insert("details".to_owned(), Value::Object(details));
        rebuilt.insert("category".to_owned(), Value::from("zoom"));
        rebuilt.insert("eventsource".to_owned(), Value::from("MozDef-EF-zoom"));
        rebuilt.insert("source".to_owned(), Value::from(SOURCE));
        rebuilt.insert("hostname".to_owned(), Value::from("zoom_host"));
        rebuilt.insert("severity".to_owned(), Value::from("info"));
        rebuilt.insert("processname".to_owned(), Value::from("zoom_webhook_api"));
        if let Some(tags) = event.remove("tags") {
            rebuilt.insert("tags".to_owned(), tags);
        }
        rebuilt.insert("summary".to_owned(), Value::from(summary));
        *event = rebuilt;
        Ok(Verdict::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_loads() {
        let mapping = MAPPING.as_ref().ok().and_then(|m| m.get(SOURCE));
        let keys: Vec<&str> = mapping.map(|m| m.fields().map(|(k, _)| k).collect()).unwrap_or_default();
        assert_eq!(keys.len(), 36);
        // YAML's duplicate key: one entry, with the last value.
        assert_eq!(keys.iter().filter(|k| **k == "original_sched_duration").count(), 1);
    }
}
