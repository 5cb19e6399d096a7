//! MozDef's `netflowFixup` mq plugin (registration netflow; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `netflowFixup`.
#[derive(Debug, Default)]
pub struct NetflowFixup;

impl Plugin for NetflowFixup {
    fn name(&self) -> &'static str {
        "netflowFixup"
    }

    fn registration(&self) -> &[&str] {
        &["netflow"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the netflowFixup plugin is not ported yet"))
    }
}
