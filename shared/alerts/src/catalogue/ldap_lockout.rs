//! `ldap_lockout.py` → `ldapLockout`: one alert for every LDAP account the directory admin
//! locked (`pwdAccountLockedTime` set).

use chrono::Duration;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::catalogue::ldap_change::detail;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The alert.
#[derive(Debug, Clone, Default)]
pub struct LdapLockout;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("ldap_lockout", LdapLockout))
}

impl AlertTask for LdapLockout {
    fn name(&self) -> &str {
        "ldapLockout"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "ldapChange"));
        query.add_must(Match::term("details.actor", "cn=admin,dc=mozilla"));
        query.add_must(Match::phrase("details.changepairs", "replace:pwdAccountLockedTime"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        // `unknown` without a dn (MozDef failed the whole run).
        let dn = detail(event, "dn");
        Some(Alert::new(format!("{dn} LDAP account locked"), "ldap", &["ldap"], vec![event.clone()]))
    }
}
