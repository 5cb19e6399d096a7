//! MozDef's `filterlog` mq plugin (registration filterlog; priority 10). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `filterlog`.
#[derive(Debug, Default)]
pub struct Filterlog;

impl Plugin for Filterlog {
    fn name(&self) -> &'static str {
        "filterlog"
    }

    fn registration(&self) -> &[&str] {
        &["filterlog"]
    }

    fn priority(&self) -> u32 {
        10
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the filterlog plugin is not ported yet"))
    }
}
