//! [`MemoryBackend`]: the alert domain's [`AlertBackend`] over documents kept in memory, so
//! the framework, the catalogue and the plugins are tested without a store. It evaluates
//! with the query crate's evaluator — the one the embedded store runs after its index has
//! narrowed the candidates — and names and resolves indices by MozDef's rules
//! ([`mozdef_model::indices`]), so a test that passes here asks nothing of a store that the
//! store-backed runs (`tests/parity`, on the embedded store and OpenSearch) do not check.

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::indices::{alerts_index, is_valid_index_name, resolve_all};
use mozdef_model::{Document, EventRef, tag_alert_source};
use mozdef_query::{CompiledQuery, Hit, Meta, SearchQuery, SearchResults, TermsAggregator, TopHits};
use serde_json::Value;

use crate::backend::AlertBackend;
use crate::error::BackendError;

/// Documents by concrete index, then by id (each a JSON object).
type Indices = BTreeMap<String, BTreeMap<String, Value>>;

/// An [`AlertBackend`] over in-memory indices: searches match every document of the resolved
/// indices with [`CompiledQuery`] (window included), rank them with [`TopHits`] and count
/// aggregations with [`TermsAggregator`]; [`save_alert`](AlertBackend::save_alert) upserts
/// into `alerts-YYYYMM`; [`tag_events`](AlertBackend::tag_events) applies
/// [`tag_alert_source`]. Every write is visible at once (there is no refresh).
///
/// Tests fill it with [`index`](Self::index) and read it back with [`get`](Self::get) and
/// [`documents`](Self::documents).
#[derive(Debug, Default)]
pub struct MemoryBackend {
    indices: RwLock<Indices>,
}

impl MemoryBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// Upserts `document` under `id` in the concrete index `index` (created on first use).
    /// Fails, as the stores refuse it, when `index` is not a valid index name.
    pub fn index(&self, index: &str, id: &str, document: Document) -> Result<(), BackendError> {
        if !is_valid_index_name(index) {
            return Err(BackendError::Failed(format!("invalid index name {index:?}")));
        }
        self.write().entry(index.to_owned()).or_default().insert(id.to_owned(), Value::Object(document));
        Ok(())
    }

    /// The document `id` in the first of `indices` (concrete, logical such as `events`, or
    /// `prefix-*` patterns, resolved at `now`) that holds one: MozDef's `get_object_by_id`.
    pub fn get(&self, indices: &[String], id: &str, now: DateTime<Utc>) -> Option<Hit> {
        let all = self.read();
        let existing: Vec<String> = all.keys().cloned().collect();
        resolve_all(indices, now, &existing).into_iter().find_map(|name| {
            let source = all.get(&name)?.get(id)?.as_object()?.clone();
            Some(Hit { id: id.to_owned(), index: name, score: 1.0, source })
        })
    }

    /// The documents of the concrete index `index`, by id (empty when it does not exist).
    pub fn documents(&self, index: &str) -> Vec<(String, Document)> {
        let all = self.read();
        let docs = all.get(index).into_iter().flatten();
        docs.filter_map(|(id, doc)| Some((id.clone(), doc.as_object()?.clone()))).collect()
    }

    /// The concrete indices that exist, sorted.
    pub fn indices(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    // A panic while the lock is held cannot leave a half-written document (every write is
    // one insert), so a poisoned lock is still good to use.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Indices> {
        self.indices.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Indices> {
        self.indices.write().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl AlertBackend for MemoryBackend {
    async fn search(
        &self,
        indices: &[String],
        query: &SearchQuery,
        size: usize,
        now: DateTime<Utc>,
    ) -> Result<SearchResults, BackendError> {
        // A query the stores refuse is refused here too, and not worth retrying.
        let compiled = CompiledQuery::new(query).map_err(|e| BackendError::Failed(format!("invalid query: {e}")))?;
        let mut aggregator = TermsAggregator::new(&query.aggregations);
        let mut best = TopHits::new(size);
        let all = self.read();
        let existing: Vec<String> = all.keys().cloned().collect();
        for name in resolve_all(indices, now, &existing) {
            for (id, doc) in all.get(&name).into_iter().flatten() {
                if compiled.matches(doc, now) {
                    aggregator.add(doc);
                    let source = doc.as_object().cloned().unwrap_or_default();
                    best.offer(Hit { id: id.clone(), index: name.clone(), score: 1.0, source });
                }
            }
        }
        let (total, hits) = best.finish();
        Ok(SearchResults {
            hits,
            meta: Meta { timed_out: false },
            total: Some(total),
            aggregations: (!query.aggregations.is_empty()).then(|| aggregator.finish()),
        })
    }

    async fn save_alert(&self, id: &str, alert: &Document, now: DateTime<Utc>) -> Result<EventRef, BackendError> {
        let index = alerts_index(now);
        self.index(&index, id, alert.clone())?;
        Ok(EventRef { index, id: id.to_owned() })
    }

    async fn tag_events(&self, events: &[EventRef], alert_name: &str, alert: &EventRef) -> Result<(), BackendError> {
        let mut all = self.write();
        for event in events {
            match all.get_mut(&event.index).and_then(|docs| docs.get_mut(&event.id)) {
                Some(Value::Object(source)) => tag_alert_source(source, alert_name, alert),
                // As on the stores: an event that is gone has nothing to tag.
                _ => tracing::warn!(alert = alert_name, event = %event.id, "event not tagged: not found"),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use mozdef_query::Match;
    use serde_json::json;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2017, 1, 1, 1, 0, 0).single().unwrap_or_default()
    }

    fn doc(value: Value) -> Document {
        value.as_object().cloned().unwrap_or_default()
    }

    /// An event `minutes` before `now()`.
    fn event(minutes: i64, category: &str, user: &str) -> Document {
        let at = mozdef_model::isoformat(&(now() - Duration::minutes(minutes)));
        doc(json!({"utctimestamp": at, "receivedtimestamp": at, "category": category, "details": {"user": user}}))
    }

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn ids(results: &SearchResults) -> Vec<String> {
        results.hits.iter().map(|h| format!("{}/{}", h.index, h.id)).collect()
    }

    async fn search(backend: &MemoryBackend, indices: &[&str], query: &SearchQuery, size: usize) -> SearchResults {
        backend.search(&names(indices), query, size, now()).await.unwrap_or_else(|e| panic!("search: {e}"))
    }

    /// Today's and yesterday's events, and one from a week and a day ago.
    fn filled() -> MemoryBackend {
        let backend = MemoryBackend::new();
        let today = "events-20170101";
        for (id, minutes, category, user) in [
            ("a", 1, "login", "alice"),
            ("b", 2, "login", "bob"),
            ("c", 3, "logout", "alice"),
            ("d", 90, "login", "eve"),
        ] {
            let index = if minutes > 60 { "events-20161231" } else { today };
            backend.index(index, id, event(minutes, category, user)).unwrap_or_else(|e| panic!("index: {e}"));
        }
        backend.index("events-20161224", "old", event(8 * 24 * 60, "login", "mallory")).unwrap_or_default();
        backend
    }

    #[tokio::test]
    async fn searches_resolve_names_match_rank_and_count() {
        let backend = filled();
        let mut query = SearchQuery::new(Some(Duration::minutes(5)));
        query.add_must(Match::term("category", "login"));
        let found = search(&backend, &["events", "events-previous"], &query, 10).await;
        assert_eq!(ids(&found), ["events-20170101/a", "events-20170101/b"], "in the window, newest first");
        assert_eq!(found.total, Some(2));
        assert_eq!(found.aggregations, None, "none asked");

        let mut all_time = SearchQuery::new(None);
        all_time.add_must(Match::term("category", "login"));
        all_time.add_aggregation("details.user");
        let found = search(&backend, &["events-weekly"], &all_time, 1).await;
        assert_eq!(ids(&found), ["events-20170101/a"], "size 1");
        assert_eq!(found.total, Some(3), "the total counts every match; events-weekly is 8 days");
        assert_eq!(
            found.aggregations.map(Value::Object),
            Some(json!({"details.user": {"terms": [
                {"key": "alice", "count": 1}, {"key": "bob", "count": 1}, {"key": "eve", "count": 1}
            ]}}))
        );
        assert_eq!(search(&backend, &["events-*"], &all_time, 10).await.total, Some(4), "patterns");
        assert_eq!(search(&backend, &["events-previous"], &all_time, 10).await.total, Some(1));
        assert_eq!(search(&backend, &["alerts", "Bad,Name"], &all_time, 10).await.total, Some(0));
    }

    #[tokio::test]
    async fn a_query_the_stores_refuse_is_a_lasting_failure() {
        let mut query = SearchQuery::new(None);
        query.add_must(Match::term("utctimestamp", "not a date"));
        let error = filled().search(&names(&["events"]), &query, 10, now()).await.err();
        assert!(matches!(&error, Some(BackendError::Failed(_))), "{error:?}");
    }

    #[tokio::test]
    async fn alerts_are_saved_monthly_and_events_tagged_once() {
        let backend = filled();
        let alert = doc(json!({"summary": "two logins", "utctimestamp": mozdef_model::isoformat(&now())}));
        let stored = backend.save_alert("alert1", &alert, now()).await.unwrap_or_else(|e| panic!("save: {e}"));
        assert_eq!(stored, EventRef { index: "alerts-201701".into(), id: "alert1".into() });
        assert_eq!(backend.get(&names(&["alerts"]), "alert1", now()).map(|h| h.source), Some(alert));
        assert_eq!(backend.indices(), ["alerts-201701", "events-20161224", "events-20161231", "events-20170101"]);

        let events = [
            EventRef { index: "events-20170101".into(), id: "a".into() },
            EventRef { index: "events-20170101".into(), id: "gone".into() },
        ];
        for _ in 0..2 {
            backend.tag_events(&events, "AlertLogins", &stored).await.unwrap_or_else(|e| panic!("tag: {e}"));
        }
        let tagged = backend.get(&names(&["events"]), "a", now()).map(|h| h.source).unwrap_or_default();
        assert_eq!(tagged["alert_names"], json!(["AlertLogins"]));
        assert_eq!(
            tagged["alerts"],
            json!([{"index": "alerts-201701", "id": "alert1"}, {"index": "alerts-201701", "id": "alert1"}])
        );
        assert_eq!(tagged["category"], "login", "the rest of the event is kept");
        assert!(backend.get(&names(&["events"]), "gone", now()).is_none(), "a missing event is not created");

        // MozDef's dedup clause now skips the tagged event.
        let mut query = SearchQuery::new(Some(Duration::minutes(5)));
        query.add_must(Match::term("category", "login"));
        query.add_must_not(Match::term("alert_names", "AlertLogins"));
        assert_eq!(ids(&search(&backend, &["events"], &query, 10).await), ["events-20170101/b"]);
    }

    #[test]
    fn documents_are_listed_and_bad_names_refused() {
        let backend = filled();
        let listed: Vec<String> = backend.documents("events-20170101").into_iter().map(|(id, _)| id).collect();
        assert_eq!(listed, ["a", "b", "c"]);
        assert!(backend.documents("events-20200101").is_empty());
        assert!(backend.index("Events", "x", Document::new()).is_err());
        assert!(backend.index("events-*", "x", Document::new()).is_err());
        let replaced = doc(json!({"category": "replaced"}));
        assert!(backend.index("events-20170101", "a", replaced.clone()).is_ok());
        assert_eq!(backend.get(&names(&["events-20170101"]), "a", now()).map(|h| h.source), Some(replaced));
    }
}
