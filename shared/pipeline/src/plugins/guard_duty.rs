//! MozDef's `guardDuty` mq plugin (registration guardduty; priority 3). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

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

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the guardDuty plugin is not ported yet"))
    }
}
