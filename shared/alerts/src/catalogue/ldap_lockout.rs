//! `ldap_lockout.py` → `ldapLockout`: one alert for every LDAP account the directory admin
//! locked (`pwdAccountLockedTime` set).

use chrono::Duration;
use mozdef_model::get_path;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
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
        let dn = match event.source.get("details").and_then(|details| get_path(details, "dn")) {
            Some(Value::String(text)) => text.clone(),
            // MozDef failed the whole run on an event without a dn.
            Some(Value::Null) | None => "unknown".to_owned(),
            Some(other) => other.to_string(),
        };
        Some(Alert::new(format!("{dn} LDAP account locked"), "ldap", &["ldap"], vec![event.clone()]))
    }
}
