//! MozDef's `stackdriver_gceactivity` mq plugin (registration `stackdriver`; priority 16).
//!
//! Finishes the GCE activity log events that the `stackdriver` plugin rebuilt (`tags`
//! containing `stackdriver`, `category=gceactivity`): a new event with `receivedtimestamp`,
//! `timestamp` and `utctimestamp` (through `toUTC`, the latter two from `details.timestamp`),
//! `category`, `tags`, `source`, `mozdefhostname`, `customendpoint=""` and the original
//! `details`, where `jsonPayload` is moved to `gceactivity`, `service` is set to
//! `compute.googleapis.com`, `username` and `resourcename` are preset to `UNKNOWN`, and the
//! fields of `stackdriver_gceactivity.json` (MozDef's `stackdriver_gceactivity.yml`:
//! `username`, `action`, `actiongroup`, `resourcename`, `resourcetype`, `resourceid`,
//! `projectid`, `logname`, `sdreceivetimestamp`; JMESPath over the new event, `null` results
//! skipped) are added. `summary` = `<username> executed <action> on <resourcename>`. Other
//! events are left unchanged.
//!
//! Deviations, where MozDef crashed and lost the event: missing `receivedtimestamp`,
//! `details.timestamp`, `source` or `mozdefhostname` values, and timestamps `toUTC` cannot
//! read, are left out (the save-time defaults fill the timestamps); a missing
//! `event_subtype` shows as `UNKNOWN` in the summary; a missing or non-object `details`, or a
//! missing `details.jsonPayload`, fails the event (quarantine) instead of losing it.

use std::sync::LazyLock;

use mozdef_model::Document;

use super::jmes::MappingSet;
use super::stackdriver::{MappedPayload, rebuild_mapped, tagged_with_category};
use super::{Metadata, Plugin, PluginError, Verdict};

/// `stackdriver_gceactivity.yml`, converted to JSON.
static MAPPING: LazyLock<Result<MappingSet, String>> =
    LazyLock::new(|| MappingSet::from_json(include_str!("stackdriver_gceactivity.json")));

/// The category the `stackdriver` plugin gives GCE activity logs.
const CATEGORY: &str = "gceactivity";

/// MozDef's `stackdriver_gceactivity`.
#[derive(Debug, Default)]
pub struct StackdriverGceactivity;

impl Plugin for StackdriverGceactivity {
    fn name(&self) -> &'static str {
        "stackdriver_gceactivity"
    }

    fn registration(&self) -> &[&str] {
        &["stackdriver"]
    }

    fn priority(&self) -> u32 {
        16
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if !tagged_with_category(event, &[CATEGORY]) {
            return Ok(Verdict::Keep);
        }
        let mappings = MAPPING.as_ref().map_err(|e| PluginError::new(format!("stackdriver_gceactivity.json: {e}")))?;
        let how = MappedPayload {
            payload: "jsonPayload",
            moved_to: "gceactivity",
            // MozDef: "This is fake".
            service: Some("compute.googleapis.com"),
            mapping: mappings.get(CATEGORY),
        };
        rebuild_mapped(event, &how, |_| {})?;
        Ok(Verdict::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_loads() {
        let fields = MAPPING.as_ref().ok().and_then(|m| m.get(CATEGORY)).map(|m| m.fields().count());
        assert_eq!(fields, Some(9));
    }
}
