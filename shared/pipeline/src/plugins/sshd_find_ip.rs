//! MozDef's `sshdFindIP` mq plugin (registration sshd, fail2ban; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `sshdFindIP`.
#[derive(Debug, Default)]
pub struct SshdFindIp;

impl Plugin for SshdFindIp {
    fn name(&self) -> &'static str {
        "sshdFindIP"
    }

    fn registration(&self) -> &[&str] {
        &["sshd", "fail2ban"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the sshdFindIP plugin is not ported yet"))
    }
}
