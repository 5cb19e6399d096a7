//! `trace_audit.py` → `TraceAudit`: `strace` executions seen by auditd, one alert per
//! original (login) user.

use std::collections::BTreeSet;

use chrono::Duration;
use mozdef_model::{Severity, get_path};
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// `trace_audit.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Hosts never reported, space separated (matched as phrases on `hostname`).
    pub hostfilter: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { hostfilter: "example.hostname.com".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct TraceAudit {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("trace_audit", TraceAudit { config: config.load("trace_audit")? }))
}

impl AlertTask for TraceAudit {
    fn name(&self) -> &str {
        "TraceAudit"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(5)));
        query.add_must(Match::term("details.processname", "strace"));
        for host in self.config.hostfilter.split_whitespace() {
            query.add_must_not(Match::phrase("hostname", host));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.originaluser".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        // The distinct hostnames of the samples; MozDef joined a Python set (arbitrary
        // order), they are sorted here so the summary is stable.
        let hosts: BTreeSet<String> = group
            .events
            .iter()
            .filter_map(|event| match get_path(&Value::Object(event.source.clone()), "hostname") {
                Some(Value::String(text)) => Some(text.clone()),
                Some(Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            })
            .collect();
        let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
        let summary = format!(
            "{} instances of Strace or Ptrace executed by {} on {}",
            group.count,
            group.value_text(),
            hosts.join(",")
        );
        Some(Alert::new(summary, "trace", &["audit"], group.events.clone()).severity(Severity::Warning))
    }
}
