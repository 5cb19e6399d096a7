//! `duo_fail_open.py` → `AlertDuoFailOpen`: OpenVPN's Duo plugin could not reach Duo and let
//! the user in on one factor ("Failsafe Duo login"); one alert per host.

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
pub struct AlertDuoFailOpen;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("duo_fail_open", AlertDuoFailOpen))
}

impl AlertTask for AlertDuoFailOpen {
    fn name(&self) -> &str {
        "AlertDuoFailOpen"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::phrase("summary", "Failsafe Duo login"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "hostname".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("DuoSecurity contact failed, fail open triggered on {}", group.value_text());
        let tags = ["openvpn", "duosecurity"];
        Some(Alert::new(summary, "bypass", &tags, group.events.clone()).severity(Severity::Warning))
    }
}
