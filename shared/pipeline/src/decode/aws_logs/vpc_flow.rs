//! VPC Flow Logs (AWS: "Flow log records", "Available fields"), versions 2 to 8, in the
//! default format or any custom one.
//!
//! A flow log line is its fields' values separated by single spaces, in the order of the flow
//! log's format: the default format (version 2: `version account-id interface-id srcaddr
//! dstaddr srcport dstport protocol packets bytes start end action log-status`) or a custom
//! format naming any of the documented fields. Objects delivered to S3 start with a header
//! line naming the fields; [`VpcFlowFormat::from_fields`] reads it, or a custom format string
//! as written in the console or the CLI (`${version} ${vpc-id} ${srcaddr} ...`).
//!
//! Each record becomes one MozDef event:
//!
//! * `category` `network`, `source` `vpcflowlogs`, `tags` `["aws", "vpcflowlogs"]`,
//!   `severity` `INFO`;
//! * `hostname`: the record's `interface-id` (the network interface the flow was captured on),
//!   else its `instance-id`, else no key (MozDef's save-time default writes `UNKNOWN`);
//! * `utctimestamp` and `timestamp`: the record's `start`, else its `end`, else the receive
//!   time;
//! * `summary`: e.g. `VPC flow ACCEPT tcp 10.0.0.5:49152 -> 203.0.113.7:443 (12 packets, 3400
//!   bytes) on eni-0a1b2c3d` (IPv6 endpoints as `[address]:port`; the parts a custom format
//!   leaves out are left out);
//! * `details`: one key per field present in the record. The key is the field name without
//!   its dashes (`account-id` → `accountid`, `pkt-srcaddr` → `pktsrcaddr`, `log-status` →
//!   `logstatus`), except the flow's endpoints, which take MozDef's names so that GeoIP and
//!   the alert catalogue work on them unchanged: `srcaddr` → `sourceipaddress`, `dstaddr` →
//!   `destinationipaddress`, `srcport` → `sourceport`, `dstport` → `destinationport`. Fields
//!   this code does not know (a later AWS version) are kept the same way, as text.
//!
//! Values: AWS's `-` (no value) leaves the key out. The documented integers (`version`,
//! ports, `protocol`, `packets`, `bytes`, `start`, `end`, `tcp-flags`, `traffic-path`) are JSON
//! integers, and a value that is not one makes the line unparsable, naming the field; the
//! addresses must be IP addresses. `start` and `end` stay the Unix seconds AWS writes, and
//! `details.starttime` / `details.endtime` add them in ISO 8601 (MozDef's `isoformat`). A
//! `protocol` of 1, 6, 17 or 58 adds `details.protocolname` (`icmp`, `tcp`, `udp`,
//! `ipv6-icmp`).
//!
//! `log-status`: `OK` is a normal record; `NODATA` (no traffic in the interval) carries
//! nothing and gives no event; `SKIPDATA` (records were skipped in the interval) gives an
//! event of severity `WARNING` whose summary says so.

use std::collections::HashSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use mozdef_model::{Document, isoformat};
use serde_json::{Number, Value};

use super::schema::Head;
use crate::NormalizeContext;

/// The fields of the default format (version 2), in order.
const DEFAULT_FIELDS: [&str; 14] = [
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];

/// Every documented field (versions 2 to 8) with how its value is read.
const KNOWN_FIELDS: [(&str, Kind); 40] = [
    ("version", Kind::Integer { max: u64::MAX }),
    ("account-id", Kind::Text),
    ("interface-id", Kind::Text),
    ("srcaddr", Kind::Address),
    ("dstaddr", Kind::Address),
    ("srcport", Kind::Integer { max: 65535 }),
    ("dstport", Kind::Integer { max: 65535 }),
    ("protocol", Kind::Protocol),
    ("packets", Kind::Integer { max: u64::MAX }),
    ("bytes", Kind::Integer { max: u64::MAX }),
    ("start", Kind::UnixTime),
    ("end", Kind::UnixTime),
    ("action", Kind::Text),
    ("log-status", Kind::Text),
    // Version 3.
    ("vpc-id", Kind::Text),
    ("subnet-id", Kind::Text),
    ("instance-id", Kind::Text),
    ("tcp-flags", Kind::Integer { max: u64::MAX }),
    ("type", Kind::Text),
    ("pkt-srcaddr", Kind::Address),
    ("pkt-dstaddr", Kind::Address),
    // Version 4.
    ("region", Kind::Text),
    ("az-id", Kind::Text),
    ("sublocation-type", Kind::Text),
    ("sublocation-id", Kind::Text),
    // Version 5.
    ("pkt-src-aws-service", Kind::Text),
    ("pkt-dst-aws-service", Kind::Text),
    ("flow-direction", Kind::Text),
    ("traffic-path", Kind::Integer { max: u64::MAX }),
    // Version 7 (Amazon ECS).
    ("ecs-cluster-arn", Kind::Text),
    ("ecs-cluster-name", Kind::Text),
    ("ecs-container-instance-arn", Kind::Text),
    ("ecs-container-instance-id", Kind::Text),
    ("ecs-container-id", Kind::Text),
    ("ecs-second-container-id", Kind::Text),
    ("ecs-service-name", Kind::Text),
    ("ecs-task-definition-arn", Kind::Text),
    ("ecs-task-arn", Kind::Text),
    ("ecs-task-id", Kind::Text),
    // Version 8.
    ("reject-reason", Kind::Text),
];

/// The `details` keys this module adds beside the fields' own; no field may map to them.
const DERIVED_KEYS: [&str; 3] = ["protocolname", "starttime", "endtime"];

/// How a field's value is written into `details`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// As written.
    Text,
    /// An IP address, as written.
    Address,
    /// An unsigned integer no greater than `max`.
    Integer {
        /// The greatest valid value.
        max: u64,
    },
    /// Unix seconds: the integer, plus its ISO 8601 form under `<key>time`.
    UnixTime,
    /// An IANA protocol number (0 to 255), plus `protocolname` for the common ones.
    Protocol,
}

/// One field of a format: its name, its `details` key and how its value is read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    name: String,
    key: String,
    kind: Kind,
}

impl Field {
    /// The field named `name` (a documented field or any other, read as text).
    fn new(name: &str) -> Field {
        let kind = known_kind(name).unwrap_or(Kind::Text);
        Field { name: name.to_owned(), key: details_key(name), kind }
    }

    /// The value of `raw` (not `-`) as this field's kind.
    fn value(&self, raw: &str) -> Result<Value, String> {
        let name = &self.name;
        if raw.is_empty() {
            return Err(format!("field `{name}` is empty (two spaces in a row?)"));
        }
        match self.kind {
            Kind::Text => Ok(Value::String(raw.to_owned())),
            Kind::Address => match raw.parse::<IpAddr>() {
                Ok(_) => Ok(Value::String(raw.to_owned())),
                Err(_) => Err(format!("field `{name}`: `{raw}` is not an IP address")),
            },
            Kind::Integer { max } => match raw.parse::<u64>() {
                Ok(n) if n <= max => Ok(Value::Number(Number::from(n))),
                Ok(n) => Err(format!("field `{name}`: {n} is out of range (at most {max})")),
                Err(_) => Err(format!("field `{name}`: expected a number, got `{raw}`")),
            },
            Kind::UnixTime => unix_seconds(name, raw).map(|(n, _)| Value::Number(Number::from(n))),
            Kind::Protocol => protocol_number(name, raw).map(|n| Value::Number(Number::from(n))),
        }
    }

    /// The key and value this field adds beside its own, if any: the ISO 8601 form of a Unix
    /// time, the name of a protocol.
    fn extra(&self, raw: &str) -> Result<Option<(String, Value)>, String> {
        match self.kind {
            Kind::UnixTime => {
                let (_, time) = unix_seconds(&self.name, raw)?;
                Ok(Some((format!("{}time", self.key), Value::String(isoformat(&time)))))
            }
            Kind::Protocol => {
                let name = protocol_name(protocol_number(&self.name, raw)?);
                Ok(name.map(|name| ("protocolname".to_owned(), Value::String(name.to_owned()))))
            }
            Kind::Text | Kind::Address | Kind::Integer { .. } => Ok(None),
        }
    }
}

/// The fields of a flow log, in the order of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcFlowFormat {
    fields: Vec<Field>,
    /// Where `log-status` is, if the format has it.
    status_at: Option<usize>,
}

impl VpcFlowFormat {
    /// The default format (version 2).
    pub fn default_format() -> Self {
        Self::of_fields(DEFAULT_FIELDS.iter().map(|name| Field::new(name)).collect())
    }

    /// A format from a header line (`version account-id interface-id ...`) or a custom
    /// format string (`${version} ${vpc-id} ${srcaddr} ...`).
    ///
    /// # Errors
    ///
    /// When it names no field, names a field twice (or two fields with the same `details`
    /// key), has a token that is no field name, or names no documented field at all.
    pub fn from_fields(fields: &str) -> Result<Self, String> {
        let names = fields
            .split_whitespace()
            .enumerate()
            .map(|(at, token)| field_name(at + 1, token))
            .collect::<Result<Vec<&str>, String>>()?;
        if names.is_empty() {
            return Err("the format names no fields".to_owned());
        }
        if !names.iter().any(|name| known_kind(name).is_some()) {
            return Err(format!("the format names no documented flow log field (`{}`)", names.join(" ")));
        }
        let fields: Vec<Field> = names.iter().map(|name| Field::new(name)).collect();
        let mut seen = HashSet::new();
        for field in &fields {
            if DERIVED_KEYS.contains(&field.key.as_str()) {
                return Err(format!("field `{}` clashes with the derived details.{}", field.name, field.key));
            }
            if !seen.insert(field.key.as_str()) {
                return Err(format!("field `{}` appears twice (details.{})", field.name, field.key));
            }
        }
        Ok(Self::of_fields(fields))
    }

    fn of_fields(fields: Vec<Field>) -> Self {
        let status_at = fields.iter().position(|f| f.name == "log-status");
        VpcFlowFormat { fields, status_at }
    }

    /// Whether `line` is a header line: its first token is a documented field name (record
    /// lines start with a value, e.g. the version number) or a `${field}` of a custom format.
    pub fn is_header(line: &str) -> bool {
        line.split(' ').next().is_some_and(|first| first.starts_with("${") || known_kind(first).is_some())
    }

    /// The field names, space separated (for messages).
    fn names(&self) -> String {
        self.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The event of one line; `None` for a record that carries nothing (`NODATA`).
    ///
    /// # Errors
    ///
    /// Why the line cannot be parsed: the wrong number of fields, or a field whose value is
    /// not of its documented type (named).
    pub fn event(&self, line: &str, ctx: &NormalizeContext) -> Result<Option<Document>, String> {
        let values: Vec<&str> = line.split(' ').collect();
        if values.len() != self.fields.len() {
            return Err(format!(
                "expected {} fields (format `{}`), got {}",
                self.fields.len(),
                self.names(),
                values.len()
            ));
        }
        let status = self.status_at.and_then(|at| values.get(at).copied()).filter(|s| *s != "-");
        if status == Some("NODATA") {
            return Ok(None);
        }
        let mut details = Document::new();
        for (field, raw) in self.fields.iter().zip(&values) {
            if *raw == "-" {
                continue;
            }
            details.insert(field.key.clone(), field.value(raw)?);
            if let Some((key, value)) = field.extra(raw)? {
                details.insert(key, value);
            }
        }
        let when = ["start", "end"]
            .iter()
            .find_map(|key| details.get(*key).and_then(Value::as_i64))
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .unwrap_or(ctx.received);
        let host = host(&details);
        let skipped = status == Some("SKIPDATA");
        let summary = if skipped {
            format!("VPC flow log records skipped on {} (SKIPDATA)", host.unwrap_or("an unknown interface"))
        } else {
            summary(&details, host)
        };
        let head = Head {
            when,
            category: "network",
            source: "vpcflowlogs",
            tags: vec!["aws".to_owned(), "vpcflowlogs".to_owned()],
            severity: if skipped { "WARNING" } else { "INFO" },
            hostname: host.map(str::to_owned),
            summary,
        };
        Ok(Some(head.event(details, ctx)))
    }
}

/// The host of a record: its network interface, else its instance.
fn host(details: &Document) -> Option<&str> {
    text(details, "interfaceid").or_else(|| text(details, "instanceid"))
}

/// `VPC flow ACCEPT tcp 10.0.0.5:49152 -> 203.0.113.7:443 (12 packets, 3400 bytes) on eni-x`,
/// without the parts the record does not have.
fn summary(details: &Document, host: Option<&str>) -> String {
    let mut parts = vec!["VPC flow".to_owned()];
    if let Some(action) = text(details, "action") {
        parts.push(action.to_owned());
    }
    let protocol = text(details, "protocolname").map(str::to_owned).or_else(|| number(details, "protocol"));
    parts.extend(protocol);
    let source = endpoint(details, "sourceipaddress", "sourceport");
    let destination = endpoint(details, "destinationipaddress", "destinationport");
    if source.is_some() || destination.is_some() {
        let unknown = || "-".to_owned();
        parts.push(format!("{} -> {}", source.unwrap_or_else(unknown), destination.unwrap_or_else(unknown)));
    }
    let counts: Vec<String> =
        ["packets", "bytes"].iter().filter_map(|key| number(details, key).map(|n| format!("{n} {key}"))).collect();
    if !counts.is_empty() {
        parts.push(format!("({})", counts.join(", ")));
    }
    if let Some(host) = host {
        parts.push(format!("on {host}"));
    }
    parts.join(" ")
}

/// `address:port` (`[address]:port` for IPv6), `address`, or `None` without an address.
fn endpoint(details: &Document, address: &str, port: &str) -> Option<String> {
    let address = text(details, address)?;
    Some(match number(details, port) {
        Some(port) if address.contains(':') => format!("[{address}]:{port}"),
        Some(port) => format!("{address}:{port}"),
        None => address.to_owned(),
    })
}

fn text<'a>(details: &'a Document, key: &str) -> Option<&'a str> {
    details.get(key).and_then(Value::as_str)
}

fn number(details: &Document, key: &str) -> Option<String> {
    details.get(key).and_then(Value::as_u64).map(|n| n.to_string())
}

/// The kind of a documented field, `None` for any other name.
fn known_kind(name: &str) -> Option<Kind> {
    KNOWN_FIELDS.iter().find(|(known, _)| *known == name).map(|(_, kind)| *kind)
}

/// The `details` key of a field (see the module documentation).
fn details_key(name: &str) -> String {
    match name {
        "srcaddr" => "sourceipaddress".to_owned(),
        "dstaddr" => "destinationipaddress".to_owned(),
        "srcport" => "sourceport".to_owned(),
        "dstport" => "destinationport".to_owned(),
        other => other.chars().filter(|c| *c != '-').flat_map(char::to_lowercase).collect(),
    }
}

/// The field name of the `at`-th token of a format: `name` or `${name}`.
fn field_name(at: usize, token: &str) -> Result<&str, String> {
    let name = match token.strip_prefix("${") {
        Some(rest) => rest.strip_suffix('}').ok_or_else(|| format!("field {at}: `{token}` lacks its closing `}}`"))?,
        None => token,
    };
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid { Ok(name) } else { Err(format!("field {at}: `{token}` is not a field name")) }
}

/// Unix seconds and their time.
fn unix_seconds(name: &str, raw: &str) -> Result<(u64, DateTime<Utc>), String> {
    let secs = raw.parse::<u64>().map_err(|_| format!("field `{name}`: expected Unix seconds, got `{raw}`"))?;
    i64::try_from(secs)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .map(|time| (secs, time))
        .ok_or_else(|| format!("field `{name}`: {secs} is out of the range of times"))
}

/// An IANA protocol number.
fn protocol_number(name: &str, raw: &str) -> Result<u8, String> {
    raw.parse::<u8>().map_err(|_| format!("field `{name}`: expected a protocol number (0 to 255), got `{raw}`"))
}

/// The IANA keyword of the common protocol numbers.
fn protocol_name(number: u8) -> Option<&'static str> {
    match number {
        1 => Some("icmp"),
        6 => Some("tcp"),
        17 => Some("udp"),
        58 => Some("ipv6-icmp"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use serde_json::json;

    /// AWS's first default-format example ("Flow log record examples": SSH accepted).
    const SSH_ACCEPT: &str = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";

    fn ctx() -> NormalizeContext {
        NormalizeContext {
            received: Utc.with_ymd_and_hms(2026, 12, 7, 10, 5, 0).unwrap(),
            mozdefhostname: "m".to_owned(),
        }
    }

    fn default_event(line: &str) -> Result<Option<Document>, String> {
        VpcFlowFormat::default_format().event(line, &ctx())
    }

    fn custom(format: &str, line: &str) -> Document {
        VpcFlowFormat::from_fields(format).unwrap().event(line, &ctx()).unwrap().unwrap()
    }

    #[test]
    fn a_default_record_becomes_a_mozdef_event_in_mozdefs_key_order() {
        let event = default_event(SSH_ACCEPT).unwrap().unwrap();
        let expected = json!({
            "utctimestamp": "2014-12-14T04:06:50+00:00",
            "timestamp": "2014-12-14T04:06:50+00:00",
            "receivedtimestamp": "2026-12-07T10:05:00+00:00",
            "mozdefhostname": "m",
            "category": "network",
            "source": "vpcflowlogs",
            "tags": ["aws", "vpcflowlogs"],
            "severity": "INFO",
            "hostname": "eni-1235b8ca123456789",
            "summary": "VPC flow ACCEPT tcp 172.31.16.139:20641 -> 172.31.16.21:22 (20 packets, 4249 bytes) on eni-1235b8ca123456789",
            "details": {
                "version": 2,
                "accountid": "123456789010",
                "interfaceid": "eni-1235b8ca123456789",
                "sourceipaddress": "172.31.16.139",
                "destinationipaddress": "172.31.16.21",
                "sourceport": 20641,
                "destinationport": 22,
                "protocol": 6,
                "protocolname": "tcp",
                "packets": 20,
                "bytes": 4249,
                "start": 1418530010,
                "starttime": "2014-12-14T04:06:50+00:00",
                "end": 1418530070,
                "endtime": "2014-12-14T04:07:50+00:00",
                "action": "ACCEPT",
                "logstatus": "OK"
            }
        });
        assert_eq!(Value::Object(event.clone()), expected);
        // Map equality ignores order: compare the key sequences too.
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&Value::Object(event.clone())), keys(&expected));
        assert_eq!(keys(&event["details"]), keys(&expected["details"]));
    }

    #[test]
    fn the_header_and_the_custom_format_string_give_the_same_format() {
        let header = VpcFlowFormat::from_fields("version vpc-id srcaddr dstaddr log-status").unwrap();
        let custom = VpcFlowFormat::from_fields("${version} ${vpc-id} ${srcaddr} ${dstaddr} ${log-status}").unwrap();
        assert_eq!(header, custom);
        assert_eq!(header.names(), "version vpc-id srcaddr dstaddr log-status");
        let default = VpcFlowFormat::from_fields(
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
        )
        .unwrap();
        assert_eq!(default, VpcFlowFormat::default_format());
    }

    #[test]
    fn bad_formats_are_refused_with_the_reason() {
        let err = |format: &str| VpcFlowFormat::from_fields(format).unwrap_err();
        assert_eq!(err("   "), "the format names no fields");
        assert_eq!(err("version srcaddr version"), "field `version` appears twice (details.version)");
        assert_eq!(err("foo bar"), "the format names no documented flow log field (`foo bar`)");
        assert_eq!(err("version ${srcaddr"), "field 2: `${srcaddr` lacks its closing `}`");
        assert_eq!(err("version src$addr"), "field 2: `src$addr` is not a field name");
        assert_eq!(err("version protocolname"), "field `protocolname` clashes with the derived details.protocolname");
        // Two names with one details key.
        assert_eq!(err("account-id accountid"), "field `accountid` appears twice (details.accountid)");
    }

    #[test]
    fn headers_are_told_from_records() {
        assert!(VpcFlowFormat::is_header("version account-id interface-id srcaddr"));
        assert!(VpcFlowFormat::is_header("account-id version"));
        assert!(VpcFlowFormat::is_header("${version} ${srcaddr}"));
        assert!(!VpcFlowFormat::is_header(SSH_ACCEPT));
        assert!(!VpcFlowFormat::is_header("- eni-1235b8ca123456789 10.0.1.5 10.0.0.220"));
        assert!(!VpcFlowFormat::is_header("versions 2"));
        assert!(!VpcFlowFormat::is_header(""));
    }

    #[test]
    fn no_data_records_carry_nothing_and_skipped_ones_warn() {
        let nodata = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA";
        assert_eq!(default_event(nodata), Ok(None));
        let skipped = "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA";
        let event = default_event(skipped).unwrap().unwrap();
        assert_eq!(event["severity"], "WARNING");
        assert_eq!(event["summary"], "VPC flow log records skipped on eni-11111111aaaaaaaaa (SKIPDATA)");
        assert_eq!(event["utctimestamp"], "2015-05-10T18:01:16+00:00");
        assert_eq!(
            event["details"],
            json!({
                "version": 2,
                "accountid": "123456789010",
                "interfaceid": "eni-11111111aaaaaaaaa",
                "start": 1431280876,
                "starttime": "2015-05-10T18:01:16+00:00",
                "end": 1431280934,
                "endtime": "2015-05-10T18:02:14+00:00",
                "logstatus": "SKIPDATA"
            })
        );
    }

    #[test]
    fn wrong_field_counts_and_bad_values_name_the_problem() {
        assert_eq!(
            default_event("2 123456789010 eni-1 172.31.16.139").unwrap_err(),
            "expected 14 fields (format `version account-id interface-id srcaddr dstaddr srcport dstport \
             protocol packets bytes start end action log-status`), got 4"
        );
        let line = |srcport: &str| {
            format!("2 1 eni-1 172.31.16.139 172.31.16.21 {srcport} 22 6 20 4249 1418530010 1418530070 ACCEPT OK")
        };
        assert_eq!(default_event(&line("ssh")).unwrap_err(), "field `srcport`: expected a number, got `ssh`");
        assert_eq!(
            default_event(&line("65536")).unwrap_err(),
            "field `srcport`: 65536 is out of range (at most 65535)"
        );
        assert_eq!(default_event(&line("-1")).unwrap_err(), "field `srcport`: expected a number, got `-1`");
        let bad_address = "2 1 eni-1 172.31.16.300 172.31.16.21 1 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
        assert_eq!(default_event(bad_address).unwrap_err(), "field `srcaddr`: `172.31.16.300` is not an IP address");
        let bad_protocol = "2 1 eni-1 172.31.16.1 172.31.16.21 1 22 tcp 20 4249 1418530010 1418530070 ACCEPT OK";
        assert_eq!(
            default_event(bad_protocol).unwrap_err(),
            "field `protocol`: expected a protocol number (0 to 255), got `tcp`"
        );
        let bad_start = "2 1 eni-1 172.31.16.1 172.31.16.21 1 22 6 20 4249 99999999999999999 1418530070 ACCEPT OK";
        assert_eq!(
            default_event(bad_start).unwrap_err(),
            "field `start`: 99999999999999999 is out of the range of times"
        );
        let doubled_space = "2 1 eni-1 172.31.16.1  22 6 20 4249 1418530010 1418530070 ACCEPT OK x";
        assert_eq!(default_event(doubled_space).unwrap_err(), "field `dstaddr` is empty (two spaces in a row?)");
    }

    #[test]
    fn custom_formats_map_every_field_and_keep_unknown_ones() {
        // AWS's version 5 example ("Service name, traffic path, and flow direction"), egress.
        let format = "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id \
                      subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags \
                      pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction \
                      log-status";
        let line = "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 \
                    vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 \
                    ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK";
        let event = custom(format, line);
        assert_eq!(
            event["details"],
            json!({
                "version": 5,
                "sourceipaddress": "10.0.0.71",
                "destinationipaddress": "52.95.128.179",
                "sourceport": 34210,
                "destinationport": 80,
                "protocol": 6,
                "protocolname": "tcp",
                "start": 1616729292,
                "starttime": "2021-03-26T03:28:12+00:00",
                "end": 1616729349,
                "endtime": "2021-03-26T03:29:09+00:00",
                "type": "IPv4",
                "packets": 7,
                "bytes": 471,
                "accountid": "123456789012",
                "vpcid": "vpc-abcdefab012345678",
                "subnetid": "subnet-aaaaaaaa012345678",
                "instanceid": "i-0c50d5961bcb2d47b",
                "interfaceid": "eni-1235b8ca123456789",
                "region": "ap-southeast-2",
                "azid": "apse2-az3",
                "action": "ACCEPT",
                "tcpflags": 3,
                "pktsrcaddr": "10.0.0.71",
                "pktdstaddr": "52.95.128.179",
                "pktdstawsservice": "S3",
                "trafficpath": 8,
                "flowdirection": "egress",
                "logstatus": "OK"
            })
        );
        assert_eq!(event["hostname"], "eni-1235b8ca123456789");
        // Unknown fields are text under their dashless name; ECS and reject-reason are known.
        let event = custom("${srcaddr} ${ecs-task-id} ${reject-reason} ${future-field}", "10.0.0.1 abc BPA 0x1F");
        assert_eq!(
            event["details"],
            json!({"sourceipaddress": "10.0.0.1", "ecstaskid": "abc", "rejectreason": "BPA", "futurefield": "0x1F"})
        );
    }

    #[test]
    fn times_and_hosts_fall_back() {
        // No start: the end; neither: the receive time.
        let event = custom("end interface-id", "1418530070 eni-1");
        assert_eq!(event["utctimestamp"], "2014-12-14T04:07:50+00:00");
        let event = custom(
            "instance-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr",
            "i-0123 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5",
        );
        assert_eq!(event["utctimestamp"], "2026-12-07T10:05:00+00:00");
        assert_eq!(event["hostname"], "i-0123");
        assert_eq!(event["summary"], "VPC flow 10.0.1.5 -> 10.0.0.220 on i-0123");
        // AWS's NAT gateway example without the interface: no host at all.
        let event = custom("instance-id srcaddr", "- 10.0.0.220");
        assert_eq!(event.get("hostname"), None);
        assert_eq!(event["summary"], "VPC flow 10.0.0.220 -> -");
    }

    #[test]
    fn protocol_names_cover_the_common_numbers_only() {
        let name = |protocol: &str| custom("protocol", protocol)["details"].get("protocolname").cloned();
        assert_eq!(name("1"), Some(json!("icmp")));
        assert_eq!(name("6"), Some(json!("tcp")));
        assert_eq!(name("17"), Some(json!("udp")));
        assert_eq!(name("58"), Some(json!("ipv6-icmp")));
        assert_eq!(name("47"), None);
        // ICMP has no ports: the summary shows the addresses alone.
        let icmp = "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK";
        assert_eq!(
            default_event(icmp).unwrap().unwrap()["summary"],
            "VPC flow ACCEPT icmp 203.0.113.12:0 -> 172.31.16.139:0 (4 packets, 336 bytes) on eni-1235b8ca123456789"
        );
        let gre = custom("protocol srcaddr", "47 10.0.0.1");
        assert_eq!(gre["summary"], "VPC flow 47 10.0.0.1 -> -");
    }

    #[test]
    fn a_truncated_gzip_object_is_an_error() {
        use crate::decode::{CloudTrailDecoder, LocalObjects, S3ObjectRef};
        use flate2::Compression;
        use flate2::write::GzEncoder;
        use std::io::Write;

        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(format!("{}\n{SSH_ACCEPT}\n", DEFAULT_FIELDS.join(" ")).as_bytes()).unwrap();
        let mut bytes = gz.finish().unwrap();
        bytes.truncate(bytes.len() - 12);
        let dir = tempfile::tempdir().unwrap();
        let key = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/12/07/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20261207T1000Z_fe123456.log.gz";
        let path = dir.path().join("logs").join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        let decoder = super::super::S3LogDecoder::new(CloudTrailDecoder::new(LocalObjects::new(dir.path())));
        let object = S3ObjectRef { bucket: "logs".to_owned(), key: key.to_owned() };
        let err = decoder.decode_object(&object, "q", &ctx(), &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("not a valid gzip stream"), "{err}");
    }

    /// A few documented lines, for mutation.
    const SEEDS: [&str; 3] = [
        SSH_ACCEPT,
        "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
        "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_lines_never_panic(line in "[ -~]{0,200}", format in "[a-z${} -]{0,80}") {
            let _ = default_event(&line);
            let _ = VpcFlowFormat::is_header(&line);
            if let Ok(format) = VpcFlowFormat::from_fields(&format) {
                let _ = format.event(&line, &ctx());
            }
        }

        #[test]
        fn mutated_records_never_panic(
            seed in 0..SEEDS.len(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), "[ -~]{0,3}", 0..3usize), 1..6),
        ) {
            let mut line = SEEDS[seed].to_owned();
            for (at, text, removed) in edits {
                let at = at.index(line.len() + 1);
                let end = (at + removed).min(line.len());
                line.replace_range(at..end, &text);
            }
            let _ = default_event(&line);
        }
    }
}
