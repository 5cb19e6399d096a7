//! `ldap_add.py` → `ldapAdd`: one alert for every LDAP entry added by someone other than a
//! bind (service) account (the task is `ldap_change::LdapChange`).

use crate::catalogue::CatalogueEntry;
use crate::catalogue::ldap_change::LdapChange;
use crate::config::ConfigSource;
use crate::error::AlertError;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("ldap_add", LdapChange { name: "ldapAdd", changetype: "add", verb: "added" }))
}
