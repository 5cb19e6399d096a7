//! `possible_usernames.py`: for promiscuous-mode alerts, the users who logged in with a
//! public key on the alert's most common host in the last day.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Duration;
use mozdef_model::{Document, get_path};
use mozdef_query::{Match, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::backend::AlertBackend;
use crate::context::AlertContext;
use crate::plugin::AlertPlugin;
use crate::plugins::{append_summary, details_mut, search_sources};

/// The plugin's name.
pub const NAME: &str = "possible_usernames";

/// `possible_usernames.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// How far back, in hours.
    pub search_window_hours: i64,
    /// Where the logins are searched.
    pub indices_to_search: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config { search_window_hours: 24, indices_to_search: vec!["events-*".into()] }
    }
}

/// The plugin.
#[derive(Debug, Clone)]
pub struct PossibleUsernames {
    config: Config,
}

impl PossibleUsernames {
    /// The plugin with `config`.
    pub fn new(config: Config) -> Self {
        PossibleUsernames { config }
    }

    /// The login search on `hostname`.
    pub fn query(&self, hostname: &str) -> SearchQuery {
        let mut query = SearchQuery::new(Some(Duration::hours(self.config.search_window_hours)));
        query.add_must(Match::term("category", "syslog"));
        query.add_must(Match::term("hostname", hostname));
        query.add_must(Match::term("details.program", "sshd"));
        query.add_must(Match::phrase("summary", "Accepted publickey for "));
        query
    }
}

/// MozDef's `_most_common_hostname`: the `hostname` most of the alert's events have (a tie
/// goes to the greatest name, as MozDef's reverse sort of `(count, name)` pairs had it).
pub fn most_common_hostname(alert: &Document) -> Option<String> {
    let events = alert.get("events").and_then(Value::as_array)?;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for event in events {
        if let Some(host) = get_path(event, "documentsource.hostname").and_then(Value::as_str) {
            *counts.entry(host).or_default() += 1;
        }
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0))).map(|(host, _)| host.to_owned())
}

/// MozDef's `enrich(alert, syslog_events)`: the distinct `details.username`s (in the order
/// the events come) as `details.possible_usernames`, and `; Possible users: a, b` in the
/// summary when there are any.
pub fn enrich(mut alert: Document, logins: &[Value]) -> Document {
    let mut usernames: Vec<Value> = Vec::new();
    for username in logins.iter().filter_map(|e| get_path(e, "details.username")).filter(|u| !u.is_null()) {
        if !usernames.contains(username) {
            usernames.push(username.clone());
        }
    }
    if !usernames.is_empty() {
        let names: Vec<String> =
            usernames.iter().map(|u| u.as_str().map_or_else(|| u.to_string(), str::to_owned)).collect();
        append_summary(&mut alert, &format!("; Possible users: {}", names.join(", ")));
    }
    details_mut(&mut alert).insert("possible_usernames".into(), Value::Array(usernames));
    alert
}

#[async_trait]
impl AlertPlugin for PossibleUsernames {
    fn name(&self) -> &str {
        NAME
    }

    fn registration(&self) -> Vec<String> {
        vec!["promisckernel".into()]
    }

    async fn on_message(
        &self,
        alert: Document,
        backend: &dyn AlertBackend,
        ctx: &AlertContext,
    ) -> Result<Document, String> {
        // Without a host there is nobody to look for (MozDef searched for a null hostname).
        let logins = match most_common_hostname(&alert) {
            Some(host) => search_sources(backend, &self.config.indices_to_search, &self.query(&host), ctx.now).await?,
            None => Vec::new(),
        };
        Ok(enrich(alert, &logins))
    }
}
