//! MozDef's `stackdriver_syslog` mq plugin (registration stackdriver; priority 15). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `stackdriver_syslog`.
#[derive(Debug, Default)]
pub struct StackdriverSyslog;

impl Plugin for StackdriverSyslog {
    fn name(&self) -> &'static str {
        "stackdriver_syslog"
    }

    fn registration(&self) -> &[&str] {
        &["stackdriver"]
    }

    fn priority(&self) -> u32 {
        15
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the stackdriver_syslog plugin is not ported yet"))
    }
}
