//! `vpc_flow_reject_scan` → `AlertVpcFlowRejectScan` (not a MozDef alert: written in its
//! style for the VPC Flow Logs source): one source address whose rejected flows within ten
//! minutes reach many destination ports or many destination hosts, one alert per address.
//!
//! The search groups rejected flows by source address; a group then raises the alert when
//! its flows name at least `port_threshold` distinct destination ports or `host_threshold`
//! distinct destination addresses — a filter after the aggregation, as MozDef's
//! `proxy_drop_ip` and `ssh_lateral` filter theirs. The distinct values are counted over
//! every event of the group the search fetched (the framework hands a group all of them,
//! not only its samples); an alert search fetches at most
//! [`SEARCH_SIZE`](crate::task::SEARCH_SIZE) events in all, so a scan buried under more
//! rejected flows than that in its window is seen only in part. A group below both
//! thresholds raises nothing and its flows stay untagged, so a slow scan is counted again
//! on the next run while its flows are in the window.
//!
//! Event fields read: `source` (`vpcflowlogs`), `details.action` (`REJECT`),
//! `details.sourceipaddress`, `details.destinationport`, `details.destinationipaddress`.

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
const MODULE: &str = "vpc_flow_reject_scan";

/// `vpc_flow_reject_scan.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The search window, in minutes.
    pub search_depth_min: i64,
    /// The least number of distinct destination ports that makes a scan.
    pub port_threshold: u64,
    /// The least number of distinct destination addresses that makes a scan.
    pub host_threshold: u64,
    /// How many of the source's rejected flows the alert attaches (all are counted and
    /// tagged).
    pub samples: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { search_depth_min: 10, port_threshold: 20, host_threshold: 20, samples: 10 }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertVpcFlowRejectScan {
    config: Config,
}

/// The catalogue entry; a threshold of zero (every source a scan) or no samples is refused.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let zero = [
        ("port_threshold", config.port_threshold == 0),
        ("host_threshold", config.host_threshold == 0),
        ("samples", config.samples == 0),
    ];
    if let Some((key, _)) = zero.iter().find(|(_, is_zero)| *is_zero) {
        let message = format!("{key}: must be at least 1, got 0");
        return Err(AlertError::Config { alert: MODULE.into(), message });
    }
    Ok(CatalogueEntry::single(MODULE, AlertVpcFlowRejectScan { config }))
}

impl AlertTask for AlertVpcFlowRejectScan {
    fn name(&self) -> &str {
        "AlertVpcFlowRejectScan"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(self.config.search_depth_min)));
        query.add_must(Match::term("source", "vpcflowlogs"));
        query.add_must(Match::term("details.action", "REJECT"));
        query.add_must(Match::exists("details.sourceipaddress"));
        Ok(query)
    }

    /// Grouped by source address; a group needs at least as many flows as the lower
    /// threshold to name that many distinct ports or hosts.
    fn mode(&self) -> Mode {
        Mode::Aggregated {
            field: "details.sourceipaddress".into(),
            samples: self.config.samples,
            threshold: self.config.port_threshold.min(self.config.host_threshold),
        }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let ports = fields::distinct_details(&group.all_events, "destinationport").len();
        let hosts = fields::distinct_details(&group.all_events, "destinationipaddress").len();
        if (ports as u64) < self.config.port_threshold && (hosts as u64) < self.config.host_threshold {
            return None;
        }
        let summary = format!(
            "VPC flow REJECT scan from {}: {ports} ports on {hosts} hosts ({} rejected flows)",
            group.value_text(),
            group.count
        );
        let tags = ["vpcflowlogs", "aws", "scan"];
        Some(Alert::new(summary, "scan", &tags, group.events.clone()).severity(Severity::Warning))
    }
}
