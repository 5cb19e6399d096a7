//! MozDef's `stackdriver` mq plugin (registration `pubsub`; priority 5).
//!
//! Rebuilds GCP Stackdriver log entries received over Pub/Sub (events tagged `pubsub` whose
//! `details` has a `logName`) as a new event. The log type is the last `/`-separated part of
//! the URL-decoded `logName`, stripped. Then:
//! * with a `protoPayload` whose `@type` is `type.googleapis.com/google.cloud.audit.AuditLog`:
//!   `category` = the log type (`activity`, `data_access`...);
//! * otherwise with a `jsonPayload` and the log type `activity_log`: `category=gceactivity`;
//! * otherwise with a `textPayload` and the log type `syslog`: `category=syslog`;
//!
//! and in those three cases `source=stackdriver` and `tags` = the original tags plus
//! `stackdriver`. Every rebuilt event has `receivedtimestamp` (the original, through `toUTC`),
//! `timestamp` and `utctimestamp` (`details.timestamp` through `toUTC`), `mozdefhostname`,
//! `customendpoint=""` and the original `details`; every other original field (and, for
//! other log types, the tags) is dropped, as in MozDef. Events without `tags` containing
//! `pubsub` (a list element, or a substring of a string), without `details` or without
//! `details.logName` are left unchanged.
//!
//! Deviations, where MozDef crashed and lost the event:
//! * a missing `receivedtimestamp`, `details.timestamp` or `mozdefhostname`, or a timestamp
//!   `toUTC` cannot read, leaves the corresponding fields unset (the save-time defaults fill
//!   them);
//! * string `tags` become `[<tags>, "stackdriver"]` (MozDef: `str + list`, a `TypeError`);
//!   `tags` that are an object fail the event (quarantine);
//! * a `logName` that is not a string gives the log type `UNKNOWN` (no category); a `details`
//!   or `protoPayload` that is not an object counts as having none of the keys looked for;
//!   `tags` that are not a string, list or object count as not containing `pubsub`.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use mozdef_model::{Document, isoformat, to_utc};
use serde_json::{Map, Value};

use super::jmes::{Mapping, py_contains};
use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::{json_type, py_str};

/// The `@type` of Cloud Audit Logs entries.
const AUDIT_LOG_TYPE: &str = "type.googleapis.com/google.cloud.audit.AuditLog";

/// MozDef's `stackdriver`.
#[derive(Debug, Default)]
pub struct Stackdriver;

impl Plugin for Stackdriver {
    fn name(&self) -> &'static str {
        "stackdriver"
    }

    fn registration(&self) -> &[&str] {
        &["pubsub"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        match event.get("tags") {
            Some(tags) if py_contains(tags, "pubsub") => {}
            _ => return Ok(Verdict::Keep),
        }
        let Some(Value::Object(details)) = event.get("details") else { return Ok(Verdict::Keep) };
        let Some(log_name) = details.get("logName") else { return Ok(Verdict::Keep) };
        let log_type = match log_name {
            Value::String(name) => log_type(name),
            _ => "UNKNOWN".to_owned(),
        };

        let category = if let Some(payload) = details.get("protoPayload") {
            let audit =
                payload.as_object().and_then(|p| p.get("@type")).is_some_and(|t| t.as_str() == Some(AUDIT_LOG_TYPE));
            audit.then(|| log_type.clone())
        } else if details.contains_key("jsonPayload") {
            (log_type == "activity_log").then(|| "gceactivity".to_owned())
        } else if details.contains_key("textPayload") {
            (log_type == "syslog").then(|| log_type.clone())
        } else {
            None
        };

        let now = Utc::now();
        let received = iso_utc(event.get("receivedtimestamp"), now);
        let timestamp = iso_utc(details.get("timestamp"), now);

        let mut rebuilt = Map::new();
        if let Some(category) = category {
            let tags = match event.get("tags") {
                Some(Value::Array(tags)) => {
                    let mut tags = tags.clone();
                    tags.push(Value::from("stackdriver"));
                    tags
                }
                Some(Value::String(tag)) => vec![Value::from(tag.as_str()), Value::from("stackdriver")],
                Some(other) => {
                    return Err(PluginError::new(format!(
                        "tags is {} {}: cannot add the stackdriver tag",
                        article(other),
                        json_type(other)
                    )));
                }
                None => vec![Value::from("stackdriver")],
            };
            rebuilt.insert("category".to_owned(), Value::from(category));
            rebuilt.insert("source".to_owned(), Value::from("stackdriver"));
            rebuilt.insert("tags".to_owned(), Value::Array(tags));
        }
        if let Some(received) = received {
            rebuilt.insert("receivedtimestamp".to_owned(), received);
        }
        if let Some(timestamp) = timestamp {
            rebuilt.insert("timestamp".to_owned(), timestamp.clone());
            rebuilt.insert("utctimestamp".to_owned(), timestamp);
        }
        if let Some(host) = event.get("mozdefhostname") {
            rebuilt.insert("mozdefhostname".to_owned(), host.clone());
        }
        rebuilt.insert("customendpoint".to_owned(), Value::from(""));
        if let Some(details) = event.remove("details") {
            rebuilt.insert("details".to_owned(), details);
        }
        *event = rebuilt;
        Ok(Verdict::Keep)
    }
}

// Shared by the plugins that finish the rebuilt events: `stackdriver_audit`,
// `stackdriver_syslog` and `stackdriver_gceactivity`.

/// Whether `event` has `tags` containing `stackdriver` and a `category` among `categories`
/// (MozDef's three checks; anything else is left unchanged).
pub(super) fn tagged_with_category(event: &Document, categories: &[&str]) -> bool {
    event.get("tags").is_some_and(|tags| py_contains(tags, "stackdriver"))
        && event.get("category").and_then(Value::as_str).is_some_and(|c| categories.contains(&c))
}

/// The start of the event those plugins rebuild: `receivedtimestamp` (through `toUTC`),
/// `timestamp` and `utctimestamp` (`details.timestamp` through `toUTC`), `category`, `tags`,
/// `source`, `mozdefhostname` and `customendpoint=""`. Missing values, and timestamps `toUTC`
/// cannot read, are left out (MozDef: an exception).
///
/// # Errors
///
/// When `details` is missing or not an object.
pub(super) fn rebuilt_header(event: &Document) -> Result<Map<String, Value>, PluginError> {
    let Some(Value::Object(details)) = event.get("details") else {
        return Err(PluginError::new("details is missing or not an object"));
    };
    let now = Utc::now();
    let mut rebuilt = Map::new();
    if let Some(received) = iso_utc(event.get("receivedtimestamp"), now) {
        rebuilt.insert("receivedtimestamp".to_owned(), received);
    }
    if let Some(timestamp) = iso_utc(details.get("timestamp"), now) {
        rebuilt.insert("timestamp".to_owned(), timestamp.clone());
        rebuilt.insert("utctimestamp".to_owned(), timestamp);
    }
    for key in ["category", "tags", "source", "mozdefhostname"] {
        if let Some(value) = event.get(key) {
            rebuilt.insert(key.to_owned(), value.clone());
        }
    }
    rebuilt.insert("customendpoint".to_owned(), Value::from(""));
    Ok(rebuilt)
}

/// How `stackdriver_audit` and `stackdriver_gceactivity` turn a payload into details.
pub(super) struct MappedPayload<'m> {
    /// The payload key of `details` (`protoPayload`, `jsonPayload`).
    pub(super) payload: &'static str,
    /// The key it is moved to (`gaudit`, `gceactivity`).
    pub(super) moved_to: &'static str,
    /// A `details.service` to set before the mapping (`stackdriver_gceactivity`'s fixed one).
    pub(super) service: Option<&'static str>,
    /// The mapping of the event's category, if the mapping file has one.
    pub(super) mapping: Option<&'m Mapping>,
}

/// The rest of their rebuilt event: the original `details` with the payload moved,
/// `username` and `resourcename` preset to `UNKNOWN`, `adjust` applied, the mapped fields
/// (expressions over the rebuilt event, `null`s skipped) and `summary` = `<username> executed
/// <action> on <resourcename>` (`UNKNOWN` for a missing action: MozDef raised a `KeyError`).
///
/// # Errors
///
/// When `details` is missing or not an object, or has no payload (MozDef: a `KeyError`).
pub(super) fn rebuild_mapped(
    event: &mut Document,
    how: &MappedPayload<'_>,
    adjust: impl FnOnce(&mut Map<String, Value>),
) -> Result<(), PluginError> {
    let mut rebuilt = rebuilt_header(event)?;
    // Checked before anything is taken from the event, so a failed event goes to quarantine whole.
    if !event.get("details").and_then(Value::as_object).is_some_and(|d| d.contains_key(how.payload)) {
        return Err(PluginError::new(format!("details.{} is missing", how.payload)));
    }
    let Some(Value::Object(mut details)) = event.remove("details") else {
        return Err(PluginError::new("details is missing or not an object"));
    };
    let payload = details.shift_remove(how.payload).unwrap_or(Value::Null);
    details.insert(how.moved_to.to_owned(), payload);
    if let Some(service) = how.service {
        details.insert("service".to_owned(), Value::from(service));
    }
    details.insert("username".to_owned(), Value::from("UNKNOWN"));
    details.insert("resourcename".to_owned(), Value::from("UNKNOWN"));
    adjust(&mut details);
    rebuilt.insert("details".to_owned(), Value::Object(details));
    for (key, expr) in how.mapping.into_iter().flat_map(Mapping::fields) {
        if let Some(value) = expr.search_map(&rebuilt).cloned()
            && let Some(Value::Object(details)) = rebuilt.get_mut("details")
        {
            details.insert(key.to_owned(), value);
        }
    }
    let detail = |key: &str| rebuilt.get("details").and_then(|d| d.get(key)).map(py_str);
    let summary = format!(
        "{} executed {} on {}",
        detail("username").unwrap_or(Cow::Borrowed("UNKNOWN")),
        detail("action").unwrap_or(Cow::Borrowed("UNKNOWN")),
        detail("resourcename").unwrap_or(Cow::Borrowed("UNKNOWN")),
    );
    rebuilt.insert("summary".to_owned(), Value::from(summary));
    *event = rebuilt;
    Ok(())
}

/// `toUTC(value).isoformat()`, or `None` for a missing value or one `toUTC` cannot read
/// (MozDef raised).
fn iso_utc(value: Option<&Value>, now: DateTime<Utc>) -> Option<Value> {
    value.and_then(|v| to_utc(v, now).ok()).map(|t| Value::from(isoformat(&t)))
}

fn article(value: &Value) -> &'static str {
    if value.is_object() || value.is_array() { "an" } else { "a" }
}

/// `urllib.parse.unquote(log_name).split("/")[-1].strip()`.
fn log_type(log_name: &str) -> String {
    let decoded = unquote(log_name);
    decoded.rsplit('/').next().unwrap_or_default().trim().to_owned()
}

/// Python's `urllib.parse.unquote`: `%XX` sequences decoded as UTF-8 (invalid sequences
/// replaced by U+FFFD), anything else kept as it is.
fn unquote(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Some(byte) = std::str::from_utf8(hex).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
            && hex.iter().all(u8::is_ascii_hexdigit)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::{ChainOutcome, PluginChain, PluginConfig, by_name};
    use super::*;
    use serde_json::json;

    /// The family in one chain, as MozDef ran it: `stackdriver` (5) rebuilds and tags, then the
    /// re-evaluated registration offers the result to the finishing plugin.
    #[test]
    fn the_family_runs_in_one_chain() {
        let names = ["stackdriver", "stackdriver_audit", "stackdriver_syslog", "stackdriver_gceactivity"];
        let config = PluginConfig::default();
        let chain = PluginChain::new(names.iter().filter_map(|n| by_name(n, &config)).collect());
        let event = json!({
            "receivedtimestamp": "2019-11-22T00:32:20.078819+00:00",
            "mozdefhostname": "mozdef.example.com",
            "tags": ["projects/p/subscriptions/s", "pubsub"],
            "details": {
                "logName": "projects/p/logs/syslog",
                "textPayload": "Nov 22 00:32:13 vm1 sshd[42]: Accepted publickey for yoda",
                "timestamp": "2019-11-22T00:32:13Z",
            },
        });
        let event = event.as_object().cloned().unwrap_or_default();
        let ChainOutcome::Event { event, .. } = chain.run(event, Metadata::default()) else {
            panic!("the chain did not keep the event");
        };
        assert_eq!(
            Value::Object(event),
            json!({
                "receivedtimestamp": "2019-11-22T00:32:20.078819+00:00",
                "timestamp": "2019-11-22T00:32:13+00:00",
                "utctimestamp": "2019-11-22T00:32:13+00:00",
                "category": "syslog",
                "tags": ["projects/p/subscriptions/s", "pubsub", "stackdriver"],
                "source": "stackdriver",
                "mozdefhostname": "mozdef.example.com",
                "customendpoint": "",
                "hostname": "vm1",
                "processname": "sshd[42]",
                "summary": "Accepted publickey for yoda",
                // every plugin offered the event is listed, even those that left it unchanged
                "mozdef": {"plugins": names},
            })
        );
    }

    #[test]
    fn a_failed_event_is_quarantined_whole() {
        let event = json!({"tags": ["stackdriver"], "category": "activity", "details": {"timestamp": "x", "a": 1}});
        let mut event = event.as_object().cloned().unwrap_or_default();
        let before = event.clone();
        let how = MappedPayload { payload: "protoPayload", moved_to: "gaudit", service: None, mapping: None };
        assert!(rebuild_mapped(&mut event, &how, |_| {}).is_err());
        assert_eq!(event, before);
    }

    #[test]
    fn log_types_are_url_decoded() {
        assert_eq!(log_type("projects/p/logs/cloudaudit.googleapis.com%2Fdata_access"), "data_access");
        assert_eq!(log_type("projects/p/logs/compute.googleapis.com%2Factivity_log"), "activity_log");
        assert_eq!(log_type("projects/p/logs/syslog"), "syslog");
        assert_eq!(log_type("projects/p/logs/ syslog "), "syslog");
        assert_eq!(log_type("syslog"), "syslog");
        assert_eq!(unquote("a%zz%2"), "a%zz%2");
        assert_eq!(unquote("%+1"), "%+1");
        assert_eq!(unquote("caf%C3%A9"), "café");
        assert_eq!(unquote("%FF"), "\u{fffd}");
    }
}
