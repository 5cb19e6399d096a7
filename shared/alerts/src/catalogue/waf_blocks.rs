//! `waf_blocks` → `AlertWafBlocks` (not a MozDef alert: written in its style for the AWS WAF
//! source): many requests from one client address blocked by AWS WAF within ten minutes,
//! one alert per address naming the hosts and rules of its samples.
//!
//! Event fields read: `source` (`waf`), `details.action` (`BLOCK`),
//! `details.sourceipaddress`, `details.host`, `details.terminatingruleid`.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, fields};
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// The configuration module (and file) name.
const MODULE: &str = "waf_blocks";

/// How many blocked requests an alert attaches (and its summary lists hosts and rules of).
const SAMPLES: usize = 10;

/// `waf_blocks.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The least number of blocked requests from one address that raises the alert.
    pub threshold_count: u64,
    /// The search window, in minutes.
    pub search_depth_min: i64,
    /// The alert severity (`WARNING`).
    pub severity: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { threshold_count: 50, search_depth_min: 10, severity: "WARNING".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertWafBlocks {
    config: Config,
    severity: Severity,
}

/// The catalogue entry; a severity that is not one of MozDef's names is refused.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let severity = fields::severity(MODULE, &config.severity)?;
    Ok(CatalogueEntry::single(MODULE, AlertWafBlocks { config, severity }))
}

impl AlertTask for AlertWafBlocks {
    fn name(&self) -> &str {
        "AlertWafBlocks"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(self.config.search_depth_min)));
        query.add_must(Match::term("source", "waf"));
        query.add_must(Match::term("details.action", "BLOCK"));
        query.add_must(Match::exists("details.sourceipaddress"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated {
            field: "details.sourceipaddress".into(),
            samples: SAMPLES,
            threshold: self.config.threshold_count,
        }
    }

    /// `WAF blocked <count> requests from <ip>[ to <hosts>][ rules: <rules>]`, the hosts and
    /// rules those of the samples, sorted and distinct; a part with nothing to list is left
    /// out.
    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let mut summary = format!("WAF blocked {} requests from {}", group.count, group.value_text());
        let hosts = fields::distinct_details(&group.events, "host");
        if !hosts.is_empty() {
            summary.push_str(&format!(" to {}", Vec::from_iter(hosts).join(", ")));
        }
        let rules = fields::distinct_details(&group.events, "terminatingruleid");
        if !rules.is_empty() {
            summary.push_str(&format!(" rules: {}", Vec::from_iter(rules).join(", ")));
        }
        let tags = ["waf", "aws"];
        Some(Alert::new(summary, "waf", &tags, group.events.clone()).severity(self.severity))
    }
}
