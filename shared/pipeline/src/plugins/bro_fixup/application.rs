//! Application-protocol logs: `http`, `ssl`, `ftp`, `smtp`, `ssh`, `rdp`, `sip`.

use serde_json::Value;

use super::table::{Details, LogType, Seg, Step, Summary, default_str, missing, rename};
use crate::plugins::PluginError;

/// MozDef keeps the first 1024 characters of an HTTP URI.
const MAX_URI_CHARS: usize = 1024;

pub(super) static LOG_TYPES: &[LogType] = &[
    LogType {
        name: "http",
        steps: &[
            default_str("method", ""),
            default_str("host", ""),
            default_str("uri", ""),
            Step::Custom(truncate_uri),
            default_str("status_code", ""),
        ],
        summary: Summary::Template(&[Seg::Lit("HTTP "), Seg::Field("method"), Seg::Lit(" "), Seg::Flow]),
    },
    LogType {
        name: "ssl",
        steps: &[Step::Custom(server_name_or_destination)],
        summary: Summary::Template(&[Seg::Lit("SSL: "), Seg::Flow]),
    },
    LogType {
        name: "ftp",
        steps: &[default_str("command", ""), default_str("user", "")],
        summary: Summary::Template(&[Seg::Lit("FTP: "), Seg::Flow]),
    },
    LogType {
        name: "smtp",
        steps: &[rename("tls", "tls_encrypted")],
        summary: Summary::Template(&[Seg::Lit("SMTP: "), Seg::Flow]),
    },
    LogType {
        name: "ssh",
        steps: &[],
        summary: Summary::Template(&[
            Seg::Lit("SSH: "),
            Seg::Flow,
            Seg::Opt { key: "auth_success", prefix: " success ", absent: "" },
        ]),
    },
    LogType {
        name: "rdp",
        steps: &[default_str("cookie", "unknown")],
        summary: Summary::Template(&[Seg::Lit("RDP: "), Seg::Flow]),
    },
    LogType {
        name: "sip",
        steps: &[default_str("status_msg", "unknown"), default_str("uri", "unknown"), default_str("method", "unknown")],
        summary: Summary::Template(&[
            Seg::Lit("SIP: "),
            Seg::Flow,
            Seg::Lit(" method "),
            Seg::Field("method"),
            Seg::Lit(" status "),
            Seg::Field("status_msg"),
        ]),
    },
];

/// `uri = uri[:1024]`: strings keep their first 1024 characters, lists their first 1024
/// items; other values are left as they are (MozDef raised a `TypeError`).
fn truncate_uri(details: &mut Details) -> Result<(), PluginError> {
    match details.get_mut("uri") {
        Some(Value::String(uri)) => {
            if let Some((end, _)) = uri.char_indices().nth(MAX_URI_CHARS) {
                uri.truncate(end);
            }
        }
        Some(Value::Array(items)) => items.truncate(MAX_URI_CHARS),
        _ => {}
    }
    Ok(())
}

/// A missing `server_name` takes the destination IP address ("fake it till you make it").
fn server_name_or_destination(details: &mut Details) -> Result<(), PluginError> {
    if !details.contains_key("server_name") {
        let destination =
            details.get("destinationipaddress").cloned().ok_or_else(|| missing("ssl", "destinationipaddress"))?;
        details.insert("server_name".to_owned(), destination);
    }
    Ok(())
}
