//! `dhcp_assignment.py`: for port-scan alerts, the MAC address that leased the scanning
//! address (the latest DHCP assignment) and the user owning that MAC (the latest `local1`
//! event naming it).

use async_trait::async_trait;
use chrono::Duration;
use mozdef_model::{Document, get_path};
use mozdef_query::{Match, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::backend::AlertBackend;
use crate::context::AlertContext;
use crate::plugin::AlertPlugin;
use crate::plugins::{
    append_summary, details_mut, first_event_source_ip, one_or_many, search_sources, sort_newest_first,
};

/// The plugin's name.
pub const NAME: &str = "dhcp_assignment";

/// What stands for the user when the owner's event names none.
pub const NO_USER: &str = "(no user found)";

/// `dhcp_assignment.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Where both searches run (a list, or one name as MozDef's file had it).
    #[serde(deserialize_with = "one_or_many")]
    pub indices_to_search: Vec<String>,
    /// How far back, in hours.
    pub search_window_hours: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config { indices_to_search: vec!["events-*".into()], search_window_hours: 48 }
    }
}

/// The plugin.
#[derive(Debug, Clone)]
pub struct DhcpAssignment {
    config: Config,
}

impl DhcpAssignment {
    /// The plugin with `config`.
    pub fn new(config: Config) -> Self {
        DhcpAssignment { config }
    }

    fn window(&self) -> SearchQuery {
        SearchQuery::new(Some(Duration::hours(self.config.search_window_hours)))
    }
}

/// MozDef's `_comma_eq_dict`: the value of `key` in a `a=b,x=y z` summary (the last one wins,
/// as in a Python dict).
pub fn comma_eq_value<'a>(summary: &'a str, key: &str) -> Option<&'a str> {
    summary.rsplit(',').filter_map(|pair| pair.split_once('=')).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// A Lucene phrase of `text` (quotes and backslashes escaped).
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[async_trait]
impl AlertPlugin for DhcpAssignment {
    fn name(&self) -> &str {
        NAME
    }

    fn registration(&self) -> Vec<String> {
        vec!["portscan".into()]
    }

    async fn on_message(
        &self,
        mut alert: Document,
        backend: &dyn AlertBackend,
        ctx: &AlertContext,
    ) -> Result<Document, String> {
        let Some(ip) = first_event_source_ip(&alert) else { return Ok(alert) };
        let indices = &self.config.indices_to_search;

        let mut assignments = self.window();
        assignments.add_must(Match::term("source", "dhcp"));
        assignments.add_must(Match::term("details.assigned_addr", ip));
        let mut leases = search_sources(backend, indices, &assignments, ctx.now).await?;
        sort_newest_first(&mut leases, "details.ts", ctx.now);
        let Some(mac) = leases.first().and_then(|e| get_path(e, "details.mac")).and_then(Value::as_str) else {
            return Ok(alert);
        };
        let mac = mac.to_owned();

        let mut owners = self.window();
        let owner_query = format!("source:local1 AND {}", quoted(&mac));
        owners.add_must(Match::query_string(&owner_query).map_err(|e| e.to_string())?);
        let mut owner_events = search_sources(backend, indices, &owners, ctx.now).await?;
        sort_newest_first(&mut owner_events, "receivedtimestamp", ctx.now);
        let Some(owner) = owner_events.first() else { return Ok(alert) };
        let summary = owner.get("summary").and_then(Value::as_str).unwrap_or_default();
        let user = comma_eq_value(summary, "user_name").unwrap_or(NO_USER).to_owned();

        let details = details_mut(&mut alert);
        details.insert("ipassignment".into(), json!({"mac": mac, "user": user}));
        details.insert("username".into(), json!(user));
        append_summary(&mut alert, &format!("; IP assigned to {user} ({mac})"));
        Ok(alert)
    }
}
