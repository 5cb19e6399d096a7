//! MozDef's `ldap_fixup` mq plugin (registration LDAP-Humanizer, ldap; priority 5). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `ldap_fixup`.
#[derive(Debug, Default)]
pub struct LdapFixup;

impl Plugin for LdapFixup {
    fn name(&self) -> &'static str {
        "ldap_fixup"
    }

    fn registration(&self) -> &[&str] {
        &["LDAP-Humanizer", "ldap"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the ldap_fixup plugin is not ported yet"))
    }
}
