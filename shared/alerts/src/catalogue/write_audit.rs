//! `write_audit.py` → `WriteAudit`: writes to auditd-watched paths (auditd key `audit`), one
//! alert per original (login) user with at least two of them.

use std::collections::BTreeSet;

use chrono::Duration;
use mozdef_model::{Severity, get_path};
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, most_common};
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// How many hosts the summary lists when the writes touched more than one.
const LISTED_HOSTS: usize = 5;

/// `write_audit.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Processes never reported, space separated (matched as phrases on
    /// `details.processname`).
    pub skipprocess: String,
    /// Original users whose writes are expected, space separated: their alerts are NOTICE
    /// instead of WARNING.
    pub expectedusers: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { skipprocess: "process1 process2".into(), expectedusers: "user1 user2".into() }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct WriteAudit {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("write_audit", WriteAudit { config: config.load("write_audit")? }))
}

impl AlertTask for WriteAudit {
    fn name(&self) -> &str {
        "WriteAudit"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "write"));
        query.add_must(Match::term("details.auditkey", "audit"));
        for process in self.config.skipprocess.split_whitespace() {
            query.add_must_not(Match::phrase("details.processname", process));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.originaluser".into(), samples: 10, threshold: 2 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        // Distinct values of the samples; MozDef joined Python sets (arbitrary order), they
        // are sorted here so the summary is stable. Samples lacking a value are skipped
        // (MozDef failed the run on them).
        let mut users = BTreeSet::new();
        let mut paths = BTreeSet::new();
        for event in &group.events {
            if let Some(user) = text_at(event, "details.user") {
                users.insert(user);
            }
            // The second space-separated word of the summary (`Write: <path>`).
            if let Some(path) = text_at(event, "summary").and_then(|s| s.split(' ').nth(1).map(str::to_owned)) {
                paths.insert(path);
            }
        }
        let join = |set: &BTreeSet<String>| set.iter().map(String::as_str).collect::<Vec<_>>().join(", ");
        let original_user = group.value_text();
        let mut summary = format!(
            "{} Filesystem write(s) to an auditd path ({}) by {} ({})",
            group.count,
            join(&paths),
            join(&users),
            original_user
        );
        let expected = self.config.expectedusers.split(' ').any(|user| user == original_user);
        let severity = if expected { Severity::Notice } else { Severity::Warning };
        let hostnames = most_common(&group.all_events, "hostname");
        if hostnames.len() > 1 {
            for (host, writes) in hostnames.iter().take(LISTED_HOSTS) {
                summary.push_str(&format!(" on {host} ({writes} hosts)"));
            }
        }
        Some(Alert::new(summary, "write", &["audit"], group.events.clone()).severity(severity))
    }
}

/// The value at `path` of `event` as text, if it has one.
fn text_at(event: &Hit, path: &str) -> Option<String> {
    match get_path(&Value::Object(event.source.clone()), path)? {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}
