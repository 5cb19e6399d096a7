//! `proxy_drop_ip.py` → `AlertProxyDropIP`: proxy requests denied (`TCP_DENIED`) to a bare
//! IP address rather than a name, one alert per source address.

use std::collections::BTreeSet;
use std::net::IpAddr;

use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, proxy};
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// Anything that starts like an IPv4 octet or an IPv6 group; over-matches names such as
/// `1.example.com`, which [`host_address`] weeds out.
const HOST_FILTER: &str = "details.host: /[0-9a-fA-F]{1,4}.*/";

/// `proxy_drop_ip.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Destination addresses (`details.host`) never reported, comma separated.
    pub ip_whitelist: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { ip_whitelist: "169.254.169.254".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertProxyDropIP {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("proxy_drop_ip")?;
    Ok(CatalogueEntry::single("proxy_drop_ip", AlertProxyDropIP { config }))
}

impl AlertTask for AlertProxyDropIP {
    fn name(&self) -> &str {
        "AlertProxyDropIP"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = proxy::query(true);
        query.add_must(Match::query_string(HOST_FILTER)?);
        // MozDef split on "," without trimming; addresses are trimmed here.
        for ip in self.config.ip_whitelist.split(',').map(str::trim).filter(|ip| !ip.is_empty()) {
            query.add_must_not(Match::term("details.host", ip));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        proxy::mode()
    }

    /// Keeps the events whose `details.host` is an address; none → no alert. The alert
    /// lists all of them (not only the samples), as MozDef did.
    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let mut destinations = BTreeSet::new();
        let mut kept: Vec<Hit> = Vec::new();
        for event in &group.all_events {
            if let Some(host) = host_address(event) {
                destinations.insert(host.to_owned());
                kept.push(event.clone());
            }
        }
        if destinations.is_empty() {
            return None;
        }
        let head = "Suspicious Proxy DROP event(s) detected";
        Some(proxy::alert(head, group, "IP-based destination(s)", destinations, kept))
    }
}

/// The event's `details.host` when it is an IPv4 or IPv6 address. (MozDef's `netaddr` also
/// took `inet_aton` shorthands such as `10` or `1.2.3` for addresses; only the standard
/// notations count here.)
fn host_address(event: &Hit) -> Option<&str> {
    let host = event.source.get("details").and_then(|details| details.get("host")).and_then(Value::as_str)?;
    host.parse::<IpAddr>().is_ok().then_some(host)
}
