//! MozDef's `filterlog` mq plugin (registration `filterlog`; priority 10).
//!
//! Parses a pfSense `filterlog` CSV line held in `summary` (at least 9 commas) into
//! `details`, every value as the text between the commas:
//!
//! * fields 0-8: `rulenumber`, `subrulenumber`, `anchor`, `trackor`, `interface`, `reason`,
//!   `action`, `direction`, `ipversion`;
//! * IPv4 (`ipversion` 4): `ip.version` = 4 (an integer), `ip.tos`, `ip.ecn`, `ip.ttl`,
//!   `ip.id`, `ip.offset`, `ip.flags`, `ip.protocolid`, `ip.protocoltext`; IPv6 (6):
//!   `ip.version` = 6, `ip.class`, `ip.flow_label`, `ip.hoplimit`, `ip.protocol`,
//!   `ip.protocolid`; then `ip.length`, `sourceipaddress`, `destinationipaddress`;
//! * TCP (`ip.protocolid` 6): `sourceport`, `destinationport`, `datalength`, `tcp.flags`,
//!   `tcp.seqnumber`, `tcp.acknumber`, `tcp.window`, `tcp.urg`, `tcp.options`; UDP (17):
//!   `sourceport`, `destinationport`, `datalength`.
//!
//! `details`, `details.ip` and `details.tcp` are created when missing, and kept (with their
//! other keys) when present.
//!
//! Deviations from MozDef, where it raised and lost the event: a `summary` that is not a
//! string is left alone; an `ipversion` that is not 4 or 6 (or not an integer) stops the
//! parsing after the nine common fields; a line too short for its IP section, or for its
//! TCP/UDP section, or whose `ip.protocolid` is not an integer, stops before that section
//! (a section is written whole or not at all); a `details`, `details.ip` or `details.tcp`
//! that is not an object fails the plugin (quarantine), since writing into it would
//! destroy it.

use mozdef_model::Document;
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::py_int;

/// The nine fields every filterlog line starts with.
const COMMON: [&str; 9] =
    ["rulenumber", "subrulenumber", "anchor", "trackor", "interface", "reason", "action", "direction", "ipversion"];
/// The IPv4 header fields (items 9-16) under `details.ip`.
const IPV4: [&str; 8] = ["tos", "ecn", "ttl", "id", "offset", "flags", "protocolid", "protocoltext"];
/// The IPv6 header fields (items 9-13) under `details.ip`.
const IPV6: [&str; 5] = ["class", "flow_label", "hoplimit", "protocol", "protocolid"];
/// The TCP fields after the ports and data length, under `details.tcp`.
const TCP: [&str; 6] = ["flags", "seqnumber", "acknumber", "window", "urg", "options"];

/// MozDef's `filterlog`.
#[derive(Debug, Default)]
pub struct Filterlog;

impl Plugin for Filterlog {
    fn name(&self) -> &'static str {
        "filterlog"
    }

    fn registration(&self) -> &[&str] {
        &["filterlog"]
    }

    fn priority(&self) -> u32 {
        10
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        let Some(Value::String(summary)) = event.get("summary") else { return Ok(Verdict::Keep) };
        if summary.matches(',').count() < 9 {
            return Ok(Verdict::Keep);
        }
        let summary = summary.clone();
        let items: Vec<&str> = summary.split(',').collect();
        let details = object_at(event, "details")?;
        parse(&items, details)?;
        Ok(Verdict::Keep)
    }
}

/// Writes the fields of `items` (at least 10) into `details`.
fn parse(items: &[&str], details: &mut Document) -> Result<(), PluginError> {
    let item = |i: usize| items.get(i).map_or(Value::Null, |s| Value::from(*s));
    for (i, key) in COMMON.iter().enumerate() {
        details.insert((*key).to_owned(), item(i));
    }
    let (version, header): (u8, &[&str]) =
        match items.get(8).and_then(|v| py_int(&Value::from(*v))).and_then(|v| v.as_i64()) {
            Some(4) => (4, &IPV4),
            Some(6) => (6, &IPV6),
            _ => return Ok(()),
        };
    let last = 8 + header.len();
    if items.len() <= last + 3 {
        return Ok(());
    }
    let ip = object_at(details, "ip")?;
    ip.insert("version".to_owned(), Value::from(version));
    for (i, key) in header.iter().enumerate() {
        ip.insert((*key).to_owned(), item(9 + i));
    }
    ip.insert("length".to_owned(), item(last + 1));
    let protocol = ip.get("protocolid").and_then(py_int).and_then(|p| p.as_i64());
    details.insert("sourceipaddress".to_owned(), item(last + 2));
    details.insert("destinationipaddress".to_owned(), item(last + 3));

    let needed = match protocol {
        Some(6) => last + 12,
        Some(17) => last + 6,
        _ => return Ok(()),
    };
    if items.len() <= needed {
        return Ok(());
    }
    if protocol == Some(6) {
        object_at(details, "tcp")?;
    }
    details.insert("sourceport".to_owned(), item(last + 4));
    details.insert("destinationport".to_owned(), item(last + 5));
    details.insert("datalength".to_owned(), item(last + 6));
    if protocol == Some(6) {
        let tcp = object_at(details, "tcp")?;
        for (i, key) in TCP.iter().enumerate() {
            tcp.insert((*key).to_owned(), item(last + 7 + i));
        }
    }
    Ok(())
}

/// `map[key]`, created as `{}` when missing; an error when it is not an object.
fn object_at<'a>(map: &'a mut Document, key: &str) -> Result<&'a mut Document, PluginError> {
    match map.entry(key).or_insert_with(|| Value::Object(Document::new())) {
        Value::Object(object) => Ok(object),
        other => Err(PluginError::new(format!(
            "{}: a {} where an object is needed to store the filterlog fields",
            if key == "details" { "details".to_owned() } else { format!("details.{key}") },
            crate::python::json_type(other)
        ))),
    }
}
