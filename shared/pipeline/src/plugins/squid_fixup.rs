//! MozDef's `squidFixup` mq plugin (registration `squid`; priority 5).
//!
//! A squid event posted to a custom endpoint (`customendpoint` present, `category` equal to
//! `proxy`) is rebuilt as a MozDef event: `type` = `squid`; `details` = `{}`; `hostname`
//! from `HOST_FROM`; `tags` copied when the shipper sent `TAGS`; `category` and
//! `customendpoint` copied; `source` copied (default `unknown`); `summary` = `MESSAGE`;
//! `eventsource` = `squid`; `severity` = `INFO`. Every other key of the received event is
//! dropped.
//!
//! When `source` is `access`, `MESSAGE` is a line of squid's native access log
//! (`%ts.%03tu %6tr %>a %>p %<a %<p %Ss %<Hs %>st %<st %rm %ru %>rs %<A %mt`, split on white
//! space) and fills `details`: `duration` (seconds, a float), `sourceipaddress`,
//! `sourceport` (int, `-` → 0), `destinationipaddress` (`0.0.0.0` unless an IPv4 address as
//! `inet_aton` reads one), `proxyaction`, `destinationport` (int) and `host`, `status`,
//! `requestsize` and `responsesize` (ints), `method`, `destination` (the URL), `proto`
//! (`ssl` for a `CONNECT` logged with `-`) and `mimetype`. For `TCP_DENIED`, `host` and
//! `destinationport` come from the URL instead (`http://h[:p]/` → port 80 or `p`,
//! `https:...` → 443, `h:p` → `p`). `utctimestamp` = `timestamp` = the log time minus the
//! response time.
//!
//! Deviations from MozDef:
//! * `receivedtimestamp` and `mozdefhostname` (MozDef: the worker's clock and host name)
//!   are not set here: the save-time defaults fill them with the record's receive time and
//!   the configured `mozdefhostname`, the same values, deterministically.
//! * `TAGS` without `tags` (MozDef: `KeyError`) copies nothing.
//! * An access line MozDef could not parse (fewer than 15 fields, a number that is not one,
//!   a denied URL without a port, a time out of range; MozDef raised and lost the event)
//!   fails the plugin, naming the field, so the event goes to quarantine untouched.
//! * The `TCP_DENIED` host is the URL's host part as `tldextract` finds it (scheme,
//!   user info, port, path, query and fragment removed, trailing dots stripped), without
//!   the public suffix list: tldextract's three parts join back to exactly that for every
//!   host name without empty labels. MozDef's quirk is kept: an `https:` URL yields the
//!   host `https`.

use chrono::{DateTime, Duration, Utc};
use mozdef_model::{Document, isoformat, to_utc};
use serde_json::Value;

use super::netaddr::{is_py_space, valid_ipv4};
use super::{Handling, Metadata, Plugin, PluginError, Verdict};
use crate::python::{py_float, py_int};

/// The fields of squid's native access log format.
const ACCESS_FIELDS: usize = 15;

/// MozDef's `squidFixup`.
#[derive(Debug, Default)]
pub struct SquidFixup;

impl Plugin for SquidFixup {
    fn name(&self) -> &'static str {
        "squidFixup"
    }

    fn registration(&self) -> &[&str] {
        &["squid"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        self.handle(event, metadata).map(Handling::verdict)
    }

    fn handle(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Handling, PluginError> {
        if !event.contains_key("customendpoint") || event.get("category").and_then(Value::as_str) != Some("proxy") {
            return Ok(Handling::PassedOver);
        }
        let access = match (event.get("source").and_then(Value::as_str), event.get("MESSAGE")) {
            // Parsed before anything changes, so that a failure leaves the event as received.
            (Some("access"), Some(line)) => Some(parse_access(line)?),
            _ => None,
        };
        let mut message = std::mem::take(event);
        let (details, time) = match access {
            Some((details, time)) => (details, Some(time)),
            None => (Document::new(), None),
        };
        let out = event;
        out.insert("type".to_owned(), Value::from("squid"));
        out.insert("details".to_owned(), Value::Object(details));
        if let Some(hostname) = message.remove("HOST_FROM") {
            out.insert("hostname".to_owned(), hostname);
        }
        if message.contains_key("TAGS")
            && let Some(tags) = message.remove("tags")
        {
            out.insert("tags".to_owned(), tags);
        }
        out.insert("category".to_owned(), Value::from("proxy"));
        if let Some(customendpoint) = message.remove("customendpoint") {
            out.insert("customendpoint".to_owned(), customendpoint);
        }
        out.insert("source".to_owned(), message.remove("source").unwrap_or_else(|| Value::from("unknown")));
        if let Some(summary) = message.remove("MESSAGE") {
            out.insert("summary".to_owned(), summary);
        }
        if let Some(time) = time {
            out.insert("utctimestamp".to_owned(), Value::String(time.clone()));
            out.insert("timestamp".to_owned(), Value::String(time));
        }
        out.insert("eventsource".to_owned(), Value::from("squid"));
        out.insert("severity".to_owned(), Value::from("INFO"));
        Ok(Handling::Verdict(Verdict::Keep))
    }
}

/// Parses a squid access line into `details` and the request's start time (ISO 8601).
fn parse_access(line: &Value) -> Result<(Document, String), PluginError> {
    let Value::String(line) = line else {
        return Err(PluginError::new("MESSAGE: a squid access line must be a string"));
    };
    let tokens: Vec<&str> = line.split(is_py_space).filter(|t| !t.is_empty()).collect();
    if tokens.len() < ACCESS_FIELDS {
        return Err(PluginError::new(format!(
            "MESSAGE: a squid access line has {ACCESS_FIELDS} fields, this one has {}",
            tokens.len()
        )));
    }
    let field = |i: usize| tokens.get(i).copied().unwrap_or_default();
    let elapsed_ms = float(field(1), "response time")?;
    let mut details = Document::new();
    details.insert("duration".to_owned(), number(elapsed_ms / 1000.0));
    details.insert("sourceipaddress".to_owned(), Value::from(field(2)));
    details.insert("sourceport".to_owned(), create_int(field(3), "client port")?);
    let destination_ip = if valid_ipv4(field(4)) { field(4) } else { "0.0.0.0" };
    details.insert("destinationipaddress".to_owned(), Value::from(destination_ip));
    let action = field(6);
    details.insert("proxyaction".to_owned(), Value::from(action));
    if action != "TCP_DENIED" {
        details.insert("destinationport".to_owned(), create_int(field(5), "server port")?);
        details.insert("host".to_owned(), Value::from(field(13)));
    } else {
        let (fqdn, port) = tokenize_url(field(11))?;
        details.insert("destinationport".to_owned(), port);
        details.insert("host".to_owned(), Value::from(fqdn));
    }
    details.insert("status".to_owned(), Value::from(field(7)));
    details.insert("requestsize".to_owned(), int(field(8), "request size")?);
    details.insert("responsesize".to_owned(), int(field(9), "reply size")?);
    let method = field(10);
    details.insert("method".to_owned(), Value::from(method));
    details.insert("destination".to_owned(), Value::from(field(11)));
    let proto = match field(12) {
        "-" if method == "CONNECT" => "ssl",
        proto => proto,
    };
    details.insert("proto".to_owned(), Value::from(proto));
    details.insert("mimetype".to_owned(), Value::from(field(14)));
    let logged = float(field(0), "time")?;
    let start = start_time(logged, elapsed_ms).ok_or_else(|| {
        PluginError::new(format!("MESSAGE: time {} minus {} ms is not a valid date", field(0), field(1)))
    })?;
    Ok((details, isoformat(&start)))
}

/// `toUTC(logged) - timedelta(milliseconds=elapsed_ms)`.
fn start_time(logged: f64, elapsed_ms: f64) -> Option<DateTime<Utc>> {
    // A number never needs "now".
    let logged = to_utc(&number(logged), DateTime::UNIX_EPOCH).ok()?;
    // timedelta rounds to whole microseconds, half to even.
    let micros = (elapsed_ms * 1000.0).round_ties_even();
    if !micros.is_finite() || micros.abs() > 1e17 {
        return None;
    }
    logged.checked_sub_signed(Duration::microseconds(micros as i64))
}

/// A float as a JSON number (`null` for NaN and infinities, which Python's `float()` of a
/// field can yield but JSON cannot hold; they fail later steps anyway).
fn number(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Python's `float(field)`.
fn float(text: &str, what: &str) -> Result<f64, PluginError> {
    py_float(&Value::from(text))
        .and_then(|v| v.as_f64())
        .ok_or_else(|| PluginError::new(format!("MESSAGE: the {what} field {text:?} is not a number")))
}

/// Python's `int(field)`.
fn int(text: &str, what: &str) -> Result<Value, PluginError> {
    py_int(&Value::from(text))
        .ok_or_else(|| PluginError::new(format!("MESSAGE: the {what} field {text:?} is not an integer")))
}

/// MozDef's `int(create_int(field))`: `-` is 0.
fn create_int(text: &str, what: &str) -> Result<Value, PluginError> {
    if text == "-" { Ok(Value::from(0)) } else { int(text, what) }
}

/// MozDef's `tokenize_url`: the host and port of a denied request's URL.
fn tokenize_url(url: &str) -> Result<(&str, Value), PluginError> {
    let url = url.trim_matches(is_py_space);
    let tokens: Vec<&str> = url.split(':').collect();
    let bad = || PluginError::new(format!("MESSAGE: no destination port in the denied URL {url:?}"));
    let (offset, port) = match tokens.first().copied() {
        Some("http") => {
            let port = match tokens.get(2) {
                Some(rest) => py_int(&Value::from(rest.split('/').next().unwrap_or_default())).ok_or_else(bad)?,
                None => Value::from(80),
            };
            (1, port)
        }
        Some("https") => (0, Value::from(443)),
        _ => (0, tokens.last().and_then(|last| py_int(&Value::from(*last))).ok_or_else(bad)?),
    };
    let host = tokens.get(offset).copied().ok_or_else(bad)?;
    Ok((tld_host(host), port))
}

/// The host part of a URL as `tldextract` finds it (its `netloc`).
fn tld_host(url: &str) -> &str {
    let url = strip_scheme(url);
    let end = url.find(['/', '?', '#']).unwrap_or(url.len());
    let netloc = &url[..end];
    let netloc = netloc.rsplit('@').next().unwrap_or(netloc);
    let netloc = netloc.split(':').next().unwrap_or(netloc);
    netloc.trim_matches(is_py_space).trim_end_matches('.')
}

/// tldextract's `SCHEME_RE`: `^([A-Za-z0-9+-.]+:)?//` removed.
fn strip_scheme(url: &str) -> &str {
    let after_scheme = url
        .split_once(':')
        .filter(|(scheme, _)| {
            !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        })
        .map_or(url, |(_, rest)| rest);
    after_scheme.strip_prefix("//").unwrap_or_else(|| url.strip_prefix("//").unwrap_or(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_url_reproduces_mozdef() {
        let cases = [
            ("test.com:444", "test.com", 444),
            ("http://test.com:444/", "test.com", 444),
            ("http://test.com/", "test.com", 80),
            ("http://user@www.test.com:8080/a?b#c", "www.test.com", 8080),
            ("https://test.com/x", "https", 443),
            ("10.1.2.3:443", "10.1.2.3", 443),
        ];
        for (url, host, port) in cases {
            let got = tokenize_url(url).ok();
            assert_eq!(got, Some((host, Value::from(port))), "{url}");
        }
        assert!(tokenize_url("test.com").is_err());
        assert!(tokenize_url("ftp://test.com/").is_err());
        assert!(tokenize_url("http").is_err());
    }

    #[test]
    fn start_time_subtracts_the_response_time() {
        let start = start_time(1548043032.187, 524.0).map(|t| isoformat(&t));
        assert_eq!(start.as_deref(), Some("2019-01-21T03:57:11.663000+00:00"));
    }
}
