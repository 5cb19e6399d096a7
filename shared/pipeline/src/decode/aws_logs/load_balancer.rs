//! Application and Network Load Balancer access logs (AWS: "Access logs for your Application
//! Load Balancer", "Access logs for your Network Load Balancer").
//!
//! A line is its fields separated by spaces; a field may be enclosed in double quotes (a
//! request line, a user agent), with `\"` for a quote inside; `-` or `"-"` means no value and
//! leaves the field's key out. AWS appends new fields at the end of the line over time: the
//! fields this code knows are read, any after them are ignored, and a line is refused only
//! when it lacks the first ones every version of the format has (ALB: the 13 fields through
//! `"request"`; NLB: the 11 through `sent_bytes`).
//!
//! **Application Load Balancer** (`type time elb client:port target:port ... conn_trace_id`):
//! `category` `web`, `source` `alb`, `tags` `["aws", "elb", "alb"]`, `severity` `INFO`,
//! `hostname` the `elb` field (`app/my-lb/50dc6c495c0c9188`), `utctimestamp` the `time`
//! field, `summary` e.g. `ALB app/my-lb/50dc6c495c0c9188 192.168.131.39 GET
//! https://www.example.com:443/ 200` (method, URL and status `-` when missing). `details`:
//! `type`; `sourceipaddress` and `sourceport` (the client); `targetipaddress` and
//! `targetport`; `requestprocessingtime`, `targetprocessingtime`, `responseprocessingtime`
//! (seconds, JSON floats; `-1` kept); `elbstatuscode`, `targetstatuscode`, `receivedbytes`,
//! `sentbytes`, `matchedrulepriority` (integers); `request` (the request line as written) with
//! `requestmethod`, `requesturl`, `requestprotocol` and `host` (the URL's host, as MozDef's
//! HTTP events name it); `useragent`, `sslcipher`, `sslprotocol`, `targetgrouparn`,
//! `traceid`, `domainname`, `chosencertarn`; `requestcreationtime` (ISO 8601);
//! `actionsexecuted` (a list, split on `,`); `redirecturl`, `errorreason`; `targetportlist`
//! (a list of `ip:port`) and `targetstatuscodelist` (a list of integers), both split on
//! spaces; `classification`, `classificationreason`, `conntraceid`.
//!
//! **Network Load Balancer** (TLS listeners: `type version time elb listener client:port
//! destination:port ... tls_connection_creation_time`): `category` `network`, `source` `nlb`,
//! `tags` `["aws", "elb", "nlb"]`, `severity` `INFO`, `hostname` the `elb` field,
//! `utctimestamp` the `time` field (the end of the connection), `summary` e.g. `NLB
//! net/my-nlb/c6e77e28c25b2234 72.21.218.154:51341 -> 172.100.100.185:443 tlsv12
//! my-nlb.example.com`. `details`: `type`, `version` (text, e.g. `2.0`), `listener`,
//! `sourceipaddress`/`sourceport` (the client), `destinationipaddress`/`destinationport`,
//! `connectiontime` and `tlshandshaketime` (milliseconds), `receivedbytes`, `sentbytes`,
//! `incomingtlsalert` (integers), `chosencertarn`, `chosencertserial`, `tlscipher`,
//! `tlsprotocolversion`, `tlsnamedgroup`, `domainname`, `alpnfeprotocol`, `alpnbeprotocol`,
//! `alpnclientpreferencelist` (a list: `"h2","http/1.1"` → `["h2", "http/1.1"]`),
//! `tlsconnectioncreationtime` (ISO 8601).
//!
//! Addresses are written `ip:port`, the last `:` separating the port, so an IPv6 address may
//! be written bare (`2001:db8::1:443`) or in brackets (`[2001:db8::1]:443`); the address
//! must be an IP address and the port a number. Times without a zone (NLB writes
//! `2018-12-20T02:59:40`) are UTC. Every value that is not of its documented type makes the
//! line unparsable, with the field named.

use std::borrow::Cow;
use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, Utc};
use mozdef_model::{Document, isoformat};
use serde_json::{Number, Value};

use super::schema::Head;
use crate::NormalizeContext;

/// How a field's value is read, and the `details` key(s) it goes to.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Read by the caller into the event's head (`time`, `elb`); not in `details`.
    Head,
    /// Text, as written.
    Text(&'static str),
    /// A signed integer.
    Integer(&'static str),
    /// A number of seconds (a JSON float).
    Seconds(&'static str),
    /// An ISO 8601 time, written as MozDef's `isoformat`.
    Time(&'static str),
    /// `ip:port` into an address key and a port key.
    Endpoint(&'static str, &'static str),
    /// An ALB request line (`GET https://host:443/path HTTP/1.1`).
    Request,
    /// A comma-separated list.
    CommaList(&'static str),
    /// A space-separated list.
    SpaceList(&'static str),
    /// A space-separated list of integers.
    IntegerList(&'static str),
    /// A comma-separated list of double-quoted items (`"h2","http/1.1"`).
    QuotedList(&'static str),
}

/// A field of a format: its AWS name and how it is read.
type Spec = (&'static str, Kind);

/// The fields of an Application Load Balancer log line, in order.
const ALB_FIELDS: [Spec; 30] = [
    ("type", Kind::Text("type")),
    ("time", Kind::Head),
    ("elb", Kind::Head),
    ("client:port", Kind::Endpoint("sourceipaddress", "sourceport")),
    ("target:port", Kind::Endpoint("targetipaddress", "targetport")),
    ("request_processing_time", Kind::Seconds("requestprocessingtime")),
    ("target_processing_time", Kind::Seconds("targetprocessingtime")),
    ("response_processing_time", Kind::Seconds("responseprocessingtime")),
    ("elb_status_code", Kind::Integer("elbstatuscode")),
    ("target_status_code", Kind::Integer("targetstatuscode")),
    ("received_bytes", Kind::Integer("receivedbytes")),
    ("sent_bytes", Kind::Integer("sentbytes")),
    ("request", Kind::Request),
    ("user_agent", Kind::Text("useragent")),
    ("ssl_cipher", Kind::Text("sslcipher")),
    ("ssl_protocol", Kind::Text("sslprotocol")),
    ("target_group_arn", Kind::Text("targetgrouparn")),
    ("trace_id", Kind::Text("traceid")),
    ("domain_name", Kind::Text("domainname")),
    ("chosen_cert_arn", Kind::Text("chosencertarn")),
    ("matched_rule_priority", Kind::Integer("matchedrulepriority")),
    ("request_creation_time", Kind::Time("requestcreationtime")),
    ("actions_executed", Kind::CommaList("actionsexecuted")),
    ("redirect_url", Kind::Text("redirecturl")),
    ("error_reason", Kind::Text("errorreason")),
    ("target:port_list", Kind::SpaceList("targetportlist")),
    ("target_status_code_list", Kind::IntegerList("targetstatuscodelist")),
    ("classification", Kind::Text("classification")),
    ("classification_reason", Kind::Text("classificationreason")),
    ("conn_trace_id", Kind::Text("conntraceid")),
];

/// The ALB fields every line has (through `"request"`).
const ALB_REQUIRED: usize = 13;

/// The fields of a Network Load Balancer (TLS listener) log line, in order.
const NLB_FIELDS: [Spec; 22] = [
    ("type", Kind::Text("type")),
    ("version", Kind::Text("version")),
    ("time", Kind::Head),
    ("elb", Kind::Head),
    ("listener", Kind::Text("listener")),
    ("client:port", Kind::Endpoint("sourceipaddress", "sourceport")),
    ("destination:port", Kind::Endpoint("destinationipaddress", "destinationport")),
    ("connection_time", Kind::Integer("connectiontime")),
    ("tls_handshake_time", Kind::Integer("tlshandshaketime")),
    ("received_bytes", Kind::Integer("receivedbytes")),
    ("sent_bytes", Kind::Integer("sentbytes")),
    ("incoming_tls_alert", Kind::Integer("incomingtlsalert")),
    ("chosen_cert_arn", Kind::Text("chosencertarn")),
    ("chosen_cert_serial", Kind::Text("chosencertserial")),
    ("tls_cipher", Kind::Text("tlscipher")),
    ("tls_protocol_version", Kind::Text("tlsprotocolversion")),
    ("tls_named_group", Kind::Text("tlsnamedgroup")),
    ("domain_name", Kind::Text("domainname")),
    ("alpn_fe_protocol", Kind::Text("alpnfeprotocol")),
    ("alpn_be_protocol", Kind::Text("alpnbeprotocol")),
    ("alpn_client_preference_list", Kind::QuotedList("alpnclientpreferencelist")),
    ("tls_connection_creation_time", Kind::Time("tlsconnectioncreationtime")),
];

/// The NLB fields every line has (through `sent_bytes`).
const NLB_REQUIRED: usize = 11;

/// An Application Load Balancer log line.
///
/// # Errors
///
/// Why the line cannot be parsed: an unterminated quote, too few fields, or a field whose
/// value is not of its documented type (named).
pub fn alb_event(line: &str, ctx: &NormalizeContext) -> Result<Document, String> {
    let record = Record::parse(line, &ALB_FIELDS, ALB_REQUIRED)?;
    let details = record.details()?;
    let elb = record.head("elb")?;
    let summary = format!(
        "ALB {elb} {} {} {} {}",
        text(&details, "sourceipaddress"),
        text(&details, "requestmethod"),
        text(&details, "requesturl"),
        details.get("elbstatuscode").and_then(Value::as_i64).map_or_else(|| "-".to_owned(), |n| n.to_string()),
    );
    let head = Head {
        when: record.time()?,
        category: "web",
        source: "alb",
        tags: tags(&["aws", "elb", "alb"]),
        severity: "INFO",
        hostname: Some(elb.to_owned()),
        summary,
    };
    Ok(head.event(details, ctx))
}

/// A Network Load Balancer log line.
///
/// # Errors
///
/// Why the line cannot be parsed: an unterminated quote, too few fields, or a field whose
/// value is not of its documented type (named).
pub fn nlb_event(line: &str, ctx: &NormalizeContext) -> Result<Document, String> {
    let record = Record::parse(line, &NLB_FIELDS, NLB_REQUIRED)?;
    let details = record.details()?;
    let elb = record.head("elb")?;
    let mut summary = vec!["NLB", elb, record.raw("client:port"), "->", record.raw("destination:port")];
    summary.extend(["tlsprotocolversion", "domainname"].iter().filter_map(|key| details.get(*key)?.as_str()));
    let head = Head {
        when: record.time()?,
        category: "network",
        source: "nlb",
        tags: tags(&["aws", "elb", "nlb"]),
        severity: "INFO",
        hostname: Some(elb.to_owned()),
        summary: summary.join(" "),
    };
    Ok(head.event(details, ctx))
}

/// `tags` as the event's list.
fn tags(tags: &[&str]) -> Vec<String> {
    tags.iter().map(|t| (*t).to_owned()).collect()
}

/// The text of `details[key]`, or `-`.
fn text<'a>(details: &'a Document, key: &str) -> &'a str {
    details.get(key).and_then(Value::as_str).unwrap_or("-")
}

/// A line split into its fields, with the format they are read by.
struct Record<'a> {
    tokens: Vec<Token<'a>>,
    specs: &'static [Spec],
}

impl<'a> Record<'a> {
    /// The fields of `line`, at least `required` of them.
    fn parse(line: &'a str, specs: &'static [Spec], required: usize) -> Result<Self, String> {
        let tokens = tokenize(line)?;
        if tokens.len() < required {
            let names: Vec<&str> = specs.iter().take(required).map(|(name, _)| *name).collect();
            return Err(format!("expected at least {required} fields ({}), got {}", names.join(" "), tokens.len()));
        }
        Ok(Record { tokens, specs })
    }

    /// The token of the field `name`, if the line has it.
    fn token(&self, name: &str) -> Option<&Token<'a>> {
        self.specs.iter().position(|(n, _)| *n == name).and_then(|at| self.tokens.get(at))
    }

    /// The field `name` as written (`-` when the line lacks it).
    fn raw(&self, name: &str) -> &'a str {
        self.token(name).map_or("-", |t| t.raw)
    }

    /// The value of a head field (always among the required ones).
    fn head(&self, name: &str) -> Result<&str, String> {
        self.token(name).and_then(Token::value).ok_or_else(|| format!("{name}: no value"))
    }

    /// The record's time (the `time` field).
    fn time(&self) -> Result<DateTime<Utc>, String> {
        let time = self.head("time")?;
        parse_time(time).ok_or_else(|| format!("time: `{time}` is not an ISO 8601 time"))
    }

    /// The `details` of the known fields present.
    fn details(&self) -> Result<Document, String> {
        let mut details = Document::new();
        for ((name, kind), token) in self.specs.iter().zip(&self.tokens) {
            if let Some(value) = token.value() {
                put(&mut details, *kind, token.raw, value).map_err(|problem| format!("{name}: {problem}"))?;
            }
        }
        Ok(details)
    }
}

/// Writes the field of `kind` with `value` (`raw` as written) into `details`.
fn put(details: &mut Document, kind: Kind, raw: &str, value: &str) -> Result<(), String> {
    let mut insert = |key: &str, value: Value| {
        details.insert(key.to_owned(), value);
    };
    match kind {
        Kind::Head => {}
        Kind::Text(key) => insert(key, Value::String(value.to_owned())),
        Kind::Integer(key) => insert(key, integer(value)?),
        Kind::Seconds(key) => insert(key, seconds(value)?),
        Kind::Time(key) => {
            let time = parse_time(value).ok_or_else(|| format!("`{value}` is not an ISO 8601 time"))?;
            insert(key, Value::String(isoformat(&time)));
        }
        Kind::Endpoint(address_key, port_key) => {
            let (address, port) = endpoint(value)?;
            insert(address_key, Value::String(address.to_owned()));
            insert(port_key, Value::Number(Number::from(port)));
        }
        Kind::Request => {
            for (key, part) in request(value) {
                insert(key, Value::String(part.to_owned()));
            }
        }
        Kind::CommaList(key) => insert(key, list(value.split(','))),
        Kind::SpaceList(key) => insert(key, list(value.split_whitespace())),
        Kind::IntegerList(key) => {
            insert(key, Value::Array(value.split_whitespace().map(integer).collect::<Result<_, _>>()?));
        }
        Kind::QuotedList(key) => insert(key, list(raw.split(',').map(|item| item.trim_matches('"')))),
    }
    Ok(())
}

/// The non-empty `items` as a JSON list of strings.
fn list<'v>(items: impl Iterator<Item = &'v str>) -> Value {
    Value::Array(items.filter(|i| !i.is_empty()).map(|i| Value::String(i.to_owned())).collect())
}

/// A signed integer.
fn integer(value: &str) -> Result<Value, String> {
    value.parse::<i64>().map(|n| Value::Number(Number::from(n))).map_err(|_| format!("`{value}` is not an integer"))
}

/// A finite number (of seconds).
fn seconds(value: &str) -> Result<Value, String> {
    value
        .parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| format!("`{value}` is not a number of seconds"))
}

/// An ISO 8601 time with a zone, or without one (UTC).
fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Some(time.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|naive| naive.and_utc())
}

/// `ip:port` (the last `:` separates the port; `[ipv6]:port` too) → the address and port.
fn endpoint(value: &str) -> Result<(&str, u16), String> {
    let (address, port) = value.rsplit_once(':').ok_or_else(|| format!("`{value}` is not ip:port"))?;
    let address = address.strip_prefix('[').and_then(|a| a.strip_suffix(']')).unwrap_or(address);
    if address.parse::<IpAddr>().is_err() {
        return Err(format!("`{address}` is not an IP address"));
    }
    let port = port.parse::<u16>().map_err(|_| format!("`{port}` is not a port"))?;
    Ok((address, port))
}

/// The parts of a request line `METHOD URL PROTOCOL` and the URL's host, each with its
/// `details` key: `request` (the whole line), `requestmethod`, `requesturl`,
/// `requestprotocol`, `host`. Parts written `-` are left out; a line that is not three parts
/// is kept whole only.
fn request(line: &str) -> Vec<(&'static str, &str)> {
    let parts: Vec<&str> = line.split(' ').filter(|p| !p.is_empty()).collect();
    if parts.iter().all(|p| *p == "-") {
        return Vec::new();
    }
    let mut out = vec![("request", line)];
    if let [method, url, protocol] = parts[..] {
        let host = url_host(url).unwrap_or("-");
        let named = [("requestmethod", method), ("requesturl", url), ("requestprotocol", protocol), ("host", host)];
        out.extend(named.into_iter().filter(|(_, part)| *part != "-"));
    }
    out
}

/// The host of `scheme://host:port/path` (without brackets for IPv6).
fn url_host(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split_once(']')?.0,
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    (!host.is_empty()).then_some(host)
}

/// One field of a line: as written, and its value (unquoted and unescaped).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token<'a> {
    raw: &'a str,
    text: Cow<'a, str>,
}

impl Token<'_> {
    /// The value; `None` for `-` (or `"-"`): no value.
    fn value(&self) -> Option<&str> {
        Some(self.text.as_ref()).filter(|t| *t != "-")
    }
}

/// The fields of `line`: separated by spaces (a run of them counts as one); a field starting
/// with `"` runs to the next `"` followed by a space or the end of the line, `\"` and `\\`
/// inside standing for `"` and `\`.
///
/// # Errors
///
/// A quoted field that is never closed.
fn tokenize(line: &str) -> Result<Vec<Token<'_>>, String> {
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < line.len() {
        let rest = &line[at..];
        if let Some(after) = rest.strip_prefix(' ') {
            at = line.len() - after.len();
            continue;
        }
        let (len, text) = if rest.starts_with('"') {
            quoted(rest).ok_or_else(|| format!("field {}: unterminated quote", tokens.len() + 1))?
        } else {
            let len = rest.find(' ').unwrap_or(rest.len());
            (len, Cow::Borrowed(&rest[..len]))
        };
        tokens.push(Token { raw: &rest[..len], text });
        at += len;
    }
    Ok(tokens)
}

/// The length of the quoted field at the start of `rest` (quotes included) and its value, or
/// `None` when it is not closed.
fn quoted(rest: &str) -> Option<(usize, Cow<'_, str>)> {
    let bytes = rest.as_bytes();
    // Whether the value is the text between the quotes as it is (no escapes).
    let mut plain = true;
    let mut at = 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if matches!(bytes.get(at + 1), Some(b'"' | b'\\')) => {
                plain = false;
                at += 2;
            }
            b'"' if matches!(bytes.get(at + 1), None | Some(b' ')) => {
                let inner = &rest[1..at];
                let text = if plain { Cow::Borrowed(inner) } else { Cow::Owned(unescape(inner)) };
                return Some((at + 1, text));
            }
            // Any other byte, a quote not followed by a space included, is part of the value.
            _ => at += 1,
        }
    }
    None
}

/// `inner` with `\"` and `\\` read as `"` and `\`.
fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && (next == '"' || next == '\\')
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use serde_json::json;

    /// AWS's example HTTP entry, with the fields added since (target lists, classification,
    /// connection trace id).
    const ALB_HTTP: &str = "http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 \
        192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 \
        \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.46.0\" - - \
        arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 \
        \"Root=1-58337262-36d228ad5d99923122bbe354\" \"-\" \"-\" 0 2018-07-02T22:22:48.364000Z \"forward\" \"-\" \"-\" \
        \"10.0.0.1:80\" \"200\" \"-\" \"-\" TID_1234abcd5678ef90";

    /// AWS's example NLB entry for a TLS listener with an ALPN policy, with the connection
    /// creation time added since.
    const NLB_TLS: &str = "tls 2.0 2020-04-01T08:51:42 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd \
        72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - \
        arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - \
        ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com \
        h2 h2 \"h2\",\"http/1.1\" 2020-04-01T08:51:20";

    fn ctx() -> NormalizeContext {
        NormalizeContext {
            received: Utc.with_ymd_and_hms(2026, 12, 7, 10, 5, 0).unwrap(),
            mozdefhostname: "m".to_owned(),
        }
    }

    fn values(line: &str) -> Vec<Option<String>> {
        tokenize(line).unwrap().iter().map(|t| t.value().map(str::to_owned)).collect()
    }

    fn some(values: &[&str]) -> Vec<Option<String>> {
        values.iter().map(|v| Some((*v).to_owned())).collect()
    }

    #[test]
    fn the_tokenizer_reads_plain_and_quoted_fields() {
        assert_eq!(values("a b  c "), some(&["a", "b", "c"]));
        assert_eq!(
            values("\"GET http://x:80/ HTTP/1.1\" \"curl/7.46.0\""),
            some(&["GET http://x:80/ HTTP/1.1", "curl/7.46.0"])
        );
        assert_eq!(values("- \"-\" \"\" x"), vec![None, None, Some(String::new()), Some("x".to_owned())]);
        assert_eq!(values(r#""say \"hi\" \\ there" end"#), some(&[r#"say "hi" \ there"#, "end"]));
        // A quote not followed by a space is part of the value (NLB's ALPN list).
        let tokens = tokenize(r#"h2 "h2","http/1.1" last"#).unwrap();
        assert_eq!(tokens[1].raw, r#""h2","http/1.1""#);
        assert_eq!(tokens[1].value(), Some(r#"h2","http/1.1"#));
        assert_eq!(tokens[2].value(), Some("last"));
        // A backslash before anything else is kept.
        assert_eq!(values(r#""C:\dir" x"#), some(&[r"C:\dir", "x"]));
        assert_eq!(values(""), Vec::<Option<String>>::new());
        assert_eq!(values("a\"b c"), some(&["a\"b", "c"]));
    }

    #[test]
    fn an_unterminated_quote_is_an_error() {
        assert_eq!(tokenize("a \"GET http://x/ HTTP/1.1").unwrap_err(), "field 2: unterminated quote");
        assert_eq!(tokenize("a b \"ends with escape\\\"").unwrap_err(), "field 3: unterminated quote");
        assert_eq!(tokenize("\"").unwrap_err(), "field 1: unterminated quote");
    }

    #[test]
    fn endpoints_split_at_the_last_colon() {
        assert_eq!(endpoint("192.168.131.39:2817"), Ok(("192.168.131.39", 2817)));
        assert_eq!(endpoint("[2001:db8::1]:443"), Ok(("2001:db8::1", 443)));
        assert_eq!(endpoint("2001:db8::1:443"), Ok(("2001:db8::1", 443)));
        assert_eq!(endpoint("10.0.0.1"), Err("`10.0.0.1` is not ip:port".to_owned()));
        assert_eq!(endpoint("10.0.0.1:http"), Err("`http` is not a port".to_owned()));
        assert_eq!(endpoint("10.0.0.1:70000"), Err("`70000` is not a port".to_owned()));
        assert_eq!(endpoint("host.example:80"), Err("`host.example` is not an IP address".to_owned()));
    }

    #[test]
    fn request_lines_split_into_method_url_protocol_and_host() {
        assert_eq!(
            request("GET https://www.example.com:443/a?b=c HTTP/1.1"),
            vec![
                ("request", "GET https://www.example.com:443/a?b=c HTTP/1.1"),
                ("requestmethod", "GET"),
                ("requesturl", "https://www.example.com:443/a?b=c"),
                ("requestprotocol", "HTTP/1.1"),
                ("host", "www.example.com"),
            ]
        );
        assert_eq!(request("- - - "), vec![]);
        assert_eq!(request("-"), vec![]);
        assert_eq!(
            request("- http://www.example.com:80- -"),
            vec![
                ("request", "- http://www.example.com:80- -"),
                ("requesturl", "http://www.example.com:80-"),
                ("host", "www.example.com")
            ],
            "a malformed request keeps what it has"
        );
        assert_eq!(request("GARBAGE"), vec![("request", "GARBAGE")]);
        assert_eq!(url_host("https://[2001:db8::1]:443/"), Some("2001:db8::1"));
        assert_eq!(url_host("http://10.0.0.30:80/"), Some("10.0.0.30"));
        assert_eq!(url_host("http://user@host.example/x"), Some("host.example"));
        assert_eq!(url_host("http://host.example?q"), Some("host.example"));
        assert_eq!(url_host("/relative"), None);
    }

    #[test]
    fn times_with_and_without_a_zone_are_utc() {
        let time = |s: &str| parse_time(s).map(|t| isoformat(&t));
        assert_eq!(time("2018-07-02T22:23:00.186641Z").as_deref(), Some("2018-07-02T22:23:00.186641+00:00"));
        assert_eq!(time("2018-12-20T02:59:40").as_deref(), Some("2018-12-20T02:59:40+00:00"));
        assert_eq!(time("2018-12-20T02:59:40+02:00").as_deref(), Some("2018-12-20T00:59:40+00:00"));
        assert_eq!(time("2018-12-20"), None);
        assert_eq!(time("yesterday"), None);
    }

    #[test]
    fn an_alb_entry_becomes_a_web_event() {
        let event = alb_event(ALB_HTTP, &ctx()).unwrap();
        let expected = json!({
            "utctimestamp": "2018-07-02T22:23:00.186641+00:00",
            "timestamp": "2018-07-02T22:23:00.186641+00:00",
            "receivedtimestamp": "2026-12-07T10:05:00+00:00",
            "mozdefhostname": "m",
            "category": "web",
            "source": "alb",
            "tags": ["aws", "elb", "alb"],
            "severity": "INFO",
            "hostname": "app/my-loadbalancer/50dc6c495c0c9188",
            "summary": "ALB app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39 GET http://www.example.com:80/ 200",
            "details": {
                "type": "http",
                "sourceipaddress": "192.168.131.39",
                "sourceport": 2817,
                "targetipaddress": "10.0.0.1",
                "targetport": 80,
                "requestprocessingtime": 0.0,
                "targetprocessingtime": 0.001,
                "responseprocessingtime": 0.0,
                "elbstatuscode": 200,
                "targetstatuscode": 200,
                "receivedbytes": 34,
                "sentbytes": 366,
                "request": "GET http://www.example.com:80/ HTTP/1.1",
                "requestmethod": "GET",
                "requesturl": "http://www.example.com:80/",
                "requestprotocol": "HTTP/1.1",
                "host": "www.example.com",
                "useragent": "curl/7.46.0",
                "targetgrouparn": "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067",
                "traceid": "Root=1-58337262-36d228ad5d99923122bbe354",
                "matchedrulepriority": 0,
                "requestcreationtime": "2018-07-02T22:22:48.364000+00:00",
                "actionsexecuted": ["forward"],
                "targetportlist": ["10.0.0.1:80"],
                "targetstatuscodelist": [200],
                "conntraceid": "TID_1234abcd5678ef90"
            }
        });
        assert_eq!(Value::Object(event.clone()), expected);
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&Value::Object(event)), keys(&expected));
    }

    #[test]
    fn alb_lines_may_be_short_or_long_but_not_too_short() {
        // The 13 required fields only, and a failed request (-1 times, no target).
        let short = "http 2018-07-02T22:23:00Z app/lb/1 192.168.131.39:2817 - -1 -1 -1 460 - 34 0 \"- - - \"";
        let event = alb_event(short, &ctx()).unwrap();
        assert_eq!(
            event["details"],
            json!({
                "type": "http",
                "sourceipaddress": "192.168.131.39",
                "sourceport": 2817,
                "requestprocessingtime": -1.0,
                "targetprocessingtime": -1.0,
                "responseprocessingtime": -1.0,
                "elbstatuscode": 460,
                "receivedbytes": 34,
                "sentbytes": 0
            })
        );
        assert_eq!(event["summary"], "ALB app/lb/1 192.168.131.39 - - 460");
        // Fields AWS adds later are ignored.
        let long = format!("{ALB_HTTP} \"new-field\" 42");
        assert_eq!(alb_event(&long, &ctx()).unwrap(), alb_event(ALB_HTTP, &ctx()).unwrap());
        let too_short = "http 2018-07-02T22:23:00Z app/lb/1 192.168.131.39:2817 - -1 -1 -1 460 - 34 0";
        assert_eq!(
            alb_event(too_short, &ctx()).unwrap_err(),
            "expected at least 13 fields (type time elb client:port target:port request_processing_time \
             target_processing_time response_processing_time elb_status_code target_status_code received_bytes \
             sent_bytes request), got 12"
        );
    }

    #[test]
    fn alb_values_of_the_wrong_type_name_the_field() {
        let with = |from: &str, to: &str| alb_event(&ALB_HTTP.replacen(from, to, 1), &ctx()).unwrap_err();
        assert_eq!(
            with("2018-07-02T22:23:00.186641Z", "2018-13-02T22:23:00Z"),
            "time: `2018-13-02T22:23:00Z` is not an ISO 8601 time"
        );
        assert_eq!(with(" 200 200 ", " 200 OK "), "target_status_code: `OK` is not an integer");
        assert_eq!(with("0.001", "fast"), "target_processing_time: `fast` is not a number of seconds");
        assert_eq!(with("0.001", "NaN"), "target_processing_time: `NaN` is not a number of seconds");
        assert_eq!(with("192.168.131.39:2817", "192.168.131.39"), "client:port: `192.168.131.39` is not ip:port");
        assert_eq!(with("\"200\"", "\"200 x\""), "target_status_code_list: `x` is not an integer");
        assert_eq!(with("2018-07-02T22:22:48.364000Z", "-2"), "request_creation_time: `-2` is not an ISO 8601 time");
        assert_eq!(with("TID_", "\"TID_"), "field 30: unterminated quote");
    }

    #[test]
    fn an_nlb_entry_becomes_a_network_event() {
        let event = nlb_event(NLB_TLS, &ctx()).unwrap();
        assert_eq!(
            Value::Object(event),
            json!({
                "utctimestamp": "2020-04-01T08:51:42+00:00",
                "timestamp": "2020-04-01T08:51:42+00:00",
                "receivedtimestamp": "2026-12-07T10:05:00+00:00",
                "mozdefhostname": "m",
                "category": "network",
                "source": "nlb",
                "tags": ["aws", "elb", "nlb"],
                "severity": "INFO",
                "hostname": "net/my-network-loadbalancer/c6e77e28c25b2234",
                "summary": "NLB net/my-network-loadbalancer/c6e77e28c25b2234 72.21.218.154:51341 -> 172.100.100.185:443 \
                            tlsv12 my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com",
                "details": {
                    "type": "tls",
                    "version": "2.0",
                    "listener": "g3d4b5e8bb8464cd",
                    "sourceipaddress": "72.21.218.154",
                    "sourceport": 51341,
                    "destinationipaddress": "172.100.100.185",
                    "destinationport": 443,
                    "connectiontime": 5,
                    "tlshandshaketime": 2,
                    "receivedbytes": 98,
                    "sentbytes": 246,
                    "chosencertarn": "arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99",
                    "tlscipher": "ECDHE-RSA-AES128-SHA",
                    "tlsprotocolversion": "tlsv12",
                    "domainname": "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com",
                    "alpnfeprotocol": "h2",
                    "alpnbeprotocol": "h2",
                    "alpnclientpreferencelist": ["h2", "http/1.1"],
                    "tlsconnectioncreationtime": "2020-04-01T08:51:20+00:00"
                }
            })
        );
        let err = nlb_event("tls 2.0 2020-04-01T08:51:42 net/x/1 l 72.21.218.154:51341", &ctx()).unwrap_err();
        assert!(err.starts_with("expected at least 11 fields (type version time elb listener"), "{err}");
    }

    /// Documented lines of both formats, for mutation.
    const SEEDS: [&str; 2] = [ALB_HTTP, NLB_TLS];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_lines_never_panic(line in "[ -~\"\\\\é]{0,300}") {
            let _ = alb_event(&line, &ctx());
            let _ = nlb_event(&line, &ctx());
        }

        #[test]
        fn mutated_entries_never_panic(
            seed in 0..SEEDS.len(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), "[ -~\"\\\\é]{0,3}", 0..3usize), 1..8),
        ) {
            let mut line = SEEDS[seed].to_owned();
            for (at, text, removed) in edits {
                let mut at = at.index(line.len() + 1);
                while !line.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + removed).min(line.len());
                while !line.is_char_boundary(end) {
                    end += 1;
                }
                line.replace_range(at..end, &text);
            }
            let _ = alb_event(&line, &ctx());
            let _ = nlb_event(&line, &ctx());
        }
    }
}
