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

use super::{Handling, Metadata, Plugin, PluginError, Verdict};

/// A dotted IPv4 address as MozDef's expressions read it.
macro_rules! ip {
    () => {
        r"(?:[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)"
    };
}

/// Compiles one of the expressions below, which are constant and valid.
fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("invalid built-in expression: {e}"))
}

// MozDef's expressions, with the groups no field is read from made non-capturing (which
// changes nothing they match) so that, at most 16, they fit the one-pass engine.

/// MozDef's expression for a denied session (searched anywhere in the summary).
macro_rules! deny {
    () => {
        concat!(
            r"%-RT_FLOW_SESSION_DENY: session denied (?P<src>",
            ip!(),
            r")/(?P<srcport>[0-9]+)->(?P<dst>",
            ip!(),
            r")/(?P<dstport>[0-9]+) (?P<service>\S+) (?P<proto>[0-9]+)\((?P<prototype>[0-9]+)\) (?P<policy>\S+) ",
            r"(?P<srczone>\S+) (?P<dstzone>\S+) UNKNOWN UNKNOWN N/A\(N/A\) (?P<interface>\S+)(?:\n)?"
        )
    };
}

/// MozDef's expression for a created session (searched anywhere in the summary).
macro_rules! create {
    () => {
        concat!(
            r"%-RT_FLOW_SESSION_CREATE: session created (?P<src>",
            ip!(),
            r")/(?P<srcport>[0-9]+)->(?P<dst>",
            ip!(),
            r")/(?P<dstport>[0-9]+) (?P<service>\S+) ",
            ip!(),
            r"/[0-9]+->",
            ip!(),
            r"/[0-9]+ (?P<srcnatrule>\S+) (?P<dstnatrule>\S+) (?P<protocol>\S+) (?P<policy>\S+) ",
            r"(?P<srczone>\S+) (?P<dstzone>\S+) (?P<sessionid>\S+) N/A\(N/A\) (?P<interface>\S+)(?:\n)?"
        )
    };
}

static DENY: LazyLock<Regex> = LazyLock::new(|| compile(deny!()));
static CREATE: LazyLock<Regex> = LazyLock::new(|| compile(create!()));
// The same expressions anchored at the start: a summary that starts with the expression's
// literal prefix almost always matches there, and an anchored search runs in one pass where
// an unanchored one first scans for the match's bounds. A match at the start is the one the
// unanchored search finds (the leftmost), so trying it first changes no result.
static DENY_AT_START: LazyLock<Regex> = LazyLock::new(|| compile(concat!("^(?:", deny!(), ")")));
static CREATE_AT_START: LazyLock<Regex> = LazyLock::new(|| compile(concat!("^(?:", create!(), ")")));

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

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        self.handle(event, metadata).map(Handling::verdict)
    }

    fn handle(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Handling, PluginError> {
        let Some(Value::Object(details)) = event.get("details") else { return Ok(Handling::PassedOver) };
        if details.get("program").and_then(Value::as_str) != Some("RT_FLOW") {
            return Ok(Handling::PassedOver);
        }
        let Some(summary) = event.get("summary").and_then(Value::as_str) else { return Ok(Handling::PassedOver) };
        let (action, at_start, anywhere, fields): (_, &Regex, &Regex, &[(&str, &str)]) =
            if summary.starts_with("%-RT_FLOW_SESSION_DENY:") {
                ("denied", &DENY_AT_START, &DENY, &DENY_FIELDS)
            } else if summary.starts_with("%-RT_FLOW_SESSION_CREATE:") {
                ("created", &CREATE_AT_START, &CREATE, &CREATE_FIELDS)
            } else {
                return Ok(Handling::PassedOver);
            };
        let Some(caps) = at_start.captures(summary).or_else(|| anywhere.captures(summary)) else {
            return Ok(Handling::PassedOver);
        };
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
        Ok(Handling::Verdict(Verdict::Keep))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The named groups of a match, in order.
    fn groups(caps: Option<regex::Captures<'_>>, regex: &Regex) -> Option<Vec<(String, Option<String>)>> {
        let caps = caps?;
        let names = regex.capture_names().flatten();
        Some(names.map(|n| (n.to_owned(), caps.name(n).map(|m| m.as_str().to_owned()))).collect())
    }

    #[test]
    fn the_anchored_search_finds_what_the_search_anywhere_finds() {
        let deny = "%-RT_FLOW_SESSION_DENY: session denied 10.1.2.3/51234->8.8.8.8/53 junos-dns-udp 17(0) \
                    deny-all trust untrust UNKNOWN UNKNOWN N/A(N/A) reth0.0";
        let create = "%-RT_FLOW_SESSION_CREATE: session created 10.1.2.3/51234->8.8.8.8/443 junos-https \
                      192.0.2.1/40000->8.8.8.8/443 src-nat None 6 allow-out trust untrust 4711 N/A(N/A) reth1.0\n";
        let summaries = [
            deny.to_owned(),
            create.to_owned(),
            // The prefix, then a match further on only.
            format!("%-RT_FLOW_SESSION_DENY: garbled {deny}"),
            format!("%-RT_FLOW_SESSION_CREATE: garbled {create}"),
            "%-RT_FLOW_SESSION_DENY: session denied 10.1.2.3/x".to_owned(),
        ];
        for summary in &summaries {
            for (at_start, anywhere) in [(&*DENY_AT_START, &*DENY), (&*CREATE_AT_START, &*CREATE)] {
                let fast = at_start.captures(summary).or_else(|| anywhere.captures(summary));
                assert_eq!(groups(fast, anywhere), groups(anywhere.captures(summary), anywhere), "{summary}");
            }
        }
        let found = DENY.captures(&summaries[2]).and_then(|c| c.name("interface").map(|m| m.as_str().to_owned()));
        assert_eq!(found.as_deref(), Some("reth0.0"));
    }

    #[test]
    fn a_created_session_is_parsed() {
        let mut event = Document::new();
        event.insert(
            "summary".into(),
            Value::from(
                "%-RT_FLOW_SESSION_CREATE: session created 10.1.2.3/51234->8.8.8.8/443 junos-https \
             192.0.2.1/40000->8.8.8.8/443 src-nat None 6 allow-out trust untrust 4711 N/A(N/A) reth1.0\n",
            ),
        );
        event.insert("details".into(), serde_json::json!({"program": "RT_FLOW"}));
        let handled = RtFlow.handle(&mut event, &mut Metadata::default());
        assert_eq!(handled, Ok(Handling::Verdict(Verdict::Keep)));
        assert_eq!(
            event["details"],
            serde_json::json!({
                "program": "RT_FLOW", "action": "created", "sourceipaddress": "10.1.2.3", "sourceport": "51234",
                "destinationipaddress": "8.8.8.8", "destinationport": "443", "service": "junos-https",
                "sourcenatrule": "src-nat", "destinationnatrule": "None", "protocol": "6", "policy": "allow-out",
                "sourcezone": "trust", "destinationzone": "untrust", "sessionid": "4711", "interface": "reth1.0"
            })
        );
        let mut other = event.clone();
        other.insert("summary".into(), Value::from("%-RT_FLOW_SESSION_CLOSE: session closed"));
        assert_eq!(RtFlow.handle(&mut other, &mut Metadata::default()), Ok(Handling::PassedOver));
    }
}
