//! `ssh_access_signreleng.py` → `AlertAuthSignRelengSSH`: an sshd login (public key or
//! keyboard-interactive) on a release-engineering signing host, one alert per event, posted
//! to the configured channel.

use std::collections::BTreeMap;

use chrono::Duration;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The login lines reported (each matched as a phrase in the summary).
const ACCEPTED_PHRASES: [&str; 2] = ["Accepted publickey for ", "Accepted keyboard-interactive/pam for "];

/// The target user of a login line.
const TARGET_USER: &str = r"Accepted (?:publickey|keyboard-interactive/pam) for ([A-Za-z0-9]+) from";

/// `ssh_access_signreleng.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// A regular expression the whole `hostname` must match (Lucene regex syntax).
    pub hostfilter: String,
    /// The chat channel of the alerts; empty for none.
    pub channel: String,
    /// Logins never reported: each is a set of `field: phrase` pairs that must all match.
    pub exclusions: Vec<BTreeMap<String, String>>,
}

impl Default for Config {
    fn default() -> Self {
        let exclusion = |user: &str, ip: &str| {
            BTreeMap::from([
                ("summary".to_owned(), user.to_owned()),
                ("details.sourceipaddress".to_owned(), ip.to_owned()),
            ])
        };
        Config {
            hostfilter: "(host1|host2.*).*".into(),
            channel: "#somechannel".into(),
            exclusions: vec![exclusion("someuser", "4.5.6.7"), exclusion("anotheruser", "8.9.10.11")],
        }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertAuthSignRelengSSH {
    config: Config,
    /// `hostname: /<hostfilter>/`.
    host_filter: String,
    /// [`TARGET_USER`], compiled.
    target_user: Regex,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("ssh_access_signreleng")?;
    let host_filter = format!("hostname: /{}/", config.hostfilter);
    Match::query_string(&host_filter)
        .map_err(|source| AlertError::Query { alert: "AlertAuthSignRelengSSH".into(), source })?;
    let target_user = Regex::new(TARGET_USER)
        .map_err(|e| AlertError::Config { alert: "ssh_access_signreleng".into(), message: e.to_string() })?;
    Ok(CatalogueEntry::single("ssh_access_signreleng", AlertAuthSignRelengSSH { config, host_filter, target_user }))
}

/// A field's text: strings as they are, other values as JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl AlertTask for AlertAuthSignRelengSSH {
    fn name(&self) -> &str {
        "AlertAuthSignRelengSSH"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("tags", "releng"));
        query.add_must(Match::term("details.program", "sshd"));
        query.add_must(Match::query_string(&self.host_filter)?);
        let accepted = ACCEPTED_PHRASES.iter().map(|phrase| Match::phrase("summary", *phrase)).collect();
        query.add_must(Match::boolean(Vec::new(), Vec::new(), accepted));
        for exclusion in self.config.exclusions.iter().filter(|e| !e.is_empty()) {
            let pairs = exclusion.iter().map(|(field, value)| Match::phrase(field.as_str(), value.as_str())).collect();
            query.add_must_not(Match::boolean(pairs, Vec::new(), Vec::new()));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let field = |value: Option<&Value>| value.filter(|v| !v.is_null()).map_or_else(|| "unknown".to_owned(), text);
        let target_host = field(event.source.get("hostname"));
        let source = field(event.source.get("details").and_then(|details| details.get("sourceipaddress")));
        let summary_text = event.source.get("summary").and_then(Value::as_str).unwrap_or_default();
        let target_user = self
            .target_user
            .captures(summary_text)
            .and_then(|found| found.get(1))
            .map_or("unknown", |user| user.as_str());
        let summary = format!("SSH login from {source} on {target_host} as user {target_user}");
        let mut alert = Alert::new(summary, "access", &["ssh"], vec![event.clone()]);
        if !self.config.channel.is_empty() {
            alert = alert.channel(self.config.channel.as_str());
        }
        Some(alert)
    }
}
