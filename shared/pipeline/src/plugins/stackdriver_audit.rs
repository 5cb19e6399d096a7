//! MozDef's `stackdriver_audit` mq plugin (registration `stackdriver`; priority 15).
//!
//! Finishes the Cloud Audit Logs events that the `stackdriver` plugin rebuilt (`tags`
//! containing `stackdriver`, `category` `activity` or `data_access`): a new event with
//! `receivedtimestamp`, `timestamp` and `utctimestamp` (through `toUTC`, the latter two from
//! `details.timestamp`), `category`, `tags`, `source`, `mozdefhostname`, `customendpoint=""`
//! and the original `details`, where `protoPayload` is moved to `gaudit` (with a
//! `gaudit.request.resource` that is not an object removed), `username` and `resourcename`
//! preset to `UNKNOWN`, and the fields of `stackdriver_audit.json` (MozDef's
//! `stackdriver_audit.yml`: `username`, `action`, `service`, `serviceData`, `resourcename`,
//! `resourcetype`, `projectid`, `logname`, `sdreceivetimestamp`, `sourceipaddress`; JMESPath
//! over the new event, `null` results skipped) added. `summary` = `<username> executed
//! <action> on <resourcename>`. Other events are left unchanged.
//!
//! Deviations, where MozDef crashed and lost the event: missing `receivedtimestamp`,
//! `details.timestamp`, `source` or `mozdefhostname` values, and timestamps `toUTC` cannot
//! read, are left out (the save-time defaults fill the timestamps); a missing `methodName`
//! shows as `UNKNOWN` in the summary; a missing or non-object `details`, or a missing
//! `details.protoPayload`, fails the event (quarantine) instead of losing it.

use std::sync::LazyLock;

use mozdef_model::Document;
use serde_json::Value;

use super::jmes::MappingSet;
use super::stackdriver::{MappedPayload, rebuild_mapped, tagged_with_category};
use super::{Metadata, Plugin, PluginError, Verdict};

/// `stackdriver_audit.yml`, converted to JSON.
static MAPPING: LazyLock<Result<MappingSet, String>> =
    LazyLock::new(|| MappingSet::from_json(include_str!("stackdriver_audit.json")));

/// MozDef's `cats`: the categories the `stackdriver` plugin gives audit logs.
const CATEGORIES: [&str; 2] = ["activity", "data_access"];

/// MozDef's `stackdriver_audit`.
#[derive(Debug, Default)]
pub struct StackdriverAudit;

impl Plugin for StackdriverAudit {
    fn name(&self) -> &'static str {
        "stackdriver_audit"
    }

    fn registration(&self) -> &[&str] {
        &["stackdriver"]
    }

    fn priority(&self) -> u32 {
        15
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if !tagged_with_category(event, &CATEGORIES) {
            return Ok(Verdict::Keep);
        }
        let mappings = MAPPING.as_ref().map_err(|e| PluginError::new(format!("stackdriver_audit.json: {e}")))?;
        let mapping = event.get("category").and_then(Value::as_str).and_then(|c| mappings.get(c));
        let how = MappedPayload { payload: "protoPayload", moved_to: "gaudit", service: None, mapping };
        rebuild_mapped(event, &how, |details| {
            // A `request.resource` that is not an object is removed.
            if let Some(Value::Object(gaudit)) = details.get_mut("gaudit")
                && let Some(Value::Object(request)) = gaudit.get_mut("request")
                && request.get("resource").is_some_and(|r| !r.is_object())
            {
                request.shift_remove("resource");
            }
        })?;
        Ok(Verdict::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_loads() {
        let types: Vec<&str> = MAPPING.as_ref().map(|m| m.event_types().collect()).unwrap_or_default();
        assert_eq!(types, ["data_access", "activity"]);
    }
}
