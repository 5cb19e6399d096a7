//! `port_scan_enrichment.py`: for port-scan alerts, the recent connections the scanning
//! address made (bro `conn` events), as `details.recentconnections`.
//!
//! MozDef read its index list under the key `searchIndices` while its file said
//! `indicesToSearch`, so it fell back to searching `alerts` (inventory §10). The configured
//! `indices_to_search` is used here: the events indices by default.

use async_trait::async_trait;
use chrono::Duration;
use mozdef_model::{Document, get_path};
use mozdef_query::{Match, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::backend::AlertBackend;
use crate::context::AlertContext;
use crate::plugin::AlertPlugin;
use crate::plugins::{details_mut, first_event_source_ip, search_sources};

/// The plugin's name.
pub const NAME: &str = "port_scan_enrichment";

/// `searchWindow`: Python `timedelta` keyword arguments.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SearchWindow {
    /// Weeks.
    pub weeks: i64,
    /// Days.
    pub days: i64,
    /// Hours.
    pub hours: i64,
    /// Minutes.
    pub minutes: i64,
    /// Seconds.
    pub seconds: i64,
}

impl SearchWindow {
    /// The window's length; an empty window is MozDef's default of 24 hours.
    pub fn duration(&self) -> Duration {
        let length = Duration::weeks(self.weeks)
            + Duration::days(self.days)
            + Duration::hours(self.hours)
            + Duration::minutes(self.minutes)
            + Duration::seconds(self.seconds);
        if length.is_zero() { Duration::hours(24) } else { length }
    }
}

/// `port_scan_enrichment.json`. MozDef's camelCase keys (`indicesToSearch`, `maxConnections`,
/// `matchTags`, `searchWindow`) are snake_case here, like every other plugin's, so that the
/// `MOZDEF_ALERT_PORT_SCAN_ENRICHMENT__<KEY>` overrides reach them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Where the connections are searched (empty: `events-*`).
    pub indices_to_search: Vec<String>,
    /// At most this many connections are listed (0: all).
    pub max_connections: usize,
    /// The alert tags enriched (empty: `portscan`).
    pub match_tags: Vec<String>,
    /// How far back.
    pub search_window: SearchWindow,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            indices_to_search: vec!["events-*".into()],
            max_connections: 32,
            match_tags: vec!["portscan".into()],
            search_window: SearchWindow { hours: 24, ..SearchWindow::default() },
        }
    }
}

/// The plugin.
#[derive(Debug, Clone)]
pub struct PortScanEnrichment {
    indices: Vec<String>,
    max_connections: Option<usize>,
    match_tags: Vec<String>,
    window: Duration,
}

impl PortScanEnrichment {
    /// The plugin with `config` (MozDef's fallbacks for empty settings).
    pub fn new(config: Config) -> Self {
        let or = |list: Vec<String>, default: &str| if list.is_empty() { vec![default.to_owned()] } else { list };
        PortScanEnrichment {
            indices: or(config.indices_to_search, "events-*"),
            max_connections: (config.max_connections > 0).then_some(config.max_connections),
            match_tags: or(config.match_tags, "portscan"),
            window: config.search_window.duration(),
        }
    }

    /// The connection search for `source_ip`.
    pub fn query(&self, source_ip: &str) -> SearchQuery {
        let mut query = SearchQuery::new(Some(self.window));
        query.add_must(Match::term("category", "bro"));
        query.add_must(Match::term("source", "conn"));
        query.add_must(Match::term("details.sourceipaddress", source_ip));
        query
    }
}

#[async_trait]
impl AlertPlugin for PortScanEnrichment {
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
        let tags = alert.get("tags").and_then(Value::as_array).cloned().unwrap_or_default();
        if !self.match_tags.iter().any(|t| tags.iter().any(|tag| tag.as_str() == Some(t.as_str()))) {
            return Ok(alert);
        }
        let Some(source_ip) = first_event_source_ip(&alert) else { return Ok(alert) };
        // Newest first, as the store returns them.
        let events = search_sources(backend, &self.indices, &self.query(&source_ip), ctx.now).await?;
        let field = |event: &Value, path: &str| get_path(event, path).cloned().unwrap_or(Value::Null);
        let connections: Vec<Value> = events
            .iter()
            .take(self.max_connections.unwrap_or(usize::MAX))
            .map(|event| {
                // Bro events carry `timestamp`; an event without one shows its `utctimestamp`.
                let timestamp = get_path(event, "timestamp").or_else(|| get_path(event, "utctimestamp"));
                json!({
                    "destinationipaddress": field(event, "details.destinationipaddress"),
                    "destinationport": field(event, "details.destinationport"),
                    "timestamp": timestamp.cloned().unwrap_or(Value::Null),
                })
            })
            .collect();
        details_mut(&mut alert).insert("recentconnections".into(), Value::Array(connections));
        Ok(alert)
    }
}
