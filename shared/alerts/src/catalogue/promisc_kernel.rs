//! `promisc_kernel.py` → `PromiscKernel`: kernel syslog lines of a device entering
//! promiscuous mode (container `veth*` devices excepted), one alert per host.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Match, QueryError, SearchQuery};

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// The alert, with its fixed query string parsed.
#[derive(Debug, Clone)]
pub struct PromiscKernel {
    container_devices: Match,
}

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let container_devices = Match::query_string("summary: veth*")
        .map_err(|source| AlertError::Query { alert: "PromiscKernel".into(), source })?;
    Ok(CatalogueEntry::single("promisc_kernel", PromiscKernel { container_devices }))
}

impl AlertTask for PromiscKernel {
    fn name(&self) -> &str {
        "PromiscKernel"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(2)));
        query.add_must(Match::term("category", "syslog"));
        query.add_must(Match::phrase("summary", "promiscuous"));
        query.add_must(Match::phrase("summary", "entered"));
        query.add_must_not(self.container_devices.clone());
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "hostname".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("Promiscuous mode enabled on {} [{}]", group.value_text(), group.count);
        Some(Alert::new(summary, "promisc", &["promisc", "kernel"], group.events.clone()).severity(Severity::Warning))
    }
}
