//! `vpn_duo_auth_failures.py` → `AlertManyVPNDuoAuthFailures`: five or more failed Duo
//! authentications on the OpenVPN integration by one user within two minutes.

use chrono::Duration;
use mozdef_query::{Match, QueryError, SearchQuery};

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, most_common};
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// The alert.
#[derive(Debug, Clone, Default)]
pub struct AlertManyVPNDuoAuthFailures;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("vpn_duo_auth_failures", AlertManyVPNDuoAuthFailures))
}

impl AlertTask for AlertManyVPNDuoAuthFailures {
    fn name(&self) -> &str {
        "AlertManyVPNDuoAuthFailures"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(2)));
        query.add_must(Match::term("category", "event"));
        query.add_must(Match::term("tags", "duosecurity"));
        query.add_must(Match::phrase("details.integration", "global and external openvpn"));
        query.add_must(Match::phrase("details.result", "FAILURE"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.username".into(), samples: 5, threshold: 5 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let mut summary = format!("{} openvpn authentication attempts by {}", group.count, group.value_text());
        for (ip, hits) in most_common(&group.all_events, "details.ip").into_iter().take(5) {
            summary.push_str(&format!(" {ip} ({hits} hits)"));
        }
        Some(Alert::new(summary, "openvpn", &["vpn", "auth", "duo"], group.events.clone()))
    }
}
