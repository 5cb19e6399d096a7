//! `ssl_blacklist_hit.py` → `AlertSSLBlacklistHit`: a Bro intel hit on the abuse.ch SSL
//! blacklist, one alert per event within fifteen minutes.

use chrono::Duration;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::catalogue::bro_notice::host_summary;
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
        let summary = host_summary(event);
        // One comma-joined tag, as MozDef shipped it.
        Some(Alert::new(summary, "correlatedalerts", &["nsm,bro,correlated"], vec![event.clone()]))
    }
}
