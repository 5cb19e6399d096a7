//! `auth0_bruteforce_user.py` → `AlertAuth0BruteforceUser`: failed Auth0 logins (wrong
//! password) against one user, listing the source addresses they came from.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, fields};
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// The configuration module (and file) name.
const MODULE: &str = "auth0_bruteforce_user";

/// How many source addresses the summary lists before `...`.
const LISTED_ADDRESSES: usize = 10;

/// `auth0_bruteforce_user.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The least number of failed logins against one user that raises the alert.
    pub threshold_count: u64,
    /// The search window, in minutes.
    pub search_depth_min: i64,
    /// The alert severity (`WARNING`).
    pub severity: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { threshold_count: 1, search_depth_min: 60, severity: "WARNING".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertAuth0BruteforceUser {
    config: Config,
    severity: Severity,
}

/// The catalogue entry; a severity that is not one of MozDef's names is refused.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let severity = fields::severity(MODULE, &config.severity)?;
    Ok(CatalogueEntry::single(MODULE, AlertAuth0BruteforceUser { config, severity }))
}

impl AlertTask for AlertAuth0BruteforceUser {
    fn name(&self) -> &str {
        "AlertAuth0BruteforceUser"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(self.config.search_depth_min)));
        query.add_must_not(Match::term("details.username", ""));
        query.add_must(Match::term("tags", "auth0"));
        query.add_must(Match::term("details.eventname", "Failed Login (wrong password)"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.username".into(), samples: 10, threshold: self.config.threshold_count }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let addresses = fields::distinct_details(&group.all_events, "sourceipaddress");
        let listed: Vec<&str> = addresses.iter().take(LISTED_ADDRESSES).map(String::as_str).collect();
        let mut summary = format!(
            "Auth0 Username/Password Bruteforce Attack in Progress against user ({}) from the following source ip(s): {}",
            group.value_text(),
            listed.join(", ")
        );
        if addresses.len() >= LISTED_ADDRESSES {
            summary.push_str("...");
        }
        Some(Alert::new(summary, "bruteforce", &["auth0"], group.events.clone()).severity(self.severity))
    }
}
