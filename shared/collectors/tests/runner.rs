//! The collection loop ([`runner::collect`]) over a provider of scripted pages: pages are
//! queued before their cursor is saved, each event carries its provider id, and a crash
//! between queueing a page and saving its cursor (a cursor store that fails, then a new run)
//! reads that page again with the same ids — nothing lost, and the ingest path stores each
//! once (`mozdef-service`'s `collected_events_take_their_document_id_from_the_provider`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_collectors::http::Http;
use mozdef_collectors::runner::{CursorStore, collect};
use mozdef_collectors::{COLLECTED_ID_KEY, Collected, CollectorError, Cursor, Page, Provider};
use mozdef_model::Document;
use mozdef_store::{EventQueue, QueueError};
use serde_json::{Value, json};

/// Three pages of two records; the cursor is the next page's number.
#[derive(Debug)]
struct Scripted;

#[async_trait]
impl Provider for Scripted {
    fn kind(&self) -> &'static str {
        "scripted"
    }

    async fn fetch(&self, _: &Http, cursor: Option<&Cursor>, _: DateTime<Utc>) -> Result<Page, CollectorError> {
        let page = cursor.and_then(|c| c["page"].as_u64()).unwrap_or(0);
        let events = (0..2)
            .map(|n| {
                let id = format!("rec-{page}-{n}");
                let event = json!({"summary": format!("record {id}"), "category": "authentication"});
                Collected { id, event: event.as_object().cloned().unwrap() }
            })
            .take(if page < 3 { 2 } else { 0 })
            .collect();
        Ok(Page { events, next: (page < 3).then(|| json!({"page": page + 1})), more: page < 3 })
    }
}

#[derive(Debug, Default)]
struct Queue(Mutex<Vec<Document>>);

#[async_trait]
impl EventQueue for Queue {
    async fn accept(&self, events: Vec<Document>) -> Result<(), QueueError> {
        self.0.lock().unwrap().extend(events);
        Ok(())
    }
}

/// Cursors in memory; `fail_at` makes the nth save (from 1) fail, as a crash would lose it.
#[derive(Default)]
struct Cursors {
    saved: Mutex<Option<Cursor>>,
    saves: AtomicUsize,
    fail_at: AtomicUsize,
}

#[async_trait]
impl CursorStore for Cursors {
    async fn load(&self, _: &str) -> Result<Option<Cursor>, CollectorError> {
        Ok(self.saved.lock().unwrap().clone())
    }

    async fn save(&self, _: &str, cursor: &Cursor) -> Result<(), CollectorError> {
        let n = self.saves.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.fail_at.load(Ordering::SeqCst) {
            return Err(CollectorError::Storage("injected: the process died".into()));
        }
        *self.saved.lock().unwrap() = Some(cursor.clone());
        Ok(())
    }
}

fn ids(events: &[Document]) -> Vec<String> {
    events.iter().filter_map(|e| e.get(COLLECTED_ID_KEY).and_then(Value::as_str).map(str::to_owned)).collect()
}

#[tokio::test]
async fn pages_are_queued_before_their_cursor_and_a_crash_in_between_re_reads_with_the_same_ids() {
    let http = Http::new().unwrap();
    let (queue, cursors) = (Queue::default(), Cursors::default());
    cursors.fail_at.store(2, Ordering::SeqCst);

    // The second page is queued, then its cursor is lost.
    let failed = collect("src", &Scripted, &http, &cursors, &queue, Utc::now(), 50).await;
    assert!(matches!(failed, Err(CollectorError::Storage(_))), "{failed:?}");
    assert_eq!(ids(&queue.0.lock().unwrap()), ["src:rec-0-0", "src:rec-0-1", "src:rec-1-0", "src:rec-1-1"]);
    assert_eq!(*cursors.saved.lock().unwrap(), Some(json!({"page": 1})), "the first page's cursor only");

    // The next run starts from the last saved cursor: the second page again, same ids.
    let report = collect("src", &Scripted, &http, &cursors, &queue, Utc::now(), 50).await.unwrap();
    assert_eq!((report.pages, report.events, report.more), (3, 4, false));
    let queued = queue.0.lock().unwrap().clone();
    let all = ids(&queued);
    assert_eq!(
        all,
        [
            "src:rec-0-0",
            "src:rec-0-1",
            "src:rec-1-0",
            "src:rec-1-1", // first run
            "src:rec-1-0",
            "src:rec-1-1",
            "src:rec-2-0",
            "src:rec-2-1", // re-read, then the rest
        ]
    );
    let mut distinct = all.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 6, "every record queued, the re-read under the same ids");
    // Each run ends with a heartbeat (only the successful one), not tagged with the provider.
    let heartbeats: Vec<&Document> = queued.iter().filter(|e| e["category"] == "collector").collect();
    assert_eq!(heartbeats.len(), 1);
    assert_eq!(heartbeats[0]["details"]["collector"], "src");
    assert_eq!(heartbeats[0]["tags"], json!(["collector", "heartbeat"]));
    assert_eq!(*cursors.saved.lock().unwrap(), Some(json!({"page": 3})));
}

#[tokio::test]
async fn the_page_budget_stops_a_run_and_the_next_continues() {
    let http = Http::new().unwrap();
    let (queue, cursors) = (Queue::default(), Cursors::default());
    let report = collect("src", &Scripted, &http, &cursors, &queue, Utc::now(), 2).await.unwrap();
    assert_eq!((report.pages, report.events, report.more), (2, 4, true));
    let report = collect("src", &Scripted, &http, &cursors, &queue, Utc::now(), 2).await.unwrap();
    assert_eq!((report.pages, report.events, report.more), (2, 2, false), "page 2, then the empty page 3");
    assert_eq!(ids(&queue.0.lock().unwrap()).len(), 6);
}
