//! Route 53 Resolver query logs → MozDef events, one per log record (a JSON object: one line
//! of an S3 object, or one CloudWatch Logs event), with the values of AWS's "Values that
//! appear in Resolver query logs".
//!
//! # Event
//!
//! | key | value |
//! |---|---|
//! | `utctimestamp`, `timestamp` | `query_timestamp` (ISO 8601, read by `toUTC`) |
//! | `category` | `dns` |
//! | `source` | `route53resolver` |
//! | `tags` | `["aws", "route53resolver", "dns"]` (the S3 path appends the queue) |
//! | `severity` | `WARNING` when `firewall_rule_action` is `BLOCK` or `ALERT`, else `INFO` |
//! | `hostname` | `srcids.instance`, else `vpc_id`; absent when neither |
//! | `summary` | `DNS query <query_name> <query_type> from <srcaddr>: <rcode>`, then ` (firewall <action>)` when a DNS Firewall rule matched; parts that are absent left out |
//!
//! # `details`
//!
//! In this order, each only when present (and not `null`):
//!
//! | key | from |
//! |---|---|
//! | `query` | `query_name` **without its trailing dot** (`example.com`; the root stays `.`), the form the other DNS sources of MozDef (Zeek, GuardDuty) write, so one query matches them all |
//! | `queryname` | `query_name` as logged (`example.com.`) |
//! | `querytype`, `queryclass`, `rcode` | `query_type`, `query_class`, `rcode` |
//! | `answers` | `answers`, each answer's keys lower-cased (`{"rdata", "type", "class"}`) |
//! | `sourceipaddress`, `sourceport` | `srcaddr`, `srcport` (as logged: a string) |
//! | `transport`, `vpcid`, `accountid`, `region` | `transport`, `vpc_id`, `account_id`, `region` |
//! | `instanceid`, `resolverendpoint`, ... | each key of `srcids`: `instance` → `instanceid`, any other without its underscores (`resolver_endpoint` → `resolverendpoint`) |
//! | `firewallruleaction`, `firewallrulegroupid`, `firewalldomainlistid` | the DNS Firewall fields |
//! | `version` | `version` |
//! | any other field | as logged, under its name without underscores (fields of later format versions), unless that key is already written |
//!
//! # Errors
//!
//! The record is refused (quarantined by the caller, with this reason) when `query_name` is
//! missing or empty, when `query_timestamp` is missing or not a readable time, or when a
//! field read above has the wrong JSON type.

use chrono::{DateTime, Utc};
use mozdef_model::{Document, to_utc};
use serde_json::Value;

use super::schema::{Details, FieldError, Fields, Head};
use crate::NormalizeContext;

/// The record, named in errors.
const WHAT: &str = "the Route 53 Resolver query log record";

/// The fields mapped by name; any other is copied under its name without underscores.
const KNOWN: [&str; 17] = [
    "version",
    "account_id",
    "region",
    "vpc_id",
    "query_timestamp",
    "query_name",
    "query_type",
    "query_class",
    "rcode",
    "answers",
    "srcaddr",
    "srcport",
    "transport",
    "srcids",
    "firewall_rule_action",
    "firewall_rule_group_id",
    "firewall_domain_list_id",
];

/// The event of one Resolver query log record (see the module documentation).
///
/// # Errors
///
/// Why the record cannot be mapped, naming the field: e.g. `the Route 53 Resolver query log
/// record has no `query_name``.
pub fn event(record: Document, ctx: &NormalizeContext) -> Result<Document, String> {
    let (head, details) = read(&record, ctx).map_err(|e| e.describe(WHAT))?;
    Ok(head.event(details.into_document(), ctx))
}

/// The fields of a record that the head of the event is computed from.
struct Query<'a> {
    when: DateTime<Utc>,
    name: &'a str,
    kind: Option<&'a str>,
    source: Option<&'a str>,
    rcode: Option<&'a str>,
    firewall_action: Option<&'a str>,
    instance: Option<&'a str>,
    vpc: Option<&'a str>,
}

fn read(record: &Document, ctx: &NormalizeContext) -> Result<(Head, Details), FieldError> {
    let root = Fields::new(record, "");
    let srcids = root.object("srcids")?;
    let query = Query {
        when: query_time(&root, ctx)?,
        name: root.text("query_name")?.ok_or_else(|| FieldError::missing("query_name"))?,
        kind: root.text("query_type")?,
        source: root.text("srcaddr")?,
        rcode: root.text("rcode")?,
        firewall_action: root.text("firewall_rule_action")?,
        instance: srcids.as_ref().map(|ids| ids.text("instance")).transpose()?.flatten(),
        vpc: root.text("vpc_id")?,
    };
    let mut details = Details::default();
    details.put_str("query", Some(without_trailing_dot(query.name)));
    details.put_str("queryname", Some(query.name));
    details.put_str("querytype", query.kind);
    details.put_str("queryclass", root.str("query_class")?);
    details.put_str("rcode", query.rcode);
    details.put("answers", answers(&root)?);
    details.put_str("sourceipaddress", query.source);
    details.put("sourceport", root.get("srcport").cloned());
    details.put_str("transport", root.str("transport")?);
    details.put_str("vpcid", query.vpc);
    details.put_str("accountid", root.str("account_id")?);
    details.put_str("region", root.str("region")?);
    for (key, value) in srcids.iter().flat_map(|ids| ids.entries()) {
        let key = if key == "instance" { "instanceid".to_owned() } else { key.replace('_', "") };
        details.put_new(&key, Some(value.clone()));
    }
    details.put_str("firewallruleaction", query.firewall_action);
    details.put_str("firewallrulegroupid", root.str("firewall_rule_group_id")?);
    details.put_str("firewalldomainlistid", root.str("firewall_domain_list_id")?);
    details.put("version", root.get("version").cloned());
    for (key, value) in root.entries().filter(|(key, _)| !KNOWN.contains(&key.as_str())) {
        details.put_new(&key.replace('_', ""), Some(value.clone()));
    }
    Ok((query.head(), details))
}

impl Query<'_> {
    fn head(&self) -> Head {
        let blocked = matches!(self.firewall_action, Some("BLOCK" | "ALERT"));
        Head {
            when: self.when,
            category: "dns",
            source: "route53resolver",
            tags: ["aws", "route53resolver", "dns"].map(str::to_owned).to_vec(),
            severity: if blocked { "WARNING" } else { "INFO" },
            hostname: self.instance.or(self.vpc).map(str::to_owned),
            summary: self.summary(),
        }
    }

    /// `DNS query example.com. A from 10.0.0.12: NOERROR (firewall BLOCK)`.
    fn summary(&self) -> String {
        let mut summary = format!("DNS query {}", self.name);
        if let Some(kind) = self.kind {
            summary.push(' ');
            summary.push_str(kind);
        }
        if let Some(source) = self.source {
            summary.push_str(" from ");
            summary.push_str(source);
        }
        if let Some(rcode) = self.rcode {
            summary.push_str(": ");
            summary.push_str(rcode);
        }
        if let Some(action) = self.firewall_action {
            summary.push_str(&format!(" (firewall {action})"));
        }
        summary
    }
}

/// `query_timestamp`, an ISO 8601 string read by `toUTC`.
fn query_time(root: &Fields<'_>, ctx: &NormalizeContext) -> Result<DateTime<Utc>, FieldError> {
    let value = root.require("query_timestamp")?;
    if !value.is_string() {
        return Err(FieldError::wrong_type("query_timestamp", "a string", value));
    }
    to_utc(value, ctx.received).map_err(|e| FieldError::invalid("query_timestamp", format!("is not a time: {e}")))
}

/// `example.com.` → `example.com`; the root `.` stays as it is.
fn without_trailing_dot(name: &str) -> &str {
    name.strip_suffix('.').filter(|rest| !rest.is_empty()).unwrap_or(name)
}

/// `answers` with each answer's keys lower-cased, or `None` when absent.
fn answers(root: &Fields<'_>) -> Result<Option<Value>, FieldError> {
    if root.get("answers").is_none() {
        return Ok(None);
    }
    let answers = root.objects("answers")?.into_iter().map(|answer| {
        Value::Object(answer.entries().map(|(key, value)| (key.to_lowercase(), value.clone())).collect())
    });
    Ok(Some(Value::Array(answers.collect())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use serde_json::json;

    fn ctx() -> NormalizeContext {
        NormalizeContext {
            received: Utc.with_ymd_and_hms(2026, 12, 7, 10, 6, 0).unwrap(),
            mozdefhostname: "mozdef.test".to_owned(),
        }
    }

    fn record(value: Value) -> Document {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn trailing_dots_are_removed_but_not_the_root() {
        assert_eq!(without_trailing_dot("example.com."), "example.com");
        assert_eq!(without_trailing_dot("example.com"), "example.com");
        assert_eq!(without_trailing_dot("."), ".");
    }

    #[test]
    fn a_minimal_record_and_unknown_fields() {
        let value = json!({"query_name": "a.example.", "query_timestamp": "2026-12-07T10:05:01Z",
                           "new_field": {"x": 1}, "null_field": null});
        let event = event(record(value), &ctx()).unwrap();
        assert_eq!(event["utctimestamp"], json!("2026-12-07T10:05:01+00:00"));
        assert_eq!(event["summary"], json!("DNS query a.example."));
        assert_eq!(event["severity"], json!("INFO"));
        assert!(event.get("hostname").is_none());
        assert_eq!(event["details"], json!({"query": "a.example", "queryname": "a.example.", "newfield": {"x": 1}}));
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        let cases = [
            (json!({"query_timestamp": "2026-12-07T10:05:01Z"}), "has no `query_name`"),
            (json!({"query_name": "", "query_timestamp": "2026-12-07T10:05:01Z"}), "has no `query_name`"),
            (json!({"query_name": "a."}), "has no `query_timestamp`"),
            (json!({"query_name": "a.", "query_timestamp": 5}), "`query_timestamp` must be a string, got number"),
            (json!({"query_name": "a.", "query_timestamp": "never"}), "`query_timestamp` is not a time"),
            (json!({"query_name": 1, "query_timestamp": "2026-12-07T10:05:01Z"}), "`query_name` must be a string"),
            (
                json!({"query_name": "a.", "query_timestamp": "2026-12-07T10:05:01Z", "answers": [1]}),
                "`answers[0]` must be an object, got number",
            ),
            (
                json!({"query_name": "a.", "query_timestamp": "2026-12-07T10:05:01Z", "srcids": {"instance": 1}}),
                "`srcids.instance` must be a string",
            ),
        ];
        for (value, expected) in cases {
            let err = event(record(value.clone()), &ctx()).unwrap_err();
            assert!(err.starts_with("the Route 53 Resolver query log record"), "{err}");
            assert!(err.contains(expected), "{value}: {err:?} lacks {expected:?}");
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            proptest::sample::select(KNOWN.to_vec()).prop_map(str::to_owned),
            proptest::sample::select(vec!["instance", "resolver_endpoint", "Rdata", "Type"]).prop_map(str::to_owned),
            ".{0,6}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            ".{0,24}".prop_map(Value::String),
            Just(Value::from("2026-12-07T10:05:01Z")),
        ];
        leaf.prop_recursive(4, 40, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_records_never_panic(value in json_value(), time in ".{0,30}") {
            if let Value::Object(map) = &value {
                let _ = event(map.clone(), &ctx());
            }
            let mut valid = json!({"query_name": "a.", "query_timestamp": time});
            for key in ["answers", "srcids", "srcport", "firewall_rule_action"] {
                valid[key] = value.clone();
            }
            let _ = event(record(valid), &ctx());
        }
    }
}
