//! MozDef's `broFixup` mq plugin (registration `bro`; priority 5): Zeek (Bro) logs posted to a
//! custom endpoint.
//!
//! Only custom-endpoint events (a `customendpoint` key) with `category` = `bro` and a `SOURCE`
//! key are touched; the event is rebuilt as MozDef did:
//!
//! * `type` = `nsm`; `details` = the JSON object in the `MESSAGE` string; when there is none
//!   (no `MESSAGE`, not a string, not JSON), `details` = `{}` and `rawdetails` = the event as
//!   received;
//! * `customendpoint` = `bro`, `hostname` = `HOST_FROM`, `tags` and `category` kept, `source` =
//!   `SOURCE` minus its first four characters (`bro_conn` → `conn`, the log type); every other
//!   top-level key is dropped;
//! * `details.resp_cc` removed; `utctimestamp` and `timestamp` = `toUTC(float(details.ts))`;
//!   `eventsource` = `nsm`, `severity` = `INFO`;
//! * `details.id.orig_h`/`id.orig_p`/`id.resp_h`/`id.resp_p` renamed `sourceipaddress`,
//!   `sourceport`, `destinationipaddress`, `destinationport`; `details.FILE_NAME`, `MESSAGE`
//!   and `SOURCE` removed;
//! * then, per log type, defaults, renames and a `summary`: one table (`table::LogType`)
//!   whose entries live with their kind of log — `network` (conn, dns, dhcp, tunnel, snmp,
//!   socks), `application` (http, ssl, ftp, smtp, ssh, rdp, sip), `windows` (dce_rpc,
//!   kerberos, ntlm, smb_files, smb_mapping), `files` (files, pe, x509), `inventory`
//!   (known_certs, known_devices, known_hosts, known_services, software) and `notices`
//!   (intel, notice). Other log types get no summary.
//!
//! Address checks (`notice`) follow the `netaddr` 0.7 MozDef ran with (see `plugins/netaddr.rs`).
//!
//! MozDef quirks kept: `seenindicator` becomes '' when an intel log has no `seen.indicator`;
//! notice indicators are read from `sub` only when `actions` is the string
//! `Notice::ACTION_LOG`; the SNMP `getreqestssum` (sic) concatenates two strings; a string
//! `rx_hosts`/`tx_hosts`/`service` contributes its first character to the summary.
//!
//! Deviations from MozDef:
//!
//! * `receivedtimestamp` and `mozdefhostname` (MozDef: now, and the worker's host name) are
//!   not written here: the save-time defaults write the record's receive time and the
//!   configured host name. Likewise `utctimestamp`/`timestamp` when `ts` is missing.
//! * A `ts` that `float()` or `toUTC` cannot read (MozDef crashed) counts as missing; an SMB
//!   `times.*` or x509 `certificate.not_valid_*` value that cannot be read (MozDef crashed)
//!   stays under its original key.
//! * `MESSAGE` JSON that is not an object (MozDef stored the list, string or number as
//!   `details`, or crashed) is treated like unparseable text. JSON's non-standard `NaN` and
//!   `Infinity`, which Python accepts, make `MESSAGE` unparseable.
//! * Where MozDef crashed on a missing field (`KeyError`: a summary field, `conn`'s
//!   `orig_ip_bytes`/`resp_ip_bytes`, `ssl`'s destination address) or an empty or
//!   unindexable `rx_hosts`/`tx_hosts`/`service`, the event is quarantined with an error
//!   naming the field; also when `SOURCE` is not a string (MozDef crashed, or stored a list
//!   slice as `source`), and when the SNMP request counts are not two numbers or two strings
//!   (MozDef crashed, or concatenated two lists).
//! * A software log without `host` gets `host` = '' (MozDef replaced all of `details` with ''
//!   and crashed). An http `uri` that is neither a string nor a list, or a dhcp `mac` that is
//!   not a string, is left as it is, and a non-string notice `sub` yields no indicators
//!   (MozDef crashed).
//! * Lists and objects in a summary are written as compact JSON, not as Python `repr`.

mod application;
mod files;
mod inventory;
mod network;
mod notices;
mod table;
mod windows;

use mozdef_model::Document;
use serde_json::{Map, Value};

use super::{Metadata, Plugin, PluginError, Verdict};
use table::{LogType, epoch_isoformat};

/// MozDef's `broFixup`.
#[derive(Debug, Default)]
pub struct BroFixup;

impl Plugin for BroFixup {
    fn name(&self) -> &'static str {
        "broFixup"
    }

    fn registration(&self) -> &[&str] {
        &["bro"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if !event.contains_key("customendpoint") || event.get("category").and_then(Value::as_str) != Some("bro") {
            return Ok(Verdict::Keep);
        }
        let Some(source) = event.get("SOURCE") else { return Ok(Verdict::Keep) };
        let Value::String(source) = source else {
            return Err(PluginError::new("bro event: SOURCE is not a string"));
        };
        // Python's `SOURCE[4:]`, in characters.
        let log_type = source.char_indices().nth(4).map_or("", |(start, _)| &source[start..]);
        *event = rebuild(event, log_type)?;
        Ok(Verdict::Keep)
    }
}

/// The event MozDef builds from a Bro custom-endpoint post.
fn rebuild(event: &Document, log_type: &str) -> Result<Document, PluginError> {
    let parsed = match event.get("MESSAGE") {
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Object(details)) => Some(details),
            _ => None,
        },
        _ => None,
    };
    let unparsed = parsed.is_none();
    let mut details = parsed.unwrap_or_default();

    let mut out = Map::with_capacity(12);
    out.insert("type".to_owned(), Value::from("nsm"));
    // Placeholder: `details` is filled in last but keeps MozDef's key position.
    out.insert("details".to_owned(), Value::Null);
    if unparsed {
        out.insert("rawdetails".to_owned(), Value::Object(event.clone()));
    }
    out.insert("customendpoint".to_owned(), Value::from("bro"));
    for (from, to) in [("HOST_FROM", "hostname"), ("tags", "tags"), ("category", "category")] {
        if let Some(value) = event.get(from) {
            out.insert(to.to_owned(), value.clone());
        }
    }

    details.shift_remove("resp_cc");
    let time = details.get("ts").and_then(epoch_isoformat);
    out.insert("source".to_owned(), Value::from(log_type));
    if let Some(time) = time {
        out.insert("utctimestamp".to_owned(), Value::String(time.clone()));
        out.insert("timestamp".to_owned(), Value::String(time));
    }
    out.insert("eventsource".to_owned(), Value::from("nsm"));
    out.insert("severity".to_owned(), Value::from("INFO"));

    for (from, to) in [
        ("id.orig_h", "sourceipaddress"),
        ("id.orig_p", "sourceport"),
        ("id.resp_h", "destinationipaddress"),
        ("id.resp_p", "destinationport"),
    ] {
        if let Some(value) = details.shift_remove(from) {
            details.insert(to.to_owned(), value);
        }
    }
    for key in ["FILE_NAME", "MESSAGE", "SOURCE"] {
        details.shift_remove(key);
    }

    let summary = find(log_type).map(|log| log.apply(&mut details)).transpose()?;
    out.insert("details".to_owned(), Value::Object(details));
    if let Some(summary) = summary {
        out.insert("summary".to_owned(), Value::String(summary));
    }
    Ok(out)
}

/// The fix-ups of a log type, if MozDef knew it.
fn find(log_type: &str) -> Option<&'static LogType> {
    [
        network::LOG_TYPES,
        application::LOG_TYPES,
        windows::LOG_TYPES,
        files::LOG_TYPES,
        inventory::LOG_TYPES,
        notices::LOG_TYPES,
    ]
    .into_iter()
    .flatten()
    .find(|log| log.name == log_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_log_type_is_known_once() {
        let names = [
            "conn",
            "files",
            "dns",
            "http",
            "ssl",
            "dhcp",
            "ftp",
            "pe",
            "smtp",
            "ssh",
            "tunnel",
            "intel",
            "known_certs",
            "known_devices",
            "known_hosts",
            "known_services",
            "notice",
            "rdp",
            "sip",
            "software",
            "socks",
            "dce_rpc",
            "kerberos",
            "ntlm",
            "smb_files",
            "smb_mapping",
            "snmp",
            "x509",
        ];
        for name in names {
            assert!(find(name).is_some_and(|log| log.name == name), "{name}");
        }
        let total = network::LOG_TYPES.len()
            + application::LOG_TYPES.len()
            + windows::LOG_TYPES.len()
            + files::LOG_TYPES.len()
            + inventory::LOG_TYPES.len()
            + notices::LOG_TYPES.len();
        assert_eq!(total, names.len());
        assert!(find("weird").is_none());
    }

    #[test]
    fn known_hosts_defaults_its_host() {
        let mut details = table::Details::new();
        assert!(find("known_hosts").is_some_and(|log| log.apply(&mut details).is_ok_and(|s| s == "New host: ")));
    }
}
