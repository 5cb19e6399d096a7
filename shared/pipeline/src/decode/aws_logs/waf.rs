//! AWS WAF web ACL logs → MozDef events, one per log record (a JSON object: one line of an
//! S3 object, or one CloudWatch Logs event), with the fields of AWS's "Log fields for web ACL
//! traffic".
//!
//! # Event
//!
//! | key | value |
//! |---|---|
//! | `utctimestamp`, `timestamp` | `timestamp` (epoch milliseconds) |
//! | `category`, `source` | `waf` |
//! | `tags` | `["aws", "waf"]` (the S3 path appends the queue) |
//! | `severity` | by `action`: `ALLOW`, `COUNT` → `INFO`; `BLOCK` → `WARNING`; `CAPTCHA`, `CHALLENGE` → `NOTICE`; anything else `INFO` |
//! | `hostname` | the request's `Host` header, else `httpRequest.host`, else `httpSourceId` (unless `-`); absent when none |
//! | `summary` | `WAF <action> <clientIp> <httpMethod> <host><uri> by rule <terminatingRuleId> (<terminatingRuleType>)`, parts that are absent left out |
//!
//! # `details`
//!
//! Computed first, in this order: `action`, `sourceipaddress` (`httpRequest.clientIp`),
//! `country`, `terminatingruleid`, `terminatingruletype`, `webaclid`, `webaclname` (the
//! `<name>` of the ARN `...:regional/webacl/<name>/<id>` or `...:global/webacl/<name>/<id>`),
//! `httpsourcename`, `httpsourceid`, `httpmethod`, `host` (as for `hostname`), `uri`, `args`,
//! `useragent` (the `User-Agent` header), `requestid`, `labels` (the label names, a list of
//! strings). Then, as logged: `terminatingrulematchdetails`, `rulegrouplist`,
//! `ratebasedrulelist`, `nonterminatingmatchingrules`, `requestheadersinserted`,
//! `responsecodesent`, `captcharesponse`, `challengeresponse`, `ja3fingerprint`,
//! `ja4fingerprint`, `oversizefields`, `requestbodysize`, `requestbodysizeinspectedbywaf`,
//! `formatversion` and last `httprequest`. A field that is absent or `null` is left out.
//!
//! Decision: `details.httprequest` is `httpRequest` exactly as logged, its `headers` a list of
//! `{name, value}`: a repeated header keeps every value and the order stays the client's. The
//! headers MozDef searches on are copied out (`host`, `useragent`: the first header of that
//! name, compared without case).
//!
//! # Errors
//!
//! The record is refused (quarantined by the caller, with this reason) when `timestamp`
//! (an integer), `action` or `httpRequest.clientIp` is missing, or when a field read above
//! has the wrong JSON type (`httpRequest.headers[2].name` must be a string, ...).

use chrono::{DateTime, Datelike, Utc};
use mozdef_model::Document;
use serde_json::Value;

use super::schema::{Details, FieldError, Fields, Head};
use crate::NormalizeContext;

/// The record, named in errors.
const WHAT: &str = "the WAF log record";

/// Fields copied as logged, in this order, after the computed ones.
const AS_LOGGED: [(&str, &str); 15] = [
    ("terminatingRuleMatchDetails", "terminatingrulematchdetails"),
    ("ruleGroupList", "rulegrouplist"),
    ("rateBasedRuleList", "ratebasedrulelist"),
    ("nonTerminatingMatchingRules", "nonterminatingmatchingrules"),
    ("requestHeadersInserted", "requestheadersinserted"),
    ("responseCodeSent", "responsecodesent"),
    ("captchaResponse", "captcharesponse"),
    ("challengeResponse", "challengeresponse"),
    ("ja3Fingerprint", "ja3fingerprint"),
    ("ja4Fingerprint", "ja4fingerprint"),
    ("oversizeFields", "oversizefields"),
    ("requestBodySize", "requestbodysize"),
    ("requestBodySizeInspectedByWAF", "requestbodysizeinspectedbywaf"),
    ("formatVersion", "formatversion"),
    ("httpRequest", "httprequest"),
];

/// The event of one WAF log record (see the module documentation).
///
/// # Errors
///
/// Why the record cannot be mapped, naming the field: e.g. `the WAF log record has no
/// `httpRequest.clientIp``.
pub fn event(mut record: Document, ctx: &NormalizeContext) -> Result<Document, String> {
    let (head, mut details) = read(&record).map_err(|e| e.describe(WHAT))?;
    for (from, to) in AS_LOGGED {
        details.put(to, record.remove(from).filter(|v| !v.is_null()));
    }
    Ok(head.event(details.into_document(), ctx))
}

/// The fields of a record that the event is computed from.
struct Record<'a> {
    when: DateTime<Utc>,
    action: &'a str,
    client_ip: &'a str,
    method: Option<&'a str>,
    host: Option<&'a str>,
    uri: Option<&'a str>,
    rule_id: Option<&'a str>,
    rule_type: Option<&'a str>,
    source_id: Option<&'a str>,
}

/// The head of the event and the computed part of `details`.
fn read(record: &Document) -> Result<(Head, Details), FieldError> {
    let root = Fields::new(record, "");
    let request = root.object("httpRequest")?.ok_or_else(|| FieldError::missing("httpRequest"))?;
    let headers = Headers::of(&request)?;
    let host = match headers.first("host") {
        Some(host) => Some(host),
        None => request.text("host")?,
    };
    let fields = Record {
        when: timestamp(&root)?,
        action: root.require_str("action")?,
        client_ip: request.require_str("clientIp")?,
        method: request.text("httpMethod")?,
        host,
        uri: request.str("uri")?,
        rule_id: root.text("terminatingRuleId")?,
        rule_type: root.text("terminatingRuleType")?,
        source_id: root.text("httpSourceId")?,
    };
    let webacl = root.str("webaclId")?;
    let mut details = Details::default();
    details.put_str("action", Some(fields.action));
    details.put_str("sourceipaddress", Some(fields.client_ip));
    details.put_str("country", request.str("country")?);
    details.put_str("terminatingruleid", fields.rule_id);
    details.put_str("terminatingruletype", fields.rule_type);
    details.put_str("webaclid", webacl);
    details.put_str("webaclname", webacl.and_then(webacl_name));
    details.put_str("httpsourcename", root.str("httpSourceName")?);
    details.put_str("httpsourceid", fields.source_id);
    details.put_str("httpmethod", fields.method);
    details.put_str("host", fields.host);
    details.put_str("uri", fields.uri);
    details.put_str("args", request.str("args")?);
    details.put_str("useragent", headers.first("user-agent"));
    details.put_str("requestid", request.str("requestId")?);
    details.put("labels", labels(&root)?);
    Ok((fields.head(), details))
}

impl Record<'_> {
    fn head(&self) -> Head {
        Head {
            when: self.when,
            category: "waf",
            source: "waf",
            tags: vec!["aws".to_owned(), "waf".to_owned()],
            severity: severity(self.action),
            hostname: self.host.or(self.source_id.filter(|id| *id != "-")).map(str::to_owned),
            summary: self.summary(),
        }
    }

    /// `WAF BLOCK 203.0.113.9 GET example.com/login by rule <id> (<type>)`.
    fn summary(&self) -> String {
        let mut summary = format!("WAF {} {}", self.action, self.client_ip);
        if let Some(method) = self.method {
            summary.push(' ');
            summary.push_str(method);
        }
        let target = [self.host, self.uri].into_iter().flatten().collect::<String>();
        if !target.is_empty() {
            summary.push(' ');
            summary.push_str(&target);
        }
        if let Some(rule) = self.rule_id {
            summary.push_str(" by rule ");
            summary.push_str(rule);
            if let Some(kind) = self.rule_type {
                summary.push_str(&format!(" ({kind})"));
            }
        }
        summary
    }
}

/// MozDef's severity for a terminating action.
fn severity(action: &str) -> &'static str {
    match action {
        "BLOCK" => "WARNING",
        "CAPTCHA" | "CHALLENGE" => "NOTICE",
        _ => "INFO",
    }
}

/// `timestamp`: epoch milliseconds.
fn timestamp(root: &Fields<'_>) -> Result<DateTime<Utc>, FieldError> {
    let value = root.require("timestamp")?;
    let millis = value
        .as_i64()
        .ok_or_else(|| FieldError::wrong_type(root.name("timestamp"), "an integer (epoch milliseconds)", value))?;
    DateTime::from_timestamp_millis(millis)
        .filter(|when| (1..=9999).contains(&when.year()))
        .ok_or_else(|| FieldError::invalid(root.name("timestamp"), format!("{millis} is out of range")))
}

/// The web ACL's name in its ARN (`...:regional/webacl/<name>/<id>`).
fn webacl_name(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once("/webacl/")?;
    rest.split('/').next().filter(|name| !name.is_empty())
}

/// The names of `labels` (`[{"name": ...}]`), or `None` when there are none.
fn labels(root: &Fields<'_>) -> Result<Option<Value>, FieldError> {
    if root.get("labels").is_none() {
        return Ok(None);
    }
    let names = root.objects("labels")?.into_iter().map(|label| label.require_str("name").map(Value::from));
    Ok(Some(Value::Array(names.collect::<Result<_, _>>()?)))
}

/// The request's headers, checked: `(name, value)` in the logged order.
struct Headers<'a>(Vec<(&'a str, Option<&'a str>)>);

impl<'a> Headers<'a> {
    fn of(request: &Fields<'a>) -> Result<Self, FieldError> {
        let headers = request.objects("headers")?;
        let pairs = headers.iter().map(|h| Ok((h.require_str("name")?, h.str("value")?)));
        Ok(Headers(pairs.collect::<Result<_, FieldError>>()?))
    }

    /// The value of the first header called `name` (compared without case).
    fn first(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).and_then(|(_, value)| *value)
    }
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

    fn minimal() -> Value {
        json!({"timestamp": 1796637600123_i64, "action": "ALLOW",
               "httpRequest": {"clientIp": "192.0.2.1", "headers": []}})
    }

    #[test]
    fn web_acl_names_come_from_regional_and_global_arns() {
        let regional = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/my-web-acl/a1b2c3d4";
        assert_eq!(webacl_name(regional), Some("my-web-acl"));
        assert_eq!(webacl_name("arn:aws:wafv2:us-east-1:123456789012:global/webacl/cf-acl/x"), Some("cf-acl"));
        assert_eq!(webacl_name("not-an-arn"), None);
        assert_eq!(webacl_name("arn:aws:wafv2:us-east-1:1:regional/webacl//x"), None);
    }

    #[test]
    fn severity_follows_the_action() {
        let got: Vec<&str> = ["ALLOW", "COUNT", "BLOCK", "CAPTCHA", "CHALLENGE", "other"].map(severity).to_vec();
        assert_eq!(got, ["INFO", "INFO", "WARNING", "NOTICE", "NOTICE", "INFO"]);
    }

    #[test]
    fn a_minimal_record_maps_and_headers_are_case_insensitive() {
        let mut value = minimal();
        value["httpRequest"]["headers"] =
            json!([{"name": "HOST", "value": "a.example"}, {"name": "host", "value": "b"}]);
        let event = event(record(value), &ctx()).unwrap();
        // 1796637600123 ms = 2026-12-07T10:00:00.123Z
        assert_eq!(event["utctimestamp"], json!("2026-12-07T10:00:00.123000+00:00"));
        assert_eq!(event["hostname"], json!("a.example"));
        assert_eq!(event["summary"], json!("WAF ALLOW 192.0.2.1 a.example"));
        assert_eq!(event["details"]["host"], json!("a.example"));
        assert!(event["details"].get("labels").is_none());
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        let cases = [
            (json!({"action": "ALLOW", "httpRequest": {"clientIp": "x"}}), "has no `timestamp`"),
            (
                json!({"timestamp": 1.5, "action": "ALLOW", "httpRequest": {"clientIp": "x"}}),
                "`timestamp` must be an integer",
            ),
            (json!({"timestamp": 1, "httpRequest": {"clientIp": "x"}}), "has no `action`"),
            (json!({"timestamp": 1, "action": "ALLOW"}), "has no `httpRequest`"),
            (json!({"timestamp": 1, "action": "ALLOW", "httpRequest": {}}), "has no `httpRequest.clientIp`"),
            (
                json!({"timestamp": 1, "action": "ALLOW", "httpRequest": {"clientIp": "x", "headers": [{"name": 3}]}}),
                "`httpRequest.headers[0].name` must be a string, got number",
            ),
            (
                json!({"timestamp": 1, "action": "ALLOW", "httpRequest": {"clientIp": "x"}, "labels": [{}]}),
                "has no `labels[0].name`",
            ),
            (json!({"timestamp": i64::MAX, "action": "ALLOW", "httpRequest": {"clientIp": "x"}}), "out of range"),
        ];
        for (value, expected) in cases {
            let err = event(record(value.clone()), &ctx()).unwrap_err();
            assert!(err.starts_with("the WAF log record"), "{err}");
            assert!(err.contains(expected), "{value}: {err:?} lacks {expected:?}");
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            proptest::sample::select(vec![
                "timestamp",
                "action",
                "httpRequest",
                "clientIp",
                "headers",
                "name",
                "value",
                "Host",
                "User-Agent",
                "labels",
                "webaclId",
                "terminatingRuleId",
                "httpSourceId",
                "uri",
            ])
            .prop_map(str::to_owned),
            ".{0,6}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            ".{0,10}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_records_never_panic(value in json_value(), timestamp in any::<i64>()) {
            if let Value::Object(map) = &value {
                let _ = event(map.clone(), &ctx());
            }
            // The same junk grafted onto a valid record, to reach the later fields.
            let mut valid = minimal();
            valid["timestamp"] = Value::from(timestamp);
            valid["httpRequest"]["headers"] = value.clone();
            valid["labels"] = value.clone();
            valid["webaclId"] = value;
            let _ = event(record(valid), &ctx());
        }
    }
}
