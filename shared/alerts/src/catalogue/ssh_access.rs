//! `ssh_access.py` → `AlertSSHAccess`: an sshd public-key login from one of the watched
//! source addresses (`ssh_access.json`), one alert per event.

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

/// One watched source of `ssh_access.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WatchedSource {
    /// Its name (documentation only).
    pub hostname: String,
    /// Its address, matched against `details.sourceipaddress`.
    pub ipaddress: String,
}

/// `ssh_access.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The watched sources.
    pub watchlist: Vec<WatchedSource>,
}

impl Default for Config {
    fn default() -> Self {
        let watched =
            |hostname: &str, ipaddress: &str| WatchedSource { hostname: hostname.into(), ipaddress: ipaddress.into() };
        Config {
            watchlist: vec![
                watched("nagios1.small.corp.com", "11.22.33.44"),
                watched("nagios2.super.corp.com", "11.22.33.45"),
            ],
        }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertSSHAccess {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("ssh_access")?;
    Ok(CatalogueEntry::single("ssh_access", AlertSSHAccess { config }))
}

/// A field's text: strings as they are, other values as JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value at `details.<key>`, if present and not null.
fn detail<'a>(event: &'a Hit, key: &str) -> Option<&'a Value> {
    event.source.get("details").and_then(|details| details.get(key)).filter(|v| !v.is_null())
}

impl AlertTask for AlertSSHAccess {
    fn name(&self) -> &str {
        "AlertSSHAccess"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "syslog"));
        query.add_must(Match::term("details.program", "sshd"));
        query.add_must(Match::phrase("summary", "Accepted publickey for "));
        let sources = self.config.watchlist.iter().map(|watched| watched.ipaddress.as_str());
        query.add_must(Match::terms("details.sourceipaddress", sources));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    /// MozDef failed on an event without `hostname` (its variable was never set); such an
    /// event is reported with the host `unknown` here.
    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let source = detail(event, "sourceipaddress").map_or_else(|| "unknown".to_owned(), text);
        let hostname = event.source.get("hostname").filter(|v| !v.is_null()).map_or_else(|| "unknown".to_owned(), text);
        let username = detail(event, "username").map_or_else(|| "UNKNOWN".to_owned(), text);
        let summary = format!("SSH login from {source} on {hostname} as user {username}");
        Some(Alert::new(summary, "access", &["ssh"], vec![event.clone()]).severity(Severity::Critical))
    }
}
