//! `proxy_drop_non_standard_port.py` → `AlertProxyDropNonStandardPort`: proxy `CONNECT`
//! requests denied (`TCP_DENIED`) to a port other than the usual TLS ones, one alert per
//! source address.

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

/// `proxy_drop_non_standard_port.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Destination ports never reported, comma separated (`443,8443`).
    pub excludedports: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { excludedports: "443,8443".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertProxyDropNonStandardPort {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("proxy_drop_non_standard_port")?;
    Ok(CatalogueEntry::single("proxy_drop_non_standard_port", AlertProxyDropNonStandardPort { config }))
}

impl AlertTask for AlertProxyDropNonStandardPort {
    fn name(&self) -> &str {
        "AlertProxyDropNonStandardPort"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(20)));
        query.add_must(Match::term("category", "proxy"));
        query.add_must(Match::term("details.proxyaction", "TCP_DENIED"));
        query.add_must(Match::term("details.method", "CONNECT"));
        // MozDef split on "," without trimming ("443, 8443" never excluded " 8443"); ports
        // are trimmed here.
        for port in self.config.excludedports.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            query.add_must_not(Match::term("details.destinationport", port));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.sourceipaddress".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let destinations = distinct_details(&group.all_events, "destination");
        let summary = format!(
            "Suspicious Proxy DROP event(s) detected from {} to the following non-std port destination(s): {}",
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
