//! The address checks of MozDef's plugins, with the `netaddr` 0.7 semantics MozDef ran with,
//! shared by every plugin that needs them: `isIPv4`, `isIPv6`, `findIPv4`, and netaddr's
//! `valid_ipv4` (glibc's `inet_aton`).
//!
//! `isIPv4(s)`: `s` has a dot and exactly four dot-separated parts, and `netaddr.IPNetwork(s)`
//! accepts it: an IPv4 network (`a.b.c.d`, optionally `/prefix`, `/netmask` or `/hostmask`;
//! an address that is not strict dotted-quad is read as a "partial" address whose parts are
//! Python integers, so `01.2.3.4` passes) or, failing that, an IPv6 one (`::ffff:1.2.3.4`).
//! `isIPv6(s)`: `inet_pton(AF_INET6, s)` accepts it.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::Value;

use crate::python::py_int;

/// MozDef's `isIPv4`.
pub(super) fn is_ipv4(s: &str) -> bool {
    s.contains('.') && s.split('.').count() == 4 && (ipv4_network(s) || ipv6_network(s))
}

/// MozDef's `isIPv6` (`netaddr.valid_ipv6`).
pub(super) fn is_ipv6(s: &str) -> bool {
    s.parse::<Ipv6Addr>().is_ok()
}

/// MozDef's `findIPv4`: the words of `text` (split on white space, then stripped of white
/// space, double quotes, single quotes and commas, in that order) that are IPv4 addresses.
pub(super) fn find_ipv4(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_py_space)
        .filter(|word| !word.is_empty())
        .map(|word| word.trim_matches(is_py_space).trim_matches('"').trim_matches('\'').trim_matches(','))
        .filter(|word| is_ipv4(word))
}

/// Python's `str.isspace()`: Unicode white space plus the information separators U+001C-1F
/// (what `str.split()` splits on).
pub(super) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `parse_ip_network` of the IPv4 module.
fn ipv4_network(s: &str) -> bool {
    let (address, prefix) = split_prefix(s);
    let address_ok = address.parse::<Ipv4Addr>().is_ok() || partial_ipv4(address);
    address_ok
        && prefix.is_none_or(|p| match python_int(p) {
            Some(len) => (0..=32).contains(&len),
            None => p.parse::<Ipv4Addr>().is_ok_and(|mask| is_mask(u128::from(u32::from(mask)), 32)),
        })
}

/// `parse_ip_network` of the IPv6 module.
fn ipv6_network(s: &str) -> bool {
    let (address, prefix) = split_prefix(s);
    address.parse::<Ipv6Addr>().is_ok()
        && prefix.is_none_or(|p| match python_int(p) {
            Some(len) => (0..=128).contains(&len),
            None => p.parse::<Ipv6Addr>().is_ok_and(|mask| is_mask(u128::from(mask), 128)),
        })
}

/// netaddr's `valid_ipv4` (0.7/0.8), i.e. glibc's `inet_aton`: one to four parts separated
/// by dots, each decimal, octal (`0` prefix) or hexadecimal (`0x` prefix), the last one
/// filling the remaining bytes (`10.1` is 10.0.0.1); trailing white space is allowed.
pub(super) fn valid_ipv4(text: &str) -> bool {
    if text.contains('\0') {
        return false; // Python refuses embedded NULs before calling inet_aton
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut stored = 0usize;
    let mut val: u64;
    let mut digit;
    loop {
        if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        val = 0;
        let mut base = 10;
        digit = false;
        if bytes.get(i) == Some(&b'0') {
            i += 1;
            if matches!(bytes.get(i), Some(b'x' | b'X')) {
                base = 16;
                i += 1;
            } else {
                base = 8;
                digit = true;
            }
        }
        while let Some(&c) = bytes.get(i) {
            let d = match c {
                b'0'..=b'9' if base == 8 && c >= b'8' => return false,
                b'0'..=b'9' => u64::from(c - b'0'),
                b'a'..=b'f' if base == 16 => u64::from(c - b'a' + 10),
                b'A'..=b'F' if base == 16 => u64::from(c - b'A' + 10),
                _ => break,
            };
            val = val.saturating_mul(base).saturating_add(d);
            digit = true;
            i += 1;
        }
        if bytes.get(i) == Some(&b'.') {
            if stored >= 3 || val > 0xff {
                return false;
            }
            stored += 1;
            i += 1;
        } else {
            break;
        }
    }
    if bytes.get(i).is_some_and(|c| !c.is_ascii_whitespace() && *c != 0x0b) {
        return false;
    }
    const MAX: [u64; 4] = [0xffff_ffff, 0x00ff_ffff, 0xffff, 0xff];
    digit && val <= MAX[stored]
}

/// `addr.split('/', 1)`.
fn split_prefix(s: &str) -> (&str, Option<&str>) {
    match s.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (s, None),
    }
}

/// `expand_partial_address` followed by strict parsing: one to four dot-separated Python
/// integers (missing trailing parts are 0), each 0-255; nothing with a colon.
fn partial_ipv4(address: &str) -> bool {
    if address.contains(':') {
        return false;
    }
    let mut parts = 0;
    for part in address.split('.') {
        parts += 1;
        if parts > 4 || !python_int(part).is_some_and(|n| (0..=255).contains(&n)) {
            return false;
        }
    }
    true
}

/// Python's `int(s)`, when it fits in an `i128`.
fn python_int(s: &str) -> Option<i128> {
    match py_int(&Value::String(s.to_owned()))? {
        Value::Number(n) => n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)),
        _ => None,
    }
}

/// netaddr's `is_netmask() or is_hostmask()` for a `width`-bit value: contiguous ones from
/// the top, or from the bottom.
fn is_mask(value: u128, width: u32) -> bool {
    let all = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
    let inverted = !value & all;
    let netmask = inverted & inverted.wrapping_add(1) == 0;
    let hostmask = value & value.wrapping_add(1) == 0;
    netmask || hostmask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_like_netaddr_0_7() {
        for yes in [
            "1.2.3.4",
            "10.0.0.0/8",
            "10.0.0.0/ 8",
            "0.0.0.0/0",
            "1/255.255.255.0",
            "10/0.0.0.255",
            "01.2.3.4",
            "-0.2.3.4",
            " 1.2.3.4",
            "+1.2.3.4",
            "1_0.2.3.4",
            "::ffff:1.2.3.4",
            "::1.2.3.4/96",
        ] {
            assert!(is_ipv4(yes), "{yes}");
        }
        for no in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.4/33",
            "1.2.3.4/",
            "1/255.0.255.0",
            "10.0.0.0/255.0.0.0",
            "a.b.c.d",
            "1..3.4",
            "-1.2.3.4",
            "1.2.3.4:80",
            "::ffff:1.2.3.4/129",
            "2001:db8::1",
        ] {
            assert!(!is_ipv4(no), "{no}");
        }
    }

    #[test]
    fn ipv6_is_inet_pton() {
        assert!(is_ipv6("2620:101:80fc:232:b5a9:5071:1dc1:1499"));
        assert!(is_ipv6("::"));
        assert!(is_ipv6("::ffff:1.2.3.4"));
        assert!(!is_ipv6("1.2.3.4"));
        assert!(!is_ipv6("fe80::1%eth0"));
        assert!(!is_ipv6("2001:db8::/32"));
        assert!(!is_ipv6(""));
    }

    #[test]
    fn find_ipv4_strips_quotes_and_commas() {
        let found: Vec<&str> = find_ipv4("Indicator: 1.2.3.4, \"5.6.7.8\" '9.9.9.9' 10.1.1\u{1f}10.2.2.2").collect();
        assert_eq!(found, ["1.2.3.4", "5.6.7.8", "9.9.9.9", "10.2.2.2"]);
        // The strips run in turn: the quote before a trailing comma survives, as in Python.
        assert_eq!(find_ipv4("\"5.6.7.8\", '9.9.9.9',").count(), 0);
    }

    #[test]
    fn ipv4_is_inet_aton() {
        for ok in [
            "1.2.3.4",
            "255.255.255.255",
            "0.0.0.0",
            "10",
            "10.1",
            "10.1.2",
            "4294967295",
            "0x7f.1",
            "0X7F.0.0.1",
            "010.0.0.1",
            "1.2.3.4 trailing words",
            "1.2.3.4\t",
            "1.2.65535",
            "1.16777215",
            "0",
        ] {
            assert!(valid_ipv4(ok), "{ok}");
        }
        for bad in [
            "",
            " 1.2.3.4",
            "1.2.3.4.",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.256",
            "4294967296",
            "1.2.65536",
            "08.1.1.1",
            "0x",
            "0xg",
            "1..2",
            "-1.2.3.4",
            "+1",
            "1.2.3.4x",
            "1.2.3.4\u{a0}",
            "host.example.com",
            "-",
            "::1",
            "1.2.3.4\0",
            "99999999999999999999999",
        ] {
            assert!(!valid_ipv4(bad), "{bad}");
        }
    }

    #[test]
    fn inet_aton_accepts_what_glibc_does() {
        for ok in ["1.2.3.4", "10", "10.1", "10.1.2", "0x7f.1", "010.0.0.1", "0", "255.255.255.255", "1.2.3.4 "] {
            assert!(valid_ipv4(ok), "{ok}");
        }
        for bad in ["", "-", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "09.1.1.1", "0x", "a.b.c.d", "1..2", "1.2.3.4x"] {
            assert!(!valid_ipv4(bad), "{bad}");
        }
    }

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
