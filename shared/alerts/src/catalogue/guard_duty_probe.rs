//! `guard_duty_probe.py` → `AlertGuardDutyProbe`: AWS GuardDuty port-probe findings, one
//! alert per probing address within twenty minutes.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Match, QueryError, SearchQuery};

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// The alert.
#[derive(Debug, Clone, Default)]
pub struct AlertGuardDutyProbe;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("guard_duty_probe", AlertGuardDutyProbe))
}

impl AlertTask for AlertGuardDutyProbe {
    fn name(&self) -> &str {
        "AlertGuardDutyProbe"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(20)));
        query.add_must(Match::term("source", "guardduty"));
        query.add_must(Match::term("details.finding.action.actionType", "PORT_PROBE"));
        query.add_must(Match::exists("details.sourceipaddress"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.sourceipaddress".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("Guard Duty Port Probe by {}", group.value_text());
        let tags = ["guardduty", "bruteforce"];
        Some(Alert::new(summary, "bruteforce", &tags, group.events.clone()).severity(Severity::Info))
    }
}
