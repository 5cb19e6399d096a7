//! `ssl_blacklist_hit.py` → `AlertSSLBlacklistHit`: a Bro intel hit on the abuse.ch SSL
//! blacklist, one alert per event within fifteen minutes.

use chrono::Duration;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The alert.
#[derive(Debug, Clone, Default)]
pub struct AlertSSLBlacklistHit;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("ssl_blacklist_hit", AlertSSLBlacklistHit))
}

impl AlertTask for AlertSSLBlacklistHit {
    fn name(&self) -> &str {
        "AlertSSLBlacklistHit"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("eventsource", "nsm"));
        query.add_must(Match::term("category", "brointel"));
        query.add_must(Match::term("details.sources", "abuse.ch SSLBL"));
        query.add_must(Match::exists("details.sourceipaddress"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("{} {}", text(event, "hostname"), text(event, "summary"));
        // One comma-joined tag, as MozDef shipped it.
        Some(Alert::new(summary, "correlatedalerts", &["nsm,bro,correlated"], vec![event.clone()]))
    }
}

/// A top-level field as the summary prints it: strings as they are, other values as JSON,
/// and a missing one as `UNKNOWN` (the pipeline's default for both fields; MozDef failed).
fn text(event: &Hit, field: &str) -> String {
    match event.source.get(field) {
        None | Some(Value::Null) => "UNKNOWN".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
