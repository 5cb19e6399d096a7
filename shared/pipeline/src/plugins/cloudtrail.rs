//! MozDef's `cloudtrail` mq plugin (registration cloudtrail; priority 10). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `cloudtrail`.
#[derive(Debug, Default)]
pub struct Cloudtrail;

impl Plugin for Cloudtrail {
    fn name(&self) -> &'static str {
        "cloudtrail"
    }

    fn registration(&self) -> &[&str] {
        &["cloudtrail"]
    }

    fn priority(&self) -> u32 {
        10
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the cloudtrail plugin is not ported yet"))
    }
}
