//! MozDef's `ipFixup` mq plugin (registration `sourceipaddress`, `destinationipaddress`, `src`,
//! `dst`, `srcip`, `dstip`, `http_x_forwarded_for`; priority 15): normalises the IP address
//! fields of `details`.
//!
//! In MozDef's order:
//! * the first comma-separated entry of `http_x_forwarded_for`, when it is an IPv4 address, fills
//!   a missing `sourceipaddress` and `sourceipv4address`; an IPv6 one fills a missing
//!   `sourceipv6address`;
//! * `sourceipaddress` holding IPv6 moves to `sourceipv6address`, is set to `0.0.0.0` and
//!   `plugin: ipFixUp.py error: sourceipaddress is ipv6, moved` is appended to the top-level
//!   `errors` list (created if missing, left alone if not a list); IPv4 is copied to
//!   `sourceipv4address`; anything else (a host name, `-`, `null`, a number) moves to
//!   `details.source` and `sourceipaddress` becomes `null`. Likewise `destinationipaddress`
//!   with `destinationipv6address`, `destinationipv4address` and `details.destination`;
//! * IPv4 in `src` or `srcip` sets `sourceipaddress` and `sourceipv4address`, IPv6 sets
//!   `sourceipv6address`; `dst` and `dstip` likewise for the destination fields;
//!   `cluster_client_ip` sets `sourceipaddress` (IPv4) or `sourceipv6address` (IPv6).
//!
//! Validity is that of the `netaddr` 0.7/0.8 MozDef ran with: `valid_ipv4` is glibc's
//! `inet_aton` (so `10`, `10.1`, `0x7f.1`, octal `010.0.0.1` and `1.2.3.4 <anything after
//! white space>` are IPv4), `valid_ipv6` is glibc's `inet_pton(AF_INET6)`; both are false for
//! non-strings and empty strings.
//!
//! Deviation from MozDef: a `http_x_forwarded_for` that is not a string (MozDef: an
//! `AttributeError`) is skipped; `details` that is not an object is passed over (MozDef's `in`
//! matched substrings of a string and then failed).

use mozdef_model::Document;
use serde_json::{Map, Value, json};

use super::netaddr::valid_ipv4;
use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `ipFixup`.
#[derive(Debug, Default)]
pub struct IpFixup;

impl Plugin for IpFixup {
    fn name(&self) -> &'static str {
        "ipFixup"
    }

    fn registration(&self) -> &[&str] {
        &["sourceipaddress", "destinationipaddress", "src", "dst", "srcip", "dstip", "http_x_forwarded_for"]
    }

    fn priority(&self) -> u32 {
        15
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        let Some(Value::Object(details)) = event.get_mut("details") else {
            return Ok(Verdict::Keep);
        };
        let mut errors = Vec::new();
        // The fields read below, found in one pass over the keys: a field that is absent
        // costs no lookup.
        let mut present = fields_present(details);

        if present & XFF != 0
            && let Some(xff) = details.get("http_x_forwarded_for").and_then(Value::as_str)
        {
            let first = xff.split(',').next().unwrap_or_default().to_owned();
            if valid_ipv4(&first) {
                if present & SOURCE == 0 {
                    details.insert("sourceipaddress".to_owned(), json!(first));
                    present |= SOURCE;
                }
                if !details.contains_key("sourceipv4address") {
                    details.insert("sourceipv4address".to_owned(), json!(first));
                }
            }
            if is_ipv6(&first) && !details.contains_key("sourceipv6address") {
                details.insert("sourceipv6address".to_owned(), json!(first));
            }
        }

        for (flag, field, v6, v4, other) in [
            (SOURCE, "sourceipaddress", "sourceipv6address", "sourceipv4address", "source"),
            (DESTINATION, "destinationipaddress", "destinationipv6address", "destinationipv4address", "destination"),
        ] {
            if present & flag == 0 {
                continue;
            }
            let Some(value) = details.get(field).cloned() else { continue };
            let text = value.as_str().unwrap_or_default();
            if is_ipv6(text) {
                details.insert(v6.to_owned(), value);
                details.insert(field.to_owned(), json!("0.0.0.0"));
                errors.push(format!("plugin: ipFixUp.py error: {field} is ipv6, moved"));
            } else if valid_ipv4(text) {
                details.insert(v4.to_owned(), value);
            } else {
                // Smells like a host name: keep it as `source` / `destination`.
                details.insert(other.to_owned(), value);
                details.insert(field.to_owned(), Value::Null);
            }
        }

        for (flag, field, ip, v4, v6) in [
            (SRC, "src", "sourceipaddress", Some("sourceipv4address"), "sourceipv6address"),
            (SRCIP, "srcip", "sourceipaddress", Some("sourceipv4address"), "sourceipv6address"),
            (DST, "dst", "destinationipaddress", Some("destinationipv4address"), "destinationipv6address"),
            (DSTIP, "dstip", "destinationipaddress", Some("destinationipv4address"), "destinationipv6address"),
            (CLUSTER_CLIENT_IP, "cluster_client_ip", "sourceipaddress", None, "sourceipv6address"),
        ] {
            if present & flag == 0 {
                continue;
            }
            let Some(value) = details.get(field).and_then(Value::as_str) else { continue };
            let value = value.to_owned();
            if valid_ipv4(&value) {
                details.insert(ip.to_owned(), json!(value));
                if let Some(v4) = v4 {
                    details.insert(v4.to_owned(), json!(value));
                }
            }
            if is_ipv6(&value) {
                details.insert(v6.to_owned(), json!(value));
            }
        }

        for error in errors {
            add_error(event, error);
        }
        Ok(Verdict::Keep)
    }
}

/// Flags of [`fields_present`], one per field of `details` the plugin reads.
const XFF: u8 = 1;
const SOURCE: u8 = 1 << 1;
const DESTINATION: u8 = 1 << 2;
const SRC: u8 = 1 << 3;
const SRCIP: u8 = 1 << 4;
const DST: u8 = 1 << 5;
const DSTIP: u8 = 1 << 6;
const CLUSTER_CLIENT_IP: u8 = 1 << 7;

/// Which of the fields the plugin reads are keys of `details`, as flags.
fn fields_present(details: &Map<String, Value>) -> u8 {
    details.keys().fold(0, |present, key| {
        present
            | match key.as_str() {
                "http_x_forwarded_for" => XFF,
                "sourceipaddress" => SOURCE,
                "destinationipaddress" => DESTINATION,
                "src" => SRC,
                "srcip" => SRCIP,
                "dst" => DST,
                "dstip" => DSTIP,
                "cluster_client_ip" => CLUSTER_CLIENT_IP,
                _ => 0,
            }
    })
}

/// MozDef's `addError`: appends to the top-level `errors` list, creating it when missing.
fn add_error(event: &mut Document, error: String) {
    let errors = event.entry("errors").or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = errors {
        list.push(Value::String(error));
    }
}

/// `netaddr.valid_ipv6`: glibc's `inet_pton(AF_INET6)`: up to eight groups of one to four hex
/// digits, one `::` standing for at least one group, and an optional dotted-quad IPv4 address
/// (no leading zeros) in the last 32 bits.
fn is_ipv6(s: &str) -> bool {
    let src = s.as_bytes();
    if src.contains(&0) {
        return false;
    }
    const SIZE: usize = 16;
    let mut tp = 0usize; // bytes written
    let mut double_colon = false;
    let mut i = 0;
    if src.first() == Some(&b':') {
        if src.get(1) != Some(&b':') {
            return false;
        }
        i = 1;
    }
    let mut curtok = i;
    let mut xdigits = 0;
    while let Some(&ch) = src.get(i) {
        i += 1;
        if ch.is_ascii_hexdigit() {
            // glibc >= 2.26 (BZ #16637): at most four digits per group.
            if xdigits == 4 {
                return false;
            }
            xdigits += 1;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if xdigits == 0 {
                if double_colon {
                    return false;
                }
                double_colon = true;
                continue;
            } else if i == src.len() {
                return false;
            }
            if tp + 2 > SIZE {
                return false;
            }
            tp += 2;
            xdigits = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= SIZE && is_pton4(&src[curtok..]) {
            tp += 4;
            xdigits = 0;
            break;
        }
        return false;
    }
    if xdigits > 0 {
        if tp + 2 > SIZE {
            return false;
        }
        tp += 2;
    }
    if double_colon {
        if tp == SIZE {
            return false;
        }
        tp = SIZE;
    }
    tp == SIZE
}

/// glibc's `inet_pton(AF_INET)`: exactly four decimal bytes, no leading zeros.
fn is_pton4(src: &[u8]) -> bool {
    let mut octets = 0;
    let mut saw_digit = false;
    let mut current: u32 = 0;
    for &ch in src {
        if ch.is_ascii_digit() {
            if saw_digit && current == 0 {
                return false;
            }
            current = current * 10 + u32::from(ch - b'0');
            if current > 255 {
                return false;
            }
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return false;
                }
                saw_digit = true;
            }
        } else if ch == b'.' && saw_digit {
            if octets == 4 {
                return false;
            }
            current = 0;
            saw_digit = false;
        } else {
            return false;
        }
    }
    octets >= 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_read_are_found_by_name() {
        let details = serde_json::json!({
            "src": 1, "dstip": null, "sourceipaddress": "x", "sourceipv4address": "y", "SRC": 2, "http_x_forwarded_for": ""
        });
        let present = details.as_object().map_or(0, fields_present);
        assert_eq!(present, SRC | DSTIP | SOURCE | XFF);
        assert_eq!(fields_present(&Map::new()), 0);
    }

    #[test]
    fn ipv6_is_inet_pton() {
        for ok in [
            "::",
            "::1",
            "1::",
            "fe80::1",
            "2001:db8:0:0:0:0:2:1",
            "2001:DB8::2:1",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:8",
            "1::3:4:5:6:7:8",
            "0000:00:0::FFFF",
        ] {
            assert!(is_ipv6(ok), "{ok}");
        }
        for bad in [
            "",
            ":",
            ":::",
            ":1::",
            "1:::2",
            "1::2::3",
            "::1:",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7::8",
            "1:2:3:4:5:6:7:8::",
            "10000::",
            "00001::",
            "::01.2.3.4",
            "::1.2.3",
            "::1.2.3.4.5",
            "::256.1.1.1",
            "1.2.3.4",
            "fe80::1%eth0",
            "[::1]",
            " ::1",
            "g::",
        ] {
            assert!(!is_ipv6(bad), "{bad}");
        }
    }
}
