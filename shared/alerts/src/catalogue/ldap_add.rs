//! `ldap_add.py` → `ldapAdd`: one alert for every LDAP entry added by someone other than a
//! bind (service) account.

use chrono::Duration;
use mozdef_model::{Severity, get_path};
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
pub struct LdapAdd;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("ldap_add", LdapAdd))
}

impl AlertTask for LdapAdd {
    fn name(&self) -> &str {
        "ldapAdd"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "ldapChange"));
        query.add_must(Match::term("details.changetype", "add"));
        query.add_must_not(Match::wildcard("details.actor", "*bind*"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("{} added {}", detail(event, "actor"), detail(event, "dn"));
        Some(Alert::new(summary, "ldap", &["ldap"], vec![event.clone()]).severity(Severity::Info))
    }
}

/// `details.<key>` as text; `unknown` when missing (MozDef failed the whole run instead).
fn detail(event: &Hit, key: &str) -> String {
    match event.source.get("details").and_then(|details| get_path(details, key)) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Null) | None => "unknown".to_owned(),
        Some(other) => other.to_string(),
    }
}
