//! MozDef's `nagioshostname` mq plugin (registration nagios_hostname; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `nagioshostname`.
#[derive(Debug, Default)]
pub struct Nagioshostname;

impl Plugin for Nagioshostname {
    fn name(&self) -> &'static str {
        "nagioshostname"
    }

    fn registration(&self) -> &[&str] {
        &["nagios_hostname"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the nagioshostname plugin is not ported yet"))
    }
}
