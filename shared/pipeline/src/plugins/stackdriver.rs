//! MozDef's `stackdriver` mq plugin (registration pubsub; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `stackdriver`.
#[derive(Debug, Default)]
pub struct Stackdriver;

impl Plugin for Stackdriver {
    fn name(&self) -> &'static str {
        "stackdriver"
    }

    fn registration(&self) -> &[&str] {
        &["pubsub"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the stackdriver plugin is not ported yet"))
    }
}
