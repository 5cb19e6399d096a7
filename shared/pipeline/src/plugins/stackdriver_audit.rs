//! MozDef's `stackdriver_audit` mq plugin (registration stackdriver; priority 15). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

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

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the stackdriver_audit plugin is not ported yet"))
    }
}
