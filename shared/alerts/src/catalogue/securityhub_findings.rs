//! `securityhub_findings` → `AlertSecurityHubFindings` (not a MozDef alert: written in its
//! style for the Security Hub source): active, unsuppressed Security Hub findings of the
//! configured severities, one alert per finding, as severe as the finding.
//!
//! The decoder stores a finding with MozDef's severity names (`HIGH` → `ERROR`, `CRITICAL`
//! → `CRITICAL`) and keeps Security Hub's own label in `details.severitylabel`. Findings a
//! handler has suppressed or resolved (`details.workflowstatus`) and archived ones
//! (`details.recordstate`) raise nothing.
//!
//! Event fields read: `source` (`securityhub`), `severity`, `details.workflowstatus`,
//! `details.recordstate`, `details.severitylabel`, `details.awsaccountid`, `details.title`.

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
const MODULE: &str = "securityhub_findings";

/// What a summary prints for a field the finding lacks.
const UNKNOWN: &str = "unknown";

/// `securityhub_findings.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The event severities (MozDef's names) that raise an alert.
    pub severities: Vec<String>,
    /// The search window, in minutes.
    pub search_depth_min: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config { severities: vec!["CRITICAL".into(), "ERROR".into()], search_depth_min: 15 }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertSecurityHubFindings {
    /// The window, in minutes.
    search_depth_min: i64,
    /// The severities searched, as events store them (`CRITICAL`).
    severities: Vec<Severity>,
}

/// The catalogue entry; an empty `severities` or a name that is not one of MozDef's is
/// refused.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let config_error = |message: String| AlertError::Config { alert: MODULE.into(), message };
    if config.severities.is_empty() {
        return Err(config_error("severities: empty, so no finding could raise the alert".into()));
    }
    let severities = config
        .severities
        .iter()
        .map(|name| name.parse::<Severity>().map_err(|e| config_error(format!("severities: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let alert = AlertSecurityHubFindings { search_depth_min: config.search_depth_min, severities };
    Ok(CatalogueEntry::single(MODULE, alert))
}

impl AlertTask for AlertSecurityHubFindings {
    fn name(&self) -> &str {
        "AlertSecurityHubFindings"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(self.search_depth_min)));
        query.add_must(Match::term("source", "securityhub"));
        query.add_must(Match::terms("severity", self.severities.iter().map(|s| s.as_str())));
        query.add_must_not(Match::terms("details.workflowstatus", ["SUPPRESSED", "RESOLVED"]));
        query.add_must_not(Match::term("details.recordstate", "ARCHIVED"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    /// The alert takes the finding's severity (one of the configured ones, or the search
    /// would not have found it).
    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let severity = match fields::top(event, "severity").map(|name| name.parse::<Severity>()) {
            Some(Ok(severity)) => severity,
            _ => {
                tracing::warn!(alert = "AlertSecurityHubFindings", event = %event.id, "finding without a severity");
                return None;
            }
        };
        let detail = |path: &str| fields::detail(event, path).unwrap_or_else(|| UNKNOWN.to_owned());
        let summary = format!(
            "Security Hub {} finding in {}: {}",
            detail("severitylabel"),
            detail("awsaccountid"),
            detail("title")
        );
        let tags = ["securityhub", "aws"];
        Some(Alert::new(summary, "securityhub", &tags, vec![event.clone()]).severity(severity))
    }
}
