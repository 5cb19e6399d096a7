//! MozDef's `parse_su` mq plugin (registration sshd; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `parse_su`.
#[derive(Debug, Default)]
pub struct ParseSu;

impl Plugin for ParseSu {
    fn name(&self) -> &'static str {
        "parse_su"
    }

    fn registration(&self) -> &[&str] {
        &["sshd"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the parse_su plugin is not ported yet"))
    }
}
