//! MozDef's `large_strings` mq plugin (registration githubeventsqs; priority 20). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `large_strings`.
#[derive(Debug, Default)]
pub struct LargeStrings;

impl Plugin for LargeStrings {
    fn name(&self) -> &'static str {
        "large_strings"
    }

    fn registration(&self) -> &[&str] {
        &["githubeventsqs"]
    }

    fn priority(&self) -> u32 {
        20
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the large_strings plugin is not ported yet"))
    }
}
