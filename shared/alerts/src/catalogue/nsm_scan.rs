//! The Bro scan alerts (`nsm_scan_address`, `nsm_scan_port`, `nsm_scan_random`): `bro`
//! `notice` events with a given `Scan::` note from configured internal sources, one alert
//! per scanning address. Each alert's own module holds its note, window, exclusions,
//! summary and severity; this is the task they share.

use chrono::Duration;
use mozdef_model::{Severity, get_path};
use mozdef_query::{Match, QueryError, SearchQuery};
use serde_json::Value;

use crate::alert::Alert;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// One Bro scan alert.
#[derive(Debug, Clone)]
pub(crate) struct NsmScan {
    /// MozDef's class name.
    pub(crate) name: &'static str,
    /// The `details.note` reported (a phrase match).
    pub(crate) note: &'static str,
    /// The search window.
    pub(crate) window: Duration,
    /// The sources reported.
    pub(crate) source_must_match: Match,
    /// What is never reported (the excluded sources, and whatever else the alert excludes).
    pub(crate) must_not: Vec<Match>,
    /// The summary's start, before ` from <scanner>` (`Address scan`).
    pub(crate) scan: &'static str,
    /// The alert's third tag (`addressscan`), after `nsm` and `bro`.
    pub(crate) tag: &'static str,
    /// The alert severity.
    pub(crate) severity: Severity,
    /// Whether the scanner is named with its reverse DNS name.
    pub(crate) reverse_dns: bool,
}

/// `field: value` as a query string (the configured settings are Lucene query-string
/// values); one that does not parse is refused for alert `name`.
pub(crate) fn configured(name: &str, field: &str, value: &str) -> Result<Match, AlertError> {
    Match::query_string(&format!("{field}: {value}")).map_err(|source| AlertError::Query { alert: name.into(), source })
}

impl AlertTask for NsmScan {
    fn name(&self) -> &str {
        self.name
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(self.window));
        query.add_must(Match::term("category", "bro"));
        query.add_must(Match::term("source", "notice"));
        query.add_must(Match::phrase("details.note", self.note));
        query.add_must(self.source_must_match.clone());
        for clause in &self.must_not {
            query.add_must_not(clause.clone());
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.sourceipaddress".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("{} from {}", self.scan, self.scanner(group, ctx));
        let alert = Alert::new(summary, "nsm", &["nsm", "bro", self.tag], group.events.clone());
        Some(alert.severity(self.severity))
    }
}

impl NsmScan {
    /// The scanning address of the first sample when the sample has `details.indicators`,
    /// `unknown` otherwise (MozDef meant that fallback but failed the run with a NameError
    /// instead); with its reverse name (`10.1.2.3 (name)`, the bare address without one)
    /// when the alert names scanners.
    fn scanner(&self, group: &AggregationGroup, ctx: &AlertContext) -> String {
        let details = group.events.first().and_then(|first| first.source.get("details"));
        if details.and_then(|d| d.get("indicators")).is_none() {
            return "unknown".to_owned();
        }
        let address = match details.and_then(|d| get_path(d, "sourceipaddress")) {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => return "unknown".to_owned(),
        };
        if !self.reverse_dns {
            return address;
        }
        match ctx.reverse(&address) {
            Some(name) => format!("{address} ({name})"),
            None => address,
        }
    }
}
