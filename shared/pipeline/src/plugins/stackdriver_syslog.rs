//! MozDef's `stackdriver_syslog` mq plugin (registration `stackdriver`; priority 15).
//!
//! Finishes the GCE syslog events that the `stackdriver` plugin rebuilt (`tags` containing
//! `stackdriver`, `category=syslog`): a new event with `receivedtimestamp`, `timestamp` and
//! `utctimestamp` (through `toUTC`, the latter two from `details.timestamp`),
//! `category=syslog`, `tags`, `source`, `mozdefhostname`, `customendpoint=""`, `facility` and
//! `severity` (from `details`, when there), and, from the words of `details.textPayload`
//! (`Nov 22 00:32:13 host process: message...`): `hostname` (the 4th word), `processname`
//! (the 5th, without surrounding colons) and `summary` (the rest, joined by single spaces).
//! `details` is not kept, as in MozDef. Other events are left unchanged.
//!
//! Deviations, where MozDef crashed and lost the event: missing `receivedtimestamp`,
//! `details.timestamp`, `source` or `mozdefhostname` values, and timestamps `toUTC` cannot
//! read, are left out (the save-time defaults fill the timestamps); a missing or non-object
//! `details`, a `details.textPayload` that is missing or not a string, or one of fewer than
//! five words fails the event (quarantine) instead of losing it.

use mozdef_model::Document;
use serde_json::Value;

use super::stackdriver::{rebuilt_header, tagged_with_category};
use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::json_type;

/// MozDef's `stackdriver_syslog`.
#[derive(Debug, Default)]
pub struct StackdriverSyslog;

impl Plugin for StackdriverSyslog {
    fn name(&self) -> &'static str {
        "stackdriver_syslog"
    }

    fn registration(&self) -> &[&str] {
        &["stackdriver"]
    }

    fn priority(&self) -> u32 {
        15
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if !tagged_with_category(event, &["syslog"]) {
            return Ok(Verdict::Keep);
        }
        let mut rebuilt = rebuilt_header(event)?;
        let details = event.get("details").and_then(Value::as_object);
        let text = match details.and_then(|d| d.get("textPayload")) {
            Some(Value::String(text)) => text,
            Some(other) => {
                return Err(PluginError::new(format!("details.textPayload is a {}, not a string", json_type(other))));
            }
            None => return Err(PluginError::new("details.textPayload is missing")),
        };
        // Python's `str.split()`.
        let words: Vec<&str> = text.split_whitespace().collect();
        let [_, _, _, hostname, process, rest @ ..] = words.as_slice() else {
            return Err(PluginError::new(format!(
                "details.textPayload has {} words, a syslog line has at least 5",
                words.len()
            )));
        };
        for key in ["facility", "severity"] {
            if let Some(value) = details.and_then(|d| d.get(key)) {
                rebuilt.insert(key.to_owned(), value.clone());
            }
        }
        rebuilt.insert("category".to_owned(), Value::from("syslog"));
        rebuilt.insert("hostname".to_owned(), Value::from(*hostname));
        rebuilt.insert("processname".to_owned(), Value::from(process.trim_matches(':')));
        rebuilt.insert("summary".to_owned(), Value::from(rest.join(" ")));
        *event = rebuilt;
        Ok(Verdict::Keep)
    }
}
