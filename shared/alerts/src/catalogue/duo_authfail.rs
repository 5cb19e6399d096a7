//! `duo_authfail.py` → `AlertDuoAuthFail`: a user marked a Duo push as fraud, one alert per
//! event within fifteen minutes.

use chrono::Duration;
use mozdef_model::{Severity, get_path};
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// What the summary shows for a missing field.
const UNKNOWN: &str = "unknown";

/// `duo_authfail.conf`.
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
pub struct AlertDuoAuthFail {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("duo_authfail", AlertDuoAuthFail { config: config.load("duo_authfail")? }))
}

impl AlertTask for AlertDuoAuthFail {
    fn name(&self) -> &str {
        "AlertDuoAuthFail"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "authentication"));
        query.add_must(Match::exists("details.sourceipaddress"));
        query.add_must(Match::exists("details.username"));
        query.add_must(Match::phrase("details.result", "fraud"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let details = event.source.get("details");
        let detail = |path: &str| details.and_then(|d| get_path(d, path)).and_then(text);
        let address = detail("sourceipaddress").unwrap_or_else(|| UNKNOWN.to_owned());
        let user = detail("username").unwrap_or_else(|| UNKNOWN.to_owned());
        let summary = format!(
            "Duo Authentication Failure: user {user} rejected and marked a Duo Authentication attempt from {address} as fraud"
        );
        let tags = ["duosecurity", "duosecurity_auth_fail"];
        let alert = Alert::new(summary, "duosecurity", &tags, vec![event.clone()]);
        Some(alert.severity(Severity::Warning).url(self.config.url.clone()))
    }
}

/// A field as the summary prints it (strings as they are, other values as JSON); null is
/// treated as missing.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}
