//! MozDef's `lower_keys` mq plugin (registration cloudtrail, suricata, guardduty; priority 4). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `lower_keys`.
#[derive(Debug, Default)]
pub struct LowerKeys;

impl Plugin for LowerKeys {
    fn name(&self) -> &'static str {
        "lower_keys"
    }

    fn registration(&self) -> &[&str] {
        &["cloudtrail", "suricata", "guardduty"]
    }

    fn priority(&self) -> u32 {
        4
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the lower_keys plugin is not ported yet"))
    }
}
