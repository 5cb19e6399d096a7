//! MozDef's `parse_sshd` mq plugin (registration `sshd`; priority 5).
//!
//! For an event whose `processname` is `sshd`, the `summary` is matched against sshd's log
//! lines and the parts are stored in `details` (all as strings; an optional part that is
//! absent is `null`):
//!
//! | summary | details |
//! |---|---|
//! | `<Accepted> <publickey> for <user> from <ip> port <port> ssh2[: RSA <fingerprint>]` | `authstatus`, `authmethod`, `username`, `sourceipaddress`, `sourceport`, `rsakeyfingerprint` |
//! | `pam_unix(sshd:session): session opened\|closed for user <user>[ by (uid=N)]` | `username` |
//! | `Postponed <method> for <user> from <ip> port <port> ssh2[ [preauth]]` | `username`, `authmethod` |
//! | `Starting session: <type>[ on ][pts/0] for <user> from <ip> port <port>` | `sessiontype`, `username`, `sourceipaddress`, `sourceport`, `device` |
//! | `Invalid user <user> from [<ip>]` | `username`, `sourceipaddress` |
//! | `input_userauth_request: invalid user <user> [preauth]...` | `username` |
//! | `Received disconnect from <ip>: <port>: [Bye Bye\|Normal Shutdown, Thank you for playing] [preauth]...` | `sourceipaddress`, `sourceport` |
//!
//! MozDef's regular expressions are kept as they are (Python's `$` also matches before a
//! final newline, which is reproduced), including their limits (e.g. an `ED25519` key or an
//! `Invalid user ... port N` line does not match).
//!
//! Deviations from MozDef, where it raised: an event without a `summary`, or whose summary
//! is not a string, is left unchanged; a match on an event without `details` creates it;
//! a match on an event whose `details` is not an object fails the plugin (quarantine),
//! since writing the fields would destroy it.

use std::sync::LazyLock;

use mozdef_model::Document;
use regex::{Captures, Regex};
use serde_json::Value;

use super::{Handling, Metadata, Plugin, PluginError, Verdict};

/// Python's `$` without `re.MULTILINE`: the end, or just before a final newline.
macro_rules! line_end {
    () => {
        r"\n?\z"
    };
}

/// A user name as sshd logs it, in MozDef's expressions.
macro_rules! user {
    () => {
        r"[a-zA-Z0-9@._-]+"
    };
}

/// A dotted-quad IPv4 address, in MozDef's expressions.
macro_rules! ipv4 {
    () => {
        r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"
    };
}

/// Compiles one of the expressions below, which are constant and valid.
fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("invalid built-in expression: {e}"))
}

static ACCEPTED: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        r"^(?P<authstatus>\w+) (?P<authmethod>\w+) for (?P<username>",
        user!(),
        r") from (?P<sourceipaddress>",
        ipv4!(),
        r") port (?P<sourceport>\d{1,5}) ssh2(:\sRSA\s)?(?:(?P<rsakeyfingerprint>(\S+)))?",
        line_end!()
    ))
});
static SESSION_OPENED: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        r"^pam_unix\(sshd:session\): session (opened|closed) for user (?P<username>",
        user!(),
        r")(?: by \(uid=\d*\))?",
        line_end!()
    ))
});
static POSTPONED: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        r"^Postponed (?P<authmethod>\w+) for (?P<username>",
        user!(),
        r") from (?P<sourceipaddress>",
        ipv4!(),
        r") port (?P<sourceport>\d{1,5}) ssh2(?: \[preauth\])?",
        line_end!()
    ))
});
static STARTING_SESSION: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        r"^Starting session: (?P<sessiontype>\w+)(?: on )?(?P<device>pts/0)? for (?P<username>",
        user!(),
        r") from (?P<sourceipaddress>",
        ipv4!(),
        r") port (?P<sourceport>\d{1,5})",
        line_end!()
    ))
});
static INVALID_USER: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        r"^Invalid user (?P<username>",
        user!(),
        r") from (?P<sourceipaddress>",
        ipv4!(),
        r")?",
        line_end!()
    ))
});
static USERAUTH_REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(r"^input_userauth_request: invalid user (?P<username>", user!(), r") \[preauth\]"))
});
static DISCONNECT: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        r"^Received disconnect from (?P<sourceipaddress>",
        ipv4!(),
        r"): (?P<sourceport>\d{1,5}): (|Bye Bye|Normal Shutdown, Thank you for playing) \[preauth\]"
    ))
});

/// The summary prefixes, their expression and the groups stored (in MozDef's order).
static LINES: [(&str, &LazyLock<Regex>, &[&str]); 7] = [
    (
        "Accepted",
        &ACCEPTED,
        &["authstatus", "authmethod", "username", "sourceipaddress", "sourceport", "rsakeyfingerprint"],
    ),
    ("pam_unix", &SESSION_OPENED, &["username"]),
    ("Postponed", &POSTPONED, &["username", "authmethod"]),
    ("Starting session", &STARTING_SESSION, &["sessiontype", "username", "sourceipaddress", "sourceport", "device"]),
    ("Invalid user", &INVALID_USER, &["username", "sourceipaddress"]),
    ("input_userauth_request", &USERAUTH_REQUEST, &["username"]),
    ("Received disconnect from", &DISCONNECT, &["sourceipaddress", "sourceport"]),
];

/// MozDef's `parse_sshd`.
#[derive(Debug, Default)]
pub struct ParseSshd;

impl Plugin for ParseSshd {
    fn name(&self) -> &'static str {
        "parse_sshd"
    }

    fn registration(&self) -> &[&str] {
        &["sshd"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        self.handle(event, metadata).map(Handling::verdict)
    }

    fn handle(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Handling, PluginError> {
        if event.get("processname").and_then(Value::as_str) != Some("sshd") {
            return Ok(Handling::PassedOver);
        }
        let Some(summary) = event.get("summary").and_then(Value::as_str) else { return Ok(Handling::PassedOver) };
        let mut found: Vec<(&str, Value)> = Vec::new();
        for (prefix, regex, groups) in &LINES {
            if summary.starts_with(prefix)
                && let Some(caps) = regex.captures(summary)
            {
                found.extend(groups.iter().map(|g| (*g, group(&caps, g))));
            }
        }
        if found.is_empty() {
            return Ok(Handling::PassedOver);
        }
        let details = event.entry("details").or_insert_with(|| Value::Object(Document::new()));
        let Value::Object(details) = details else {
            return Err(PluginError::new("details: not an object, cannot store the parsed sshd fields"));
        };
        for (key, value) in found {
            details.insert(key.to_owned(), value);
        }
        Ok(Handling::Verdict(Verdict::Keep))
    }
}

/// A named group's text, or `null` (Python's `None`) when it did not take part.
fn group(caps: &Captures<'_>, name: &str) -> Value {
    caps.name(name).map_or(Value::Null, |m| Value::from(m.as_str()))
}
