//! `promisc_audit.py` → `PromiscAudit`: one alert for every auditd report of an interface put
//! into promiscuous mode (container `veth*` interfaces excepted).

use chrono::Duration;
use mozdef_model::{Severity, get_path};
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The alert, with its fixed query string parsed.
#[derive(Debug, Clone)]
pub struct PromiscAudit {
    container_interfaces: Match,
}

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let container_interfaces = Match::query_string("details.dev: veth*")
        .map_err(|source| AlertError::Query { alert: "PromiscAudit".into(), source })?;
    Ok(CatalogueEntry::single("promisc_audit", PromiscAudit { container_interfaces }))
}

impl AlertTask for PromiscAudit {
    fn name(&self) -> &str {
        "PromiscAudit"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(2)));
        query.add_must(Match::term("category", "promiscuous"));
        query.add_must(Match::phrase("summary", "promiscuous"));
        query.add_must(Match::phrase("summary", "on"));
        query.add_must_not(self.container_interfaces.clone());
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let hostname = match get_path(&Value::Object(event.source.clone()), "hostname") {
            Some(Value::String(text)) => text.clone(),
            // MozDef failed the whole run on an event without a hostname.
            Some(Value::Null) | None => "unknown".to_owned(),
            Some(other) => other.to_string(),
        };
        let summary = format!("Promiscuous mode enabled on {hostname}");
        Some(Alert::new(summary, "promisc", &["promisc", "audit"], vec![event.clone()]).severity(Severity::Warning))
    }
}
