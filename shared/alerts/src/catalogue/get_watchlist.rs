//! `get_watchlist.py` → `AlertWatchList`: events of the last 20 minutes matching a term of
//! the watchlist (MozDef's REST `/getwatchlist`, read by the runner into
//! [`AlertContext::watchlist`]), one alert per event naming the term.
//!
//! MozDef ran one query-string search per term, in the watchlist's order; each alert tagged
//! its event, so a later term's search no longer found it. Here the terms are ORed into one
//! search, and for each hit the first term (in the same order) whose query string matches
//! the event — decided by the query model's evaluator, [`CompiledMatch`] — is the one
//! named: the same alerts as MozDef's per-term loop, in one round trip. Without terms the
//! search matches nothing (it never searches everything).

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{CompiledMatch, Hit, Match, QueryError, SearchQuery};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The alert.
#[derive(Debug, Clone, Default)]
pub struct AlertWatchList;

/// The catalogue entry. (MozDef's `get_watchlist.conf` held only how to reach the REST
/// API — `api_url`, `jwt_secret`, `use_auth` — which is the runner's business here.)
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("get_watchlist", AlertWatchList))
}

/// The watchlist terms that parse as query strings, in order, with their matchers. A term
/// that does not parse is skipped (MozDef's search for it failed alone).
fn term_matches(ctx: &AlertContext) -> Vec<(&str, Match)> {
    ctx.watchlist
        .iter()
        .filter(|term| !term.trim().is_empty())
        .filter_map(|term| match Match::query_string(term) {
            Ok(m) => Some((term.as_str(), m)),
            Err(error) => {
                tracing::warn!(alert = "AlertWatchList", term = %term, %error, "watchlist term skipped");
                None
            }
        })
        .collect()
}

/// A field's text as MozDef formatted it: strings as they are, null as `None`, other values
/// as JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "None".to_owned(),
        other => other.to_string(),
    }
}

impl AlertTask for AlertWatchList {
    fn name(&self) -> &str {
        "AlertWatchList"
    }

    fn query(&self, ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(20)));
        let terms: Vec<Match> = term_matches(ctx).into_iter().map(|(_, m)| m).collect();
        if terms.is_empty() {
            // Nothing to look for: a query no event can match.
            query.add_must(Match::exists("utctimestamp"));
            query.add_must_not(Match::exists("utctimestamp"));
        } else {
            query.add_must(Match::boolean(Vec::new(), Vec::new(), terms));
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, ctx: &AlertContext) -> Option<Alert> {
        let details = event.source.get("details")?;
        let hostname = event.source.get("hostname").filter(|v| !v.is_null())?;
        let source_data = details.get("sourceipaddress").map(|ip| format!("from {}", text(ip))).unwrap_or_default();
        let user_data = ["username", "originaluser", "user"]
            .iter()
            .find_map(|key| details.get(*key))
            .map(|user| format!("by {}", text(user)))
            .unwrap_or_default();
        let term = matching_term(event, ctx);
        let summary = format!("Watchlist term {term} detected {user_data} {source_data} on {}", text(hostname));
        Some(Alert::new(summary, "watchlist", &["watchtarget"], vec![event.clone()]).severity(Severity::Warning))
    }
}

/// The first watchlist term matching `event`. Should the evaluator match none of them
/// (the store found the event with the ORed query), every term is named, `a OR b`, rather
/// than a wrong one.
fn matching_term(event: &Hit, ctx: &AlertContext) -> String {
    let terms = term_matches(ctx);
    let document = Value::Object(event.source.clone());
    let first = terms.iter().find(|(_, m)| CompiledMatch::new(m).is_ok_and(|c| c.matches(&document, ctx.now)));
    match first {
        Some((term, _)) => (*term).to_owned(),
        None => {
            tracing::warn!(alert = "AlertWatchList", id = %event.id, "no single watchlist term matches the event");
            terms.iter().map(|(term, _)| *term).collect::<Vec<_>>().join(" OR ")
        }
    }
}
