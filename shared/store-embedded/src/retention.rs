//! Retention of the embedded store: daily event indices (`events-YYYYMMDD`, by receive day)
//! are deleted once they are `days` days old, as `mozdef dev --events-prune-days` does on
//! OpenSearch: with 30 days, on 2026-03-31 `events-20260301` and every older day go, and
//! `events-20260302` through today stay. Today's index is never deleted (at least one day is
//! kept), nor is an index dated in the future. Monthly alert indices (`alerts-YYYYMM`), the
//! quarantine and every other index that is not daily are kept: alerts are few, and they are
//! the record of what was found.

use std::num::NonZeroU32;

use chrono::{DateTime, Days, Utc};
use mozdef_store::indices::events_index_date;

use crate::{EmbeddedError, EmbeddedStore};

impl EmbeddedStore {
    /// Deletes the daily event indices that are `days` days old or older at `now` (see the
    /// module): each is taken out of the store, its writer closed and its directory removed;
    /// a search still running over one finishes over its mapped files. Returns the deleted
    /// indices, oldest first, each logged. An index that cannot be deleted is logged and the
    /// others are still deleted; the first such failure is then the error.
    pub fn apply_retention(&self, days: NonZeroU32, now: DateTime<Utc>) -> Result<Vec<String>, EmbeddedError> {
        let Some(cutoff) = now.date_naive().checked_sub_days(Days::new(u64::from(days.get()))) else {
            return Ok(Vec::new());
        };
        let mut deleted = Vec::new();
        let mut failure = None;
        let names = self.catalog().names();
        let expired = names.into_iter().filter(|name| events_index_date(name).is_some_and(|day| day <= cutoff));
        for name in expired {
            match self.catalog().remove(&name) {
                Ok(true) => {
                    tracing::info!(index = %name, retention_days = days.get(), "index deleted: older than the retention");
                    deleted.push(name);
                }
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(index = %name, %error, "index past the retention cannot be deleted");
                    failure.get_or_insert(error);
                }
            }
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(deleted),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone;
    use mozdef_store::{EventStore, IndexRequest};
    use serde_json::json;

    fn days(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    async fn store_with(names: &[&str]) -> (tempfile::TempDir, EmbeddedStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let docs: Vec<IndexRequest> = names
            .iter()
            .map(|name| IndexRequest {
                index: (*name).to_owned(),
                id: format!("doc-{name}"),
                source: json!({"summary": name}).as_object().unwrap().clone(),
            })
            .collect();
        store.index(&docs).await.unwrap();
        store.refresh().await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn deletes_exactly_the_days_past_the_retention() {
        let names = [
            "alerts-202501",
            "alerts-202603",
            "events-20260228",
            "events-20260301",
            "events-20260302",
            "events-20260330",
            "events-20260331",
            "events-20260401",
            "events-weird",
            "quarantine",
        ];
        let (dir, store) = store_with(&names).await;
        // 2026-03-31, late in the day: with 30 days, 2026-03-01 is 30 days old and goes.
        let now = Utc.with_ymd_and_hms(2026, 3, 31, 23, 59, 59).unwrap();
        let deleted = store.apply_retention(days(30), now).unwrap();
        assert_eq!(deleted, vec!["events-20260228", "events-20260301"]);
        let kept = [
            "alerts-202501",
            "alerts-202603",
            "events-20260302",
            "events-20260330",
            "events-20260331",
            "events-20260401",
            "events-weird",
            "quarantine",
        ];
        assert_eq!(store.list_indices().await.unwrap(), kept);
        assert!(!dir.path().join("indices/events-20260301").exists());
        assert!(dir.path().join("indices/events-20260302/meta.json").exists());
        // A second run finds nothing more to delete.
        assert!(store.apply_retention(days(30), now).unwrap().is_empty());
        // Opened again, the store lists what is left.
        drop(store);
        let store = EmbeddedStore::open(dir.path()).unwrap();
        assert_eq!(store.list_indices().await.unwrap(), kept);
    }

    #[tokio::test]
    async fn one_day_keeps_only_today() {
        let (_dir, store) = store_with(&["events-20261122", "events-20261123", "alerts-202610"]).await;
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        assert_eq!(store.apply_retention(days(1), now).unwrap(), vec!["events-20261122"]);
        assert_eq!(store.list_indices().await.unwrap(), vec!["alerts-202610", "events-20261123"]);
    }

    #[tokio::test]
    async fn a_deleted_day_can_be_written_again() {
        let (_dir, store) = store_with(&["events-20261001"]).await;
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        // A search holding the index while it is deleted still reads it, over the mapped files.
        let held = store.catalog().lookup("events-20261001").unwrap();
        assert_eq!(store.apply_retention(days(30), now).unwrap(), vec!["events-20261001"]);
        let mut seen = Vec::new();
        held.candidates(None, &[], &[], |doc| seen.push(doc.id)).unwrap();
        assert_eq!(seen, vec!["doc-events-20261001"]);
        drop(held);
        assert!(store.documents("events-20261001").unwrap().is_empty());
        // A late event of that day (replayed from the log) makes the index again, empty but for it.
        let late = IndexRequest {
            index: "events-20261001".into(),
            id: "late".into(),
            source: json!({"summary": "late"}).as_object().unwrap().clone(),
        };
        store.index(&[late]).await.unwrap();
        store.refresh().await.unwrap();
        let ids: Vec<String> = store.documents("events-20261001").unwrap().into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, vec!["late"]);
    }
}
