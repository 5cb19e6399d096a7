//! `proxy_drop_executable.py` → `AlertProxyDropExecutable`: proxy requests denied
//! (`TCP_DENIED`) for files with an executable extension, one alert per source address.

use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, fields, proxy};
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
        let mut query = proxy::query(true);
        query.add_must(Match::query_string(&self.destination_filter)?);
        Ok(query)
    }

    fn mode(&self) -> Mode {
        proxy::mode()
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let destinations = fields::distinct_details(&group.all_events, "destination");
        let head = "Suspicious Proxy DROP event(s) detected";
        Some(proxy::alert(head, group, "executable file destination(s)", destinations, group.events.clone()))
    }
}
