//! MozDef's `zoom_fixup` mq plugin (registration zoom_host; priority 2). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `zoom_fixup`.
#[derive(Debug, Default)]
pub struct ZoomFixup;

impl Plugin for ZoomFixup {
    fn name(&self) -> &'static str {
        "zoom_fixup"
    }

    fn registration(&self) -> &[&str] {
        &["zoom_host"]
    }

    fn priority(&self) -> u32 {
        2
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the zoom_fixup plugin is not ported yet"))
    }
}
