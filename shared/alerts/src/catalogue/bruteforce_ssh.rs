//! `bruteforce_ssh.py` → `AlertBruteforceSsh`: ten or more failed sshd logins from one source
//! address within two minutes.

use chrono::Duration;
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, most_common};
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// `bruteforce_ssh.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Addresses never reported, space separated (matched as phrases in the summary).
    pub skiphosts: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { skiphosts: "11.22.33.44 55.66.77.88".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertBruteforceSsh {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("bruteforce_ssh", AlertBruteforceSsh { config: config.load("bruteforce_ssh")? }))
}

impl AlertTask for AlertBruteforceSsh {
    fn name(&self) -> &str {
        "AlertBruteforceSsh"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(2)));
        query.add_must(Match::phrase("summary", "failed"));
        query.add_must(Match::term("details.program", "sshd"));
        query.add_must(Match::terms("summary", ["login", "invalid", "ldap_count_entries", "publickey", "keyboard"]));
        for ip in self.config.skiphosts.split_whitespace() {
            query.add_must_not(Match::phrase("summary", ip));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.sourceipaddress".into(), samples: 10, threshold: 10 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let mut summary = format!("{} ssh bruteforce attempts by {}", group.count, group.value_text());
        for (host, hits) in most_common(&group.all_events, "hostname").into_iter().take(5) {
            summary.push_str(&format!(" {host} ({hits} hits)"));
        }
        Some(Alert::new(summary, "bruteforce", &["ssh"], group.events.clone()))
    }
}
