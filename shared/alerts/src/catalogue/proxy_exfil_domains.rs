//! `proxy_exfil_domains.py` → `AlertProxyExfilDomains`: proxy requests to domains known
//! for exfiltrating data, one alert per source address.

use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, fields, proxy};
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// `proxy_exfil_domains.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The domains (`details.host`) reported, comma separated.
    pub exfil_domains: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { exfil_domains: "pastebin.com,www.sendspace.com".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertProxyExfilDomains {
    /// The configured domains (trimmed, none empty; at least one).
    domains: Vec<String>,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("proxy_exfil_domains")?;
    // MozDef split on "," without trimming ("a, b" never matched " b"); domains are trimmed
    // here. Without any domain its `should` list matched nothing useful, so an empty list
    // is refused rather than turned into "every proxy event".
    let domains: Vec<String> =
        config.exfil_domains.split(',').map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned).collect();
    if domains.is_empty() {
        return Err(AlertError::Config {
            alert: "proxy_exfil_domains".into(),
            message: "exfil_domains: at least one domain is needed".into(),
        });
    }
    Ok(CatalogueEntry::single("proxy_exfil_domains", AlertProxyExfilDomains { domains }))
}

impl AlertTask for AlertProxyExfilDomains {
    fn name(&self) -> &str {
        "AlertProxyExfilDomains"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = proxy::query(false);
        for domain in &self.domains {
            query.add_should(Match::term("details.host", domain.as_str()));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        proxy::mode()
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let domains = fields::distinct_details(&group.all_events, "host");
        let listed = "domain(s) that are known for exfiltrating data";
        Some(proxy::alert("Proxy drop events detected", group, listed, domains, group.events.clone()))
    }
}
