//! `ip_source_enrichment.py`: every IPv4/IPv6 address written anywhere in an alert that lies
//! in a configured `known` range is described in the summary and listed in `details.sites`.

use std::net::{IpAddr, Ipv6Addr};

use async_trait::async_trait;
use mozdef_model::Document;
use mozdef_query::IpNetwork;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::backend::AlertBackend;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::plugin::AlertPlugin;
use crate::plugins::{append_summary, config_error, details_mut};

/// The plugin's name.
pub const NAME: &str = "ip_source_enrichment";

/// One known range.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Known {
    /// A CIDR block, IPv4 or IPv6.
    pub range: String,
    /// The site it belongs to.
    pub site: String,
    /// Python `str.format` text: `{0}` (or the first `{}`) is the address, `{1}` the site.
    pub format: String,
}

/// `ip_source_enrichment.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The known ranges.
    pub known: Vec<Known>,
}

impl Default for Config {
    fn default() -> Self {
        let known = |range: &str, site: &str| Known {
            range: range.into(),
            site: site.into(),
            format: format!("{{0}} is in {site}."),
        };
        Config { known: vec![known("8.32.0.0/16", "OFFICE1"), known("4a00:7a49:232::/48", "OFFICE2")] }
    }
}

/// The plugin.
#[derive(Debug, Clone)]
pub struct IpSourceEnrichment {
    known: Vec<(IpNetwork, Known)>,
}

impl IpSourceEnrichment {
    /// The plugin with `config`; every range must be a CIDR block.
    pub fn new(config: Config) -> Result<Self, AlertError> {
        let known = config
            .known
            .into_iter()
            .map(|k| match IpNetwork::parse(&k.range) {
                Ok(network) => Ok((network, k)),
                Err(e) => Err(config_error(NAME, format!("known range {:?}: {e}", k.range))),
            })
            .collect::<Result<_, _>>()?;
        Ok(IpSourceEnrichment { known })
    }

    /// MozDef's `enrich(alert, known_ips)`: for each distinct address found (in order of
    /// appearance) and each range holding it, `; <format>` is appended to the summary and
    /// `{ip, site}` to `details.sites` (always set, possibly empty).
    pub fn enrich(&self, mut alert: Document) -> Document {
        let mut ips: Vec<String> = Vec::new();
        collect_ips(&Value::Object(alert.clone()), &mut ips);
        let mut sites = Vec::new();
        let mut notes = String::new();
        for ip in &ips {
            let Ok(addr) = ip.parse::<IpAddr>() else { continue };
            for (network, known) in &self.known {
                if network.contains(addr) {
                    notes.push_str("; ");
                    notes.push_str(&python_format(&known.format, &[ip, &known.site]));
                    sites.push(json!({"ip": ip, "site": known.site}));
                }
            }
        }
        append_summary(&mut alert, &notes);
        details_mut(&mut alert).insert("sites".into(), Value::Array(sites));
        alert
    }
}

/// Every address in the string values of `value`, depth first, without repeats.
fn collect_ips(value: &Value, ips: &mut Vec<String>) {
    match value {
        Value::String(text) => {
            for ip in find_ipv4(text).into_iter().chain(find_ipv6(text)) {
                if !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_ips(item, ips)),
        Value::Object(map) => map.values().for_each(|item| collect_ips(item, ips)),
        _ => {}
    }
}

/// The end positions one octet (`25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?`) starting at `at`
/// can take, in the order MozDef's regular expression tries them.
fn octet_ends(s: &[u8], at: usize) -> Vec<usize> {
    let byte = |i: usize| s.get(i).copied().unwrap_or(0);
    let digit = |i: usize| byte(i).is_ascii_digit();
    let mut ends = Vec::new();
    if byte(at) == b'2' && byte(at + 1) == b'5' && (b'0'..=b'5').contains(&byte(at + 2)) {
        ends.push(at + 3);
    }
    if byte(at) == b'2' && (b'0'..=b'4').contains(&byte(at + 1)) && digit(at + 2) {
        ends.push(at + 3);
    }
    if matches!(byte(at), b'0' | b'1') && digit(at + 1) {
        if digit(at + 2) {
            ends.push(at + 3);
        }
        ends.push(at + 2);
    }
    if digit(at) {
        if digit(at + 1) {
            ends.push(at + 2);
        }
        ends.push(at + 1);
    }
    ends
}

/// Where a dotted quad starting at `at` (octet number `octet`) ends, if one does.
fn ipv4_end(s: &[u8], at: usize, octet: usize) -> Option<usize> {
    octet_ends(s, at).into_iter().find_map(|end| {
        if octet == 3 {
            Some(end)
        } else if s.get(end) == Some(&b'.') {
            ipv4_end(s, end + 1, octet + 1)
        } else {
            None
        }
    })
}

/// The IPv4 addresses in `text`, found as MozDef's regular expression finds them (leftmost,
/// not overlapping, no word boundaries).
fn find_ipv4(text: &str) -> Vec<String> {
    let s = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < s.len() {
        match ipv4_end(s, at, 0) {
            Some(end) => {
                found.push(text[at..end].to_owned());
                at = end;
            }
            None => at += 1,
        }
    }
    found
}

/// The IPv6 addresses in `text`: each run of hex digits, colons and dots that reads as an
/// IPv6 address (also without one stray colon or trailing dots around it). MozDef's regular
/// expression stopped at the first alternative that matched, cutting `2001:db8::1` to
/// `2001:db8::`; a whole address is kept here.
fn find_ipv6(text: &str) -> Vec<String> {
    let in_run = |c: char| c.is_ascii_hexdigit() || c == ':' || c == '.';
    let mut found = Vec::new();
    for run in text.split(|c: char| !in_run(c)) {
        let run = run.trim_end_matches('.');
        if run.matches(':').count() < 2 {
            continue;
        }
        let lead = if run.starts_with(':') && !run.starts_with("::") { &run[1..] } else { run };
        let candidates = [run, lead, strip_colon(run), strip_colon(lead)];
        if let Some(ip) = candidates.into_iter().find(|c| c.parse::<Ipv6Addr>().is_ok()) {
            found.push(ip.to_owned());
        }
    }
    found
}

/// `s` without one trailing colon (a `::` ending is part of the address).
fn strip_colon(s: &str) -> &str {
    if s.ends_with(':') && !s.ends_with("::") { &s[..s.len() - 1] } else { s }
}

/// Python's `str.format` with positional arguments: `{0}`, `{1}`, `{}` (numbered in turn),
/// `{{` and `}}`. Anything else stays as written.
pub fn python_format(format: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(format.len());
    let mut chars = format.chars().peekable();
    let mut next_auto = 0;
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                let mut closed = false;
                for f in chars.by_ref() {
                    if f == '}' {
                        closed = true;
                        break;
                    }
                    field.push(f);
                }
                let index = if field.is_empty() {
                    next_auto += 1;
                    Some(next_auto - 1)
                } else {
                    field.parse::<usize>().ok()
                };
                match index.and_then(|i| args.get(i)) {
                    Some(arg) if closed => out.push_str(arg),
                    _ => {
                        out.push('{');
                        out.push_str(&field);
                        if closed {
                            out.push('}');
                        }
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[async_trait]
impl AlertPlugin for IpSourceEnrichment {
    fn name(&self) -> &str {
        NAME
    }

    fn registration(&self) -> Vec<String> {
        vec!["*".into()]
    }

    async fn on_message(
        &self,
        alert: Document,
        _backend: &dyn AlertBackend,
        _ctx: &AlertContext,
    ) -> Result<Document, String> {
        Ok(self.enrich(alert))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_addresses_as_mozdef_did() {
        assert_eq!(find_ipv4("Testing:255.0.1.2 is a random IP"), ["255.0.1.2"]);
        assert_eq!(find_ipv4("1.2.3.4,10.0.0.256 and 300.1.1.1"), ["1.2.3.4", "10.0.0.25", "00.1.1.1"]);
        assert_eq!(find_ipv6(r#"Found IPs ["3001:4d9c:b29:12f0::"]"#), ["3001:4d9c:b29:12f0::"]);
        assert_eq!(find_ipv6("from ip:2001:db8::1. at 01:00:00"), ["2001:db8::1"]);
        assert!(find_ipv6("de:ad:be:ef:00:11 2017-01-01T01:00:00+00:00").is_empty());
    }

    #[test]
    fn formats_like_python() {
        assert_eq!(python_format("{0} is in {1}.", &["1.2.3.4", "office"]), "1.2.3.4 is in office.");
        assert_eq!(python_format("{} at {}", &["a", "b"]), "a at b");
        assert_eq!(python_format("{{0}} {2} {0", &["a"]), "{0} {2} {0");
    }
}
