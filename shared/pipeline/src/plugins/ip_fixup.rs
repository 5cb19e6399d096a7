//! MozDef's `ipFixup` mq plugin (registration sourceipaddress, destinationipaddress, src, dst, srcip, dstip, http_x_forwarded_for; priority 15). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `ipFixup`.
#[derive(Debug, Default)]
pub struct IpFixup;

impl Plugin for IpFixup {
    fn name(&self) -> &'static str {
        "ipFixup"
    }

    fn registration(&self) -> &[&str] {
        &["sourceipaddress", "destinationipaddress", "src", "dst", "srcip", "dstip", "http_x_forwarded_for"]
    }

    fn priority(&self) -> u32 {
        15
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the ipFixup plugin is not ported yet"))
    }
}
