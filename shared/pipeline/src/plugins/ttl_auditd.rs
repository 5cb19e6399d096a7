//! MozDef's `ttl_auditd` mq plugin (registration auditd, command; priority 1). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `ttl_auditd`.
#[derive(Debug, Default)]
pub struct TtlAuditd;

impl Plugin for TtlAuditd {
    fn name(&self) -> &'static str {
        "ttl_auditd"
    }

    fn registration(&self) -> &[&str] {
        &["auditd", "command"]
    }

    fn priority(&self) -> u32 {
        1
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the ttl_auditd plugin is not ported yet"))
    }
}
