//! MozDef's `snmptt` mq plugin (registration `snmptt`; priority 5).
//!
//! Parses SNMP traps translated by snmptt: when `details.program` is `snmptt`, the `summary`
//! `<trapname> <trapseverity> "Status Events" <host> - <trappayload>` (searched anywhere in
//! the summary, as Python's `re.search`) gives `details.trapname`, `details.trapseverity`,
//! `details.trappayload` and `hostname`, and the tag `alert` is appended to `tags` (which
//! becomes `["alert"]` when it is not a list, as in MozDef). Other events, and summaries that
//! do not match, are left unchanged.
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
static TRAP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?P<trapname>[^\s\x1C-\x1F]+) (?P<trapseverity>[^\s\x1C-\x1F]+) "Status Events" (?P<source_host>[^\s\x1C-\x1F]+) - (?P<trappayload>.*)"#,
    )
    .expect("the snmptt pattern is valid")
});

/// MozDef's `snmptt`.
#[derive(Debug, Default)]
pub struct Snmptt;

impl Plugin for Snmptt {
    fn name(&self) -> &'static str {
        "snmptt"
    }

    fn registration(&self) -> &[&str] {
        &["snmptt"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if detail_str(event, "program") != Some("snmptt") {
            return Ok(Verdict::Keep);
        }
        let Some(summary) = event.get("summary").and_then(Value::as_str) else { return Ok(Verdict::Keep) };
        let Some(caps) = TRAP.captures(summary) else { return Ok(Verdict::Keep) };
        let group = |name: &str| Value::from(caps.name(name).map_or("", |m| m.as_str()));
        let fields = ["trapname", "trapseverity", "trappayload"].map(|name| (name, group(name)));
        let host = group("source_host");

        if let Some(Value::Object(details)) = event.get_mut("details") {
            for (name, value) in fields {
                details.insert(name.to_owned(), value);
            }
        }
        event.insert("hostname".to_owned(), host);
        match event.get_mut("tags") {
            Some(Value::Array(tags)) => tags.push(Value::from("alert")),
            _ => {
                event.insert("tags".to_owned(), Value::Array(vec![Value::from("alert")]));
            }
        }
        Ok(Verdict::Keep)
    }
}
