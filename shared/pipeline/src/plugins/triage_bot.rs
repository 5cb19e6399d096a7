//! MozDef's `triage_bot` mq plugin (registration triagebot; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `triage_bot`.
#[derive(Debug, Default)]
pub struct TriageBot;

impl Plugin for TriageBot {
    fn name(&self) -> &'static str {
        "triage_bot"
    }

    fn registration(&self) -> &[&str] {
        &["triagebot"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the triage_bot plugin is not ported yet"))
    }
}
