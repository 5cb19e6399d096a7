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

use std::sync::LazyLock;

use mozdef_model::Document;
use serde_json::{Map, Value};

use super::{Handling, Metadata, Plugin, PluginError, Verdict};
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

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        self.handle(event, metadata).map(Handling::verdict)
    }

    fn handle(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Handling, PluginError> {
        if event.get("source").and_then(Value::as_str) != Some("cloudtrail") {
            return Ok(Handling::PassedOver);
        }
        let Some(Value::Object(details)) = event.get_mut("details") else {
            return Ok(Handling::PassedOver);
        };
        let mut changed = false;
        if let Some(Value::Object(params)) = details.get_mut("requestparameters")
            && let Some(html) = params.get_mut("htmlpart")
        {
            changed |= truncate(html);
        }
        // The three groups of paths (below `requestparameters`, below `responseelements`, and
        // the others) are disjoint subtrees (no path is either object itself), so handling
        // them group by group, each in list order, wraps exactly what the list order would.
        for (key, paths) in [(REQUEST, &*REQUEST_PATHS), (RESPONSE, &*RESPONSE_PATHS)] {
            if let Some(Value::Object(map)) = details.get_mut(key) {
                changed |= paths.wrap_below(map);
            }
        }
        for path in DETAILS_PATHS {
            if let Some(value) = details.get_mut(path) {
                wrap(value);
                changed = true;
            }
        }
        Ok(if changed { Handling::Verdict(Verdict::Keep) } else { Handling::PassedOver })
    }
}

/// The object whose paths in [`MODIFY_KEYS`] start with `requestparameters.`.
const REQUEST: &str = "requestparameters";
/// The object whose paths in [`MODIFY_KEYS`] start with `responseelements.`.
const RESPONSE: &str = "responseelements";
/// The paths of [`MODIFY_KEYS`] below neither, each a key of `details`.
const DETAILS_PATHS: [&str; 3] = ["additionaleventdata", "apiversion", "serviceeventdetails"];

/// The paths of [`MODIFY_KEYS`] below `requestparameters`.
static REQUEST_PATHS: LazyLock<Paths> = LazyLock::new(|| Paths::below(REQUEST));
/// The paths of [`MODIFY_KEYS`] below `responseelements`.
static RESPONSE_PATHS: LazyLock<Paths> = LazyLock::new(|| Paths::below(RESPONSE));

/// The paths of [`MODIFY_KEYS`] below one object, by their first key: sorted by that key,
/// each with the rest of its paths in the list's order (`None`: the key itself). An object's
/// keys (a few) are then each looked up once here, instead of every path in the object.
struct Paths(Vec<(&'static str, Vec<Option<&'static str>>)>);

impl Paths {
    /// The paths of [`MODIFY_KEYS`] that start with `<object>.`, without that prefix.
    fn below(object: &str) -> Paths {
        let mut groups: Vec<(&'static str, Vec<Option<&'static str>>)> = Vec::new();
        let below = MODIFY_KEYS.iter().filter_map(|path| path.strip_prefix(object)?.strip_prefix('.'));
        for path in below {
            let (first, rest) = path.split_once('.').map_or((path, None), |(first, rest)| (first, Some(rest)));
            match groups.iter_mut().find(|(key, _)| *key == first) {
                Some((_, rests)) => rests.push(rest),
                None => groups.push((first, vec![rest])),
            }
        }
        groups.sort_by_key(|(first, _)| *first);
        Paths(groups)
    }

    /// Wraps the values at these paths below `map`, each key's in list order; whether any
    /// was there.
    fn wrap_below(&self, map: &mut Map<String, Value>) -> bool {
        let mut wrapped = false;
        for (key, value) in map.iter_mut() {
            let Ok(group) = self.0.binary_search_by(|(first, _)| (*first).cmp(key.as_str())) else { continue };
            for rest in &self.0[group].1 {
                let target = match rest {
                    None => Some(&mut *value),
                    Some(rest) => value.as_object_mut().and_then(|inner| find_mut(inner, rest)),
                };
                if let Some(target) = target {
                    wrap(target);
                    wrapped = true;
                }
            }
        }
        wrapped
    }
}

/// Replaces `value` by `{"raw_value": <its Python JSON>}`.
fn wrap(value: &mut Value) {
    let mut raw = String::new();
    py_json_dumps(value, &mut raw);
    let mut wrapped = Map::with_capacity(1);
    wrapped.insert("raw_value".to_owned(), Value::String(raw));
    *value = Value::Object(wrapped);
}

/// `htmlpart[0:4095]` for a string (characters) or a list (elements); whether it cut any.
fn truncate(html: &mut Value) -> bool {
    match html {
        Value::String(s) => match s.char_indices().nth(HTMLPART_LIMIT) {
            Some((cut, _)) => {
                s.truncate(cut);
                true
            }
            None => false,
        },
        Value::Array(list) if list.len() > HTMLPART_LIMIT => {
            list.truncate(HTMLPART_LIMIT);
            true
        }
        _ => false,
    }
}

/// The value at a dotted `path` below `map`, through objects only (`null` included).
fn find_mut<'a>(map: &'a mut Map<String, Value>, path: &str) -> Option<&'a mut Value> {
    let (parents, last) = path.rsplit_once('.').map_or(("", path), |(p, l)| (p, l));
    let mut map = map;
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
    fn the_paths_are_grouped_by_object_and_first_key() {
        let below = |paths: &Paths| paths.0.iter().map(|(_, rests)| rests.len()).sum::<usize>();
        assert_eq!(DETAILS_PATHS.len() + below(&REQUEST_PATHS) + below(&RESPONSE_PATHS), MODIFY_KEYS.len());
        let others: Vec<&str> = MODIFY_KEYS
            .iter()
            .copied()
            .filter(|path| !path.starts_with(REQUEST) && !path.starts_with(RESPONSE))
            .collect();
        assert_eq!(others, DETAILS_PATHS);
        let request = REQUEST_PATHS.0.iter().find(|(first, _)| *first == "describevpcendpointsrequest");
        assert_eq!(
            request.map(|(_, rests)| rests.as_slice()),
            Some(&[None, Some("filter"), Some("filter.value"), Some("vpcendpointid")][..])
        );
        assert!(REQUEST_PATHS.0.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn the_list_is_mozdefs() {
        assert_eq!(MODIFY_KEYS.len(), 73);
        assert!(MODIFY_KEYS.iter().all(|k| !k.is_empty() && !k.starts_with("details")));
    }
}
