//! MozDef's `sshdFindIP` mq plugin (registration `sshd`, `fail2ban`; priority 5).
//!
//! When an event has a `summary` and no `details.sourceipaddress`, the first word of the
//! summary (split on white space, then stripped of white space, `"`, `'` and `,` in that
//! order) that reads as an IPv4 address becomes `details.sourceipaddress`, as written.
//!
//! "Reads as an IPv4 address" is MozDef's `isIPv4`: the word has exactly four dot-separated
//! parts (so `1` or `10.1` do not count) and netaddr 0.7's `IPNetwork` accepts it: a dotted
//! quad (`inet_pton`), or four integers `int()` reads (`010.0.0.1`, `+1.2.3.4`), optionally
//! followed by `/prefix` or `/netmask`, or an IPv6 address with an embedded IPv4 one
//! (`::ffff:10.0.0.1`).
//!
//! As in MozDef, an event whose `details` is missing or not an object gets a new `details`
//! object holding only the address found (a non-object `details` is replaced).
//!
//! Deviation from MozDef, where it raised: a `summary` that is not a string is left alone.

use std::net::{Ipv4Addr, Ipv6Addr};

use mozdef_model::Document;
use serde_json::{Value, json};

use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::py_int;

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

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        let Some(summary) = event.get("summary") else { return Ok(Verdict::Keep) };
        let details = match event.get("details") {
            Some(Value::Object(details)) => Some(details),
            _ => None,
        };
        if details.is_some_and(|d| d.contains_key("sourceipaddress")) {
            return Ok(Verdict::Keep);
        }
        let Value::String(summary) = summary else { return Ok(Verdict::Keep) };
        let Some(ip) = summary.split(is_py_space).filter(|w| !w.is_empty()).map(sane_word).find(|w| is_ipv4(w)) else {
            return Ok(Verdict::Keep);
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
        Ok(Verdict::Keep)
    }
}

/// `word.strip().strip('"').strip("'").strip(",")`.
fn sane_word(word: &str) -> &str {
    word.trim_matches(is_py_space).trim_matches('"').trim_matches('\'').trim_matches(',')
}

/// Python's `str.isspace()` for one character (what `str.split()` splits on).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// MozDef's `isIPv4`: four dot-separated parts and a valid `netaddr.IPNetwork`.
fn is_ipv4(word: &str) -> bool {
    word.split('.').count() == 4 && (ip_network_v4(word) || ip_network_v6(word))
}

/// netaddr 0.7's `parse_ip_network` for IPv4.
fn ip_network_v4(text: &str) -> bool {
    let (address, prefix) = split_prefix(text);
    let valid_address = address.parse::<Ipv4Addr>().is_ok()
        || expand_partial_v4(address).is_some_and(|expanded| expanded.parse::<Ipv4Addr>().is_ok());
    valid_address
        && match prefix {
            None => true,
            Some(prefix) => match py_int(&Value::from(prefix)) {
                Some(n) => n.as_i64().is_some_and(|n| (0..=32).contains(&n)),
                None => prefix.parse::<Ipv4Addr>().is_ok_and(|mask| is_mask(u128::from(u32::from(mask)), 32)),
            },
        }
}

/// netaddr 0.7's `parse_ip_network` for IPv6.
fn ip_network_v6(text: &str) -> bool {
    let (address, prefix) = split_prefix(text);
    address.parse::<Ipv6Addr>().is_ok()
        && match prefix {
            None => true,
            Some(prefix) => match py_int(&Value::from(prefix)) {
                Some(n) => n.as_i64().is_some_and(|n| (0..=128).contains(&n)),
                None => prefix.parse::<Ipv6Addr>().is_ok_and(|mask| is_mask(u128::from(mask), 128)),
            },
        }
}

/// `addr.split('/', 1)`.
fn split_prefix(text: &str) -> (&str, Option<&str>) {
    match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    }
}

/// netaddr's `expand_partial_address`: up to four `int()`-readable parts, missing ones 0.
fn expand_partial_v4(address: &str) -> Option<String> {
    if address.contains(':') {
        return None;
    }
    let mut parts = Vec::with_capacity(4);
    for part in address.split('.') {
        parts.push(py_int(&Value::from(part))?.to_string());
    }
    if parts.len() > 4 {
        return None;
    }
    parts.resize(4, "0".to_owned());
    Some(parts.join("."))
}

/// netaddr's `is_netmask() or is_hostmask()` for a `width`-bit value.
fn is_mask(value: u128, width: u32) -> bool {
    let max = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
    let netmask = (value ^ max).wrapping_add(1);
    let hostmask = value.wrapping_add(1);
    (netmask & netmask.wrapping_sub(1)) & max == 0 || (hostmask & value) & max == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_ipv4_is_mozdefs() {
        for yes in [
            "10.0.0.1",
            "255.255.255.255",
            "010.0.0.1",
            "+1.2.3.4",
            "10.0.0.0/8",
            "10/255.0.0.0",
            "::ffff:10.0.0.1",
            "1.2.3.4/0",
        ] {
            assert!(is_ipv4(yes), "{yes}");
        }
        for no in [
            "10",
            "10.0.0",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.4/33",
            "1.2.3.4/",
            "a.b.c.d",
            "1.2.3.4:22",
            "10.0.0.0/255.0.0.0",
            "",
        ] {
            assert!(!is_ipv4(no), "{no}");
        }
    }

    #[test]
    fn masks() {
        assert!(is_mask(0xffff_ff00, 32));
        assert!(is_mask(0x0000_00ff, 32));
        assert!(is_mask(0, 32));
        assert!(!is_mask(0xff00_ff00, 32));
    }
}
