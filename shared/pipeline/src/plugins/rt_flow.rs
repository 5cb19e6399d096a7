//! MozDef's `rt_flow` mq plugin (registration rt_flow; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `rt_flow`.
#[derive(Debug, Default)]
pub struct RtFlow;

impl Plugin for RtFlow {
    fn name(&self) -> &'static str {
        "rt_flow"
    }

    fn registration(&self) -> &[&str] {
        &["rt_flow"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the rt_flow plugin is not ported yet"))
    }
}
