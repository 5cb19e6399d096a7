//! `ldap_bruteforce_user.py` → `AlertLdapBruteforceUser`: failed LDAP binds
//! (`LDAP_INVALID_CREDENTIALS`) against one user, listing the clients they came from.

use std::collections::BTreeSet;

use chrono::Duration;
use mozdef_model::{Severity, get_path};
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// How many client addresses the summary lists.
const LISTED_CLIENTS: usize = 10;

/// `ldap_bruteforce_user.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The least number of failures against one user that raises the alert.
    pub threshold_count: u64,
    /// The search window, in minutes.
    pub search_depth_min: i64,
    /// LDAP servers (`details.server`) never reported, comma separated.
    pub host_exclusions: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { threshold_count: 1, search_depth_min: 60, host_exclusions: "foo.example.com,bar.example.com".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertLdapBruteforceUser {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("ldap_bruteforce_user")?;
    Ok(CatalogueEntry::single("ldap_bruteforce_user", AlertLdapBruteforceUser { config }))
}

impl AlertTask for AlertLdapBruteforceUser {
    fn name(&self) -> &str {
        "AlertLdapBruteforceUser"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(self.config.search_depth_min)));
        query.add_must_not(Match::term("details.user", ""));
        query.add_must(Match::term("category", "ldap"));
        query.add_must(Match::term("details.response.error", "LDAP_INVALID_CREDENTIALS"));
        // MozDef split on "," without trimming, so "a, b" never excluded " b"; names are
        // trimmed here.
        for host in self.config.host_exclusions.split(',').map(str::trim).filter(|h| !h.is_empty()) {
            query.add_must_not(Match::term("details.server", host));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.user".into(), samples: 10, threshold: self.config.threshold_count }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let clients: BTreeSet<String> = group
            .all_events
            .iter()
            .filter_map(|event| match event.source.get("details").and_then(|details| get_path(details, "client")) {
                Some(Value::String(text)) => Some(text.clone()),
                Some(Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            })
            .collect();
        let listed: Vec<&str> = clients.iter().take(LISTED_CLIENTS).map(String::as_str).collect();
        let mut summary = format!(
            "LDAP Bruteforce Attack in Progress against user ({}) from the following source ip(s): {}",
            group.value_text(),
            listed.join(", ")
        );
        if clients.len() >= LISTED_CLIENTS {
            summary.push_str("...");
        }
        Some(Alert::new(summary, "bruteforce", &["ldap"], group.events.clone()).severity(Severity::Warning))
    }
}
