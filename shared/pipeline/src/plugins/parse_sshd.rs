//! MozDef's `parse_sshd` mq plugin (registration sshd; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `parse_sshd`.
#[derive(Debug, Default)]
pub struct ParseSshd;

impl Plugin for ParseSshd {
    fn name(&self) -> &'static str {
        "parse_sshd"
    }

    fn registration(&self) -> &[&str] {
        &["sshd"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the parse_sshd plugin is not ported yet"))
    }
}
