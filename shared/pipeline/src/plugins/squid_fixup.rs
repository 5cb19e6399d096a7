//! MozDef's `squidFixup` mq plugin (registration squid; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `squidFixup`.
#[derive(Debug, Default)]
pub struct SquidFixup;

impl Plugin for SquidFixup {
    fn name(&self) -> &'static str {
        "squidFixup"
    }

    fn registration(&self) -> &[&str] {
        &["squid"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the squidFixup plugin is not ported yet"))
    }
}
