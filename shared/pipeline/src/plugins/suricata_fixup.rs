//! MozDef's `suricataFixup` mq plugin (registration `suricata`; priority 5).
//!
//! A Suricata event posted to a custom endpoint (`customendpoint` present, `category` equal
//! to `suricata`) is rebuilt as a MozDef event: `type` = `nsm`; `details` = the JSON object
//! held in `message` (when `message` is not one, `details` = `{}` and `rawdetails` = the
//! whole event as received); `hostname` from `host_from`; `tags` and `category` copied;
//! `source` and `event_type` copied (default `unknown`); `eventsource` = `nsm`;
//! `severity` = `INFO`. In `details`, `src_ip`/`dest_ip` become
//! `sourceipaddress`/`destinationipaddress` (default `0.0.0.0`), `src_port`/`dest_port`
//! become `sourceport`/`destinationport` (default `0`), `alert` becomes `suricata_alert`,
//! and `file_name`, `message` and `source` are removed. `utctimestamp` and `timestamp` come
//! from `details.flow.start` (MozDef's `toUTC`; as there, a date without year, month or day
//! takes them from the current date).
//!
//! For `eve-log` `alert` events also: `packet`, `payload`, `payload_printable` and the
//! http response bodies are cut to 4095 characters; the flow counters `bytes_toserver`,
//! `bytes_toclient`, `pkts_toserver`, `pkts_toclient` move to `originipbytes`,
//! `responseipbytes`, `orig_pkts`, `resp_pkts` (default `0`), Bro's names; the `http`
//! sub-fields are flattened (`hostname` → `host`, `http_method` → `method`,
//! `http_user_agent` → `user_agent`, `status` → `status_code`, `url` → `uri`, `redirect` →
//! `redirect_dst`, `length` → `request_body_len`, `http_response_body[_printable]`);
//! `app_proto` → `service`; an `email` object is removed when `smtp` is present; a flowbit
//! `ET.http.javaclient` becomes `ET.http.javaclient.vulnerable` = `"True"`; and `summary`
//! = `"<sourceipaddress>:<sourceport> -> <destinationipaddress>:<destinationport>"`.
//!
//! Deviations from MozDef:
//! * `receivedtimestamp` and `mozdefhostname` (MozDef: the worker's clock and host name),
//!   and `utctimestamp`/`timestamp` when the event has no `details.flow` (MozDef: the
//!   worker's clock), are not set here: the save-time defaults fill them with the record's
//!   receive time and the configured `mozdefhostname`, the same values, deterministically.
//! * Where MozDef raised on odd shapes, the step is skipped and the event kept: a `message`
//!   whose JSON is not an object is treated like unparsable text (`rawdetails`); a
//!   `details.flow.start` that `toUTC` cannot read leaves the time stamps to the defaults;
//!   `flow`, `http`, `vars` and `vars.flowbits` are only looked into when they are objects
//!   (a list of flowbits is left as it is); truncation applies to strings (by characters,
//!   like Python) and lists (by items), other values are left as they are.
//! * A summary value that is a list or an object is written as JSON, not Python's `repr`.

use chrono::Utc;
use mozdef_model::{Document, isoformat, to_utc};
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::py_str;

/// The longest packet, payload or response body kept, in characters (items for a list).
const MAX_LEN: usize = 4095;

/// `details.http` sub-fields moved to `details`, truncated when the flag says so.
const HTTP_FIELDS: [(&str, &str, bool); 9] = [
    ("hostname", "host", false),
    ("http_method", "method", false),
    ("http_user_agent", "user_agent", false),
    ("status", "status_code", false),
    ("url", "uri", false),
    ("redirect", "redirect_dst", false),
    ("length", "request_body_len", false),
    ("http_response_body", "http_response_body", true),
    ("http_response_body_printable", "http_response_body_printable", true),
];

/// `details.flow` counters moved to `details` under Bro's names.
const FLOW_COUNTERS: [(&str, &str); 4] = [
    ("bytes_toserver", "originipbytes"),
    ("bytes_toclient", "responseipbytes"),
    ("pkts_toserver", "orig_pkts"),
    ("pkts_toclient", "resp_pkts"),
];

/// MozDef's `suricataFixup`.
#[derive(Debug, Default)]
pub struct SuricataFixup;

impl Plugin for SuricataFixup {
    fn name(&self) -> &'static str {
        "suricataFixup"
    }

    fn registration(&self) -> &[&str] {
        &["suricata"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if !event.contains_key("customendpoint") || event.get("category").and_then(Value::as_str) != Some("suricata") {
            return Ok(Verdict::Keep);
        }
        let message = std::mem::take(event);
        *event = rebuild(message);
        Ok(Verdict::Keep)
    }
}

/// MozDef's `newmessage`, built from the received event.
fn rebuild(mut message: Document) -> Document {
    let parsed = match message.get("message") {
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(details)) => Some(details),
            _ => None,
        },
        _ => None,
    };
    let (mut details, rawdetails) = match parsed {
        Some(details) => (details, None),
        None => (Document::new(), Some(message.clone())),
    };
    let hostname = message.remove("host_from");
    let tags = message.remove("tags");
    let category = message.remove("category");
    let source = message.remove("source").unwrap_or_else(|| Value::from("unknown"));
    let event_type = message.remove("event_type").unwrap_or_else(|| Value::from("unknown"));

    let times = flow_start(&details);
    fix_details(&mut details);
    let summary = (source.as_str() == Some("eve-log") && event_type.as_str() == Some("alert"))
        .then(|| fix_eve_alert(&mut details));

    let mut out = Document::new();
    out.insert("type".to_owned(), Value::from("nsm"));
    out.insert("details".to_owned(), Value::Object(details));
    if let Some(raw) = rawdetails {
        out.insert("rawdetails".to_owned(), Value::Object(raw));
    }
    if let Some(hostname) = hostname {
        out.insert("hostname".to_owned(), hostname);
    }
    if let Some(tags) = tags {
        out.insert("tags".to_owned(), tags);
    }
    if let Some(category) = category {
        out.insert("category".to_owned(), category);
    }
    out.insert("source".to_owned(), source);
    out.insert("event_type".to_owned(), event_type);
    if let Some(time) = times {
        out.insert("utctimestamp".to_owned(), Value::String(time.clone()));
        out.insert("timestamp".to_owned(), Value::String(time));
    }
    out.insert("eventsource".to_owned(), Value::from("nsm"));
    out.insert("severity".to_owned(), Value::from("INFO"));
    if let Some(summary) = summary {
        out.insert("summary".to_owned(), Value::String(summary));
    }
    out
}

/// `toUTC(details.flow.start).isoformat()`, when there is one that reads as a time.
fn flow_start(details: &Document) -> Option<String> {
    let start = details.get("flow")?.as_object()?.get("start")?;
    to_utc(start, Utc::now()).ok().map(|t| isoformat(&t))
}

/// The renames and removals made on every Suricata event.
fn fix_details(details: &mut Document) {
    for key in ["sourceipaddress", "destinationipaddress"] {
        details.insert(key.to_owned(), Value::from("0.0.0.0"));
    }
    for key in ["sourceport", "destinationport"] {
        details.insert(key.to_owned(), Value::from(0));
    }
    for (from, to) in [
        ("alert", "suricata_alert"),
        ("src_ip", "sourceipaddress"),
        ("src_port", "sourceport"),
        ("dest_ip", "destinationipaddress"),
        ("dest_port", "destinationport"),
    ] {
        rename(details, from, to);
    }
    for key in ["file_name", "message", "source"] {
        details.shift_remove(key);
    }
}

/// The eve-log alert fix-ups; returns the summary.
fn fix_eve_alert(details: &mut Document) -> String {
    for key in ["packet", "payload", "payload_printable"] {
        if let Some(value) = details.get_mut(key) {
            truncate(value);
        }
    }
    let mut counters = [Value::from(0), Value::from(0), Value::from(0), Value::from(0)];
    if let Some(Value::Object(flow)) = details.get_mut("flow") {
        for ((from, _), counter) in FLOW_COUNTERS.iter().zip(counters.iter_mut()) {
            if let Some(value) = flow.shift_remove(*from) {
                *counter = value;
            }
        }
    }
    for ((_, to), counter) in FLOW_COUNTERS.iter().zip(counters) {
        details.insert((*to).to_owned(), counter);
    }
    let mut moved = Vec::new();
    if let Some(Value::Object(http)) = details.get_mut("http") {
        for (from, to, cut) in HTTP_FIELDS {
            if let Some(mut value) = http.shift_remove(from) {
                if cut {
                    truncate(&mut value);
                }
                moved.push((to, value));
            }
        }
    }
    for (to, value) in moved {
        details.insert(to.to_owned(), value);
    }
    rename(details, "app_proto", "service");
    if details.get("email").is_some_and(Value::is_object) && details.contains_key("smtp") {
        details.shift_remove("email");
    }
    if let Some(Value::Object(vars)) = details.get_mut("vars")
        && let Some(Value::Object(flowbits)) = vars.get_mut("flowbits")
        && flowbits.shift_remove("ET.http.javaclient").is_some()
    {
        flowbits.insert("ET.http.javaclient.vulnerable".to_owned(), Value::from("True"));
    }
    let field = |key: &str| details.get(key).map(|v| py_str(v).into_owned()).unwrap_or_default();
    format!(
        "{}:{} -> {}:{}",
        field("sourceipaddress"),
        field("sourceport"),
        field("destinationipaddress"),
        field("destinationport")
    )
}

/// Python's `d[to] = d[from]; del d[from]`, when `from` is present.
fn rename(details: &mut Document, from: &str, to: &str) {
    if let Some(value) = details.shift_remove(from) {
        details.insert(to.to_owned(), value);
    }
}

/// Python's `value[0:4095]` for a string (characters) or a list (items); other values,
/// which Python cannot slice, are left as they are.
fn truncate(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some((at, _)) = s.char_indices().nth(MAX_LEN) {
                s.truncate(at);
            }
        }
        Value::Array(items) => items.truncate(MAX_LEN),
        _ => {}
    }
}
