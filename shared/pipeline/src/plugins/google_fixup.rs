//! MozDef's `googleFixup` mq plugin (registration google; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `googleFixup`.
#[derive(Debug, Default)]
pub struct GoogleFixup;

impl Plugin for GoogleFixup {
    fn name(&self) -> &'static str {
        "googleFixup"
    }

    fn registration(&self) -> &[&str] {
        &["google"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the googleFixup plugin is not ported yet"))
    }
}
