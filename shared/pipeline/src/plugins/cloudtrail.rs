//! MozDef's `cloudtrail` mq plugin (registration `cloudtrail`; priority 10): keeps CloudTrail
//! records indexable.
//!
//! For events whose `source` is `cloudtrail`:
//! * `details.requestparameters.htmlpart` (SES templates, often over 32 kB) is cut to its first
//!   4095 characters (list elements, for a list) when it is non-empty;
//! * 73 fields whose type varies between API calls (`details.additionaleventdata`,
//!   `details.apiversion`, `details.requestparameters.filter`, `details.responseelements.role`...)
//!   are replaced, wherever they exist (even as `null`), by `{"raw_value": <the value as Python's
//!   json.dumps writes it>}`: `", "` and `": "` separators, non-ASCII escaped as `\uHHHH`, floats
//!   as Python's `repr`. The list is walked in MozDef's order, so a field nested in one already
//!   replaced (`describeflowlogsrequest.filter.value`) is left inside the raw value.
//!
//! Deviations from MozDef, where it raised an exception: a `cloudtrail` event without `details`,
//! or whose `details`, `requestparameters` or intermediate path elements are not objects, is
//! passed over (MozDef's `in` tests matched substrings of strings and elements of lists, then
//! failed indexing them); a truthy `htmlpart` that is neither a string nor a list is left as it
//! is.

use mozdef_model::Document;
use serde_json::{Map, Value};

use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::py_float_repr;

/// MozDef's `ES_FIELD_VALUE_LIMIT`: the characters of `htmlpart` that are kept.
const HTMLPART_LIMIT: usize = 4095;

/// MozDef's `modify_keys`, in its order, relative to `details`.
const MODIFY_KEYS: [&str; 73] = [
    "additionaleventdata",
    "apiversion",
    "serviceeventdetails",
    "requestparameters.attribute",
    "requestparameters.authparameters",
    "requestparameters.bucketpolicy.statement.principal.service",
    "requestparameters.bucketpolicy.statement.principal.aws",
    "requestparameters.callerreference",
    "requestparameters.description",
    "requestparameters.describecapacityreservationsrequest",
    "requestparameters.describecoippoolsrequest",
    "requestparameters.describeegressonlyinternetgatewaysrequest",
    "requestparameters.describefastsnapshotrestoresrequest",
    "requestparameters.describeflowlogsrequest",
    "requestparameters.describeflowlogsrequest.filter.value",
    "requestparameters.describehostsrequest",
    "requestparameters.describeinstancetypeofferingsrequest",
    "requestparameters.describeinstancetypesrequest",
    "requestparameters.describeipv6poolsrequest",
    "requestparameters.describelaunchtemplatesrequest",
    "requestparameters.describenatgatewaysrequest",
    "requestparameters.describepublicipv4poolsrequest",
    "requestparameters.describescheduledinstancesrequest",
    "requestparameters.describespotfleetrequestsrequest",
    "requestparameters.describevpcendpointconnectionnotificationsrequest",
    "requestparameters.describevpcendpointsrequest",
    "requestparameters.describevpcendpointsrequest.filter",
    "requestparameters.describevpcendpointsrequest.filter.value",
    "requestparameters.describevpcendpointsrequest.vpcendpointid",
    "requestparameters.describevpcendpointserviceconfigurationsrequest",
    "requestparameters.describevpcendpointservicesrequest",
    "requestparameters.disableapitermination",
    "requestparameters.distributionconfig.callerreference",
    "requestparameters.domainname",
    "requestparameters.domainnames",
    "requestparameters.ebsoptimized",
    "requestparameters.filter",
    "requestparameters.groupdescription",
    "requestparameters.iaminstanceprofile",
    "requestparameters.invalidationbatch.callerreference",
    "requestparameters.imageid",
    "requestparameters.instancetype",
    "requestparameters.logging",
    "requestparameters.logstreamname",
    "requestparameters.metrics",
    "requestparameters.notification",
    "requestparameters.notificationconfiguration",
    "requestparameters.rule",
    "requestparameters.schema",
    "requestparameters.sort",
    "requestparameters.source",
    "requestparameters.tagging",
    "requestparameters.vpc",
    "responseelements.availabilityzones",
    "responseelements.createddate",
    "responseelements.creationdate",
    "responseelements.creationtime",
    "responseelements.credentials",
    "responseelements.dbsubnetgroup",
    "responseelements.distribution.distributionconfig.callerreference",
    "responseelements.endpoint",
    "responseelements.findings.service.additionalinfo.unusual",
    "responseelements.invalidation.invalidationbatch.callerreference",
    "responseelements.lastmodified",
    "responseelements.lastmodifieddate",
    "responseelements.policy",
    "responseelements.responseparameters.method.response.header.access-control-allow-headers",
    "responseelements.responseparameters.method.response.header.access-control-allow-methods",
    "responseelements.responseparameters.method.response.header.access-control-allow-origin",
    "responseelements.role",
    "responseelements.securitygroups",
    "responseelements.state",
    "responseelements.subnets",
];

/// MozDef's `cloudtrail`.
#[derive(Debug, Default)]
pub struct Cloudtrail;

impl Plugin for Cloudtrail {
    fn name(&self) -> &'static str {
        "cloudtrail"
    }

    fn registration(&self) -> &[&str] {
        &["cloudtrail"]
    }

    fn priority(&self) -> u32 {
        10
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if event.get("source").and_then(Value::as_str) != Some("cloudtrail") {
            return Ok(Verdict::Keep);
        }
        let Some(Value::Object(details)) = event.get_mut("details") else {
            return Ok(Verdict::Keep);
        };
        if let Some(Value::Object(params)) = details.get_mut("requestparameters")
            && let Some(html) = params.get_mut("htmlpart")
        {
            truncate(html);
        }
        // The paths below `requestparameters` and `responseelements` are looked up from
        // those objects, each fetched once; the three groups are disjoint subtrees (no path
        // is either object itself), so handling them group by group, each in list order,
        // wraps exactly what the list order would.
        const REQUEST: &str = "requestparameters.";
        const RESPONSE: &str = "responseelements.";
        for prefix in [REQUEST, RESPONSE] {
            if let Some(Value::Object(map)) = details.get_mut(prefix.trim_end_matches('.')) {
                MODIFY_KEYS.iter().filter_map(|path| path.strip_prefix(prefix)).for_each(|path| wrap(map, path));
            }
        }
        MODIFY_KEYS
            .iter()
            .filter(|path| !path.starts_with(REQUEST) && !path.starts_with(RESPONSE))
            .for_each(|path| wrap(details, path));
        Ok(Verdict::Keep)
    }
}

/// Replaces the value at `path` below `map`, if any, by `{"raw_value": <its Python JSON>}`.
fn wrap(map: &mut Map<String, Value>, path: &str) {
    if let Some(value) = find_mut(map, path) {
        let mut raw = String::new();
        py_json_dumps(value, &mut raw);
        let mut wrapped = Map::with_capacity(1);
        wrapped.insert("raw_value".to_owned(), Value::String(raw));
        *value = Value::Object(wrapped);
    }
}

/// `htmlpart[0:4095]` for a string (characters) or a list (elements).
fn truncate(html: &mut Value) {
    match html {
        Value::String(s) => {
            if let Some((cut, _)) = s.char_indices().nth(HTMLPART_LIMIT) {
                s.truncate(cut);
            }
        }
        Value::Array(list) => list.truncate(HTMLPART_LIMIT),
        _ => {}
    }
}

/// The value at a dotted `path` below `details`, through objects only (`null` included).
fn find_mut<'a>(details: &'a mut Map<String, Value>, path: &str) -> Option<&'a mut Value> {
    let (parents, last) = path.rsplit_once('.').map_or(("", path), |(p, l)| (p, l));
    let mut map = details;
    for key in parents.split('.').filter(|k| !k.is_empty()) {
        map = map.get_mut(key)?.as_object_mut()?;
    }
    map.get_mut(last)
}

/// Python's `json.dumps(value)` with its defaults: `", "` and `": "` separators,
/// `ensure_ascii` (every character outside space..`~` escaped, lower-case hex, surrogate
/// pairs above U+FFFF), floats as `repr`.
fn py_json_dumps(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if n.is_f64() {
                out.push_str(&n.as_f64().map_or_else(|| n.to_string(), py_float_repr));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => py_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                py_json_dumps(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                py_json_string(key, out);
                out.push_str(": ");
                py_json_dumps(item, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal as Python's `json` writes it with `ensure_ascii`.
fn py_json_string(s: &str, out: &mut String) {
    use std::fmt::Write as _;
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dumps(v: &Value) -> String {
        let mut s = String::new();
        py_json_dumps(v, &mut s);
        s
    }

    #[test]
    fn json_dumps_is_pythons() {
        assert_eq!(dumps(&json!({"a": [1, 2.5, null, true], "b": {}})), r#"{"a": [1, 2.5, null, true], "b": {}}"#);
        assert_eq!(dumps(&json!([])), "[]");
        assert_eq!(dumps(&json!(1.0)), "1.0");
        assert_eq!(dumps(&json!(1e16)), "1e+16");
        assert_eq!(dumps(&json!(-3)), "-3");
        assert_eq!(dumps(&json!("é\u{7f}\u{1}\"\\/\t😀")), r#""\u00e9\u007f\u0001\"\\/\t\ud83d\ude00""#);
    }

    #[test]
    fn the_list_is_mozdefs() {
        assert_eq!(MODIFY_KEYS.len(), 73);
        assert!(MODIFY_KEYS.iter().all(|k| !k.is_empty() && !k.starts_with("details")));
    }
}
