//! `proxy_drop_executable.py` → `AlertProxyDropExecutable`: proxy requests denied
//! (`TCP_DENIED`) for files with an executable extension, one alert per source address.

use std::collections::BTreeSet;

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
use crate::task::{AggregationGroup, AlertTask, Mode};

/// `proxy_drop_executable.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The file extensions reported, comma separated (`exe,sh,py,rb,bin`).
    pub extensions: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { extensions: "exe,sh,py,rb,bin".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertProxyDropExecutable {
    /// `details.destination: /.*\.(exe|sh|…)/`, built once from the configuration.
    destination_filter: String,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("proxy_drop_executable")?;
    let extensions: Vec<&str> = config.extensions.split(',').map(str::trim).filter(|e| !e.is_empty()).collect();
    if extensions.is_empty() {
        return Err(AlertError::Config {
            alert: "proxy_drop_executable".into(),
            message: "extensions: at least one file extension is needed".into(),
        });
    }
    let destination_filter = format!(r"details.destination: /.*\.({})/", extensions.join("|"));
    // Refuse a configuration whose query string does not parse now rather than at every run.
    Match::query_string(&destination_filter)
        .map_err(|source| AlertError::Query { alert: "AlertProxyDropExecutable".into(), source })?;
    Ok(CatalogueEntry::single("proxy_drop_executable", AlertProxyDropExecutable { destination_filter }))
}

impl AlertTask for AlertProxyDropExecutable {
    fn name(&self) -> &str {
        "AlertProxyDropExecutable"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(20)));
        query.add_must(Match::term("category", "proxy"));
        query.add_must(Match::term("details.proxyaction", "TCP_DENIED"));
        query.add_must(Match::query_string(&self.destination_filter)?);
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.sourceipaddress".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let destinations = distinct_details(&group.all_events, "destination");
        let summary = format!(
            "Suspicious Proxy DROP event(s) detected from {} to the following executable file destination(s): {}",
            group.value_text(),
            destinations.into_iter().collect::<Vec<_>>().join(",")
        );
        Some(Alert::new(summary, "squid", &["squid", "proxy"], group.events.clone()).severity(Severity::Warning))
    }
}

/// The distinct values of `details.<key>` over `events`, sorted.
fn distinct_details(events: &[Hit], key: &str) -> BTreeSet<String> {
    events
        .iter()
        .filter_map(|event| match event.source.get("details").and_then(|details| get_path(details, key)) {
            Some(Value::String(text)) => Some(text.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        })
        .collect()
}
