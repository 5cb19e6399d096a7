//! MozDef's `mozilla_location` mq plugin (registration network, netflow; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `mozilla_location`.
#[derive(Debug, Default)]
pub struct MozillaLocation;

impl Plugin for MozillaLocation {
    fn name(&self) -> &'static str {
        "mozilla_location"
    }

    fn registration(&self) -> &[&str] {
        &["network", "netflow"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the mozilla_location plugin is not ported yet"))
    }
}
