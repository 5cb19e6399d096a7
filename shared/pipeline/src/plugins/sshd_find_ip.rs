//! MozDef's `sshdFindIP` mq plugin (registration `sshd`, `fail2ban`; priority 5).
//!
//! When an event has a `summary` and no `details.sourceipaddress`, the first word of the
//! summary (split on white space, then stripped of white space, `"`, `'` and `,` in that
//! order) that reads as an IPv4 address becomes `details.sourceipaddress`, as written.
//!
//! "Reads as an IPv4 address" is MozDef's `isIPv4` (`netaddr.rs`): the word has exactly four dot-separated
//! parts (so `1` or `10.1` do not count) and netaddr 0.7's `IPNetwork` accepts it: a dotted
//! quad (`inet_pton`), or four integers `int()` reads (`010.0.0.1`, `+1.2.3.4`), optionally
//! followed by `/prefix` or `/netmask`, or an IPv6 address with an embedded IPv4 one
//! (`::ffff:10.0.0.1`).
//!
//! As in MozDef, an event whose `details` is missing or not an object gets a new `details`
//! object holding only the address found (a non-object `details` is replaced).
//!
//! Deviation from MozDef, where it raised: a `summary` that is not a string is left alone.

use mozdef_model::Document;
use serde_json::{Value, json};

use super::netaddr::find_ipv4;
use super::{Handling, Metadata, Plugin, PluginError, Verdict};

/// MozDef's `sshdFindIP`.
#[derive(Debug, Default)]
pub struct SshdFindIp;

impl Plugin for SshdFindIp {
    fn name(&self) -> &'static str {
        "sshdFindIP"
    }

    fn registration(&self) -> &[&str] {
        &["sshd", "fail2ban"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        self.handle(event, metadata).map(Handling::verdict)
    }

    fn handle(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Handling, PluginError> {
        let Some(summary) = event.get("summary") else { return Ok(Handling::PassedOver) };
        let details = match event.get("details") {
            Some(Value::Object(details)) => Some(details),
            _ => None,
        };
        if details.is_some_and(|d| d.contains_key("sourceipaddress")) {
            return Ok(Handling::PassedOver);
        }
        let Value::String(summary) = summary else { return Ok(Handling::PassedOver) };
        let Some(ip) = find_ipv4(summary).next() else {
            return Ok(Handling::PassedOver);
        };
        let ip = Value::from(ip);
        match event.get_mut("details") {
            Some(Value::Object(details)) => {
                details.insert("sourceipaddress".to_owned(), ip);
            }
            _ => {
                event.insert("details".to_owned(), json!({ "sourceipaddress": ip }));
            }
        }
        Ok(Handling::Verdict(Verdict::Keep))
    }
}
