//! `http_auth_bruteforce.py` → `AlertHTTPBruteforce`: a Bro notice of an attacker
//! bruteforcing HTTP authentication, one alert per notice.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The configuration module (and file) name.
const MODULE: &str = "http_auth_bruteforce";

/// `http_auth_bruteforce.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The runbook link attached to each alert.
    pub url: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { url: "https://www.mozilla.org".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertHTTPBruteforce {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    Ok(CatalogueEntry::single(MODULE, AlertHTTPBruteforce { config }))
}

impl AlertTask for AlertHTTPBruteforce {
    fn name(&self) -> &str {
        "AlertHTTPBruteforce"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "bro"));
        query.add_must(Match::term("source", "notice"));
        query.add_must(Match::phrase("details.note", "AuthBruteforcing::HTTP_AuthBruteforcing_Attacker"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("{} {}", text(event, "hostname"), text(event, "summary"));
        let alert = Alert::new(summary, "httperrors", &["http"], vec![event.clone()]);
        Some(alert.severity(Severity::Warning).url(self.config.url.clone()))
    }
}

/// A top-level field as the summary prints it: strings as they are, other values as JSON,
/// and a missing one as `UNKNOWN` (the pipeline's default for both fields; MozDef failed).
fn text(event: &Hit, field: &str) -> String {
    match event.source.get(field) {
        None | Some(Value::Null) => "UNKNOWN".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
