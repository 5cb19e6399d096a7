//! `auth0_vertical_password_guessing.py` → `AlertAuth0VerticalPasswordGuessing`: failed Auth0
//! logins (wrong email or password) spread over several users — one password tried against
//! many accounts.

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
const MODULE: &str = "auth0_vertical_password_guessing";

/// `auth0_vertical_password_guessing.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The least number of failed logins that raises the alert.
    pub threshold_count: u64,
    /// The search window, in minutes.
    pub search_depth_min: i64,
    /// The least number of distinct users the failures must concern.
    pub user_count: usize,
    /// The alert severity (`WARNING`).
    pub severity: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { threshold_count: 1, search_depth_min: 60, user_count: 2, severity: "WARNING".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertAuth0VerticalPasswordGuessing {
    config: Config,
    severity: Severity,
}

/// The catalogue entry; a severity that is not one of MozDef's names is refused.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let severity = fields::severity(MODULE, &config.severity)?;
    Ok(CatalogueEntry::single(MODULE, AlertAuth0VerticalPasswordGuessing { config, severity }))
}

impl AlertTask for AlertAuth0VerticalPasswordGuessing {
    fn name(&self) -> &str {
        "AlertAuth0VerticalPasswordGuessing"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(self.config.search_depth_min)));
        query.add_must_not(Match::term("details.username", ""));
        query.add_must(Match::term("tags", "auth0"));
        query.add_must(Match::term("details.eventname", "Failed Login (wrong password)"));
        query.add_must(Match::term("details.description", "Wrong email or password."));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.eventname".into(), samples: 10, threshold: self.config.threshold_count }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let users = fields::distinct_details(&group.all_events, "username");
        if users.len() < self.config.user_count {
            return None;
        }
        let addresses = fields::distinct_details(&group.all_events, "sourceipaddress");
        let summary = format!(
            "Auth0 Username/Password Vertical Password Guessing Attack in Progress against {} users from {} unique source ip(s)",
            users.len(),
            addresses.len()
        );
        Some(Alert::new(summary, "bruteforce", &["auth0"], group.events.clone()).severity(self.severity))
    }
}
