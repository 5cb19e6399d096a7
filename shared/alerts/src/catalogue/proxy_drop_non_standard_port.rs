//! `proxy_drop_non_standard_port.py` → `AlertProxyDropNonStandardPort`: proxy `CONNECT`
//! requests denied (`TCP_DENIED`) to a port other than the usual TLS ones, one alert per
//! source address.

use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, fields, proxy};
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
        let mut query = proxy::query(true);
        query.add_must(Match::term("details.method", "CONNECT"));
        // MozDef split on "," without trimming ("443, 8443" never excluded " 8443"); ports
        // are trimmed here.
        for port in self.config.excludedports.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            query.add_must_not(Match::term("details.destinationport", port));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        proxy::mode()
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let destinations = fields::distinct_details(&group.all_events, "destination");
        let head = "Suspicious Proxy DROP event(s) detected";
        Some(proxy::alert(head, group, "non-std port destination(s)", destinations, group.events.clone()))
    }
}
