//! MozDef's `geoip` mq plugin (registration sourceipaddress, destinationipaddress; priority 20). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `geoip`.
#[derive(Debug, Default)]
pub struct Geoip;

impl Plugin for Geoip {
    fn name(&self) -> &'static str {
        "geoip"
    }

    fn registration(&self) -> &[&str] {
        &["sourceipaddress", "destinationipaddress"]
    }

    fn priority(&self) -> u32 {
        20
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the geoip plugin is not ported yet"))
    }
}
