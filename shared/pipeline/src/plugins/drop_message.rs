//! MozDef's `dropMessage` mq plugin (registration ELB-HealthChecker/1.0; priority 1). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `dropMessage`.
#[derive(Debug, Default)]
pub struct DropMessage;

impl Plugin for DropMessage {
    fn name(&self) -> &'static str {
        "dropMessage"
    }

    fn registration(&self) -> &[&str] {
        &["ELB-HealthChecker/1.0"]
    }

    fn priority(&self) -> u32 {
        1
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the dropMessage plugin is not ported yet"))
    }
}
