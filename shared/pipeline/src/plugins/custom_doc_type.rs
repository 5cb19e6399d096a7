//! MozDef's `customDocType` mq plugin (registration customendpoint; priority 2). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `customDocType`.
#[derive(Debug, Default)]
pub struct CustomDocType;

impl Plugin for CustomDocType {
    fn name(&self) -> &'static str {
        "customDocType"
    }

    fn registration(&self) -> &[&str] {
        &["customendpoint"]
    }

    fn priority(&self) -> u32 {
        2
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the customDocType plugin is not ported yet"))
    }
}
