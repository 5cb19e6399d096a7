//! MozDef's `observium` mq plugin (registration `observium`; priority 5).
//!
//! Parses Observium alerts: when `details.program` is `Observium`, the `summary`
//! `<alert_type>: [<host>] [<entity_type>] [<entity>] <alert_message>` (searched anywhere in
//! the summary, as Python's `re.search`) gives `hostname` and `details.alert_type`,
//! `details.entity_type`, `details.entity`, `details.alert_message`, and the tag `alert` is
//! appended to `tags` (which becomes `["alert"]` when it is not a list, as in MozDef). Other
//! events, and summaries that do not match, are left unchanged.
//!
//! The pattern is MozDef's, with Python's `\S` (Python also counts U+001C–U+001F as white
//! space). Deviation from MozDef, where it crashed and lost the event: a missing or non-string
//! `summary`, or a `details` that is not an object, leaves the event unchanged.

use std::sync::LazyLock;

use mozdef_model::Document;
use regex::Regex;
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict, detail_str};

/// MozDef's pattern; `[^\s\x1C-\x1F]` is Python's `\S`.
#[allow(clippy::expect_used)]
static ALERT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?P<alert_type>[^\s\x1C-\x1F]+): \[(?P<source_host>[^\s\x1C-\x1F]+)\] \[(?P<entity_type>[^\s\x1C-\x1F]+)\] \[(?P<entity>.*)\] (?P<alert_message>.*)",
    )
    .expect("the observium pattern is valid")
});

/// MozDef's `observium`.
#[derive(Debug, Default)]
pub struct Observium;

impl Plugin for Observium {
    fn name(&self) -> &'static str {
        "observium"
    }

    fn registration(&self) -> &[&str] {
        &["observium"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if detail_str(event, "program") != Some("Observium") {
            return Ok(Verdict::Keep);
        }
        let Some(summary) = event.get("summary").and_then(Value::as_str) else { return Ok(Verdict::Keep) };
        let Some(caps) = ALERT.captures(summary) else { return Ok(Verdict::Keep) };
        let group = |name: &str| Value::from(caps.name(name).map_or("", |m| m.as_str()));
        let host = group("source_host");
        let fields = ["alert_type", "entity_type", "entity", "alert_message"].map(|name| (name, group(name)));

        event.insert("hostname".to_owned(), host);
        if let Some(Value::Object(details)) = event.get_mut("details") {
            for (name, value) in fields {
                details.insert(name.to_owned(), value);
            }
        }
        match event.get_mut("tags") {
            Some(Value::Array(tags)) => tags.push(Value::from("alert")),
            _ => {
                event.insert("tags".to_owned(), Value::Array(vec![Value::from("alert")]));
            }
        }
        Ok(Verdict::Keep)
    }
}
