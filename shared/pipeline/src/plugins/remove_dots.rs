//! MozDef's `remove_dots` mq plugin (registration cloudtrail; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `remove_dots`.
#[derive(Debug, Default)]
pub struct RemoveDots;

impl Plugin for RemoveDots {
    fn name(&self) -> &'static str {
        "remove_dots"
    }

    fn registration(&self) -> &[&str] {
        &["cloudtrail"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the remove_dots plugin is not ported yet"))
    }
}
