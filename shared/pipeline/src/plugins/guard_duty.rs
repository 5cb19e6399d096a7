//! MozDef's `guardDuty` mq plugin (registration `guardduty`; priority 3): rebuilds a GuardDuty
//! finding, in the shape `esworker_guardduty` produced (see the GuardDuty decoder), into a flat
//! MozDef event.
//!
//! Only events whose `source` is `guardduty` and that have `details` are touched. The event is
//! replaced by a new one holding `receivedtimestamp`, `timestamp`, `utctimestamp`,
//! `mozdefhostname`, `tags` (`["aws", "guardduty"]` + the event's tags), `category` and
//! `source` `guardduty`, `customendpoint` `""`, `summary` (= `details.title`), `hostname`, and
//! new `details`:
//!
//! * `type` = lower-cased `details.finding.action.actionType`, `finding` = the finding type
//!   (`details.category`), `resourcerole` = lower-cased `details.finding.resourceRole`;
//! * for the 56 finding types of MozDef's `guardduty_mapping.yml` (kept as
//!   `guard_duty_mapping.json` next to this module, converted verbatim, key order kept), one
//!   field per mapping entry, read with the mapping's JMESPath expression (null results
//!   skipped). The mapping only uses plain dotted field paths
//!   (`details.finding.action.networkConnectionAction.protocol`), evaluated by the plugins'
//!   shared JMESPath subset ([`super::jmes`]) rather than the `jmespath` crate. As in MozDef,
//!   unless the action is `AWS_API_CALL` a non-empty `networkInterfaces` list is read as its
//!   first element;
//! * `gdeventcreatedts`, `gdeventupdatedts`, `gdeventfirstseents`, `gdeventlastseents` go
//!   through `toUTC(...).isoformat()`;
//! * `query` = `miscinfo.domain` when there is one; the AWS instance `tags` list becomes
//!   `awstags`, every key and value of every tag lower-cased, in order (MozDef appends all of a
//!   tag's items, not only its value);
//! * `hostname` = `publicdnsname`, else `privatednsname`;
//! * for outbound `UnauthorizedAccess:EC2/RDPBruteForce` and `SSHBruteForce` findings, source
//!   and destination addresses are swapped and the ports removed;
//! * a missing `direction` is `INBOUND`; an inbound finding without `destinationipaddress`, or
//!   an outbound one without `sourceipaddress`, takes `publicip`.
//!
//! Deviations from MozDef, all where it raised an exception (and lost the event):
//! * missing `receivedtimestamp`, `timestamp`, `utctimestamp`, `mozdefhostname`, `title`,
//!   `finding.action.actionType` or `finding.resourceRole` (or non-string action types and
//!   roles) leave the matching field out instead of failing; missing `tags` count as none and
//!   a string `tags` as one tag; the network-interface step is skipped when the finding has no
//!   `resource.instanceDetails` object;
//! * the outbound brute-force swap does what it evidently meant: destination = the old source
//!   (or `0.0.0.0`), source = the old destination (or `0.0.0.0`); MozDef read the *other*
//!   field behind each presence test and so failed whenever only one address was known (every
//!   outbound SSHBruteForce finding, whose mapping has no destination). A finding without a
//!   `direction` is not treated as outbound, and missing ports are not an error;
//! * a `miscinfo` that is not an object gives no `query`; in the AWS tags, entries that are not
//!   objects and values that are not strings are skipped, and a single tag object in place of
//!   the list counts as a list of one;
//! * errors (→ quarantine, the event left as it was): `details` that is not an object, a
//!   missing `details.category`, `tags` that are neither a list nor a string, and a `gdevent*ts`
//!   value `toUTC` cannot read.
//!
//! `toUTC`'s "now" (only used for dates without a year) is the event's `receivedtimestamp`, or
//! the current time when it has none.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use mozdef_model::{Document, isoformat, to_utc};
use serde_json::{Map, Value, json};

use super::jmes::MappingSet;
use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `guardduty_mapping.yml`, as JSON: finding type → output field → JMESPath expression.
const MAPPING_JSON: &str = include_str!("guard_duty_mapping.json");

/// The date fields rewritten as ISO 8601 (MozDef's `date_keys`).
const DATE_KEYS: [&str; 4] = ["gdeventcreatedts", "gdeventupdatedts", "gdeventfirstseents", "gdeventlastseents"];

/// The mapping, parsed once; an error names what is wrong with the embedded file.
static MAPPING: LazyLock<Result<MappingSet, String>> = LazyLock::new(|| {
    MappingSet::from_json(MAPPING_JSON).map_err(|e| format!("guardDuty: the embedded mapping is invalid: {e}"))
});

/// `a.b.c` of nested objects.
fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.as_object()?.get(*key))
}

/// `details.resource.instanceDetails.networkInterfaces`, for MozDef's in-place flattening.
fn network_interfaces(event: &mut Document) -> Option<&mut Value> {
    ["resource", "instanceDetails", "networkInterfaces"]
        .iter()
        .try_fold(event.get_mut("details")?, |v, key| v.as_object_mut()?.get_mut(*key))
}

/// MozDef's `guardDuty`.
#[derive(Debug, Default)]
pub struct GuardDuty;

impl Plugin for GuardDuty {
    fn name(&self) -> &'static str {
        "guardDuty"
    }

    fn registration(&self) -> &[&str] {
        &["guardduty"]
    }

    fn priority(&self) -> u32 {
        3
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if event.get("source").and_then(Value::as_str) != Some("guardduty") {
            return Ok(Verdict::Keep);
        }
        let Some(details) = event.get("details") else {
            return Ok(Verdict::Keep);
        };
        if !details.is_object() {
            return Err(PluginError::new("guardDuty: details is not an object"));
        }
        if details.get("category").is_none() {
            return Err(PluginError::new("guardDuty: details.category (the finding type) is missing"));
        }
        // MozDef replaced a non-empty network-interface list by its first element (in the
        // event it then discarded), except for API-call findings.
        let api_call =
            get(details, &["finding", "action", "actionType"]).and_then(Value::as_str) == Some("AWS_API_CALL");
        let mut replaced = None;
        if !api_call
            && let Some(nic) = network_interfaces(event)
            && let Some(first) = nic.as_array().and_then(|list| list.first()).cloned()
        {
            replaced = Some(std::mem::replace(nic, first));
        }
        match rebuild(event) {
            Ok(new) => {
                *event = new;
                Ok(Verdict::Keep)
            }
            Err(e) => {
                // Quarantine the event as it came.
                if let Some(original) = replaced
                    && let Some(nic) = network_interfaces(event)
                {
                    *nic = original;
                }
                Err(e)
            }
        }
    }
}

/// Builds MozDef's `newmessage` from the event (left untouched).
fn rebuild(event: &Document) -> Result<Document, PluginError> {
    let mappings = MAPPING.as_ref().map_err(|e| PluginError::new(e.clone()))?;
    let details = event.get("details").unwrap_or(&Value::Null);
    let finding = details.get("category").unwrap_or(&Value::Null);
    let action_type = get(details, &["finding", "action", "actionType"]).and_then(Value::as_str);

    let mut new = Document::new();
    for key in ["receivedtimestamp", "timestamp", "utctimestamp", "mozdefhostname"] {
        if let Some(v) = event.get(key) {
            new.insert(key.to_owned(), v.clone());
        }
    }
    let mut tags = vec![json!("aws"), json!("guardduty")];
    match event.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => tags.extend(list.iter().cloned()),
        Some(s @ Value::String(_)) => tags.push(s.clone()),
        Some(_) => return Err(PluginError::new("guardDuty: tags is neither a list nor a string")),
    }
    new.insert("tags".to_owned(), Value::Array(tags));
    new.insert("category".to_owned(), json!("guardduty"));
    new.insert("source".to_owned(), json!("guardduty"));
    new.insert("customendpoint".to_owned(), json!(""));

    let mut d = Map::new();
    if let Some(t) = action_type {
        d.insert("type".to_owned(), json!(t.to_lowercase()));
    }
    d.insert("finding".to_owned(), finding.clone());
    let summary = details.get("title").cloned();
    if let Some(role) = get(details, &["finding", "resourceRole"]).and_then(Value::as_str) {
        d.insert("resourcerole".to_owned(), json!(role.to_lowercase()));
    }

    if let Some(mapping) = finding.as_str().and_then(|f| mappings.get(f)) {
        for (key, expr) in mapping.fields() {
            if let Some(v) = expr.search_map(event) {
                d.insert(key.to_owned(), v.clone());
            }
        }
    }

    let mut now = None;
    for key in DATE_KEYS {
        if let Some(v) = d.get_mut(key) {
            let now = *now.get_or_insert_with(|| received_time(event));
            let when = to_utc(v, now).map_err(|e| PluginError::new(format!("guardDuty: details.{key}: {e}")))?;
            *v = Value::String(isoformat(&when));
        }
    }

    if let Some(domain) = d.get("miscinfo").and_then(|m| m.as_object()).and_then(|m| m.get("domain")) {
        let domain = domain.clone();
        d.insert("query".to_owned(), domain);
    }

    if let Some(aws_tags) = d.shift_remove("tags") {
        let list: &[Value] = match &aws_tags {
            Value::Array(list) => list,
            Value::Object(_) => std::slice::from_ref(&aws_tags),
            _ => &[],
        };
        let flat: Vec<Value> = list
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|tag| tag.values())
            .filter_map(Value::as_str)
            .map(|s| Value::String(s.to_lowercase()))
            .collect();
        d.insert("awstags".to_owned(), Value::Array(flat));
    }

    let hostname = d.get("publicdnsname").or_else(|| d.get("privatednsname")).cloned();

    let brute_force = matches!(
        finding.as_str(),
        Some("UnauthorizedAccess:EC2/RDPBruteForce" | "UnauthorizedAccess:EC2/SSHBruteForce")
    );
    if brute_force && d.get("direction").and_then(Value::as_str) == Some("OUTBOUND") {
        let true_dst = d.get("sourceipaddress").cloned().unwrap_or_else(|| json!("0.0.0.0"));
        let true_src = d.get("destinationipaddress").cloned().unwrap_or_else(|| json!("0.0.0.0"));
        d.insert("destinationipaddress".to_owned(), true_dst);
        d.insert("sourceipaddress".to_owned(), true_src);
        d.shift_remove("sourceport");
        d.shift_remove("destinationport");
    }

    // `Recon:EC2/PortProbeUnprotectedPort` → INBOUND is MozDef's only special case, and the
    // default anyway.
    if !d.contains_key("direction") {
        d.insert("direction".to_owned(), json!("INBOUND"));
    }
    let fill = match d.get("direction").and_then(Value::as_str) {
        Some("INBOUND") => Some("destinationipaddress"),
        Some("OUTBOUND") => Some("sourceipaddress"),
        _ => None,
    };
    if let Some(key) = fill
        && !d.contains_key(key)
        && let Some(ip) = d.get("publicip").cloned()
    {
        d.insert(key.to_owned(), ip);
    }

    new.insert("details".to_owned(), Value::Object(d));
    if let Some(summary) = summary {
        new.insert("summary".to_owned(), summary);
    }
    if let Some(hostname) = hostname {
        new.insert("hostname".to_owned(), hostname);
    }
    Ok(new)
}

/// `toUTC`'s "now": the event's receive time, else the current time.
fn received_time(event: &Document) -> DateTime<Utc> {
    event
        .get("receivedtimestamp")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_has_mozdefs_56_finding_types() {
        let mapping = MAPPING.as_ref().unwrap();
        assert_eq!(mapping.event_types().count(), 56);
        let probe = mapping.get("Recon:EC2/PortProbeUnprotectedPort").unwrap();
        assert_eq!(probe.fields().count(), 33);
        assert_eq!(probe.fields().next().map(|(k, _)| k), Some("findingid"));
        let ssh = mapping.get("UnauthorizedAccess:EC2/SSHBruteForce").unwrap();
        assert!(ssh.fields().all(|(k, _)| k != "destinationipaddress"));
    }
}
