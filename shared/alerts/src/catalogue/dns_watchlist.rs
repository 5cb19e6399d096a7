//! `dns_watchlist` → `AlertDnsWatchlist` (not a MozDef alert: written in its style for the
//! Route 53 Resolver query logs): DNS queries of the last twenty minutes for a name on the
//! watchlist, or for any name under one, one alert per query naming the watched name.
//!
//! The watchlist is the one `get_watchlist` reads (MozDef's `/getwatchlist`, handed to the
//! run in [`AlertContext::watchlist`]). Its terms are free text; those that read as DNS names
//! of two labels or more (letters, digits, `-`, `_`; a trailing dot and case ignored) are
//! watched here, the others (words, user names, query strings) left to `get_watchlist`: a
//! single word would otherwise watch a whole top-level domain. A watched `example.com`
//! matches the queries `example.com`, `example.com.`, `www.example.com` and
//! `a.b.example.com.`, not `badexample.com` nor `example.com.au`.
//!
//! `details.query` is a keyword field, compared as stored: the watched names are searched
//! lowercase, so the decoder's names are expected lowercase (as resolvers send them, bar
//! 0x20-randomised queries). When several watched names match a query, the first in the
//! watchlist's order is named, as `get_watchlist` names its first matching term.
//!
//! Event fields read: `category` (`dns`), `source` (`route53resolver`), `details.query`,
//! `details.querytype`, `details.sourceipaddress`.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::{CatalogueEntry, fields};
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The configuration module (and file) name.
const MODULE: &str = "dns_watchlist";

/// What the summary prints for a field the query lacks.
const UNKNOWN: &str = "unknown";

/// `dns_watchlist.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The search window, in minutes.
    pub search_depth_min: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config { search_depth_min: 20 }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertDnsWatchlist {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    Ok(CatalogueEntry::single(MODULE, AlertDnsWatchlist { config }))
}

/// One watchlist term that reads as a DNS name.
#[derive(Debug, Clone, PartialEq)]
struct WatchedName<'a> {
    /// The term as the watchlist holds it (trimmed).
    term: &'a str,
    /// The name: lowercase, without a trailing dot.
    name: String,
}

impl WatchedName<'_> {
    /// Whether the queried `query` (lowercase, without a trailing dot) is the name or a name
    /// under it.
    fn covers(&self, query: &str) -> bool {
        query.strip_suffix(self.name.as_str()).is_some_and(|head| head.is_empty() || head.ends_with('.'))
    }
}

/// `name` (a query name or a term) lowercase and without its trailing dot.
fn normalized(name: &str) -> String {
    let name = name.trim();
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// `term` as a watched name, if it reads as a DNS name of two labels or more.
fn watched_name(term: &str) -> Option<WatchedName<'_>> {
    let name = normalized(term);
    let label_ok =
        |label: &str| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (name.contains('.') && name.split('.').all(label_ok)).then(|| WatchedName { term: term.trim(), name })
}

/// The watched names of the run's watchlist, in its order.
fn watched_names(ctx: &AlertContext) -> Vec<WatchedName<'_>> {
    ctx.watchlist.iter().filter_map(|term| watched_name(term)).collect()
}

/// The matcher of `details.query` for `names`: each name or a name under it, with or
/// without the trailing dot. `None` without names.
fn query_matcher(names: &[WatchedName<'_>]) -> Option<Match> {
    if names.is_empty() {
        return None;
    }
    let exact = names.iter().flat_map(|w| [w.name.clone(), format!("{}.", w.name)]);
    let mut should = vec![Match::terms("details.query", exact)];
    for watched in names {
        should.push(Match::wildcard("details.query", format!("*.{}", watched.name)));
        should.push(Match::wildcard("details.query", format!("*.{}.", watched.name)));
    }
    Some(Match::boolean(Vec::new(), Vec::new(), should))
}

impl AlertTask for AlertDnsWatchlist {
    fn name(&self) -> &str {
        "AlertDnsWatchlist"
    }

    fn query(&self, ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(self.config.search_depth_min)));
        query.add_must(Match::term("category", "dns"));
        query.add_must(Match::term("source", "route53resolver"));
        match query_matcher(&watched_names(ctx)) {
            Some(matcher) => {
                query.add_must(matcher);
            }
            None => {
                // Nothing to look for: a query no event can match.
                query.add_must(Match::exists("utctimestamp"));
                query.add_must_not(Match::exists("utctimestamp"));
            }
        }
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, ctx: &AlertContext) -> Option<Alert> {
        let query = fields::detail(event, "query")?;
        let queried = normalized(&query);
        let names = watched_names(ctx);
        let Some(watched) = names.iter().find(|w| w.covers(&queried)) else {
            // The search found it, so it matched as stored; only case could tell them apart.
            tracing::warn!(alert = "AlertDnsWatchlist", event = %event.id, %query, "no watched name covers the query");
            return None;
        };
        let detail = |path: &str| fields::detail(event, path).unwrap_or_else(|| UNKNOWN.to_owned());
        let summary = format!(
            "DNS query for watchlisted name {}: {query} ({}) from {}",
            watched.term,
            detail("querytype"),
            detail("sourceipaddress")
        );
        let tags = ["dns", "watchlist", "route53resolver"];
        Some(Alert::new(summary, "watchlist", &tags, vec![event.clone()]).severity(Severity::Warning))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_terms_of_two_labels_or_more() {
        let name = |term| watched_name(term).map(|w| w.name);
        assert_eq!(name(" Evil.Example.COM. "), Some("evil.example.com".to_owned()));
        assert_eq!(name("_dmarc.example-1.org"), Some("_dmarc.example-1.org".to_owned()));
        assert_eq!(name("evilterm"), None);
        assert_eq!(name("details.username:bob"), None);
        assert_eq!(name("bad host.example.com"), None);
        assert_eq!(name("a..example.com"), None);
        assert_eq!(name("*.example.com"), None);
    }

    #[test]
    fn a_name_covers_itself_and_the_names_under_it() {
        let Some(watched) = watched_name("example.com") else { panic!("example.com is a name") };
        assert!(watched.covers("example.com"));
        assert!(watched.covers("www.example.com"));
        assert!(watched.covers("a.b.example.com"));
        assert!(!watched.covers("badexample.com"));
        assert!(!watched.covers("example.com.au"));
        assert!(!watched.covers("com"));
    }
}
