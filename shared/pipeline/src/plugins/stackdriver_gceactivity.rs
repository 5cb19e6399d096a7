//! MozDef's `stackdriver_gceactivity` mq plugin (registration stackdriver; priority 16). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `stackdriver_gceactivity`.
#[derive(Debug, Default)]
pub struct StackdriverGceactivity;

impl Plugin for StackdriverGceactivity {
    fn name(&self) -> &'static str {
        "stackdriver_gceactivity"
    }

    fn registration(&self) -> &[&str] {
        &["stackdriver"]
    }

    fn priority(&self) -> u32 {
        16
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the stackdriver_gceactivity plugin is not ported yet"))
    }
}
