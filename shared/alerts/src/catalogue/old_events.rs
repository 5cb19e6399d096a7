//! `old_events.py` → `OldEvents`: events received in the last six hours whose `utctimestamp`
//! is more than a day old, a sign that something in the event pipeline lags or mis-parses
//! times; one alert per MozDef host that indexed them.

use chrono::Duration;
use mozdef_model::{Severity, isoformat};
use mozdef_query::{Match, QueryError, SearchQuery};

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// The alert.
#[derive(Debug, Clone, Default)]
pub struct OldEvents;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("old_events", OldEvents))
}

impl AlertTask for OldEvents {
    fn name(&self) -> &str {
        "OldEvents"
    }

    fn query(&self, ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::hours(6)));
        // MozDef took the local wall clock here (`datetime.now()`); the run's clock is used.
        query.add_must(Match::less_than("utctimestamp", isoformat(&(ctx.now - Duration::days(1)))));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "mozdefhostname".into(), samples: 1000, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("Events have an outdated utctimestamp ({})", group.count);
        Some(Alert::new(summary, "maintenance", &["pipeline"], group.events.clone()).severity(Severity::Error))
    }
}
