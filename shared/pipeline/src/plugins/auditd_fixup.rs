//! MozDef's `auditdFixup` mq plugin (registration auditd, audisp-json; priority 2). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `auditdFixup`.
#[derive(Debug, Default)]
pub struct AuditdFixup;

impl Plugin for AuditdFixup {
    fn name(&self) -> &'static str {
        "auditdFixup"
    }

    fn registration(&self) -> &[&str] {
        &["auditd", "audisp-json"]
    }

    fn priority(&self) -> u32 {
        2
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the auditdFixup plugin is not ported yet"))
    }
}
