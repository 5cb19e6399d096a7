//! `ldap_group.py` → `ldapGroupModify`: LDAP group membership changes (other than member
//! removals and bind accounts), one alert per initiating email address.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Match, QueryError, SearchQuery};

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// The alert.
#[derive(Debug, Clone, Default)]
pub struct LdapGroupModify;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("ldap_group", LdapGroupModify))
}

impl AlertTask for LdapGroupModify {
    fn name(&self) -> &str {
        "ldapGroupModify"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "ldapChange"));
        query.add_must(Match::term("details.changetype", "modify"));
        query.add_must(Match::phrase("summary", "groups"));
        query.add_must_not(Match::wildcard("details.actor", "*bind*"));
        query.add_must_not(Match::wildcard("details.changepairs", "delete:*member*"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.email".into(), samples: 50, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        // The framework only groups events that have an email; MozDef's null branch stays for
        // fidelity.
        let summary = if group.value.is_null() {
            "LDAP group change detected".to_owned()
        } else {
            format!("LDAP group change initiated by {}", group.value_text())
        };
        Some(Alert::new(summary, "ldap", &["ldap"], group.events.clone()).severity(Severity::Info))
    }
}
