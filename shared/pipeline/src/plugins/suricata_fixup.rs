//! MozDef's `suricataFixup` mq plugin (registration suricata; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `suricataFixup`.
#[derive(Debug, Default)]
pub struct SuricataFixup;

impl Plugin for SuricataFixup {
    fn name(&self) -> &'static str {
        "suricataFixup"
    }

    fn registration(&self) -> &[&str] {
        &["suricata"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the suricataFixup plugin is not ported yet"))
    }
}
