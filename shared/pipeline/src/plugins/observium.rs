//! MozDef's `observium` mq plugin (registration observium; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `observium`.
#[derive(Debug, Default)]
pub struct Observium;

impl Plugin for Observium {
    fn name(&self) -> &'static str {
        "observium"
    }

    fn registration(&self) -> &[&str] {
        &["observium"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the observium plugin is not ported yet"))
    }
}
