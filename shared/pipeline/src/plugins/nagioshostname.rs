//! MozDef's `nagioshostname` mq plugin (registration `nagios_hostname`; priority 5).
//!
//! Gives nagios status events a fixed document id, so each host's current status is one
//! document, updated in place: `metadata.id` = the hex MD5 of `"nagiosstatus"` followed by
//! `details.nagios_hostname` (as UTF-8). The event itself is not changed.
//!
//! Deviations from MozDef (inventory §10): MozDef's code was Python 2 (`hashlib.md5` of a text
//! string), which fails on Python 3 for every event; the intent, MD5 of the UTF-8 bytes, is
//! implemented. An event without a string `details.nagios_hostname` (MozDef: a `KeyError` or
//! `TypeError`, losing the event) keeps its own id.

use mozdef_model::Document;

use super::md5_hex;
use super::{Metadata, Plugin, PluginError, Verdict, detail_str};

/// MozDef's `nagioshostname`.
#[derive(Debug, Default)]
pub struct Nagioshostname;

impl Plugin for Nagioshostname {
    fn name(&self) -> &'static str {
        "nagioshostname"
    }

    fn registration(&self) -> &[&str] {
        &["nagios_hostname"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if let Some(hostname) = detail_str(event, "nagios_hostname") {
            metadata.id = Some(md5_hex(format!("nagiosstatus{hostname}").as_bytes()));
        }
        Ok(Verdict::Keep)
    }
}
