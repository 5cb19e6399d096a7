//! MozDef's `complianceitems` mq plugin (registration complianceitems; priority 20). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `complianceitems`.
#[derive(Debug, Default)]
pub struct Complianceitems;

impl Plugin for Complianceitems {
    fn name(&self) -> &'static str {
        "complianceitems"
    }

    fn registration(&self) -> &[&str] {
        &["complianceitems"]
    }

    fn priority(&self) -> u32 {
        20
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the complianceitems plugin is not ported yet"))
    }
}
