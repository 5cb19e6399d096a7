//! `triagebot_escalation.py` → `AlertTriageBotEscalation`: a user answered "no" to the triage
//! bot ("was this you?"), so the event is escalated; one alert per response.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, fields};
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The configuration module (and file) name.
const MODULE: &str = "triagebot_escalation";

/// `triagebot_escalation.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The runbook link attached to each alert.
    pub url: String,
    /// The alert severity (`INFO`).
    pub severity: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { url: "https://www.mozilla.org".into(), severity: "INFO".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertTriageBotEscalation {
    config: Config,
    severity: Severity,
}

/// The catalogue entry; a severity that is not one of MozDef's names is refused.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let severity = fields::severity(MODULE, &config.severity)?;
    Ok(CatalogueEntry::single(MODULE, AlertTriageBotEscalation { config, severity }))
}

impl AlertTask for AlertTriageBotEscalation {
    fn name(&self) -> &str {
        "AlertTriageBotEscalation"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "triagebot"));
        query.add_must(Match::term("details.userresponse", "no"));
        query.add_must(Match::exists("details.email"));
        query.add_must(Match::exists("details.identifier"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        // Both exist: the query requires them.
        let identifier = fields::detail(event, "identifier")?;
        let email = fields::detail(event, "email")?;
        let summary = format!(
            "TriageBot Escalation for event: {identifier} sent to PagerDuty per 'NO' response from User: {email}"
        );
        let alert = Alert::new(summary, "access", &["triagebot_escalation"], vec![event.clone()]);
        Some(alert.severity(self.severity).url(self.config.url.clone()))
    }
}
