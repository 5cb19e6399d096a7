//! Reading GeoModel's events: every configured source since the last run, grouped by user.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use mozdef_model::{get_path, isoformat};
use mozdef_query::{Hit, Match, SearchQuery};
use serde_json::Value;

use super::config::EventSource;
use crate::backend::AlertBackend;
use crate::error::BackendError;
use crate::task::DEFAULT_INDICES;

/// Events read per source and run, at most.
pub const SEARCH_SIZE: usize = 10_000;

/// The events of one user, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct UserEvents {
    /// The username.
    pub username: String,
    /// Their events from every source, each once.
    pub events: Vec<Hit>,
}

/// The query of `source` for events received in `[from, now]` that carry a username and
/// have not raised the alert `name` yet.
pub fn source_query(source: &EventSource, name: &str, from: DateTime<Utc>, now: DateTime<Utc>) -> SearchQuery {
    let mut query = SearchQuery::new(None);
    query
        .add_must(Match::range(
            "receivedtimestamp",
            Some(Value::String(isoformat(&from))),
            Some(Value::String(isoformat(&now))),
        ))
        .add_must(source.query.clone())
        .add_must(Match::exists(source.username_path.clone()))
        .add_must_not(Match::term("alert_names", name.to_owned()));
    query
}

/// Reads every source (from the last run, or its own window on a first run) and groups
/// the events by username, users in order of first appearance.
pub async fn events_by_user(
    backend: &dyn AlertBackend,
    sources: &[EventSource],
    name: &str,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Vec<UserEvents>, BackendError> {
    let indices: Vec<String> = DEFAULT_INDICES.iter().map(|i| (*i).to_owned()).collect();
    let mut users: Vec<UserEvents> = Vec::new();
    let mut positions: HashMap<String, usize> = HashMap::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for source in sources {
        let from = since.unwrap_or_else(|| now.checked_sub_signed(source.window).unwrap_or(DateTime::<Utc>::MIN_UTC));
        let query = source_query(source, name, from, now);
        let hits = backend.search(&indices, &query, SEARCH_SIZE, now).await?.hits;
        tracing::debug!(alert = name, query = %source.lucene_query, events = hits.len(), "geomodel source read");
        for hit in hits {
            let Some(username) = username_of(&hit, &source.username_path) else { continue };
            if !seen.insert((hit.index.clone(), hit.id.clone())) {
                continue;
            }
            let at = *positions.entry(username.clone()).or_insert_with(|| {
                users.push(UserEvents { username, events: Vec::new() });
                users.len() - 1
            });
            if let Some(user) = users.get_mut(at) {
                user.events.push(hit);
            }
        }
    }
    for user in &mut users {
        user.events.sort_by_key(|hit| std::cmp::Reverse(event_time(hit)));
    }
    Ok(users)
}

/// The username at `path`, when it is a non-empty value.
fn username_of(hit: &Hit, path: &str) -> Option<String> {
    let source = Value::Object(hit.source.clone());
    let text = match get_path(&source, path)? {
        Value::String(s) => s.clone(),
        Value::Null => return None,
        other => other.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// The event's `utctimestamp`, for ordering (unparsable: oldest).
fn event_time(hit: &Hit) -> DateTime<Utc> {
    hit.source
        .get("utctimestamp")
        .and_then(|v| mozdef_model::to_utc(v, DateTime::UNIX_EPOCH).ok())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}
