//! MozDef's `snmptt` mq plugin (registration snmptt; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `snmptt`.
#[derive(Debug, Default)]
pub struct Snmptt;

impl Plugin for Snmptt {
    fn name(&self) -> &'static str {
        "snmptt"
    }

    fn registration(&self) -> &[&str] {
        &["snmptt"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the snmptt plugin is not ported yet"))
    }
}
