//! MozDef's `parse_su` mq plugin (registration `sshd`, as in MozDef; priority 5).
//!
//! For an event whose `details.program` is `su` and whose `summary` is a pam_unix session
//! line of `su` or `su -l`
//! (`pam_unix(su[-l]:session): session <status> for user <username>[ by [<originuser>](uid=<uid>)]`),
//! sets `details.originuser`, `details.status`, `details.uid` and `details.username`
//! (strings; a part that is absent is `null`).
//!
//! MozDef registered this plugin on the keyword `sshd`, not `su`, so it only sees `su`
//! events that also carry an `sshd` token somewhere (a value or key equal to `sshd`); the
//! registration is kept as MozDef had it. MozDef's expression is kept as it is (Python's `$`
//! also matches before a final newline, which is reproduced).
//!
//! Deviations from MozDef, where it raised: an event without a `summary`, or whose summary
//! is not a string, or whose `details` is not an object, is left unchanged.

use std::sync::LazyLock;

use mozdef_model::Document;
use regex::Regex;
use serde_json::Value;

use super::{Handling, Metadata, Plugin, PluginError, Verdict};

static SESSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^pam_unix\(su(?:-l)?:session\): session (?P<status>\w+) for user (?P<username>\w+)(?: (?:by (?:(?P<originuser>\w+))?\(uid=(?P<uid>[0-9]+)\)?)?)?\n?\z",
    )
    .unwrap_or_else(|e| unreachable!("invalid built-in expression: {e}"))
});

/// MozDef's `parse_su`.
#[derive(Debug, Default)]
pub struct ParseSu;

impl Plugin for ParseSu {
    fn name(&self) -> &'static str {
        "parse_su"
    }

    fn registration(&self) -> &[&str] {
        &["sshd"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        self.handle(event, metadata).map(Handling::verdict)
    }

    fn handle(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Handling, PluginError> {
        let Some(Value::Object(details)) = event.get("details") else { return Ok(Handling::PassedOver) };
        if details.get("program").and_then(Value::as_str) != Some("su") {
            return Ok(Handling::PassedOver);
        }
        let Some(summary) = event.get("summary").and_then(Value::as_str) else { return Ok(Handling::PassedOver) };
        if !summary.starts_with("pam_unix") {
            return Ok(Handling::PassedOver);
        }
        let Some(caps) = SESSION.captures(summary) else { return Ok(Handling::PassedOver) };
        let found = ["originuser", "status", "uid", "username"]
            .map(|name| (name, caps.name(name).map_or(Value::Null, |m| Value::from(m.as_str()))));
        if let Some(Value::Object(details)) = event.get_mut("details") {
            for (key, value) in found {
                details.insert(key.to_owned(), value);
            }
        }
        Ok(Handling::Verdict(Verdict::Keep))
    }
}
