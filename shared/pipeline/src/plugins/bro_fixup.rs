//! MozDef's `broFixup` mq plugin (registration bro; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `broFixup`.
#[derive(Debug, Default)]
pub struct BroFixup;

impl Plugin for BroFixup {
    fn name(&self) -> &'static str {
        "broFixup"
    }

    fn registration(&self) -> &[&str] {
        &["bro"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the broFixup plugin is not ported yet"))
    }
}
