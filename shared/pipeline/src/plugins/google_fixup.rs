//! MozDef's `googleFixup` mq plugin (registration `google`; priority 5).
//!
//! For Google activity events (`details.kind` containing `activity`, e.g.
//! `admin#reports#activity`): removes the double quotes Google puts around `details.etag`,
//! and sets `type` to `google`. Other events are left unchanged.
//!
//! `details.kind` is tested as Python's `in` does: a substring of a string, an item of a list,
//! a key of an object. Deviations from MozDef, where it crashed and lost the event: a `details`
//! that is not an object, or a `details.kind` of another type (number, boolean, null), is no
//! activity event; a `details.etag` that is not a string is left as it is (`type` is still
//! set).

use mozdef_model::Document;
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `googleFixup`.
#[derive(Debug, Default)]
pub struct GoogleFixup;

impl Plugin for GoogleFixup {
    fn name(&self) -> &'static str {
        "googleFixup"
    }

    fn registration(&self) -> &[&str] {
        &["google"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        let Some(Value::Object(details)) = event.get_mut("details") else { return Ok(Verdict::Keep) };
        let activity = match details.get("kind") {
            Some(Value::String(kind)) => kind.contains("activity"),
            Some(Value::Array(kinds)) => kinds.iter().any(|k| k.as_str() == Some("activity")),
            Some(Value::Object(kinds)) => kinds.contains_key("activity"),
            _ => false,
        };
        if !activity {
            return Ok(Verdict::Keep);
        }
        if let Some(Value::String(etag)) = details.get_mut("etag")
            && etag.contains('"')
        {
            etag.retain(|c| c != '"');
        }
        event.insert("type".to_owned(), Value::from("google"));
        Ok(Verdict::Keep)
    }
}
