//! MozDef's `auditdFixup` mq plugin (registration `auditd`, `audisp-json`; priority 2).
//!
//! Cleans up auditd (audisp-json) events:
//! * drops the known-noisy commands of `ttl_auditd` (see [`is_noisy_command`]);
//! * `details.auid` and `details.ses` equal to the string `"4294967295"` (an unset id) become
//!   `"-1"`;
//! * every `details` value that is the string `"(null)"` under a key containing `id` becomes
//!   the integer `-1`;
//! * a string `details.gid` containing a comma (a parsing accident) moves to
//!   `details.gidstring`;
//! * `details.dhost` (the host the event happened on) moves to `hostname`;
//! * `category` defaults to `auditd`, and `type` is set to `auditd`.
//!
//! Deviations from MozDef, where it crashed and lost the event: a `details` that is not an
//! object is left alone (no drop rule matches it, and only `category`/`type` are set), and a
//! `details.gid` that is not a string (e.g. a number, or a `"(null)"` just turned into `-1`)
//! stays where it is.

use mozdef_model::Document;
use serde_json::Value;

use super::ttl_auditd::is_noisy_command;
use super::{Metadata, Plugin, PluginError, Verdict};

/// The 32-bit "unset" id auditd reports for `auid` and `ses`.
const UNSET_ID: &str = "4294967295";

/// MozDef's `auditdFixup`.
#[derive(Debug, Default)]
pub struct AuditdFixup;

impl Plugin for AuditdFixup {
    fn name(&self) -> &'static str {
        "auditdFixup"
    }

    fn registration(&self) -> &[&str] {
        &["auditd", "audisp-json"]
    }

    fn priority(&self) -> u32 {
        2
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        let mut dhost = None;
        if let Some(Value::Object(details)) = event.get_mut("details") {
            if is_noisy_command(details) {
                return Ok(Verdict::Drop);
            }
            for key in ["auid", "ses"] {
                if let Some(value) = details.get_mut(key)
                    && value.as_str() == Some(UNSET_ID)
                {
                    *value = Value::from("-1");
                }
            }
            for (key, value) in details.iter_mut() {
                if value.as_str() == Some("(null)") && key.contains("id") {
                    *value = Value::from(-1);
                }
            }
            if details.get("gid").and_then(Value::as_str).is_some_and(|gid| gid.contains(','))
                && let Some(gid) = details.shift_remove("gid")
            {
                details.insert("gidstring".to_owned(), gid);
            }
            dhost = details.shift_remove("dhost");
        }
        if let Some(dhost) = dhost {
            event.insert("hostname".to_owned(), dhost);
        }
        if !event.contains_key("category") {
            event.insert("category".to_owned(), Value::from("auditd"));
        }
        event.insert("type".to_owned(), Value::from("auditd"));
        Ok(Verdict::Keep)
    }
}
