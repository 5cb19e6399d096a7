//! MozDef's `rt_flow` mq plugin (registration `rt_flow`; priority 5).
//!
//! For a Juniper SRX event whose `details.program` is `RT_FLOW`, parses the `summary`:
//!
//! * `%-RT_FLOW_SESSION_DENY: session denied <src>/<port>-><dst>/<port> <service>
//!   <proto>(<type>) <policy> <srczone> <dstzone> UNKNOWN UNKNOWN N/A(N/A) <interface>` →
//!   `details.action` = `denied`, `sourceipaddress`, `sourceport`, `destinationipaddress`,
//!   `destinationport`, `service`, `protocol`, `protocoltype`, `policy`, `sourcezone`,
//!   `destinationzone`, `interface`;
//! * `%-RT_FLOW_SESSION_CREATE: session created <src>/<port>-><dst>/<port> <service>
//!   <nat src>/<port>-><nat dst>/<port> <srcnatrule> <dstnatrule> <protocol> <policy>
//!   <srczone> <dstzone> <sessionid> N/A(N/A) <interface>` → `details.action` = `created`,
//!   the addresses and ports, `service`, `sourcenatrule`, `destinationnatrule`, `protocol`,
//!   `policy`, `sourcezone`, `destinationzone`, `sessionid`, `interface`.
//!
//! All values are strings. Other RT_FLOW messages (e.g. `SESSION_CLOSE`) are left as they
//! are, as in MozDef.
//!
//! Deviations from MozDef, where it raised: an event without a `summary`, or whose summary
//! is not a string, or whose `details` is not an object, is left unchanged.

use std::sync::LazyLock;

use mozdef_model::Document;
use regex::Regex;
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict};

/// A dotted IPv4 address as MozDef's expressions read it.
macro_rules! ip {
    () => {
        r"([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)"
    };
}

/// Compiles one of the expressions below, which are constant and valid.
fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("invalid built-in expression: {e}"))
}

static DENY: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        r"%-RT_FLOW_SESSION_DENY: session denied (?P<src>",
        ip!(),
        r")/(?P<srcport>[0-9]+)->(?P<dst>",
        ip!(),
        r")/(?P<dstport>[0-9]+) (?P<service>\S+) (?P<proto>[0-9]+)\((?P<prototype>[0-9]+)\) (?P<policy>\S+) ",
        r"(?P<srczone>\S+) (?P<dstzone>\S+) UNKNOWN UNKNOWN N/A\(N/A\) (?P<interface>\S+)(\n)?"
    ))
});

static CREATE: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        r"%-RT_FLOW_SESSION_CREATE: session created (?P<src>",
        ip!(),
        r")/(?P<srcport>[0-9]+)->(?P<dst>",
        ip!(),
        r")/(?P<dstport>[0-9]+) (?P<service>\S+) (?P<src2>",
        ip!(),
        r")/(?P<srcport2>[0-9]+)->(?P<dst2>",
        ip!(),
        r")/(?P<dstport2>[0-9]+) (?P<srcnatrule>\S+) (?P<dstnatrule>\S+) (?P<protocol>\S+) (?P<policy>\S+) ",
        r"(?P<srczone>\S+) (?P<dstzone>\S+) (?P<sessionid>\S+) N/A\(N/A\) (?P<interface>\S+)(\n)?"
    ))
});

/// `details` keys and the groups they come from, for a denied session.
const DENY_FIELDS: [(&str, &str); 11] = [
    ("sourceipaddress", "src"),
    ("sourceport", "srcport"),
    ("destinationipaddress", "dst"),
    ("destinationport", "dstport"),
    ("service", "service"),
    ("protocol", "proto"),
    ("protocoltype", "prototype"),
    ("policy", "policy"),
    ("sourcezone", "srczone"),
    ("destinationzone", "dstzone"),
    ("interface", "interface"),
];

/// `details` keys and the groups they come from, for a created session.
const CREATE_FIELDS: [(&str, &str); 13] = [
    ("sourceipaddress", "src"),
    ("sourceport", "srcport"),
    ("destinationipaddress", "dst"),
    ("destinationport", "dstport"),
    ("service", "service"),
    ("sourcenatrule", "srcnatrule"),
    ("destinationnatrule", "dstnatrule"),
    ("protocol", "protocol"),
    ("policy", "policy"),
    ("sourcezone", "srczone"),
    ("destinationzone", "dstzone"),
    ("sessionid", "sessionid"),
    ("interface", "interface"),
];

/// MozDef's `rt_flow`.
#[derive(Debug, Default)]
pub struct RtFlow;

impl Plugin for RtFlow {
    fn name(&self) -> &'static str {
        "rt_flow"
    }

    fn registration(&self) -> &[&str] {
        &["rt_flow"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        let Some(Value::Object(details)) = event.get("details") else { return Ok(Verdict::Keep) };
        if details.get("program").and_then(Value::as_str) != Some("RT_FLOW") {
            return Ok(Verdict::Keep);
        }
        let Some(summary) = event.get("summary").and_then(Value::as_str) else { return Ok(Verdict::Keep) };
        let (action, regex, fields): (_, &Regex, &[(&str, &str)]) = if summary.starts_with("%-RT_FLOW_SESSION_DENY:") {
            ("denied", &DENY, &DENY_FIELDS)
        } else if summary.starts_with("%-RT_FLOW_SESSION_CREATE:") {
            ("created", &CREATE, &CREATE_FIELDS)
        } else {
            return Ok(Verdict::Keep);
        };
        let Some(caps) = regex.captures(summary) else { return Ok(Verdict::Keep) };
        let mut found = Vec::with_capacity(fields.len() + 1);
        found.push(("action", Value::from(action)));
        for (key, group) in fields {
            found.push((*key, caps.name(group).map_or(Value::Null, |m| Value::from(m.as_str()))));
        }
        if let Some(Value::Object(details)) = event.get_mut("details") {
            for (key, value) in found {
                details.insert(key.to_owned(), value);
            }
        }
        Ok(Verdict::Keep)
    }
}
