//! `Ingest::ingest_batch` on both stores (the embedded store and a real OpenSearch): every
//! record comes back with the outcome of each of its events — stored, dropped, quarantined,
//! to retry — and a store that fails half way has exactly the records it did not store
//! reported for retry. Store faults are injected by a wrapper around the real store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use mozdef_model::{Document, EventRef};
use mozdef_pipeline::decode::Entry;
use mozdef_pipeline::{PluginChain, document_id};
use mozdef_query::{Hit, SearchResults};
use mozdef_service::{EventOutcome, Ingest, IngestRecord, RecordContent, RecordOutcome};
use mozdef_store::indices::QUARANTINE_INDEX;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome, SearchRequest, StoreError, StoreHealth};
use serde_json::{Value, json};

fn received() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

const EVENTS_INDEX: &str = "events-20261123";

/// A chain with one user plugin: it extracts a user from the summary (failing on a
/// `details` that is not an object) and drops health checks.
fn ingest() -> Ingest {
    let plugin = mozdef_pipeline::user_plugins::UserPlugin::parse(
        "batch_test.json",
        r#"{"registration": ["batch_test"], "steps": [
             {"extract": {"field": "summary", "regex": "user=(?P<username>\\w+)"}},
             {"when": {"field": "summary", "contains": "healthcheck"}, "drop": true}]}"#,
    )
    .unwrap();
    Ingest::new(PluginChain::new(vec![Box::new(plugin)]), "mozdef-test")
}

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap()
}

fn record(identity: &str, content: RecordContent) -> IngestRecord {
    IngestRecord { identity: identity.into(), received: received(), source: "test-queue".into(), content }
}

/// The real store with injected faults: documents carrying `"reject": true` are refused, and
/// the next `index` call may fail whole or answer "retry" from a given item on.
#[derive(Debug)]
struct Faulty {
    inner: Arc<dyn EventStore>,
    /// Items of the next `index` call from this position on get `Retry` (usize::MAX: none).
    retry_from: AtomicUsize,
    /// The `index` call (counted from 1) that fails whole; 0: none.
    fail_call: AtomicUsize,
    calls: AtomicUsize,
    fail_next_refresh: AtomicBool,
    /// Every `index` call fails whole while this is set (the cluster is down).
    down: AtomicBool,
}

impl Faulty {
    fn new(inner: Arc<dyn EventStore>) -> Self {
        Faulty {
            inner,
            retry_from: AtomicUsize::new(usize::MAX),
            fail_call: AtomicUsize::new(0),
            calls: AtomicUsize::new(0),
            fail_next_refresh: AtomicBool::new(false),
            down: AtomicBool::new(false),
        }
    }
}

#[async_trait]
impl EventStore for Faulty {
    async fn index(&self, docs: &[IndexRequest]) -> Result<Vec<ItemOutcome>, StoreError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.fail_call.load(Ordering::SeqCst) == call || self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("injected: the cluster is gone".into()));
        }
        let retry_from = self.retry_from.swap(usize::MAX, Ordering::SeqCst).min(docs.len());
        let (passed, _) = docs.split_at(retry_from);
        let mut outcomes = vec![ItemOutcome::Indexed; passed.len()];
        let kept: Vec<IndexRequest> =
            passed.iter().filter(|d| d.source.get("reject") != Some(&json!(true))).cloned().collect();
        let stored = if kept.is_empty() { Vec::new() } else { self.inner.index(&kept).await? };
        let mut stored = stored.into_iter();
        for (doc, outcome) in passed.iter().zip(outcomes.iter_mut()) {
            *outcome = if doc.source.get("reject") == Some(&json!(true)) {
                ItemOutcome::Reject("injected: mapper_parsing_exception".into())
            } else {
                stored.next().unwrap_or(ItemOutcome::Retry("missing outcome".into()))
            };
        }
        outcomes.extend((retry_from..docs.len()).map(|_| ItemOutcome::Retry("injected: es_rejected_execution".into())));
        Ok(outcomes)
    }

    async fn refresh(&self) -> Result<(), StoreError> {
        if self.fail_next_refresh.swap(false, Ordering::SeqCst) {
            return Err(StoreError::Unavailable("injected: commit failed".into()));
        }
        self.inner.refresh().await
    }

    async fn search(&self, request: SearchRequest<'_>) -> Result<SearchResults, StoreError> {
        self.inner.search(request).await
    }

    async fn get(&self, indices: &[String], id: &str, now: DateTime<Utc>) -> Result<Option<Hit>, StoreError> {
        self.inner.get(indices, id, now).await
    }

    async fn list_indices(&self) -> Result<Vec<String>, StoreError> {
        self.inner.list_indices().await
    }

    async fn tag_alert(
        &self,
        events: &[EventRef],
        alert_name: &str,
        alert: &EventRef,
    ) -> Result<Vec<ItemOutcome>, StoreError> {
        self.inner.tag_alert(events, alert_name, alert).await
    }

    async fn health(&self) -> Result<StoreHealth, StoreError> {
        self.inner.health().await
    }
}

/// Runs `check` on the embedded store and on OpenSearch.
async fn on_both_stores<F, Fut>(check: F)
where
    F: Fn(Arc<dyn EventStore>, &'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let embedded = mozdef_store_embedded::EmbeddedStore::open(dir.path()).unwrap();
    check(Arc::new(embedded), "embedded").await;
    let (opensearch, cleanup) = mozdef_store_opensearch::testing::isolated_store().await;
    check(Arc::new(opensearch), "opensearch").await;
    drop(cleanup);
}

async fn stored(store: &dyn EventStore, index: &str, id: &str) -> Option<Document> {
    store.get(&[index.to_owned()], id, received()).await.unwrap().map(|hit| hit.source)
}

fn id(identity: &str, n: usize) -> String {
    document_id(&format!("{identity}:{n}"))
}

#[tokio::test]
async fn every_record_comes_back_with_its_outcomes() {
    on_both_stores(|inner, backend| async move {
        let store = Faulty::new(inner.clone());
        let ingest = ingest();
        let records = vec![
            record(
                "r0",
                RecordContent::Events(vec![
                    doc(json!({"summary": "login user=root", "details": {"app": "batch_test"}})),
                    doc(json!({"summary": "healthcheck user=lb", "details": {"app": "batch_test"}})),
                    doc(json!({"summary": "user=x", "details": "not an object", "app": "batch_test", "customendpoint": true})),
                ]),
            ),
            record("r1", RecordContent::Decoded(vec![Entry::Event(doc(json!({"summary": "decoded", "eventname": "kept"})))])),
            record(
                "r2",
                RecordContent::Undecodable { reason: "not an SNS envelope".into(), payload: json!("{bad"), retryable: false },
            ),
            record(
                "r3",
                RecordContent::Undecodable { reason: "S3 object not fetched".into(), payload: json!("s3://b/k"), retryable: true },
            ),
            // The store refuses this one (a top-level `reject`, which only a custom-endpoint
            // event keeps: the key mapping drops unknown keys).
            record(
                "r4",
                RecordContent::Events(vec![doc(json!({"summary": "refused", "reject": true, "customendpoint": true}))]),
            ),
            record("r5", RecordContent::Events(vec![])),
        ];
        let outcomes = ingest.ingest_batch(&store, records).await;
        let indexed = |identity: &str, n: usize| EventOutcome::Indexed { index: EVENTS_INDEX.into(), id: id(identity, n) };
        assert_eq!(outcomes.len(), 6, "{backend}");
        assert_eq!(outcomes[0].events[0], indexed("r0", 0), "{backend}");
        assert_eq!(outcomes[0].events[1], EventOutcome::Dropped { plugin: "batch_test" }, "{backend}");
        assert!(
            matches!(&outcomes[0].events[2], EventOutcome::Quarantined { reason } if reason.contains("batch_test")),
            "{backend}: {:?}",
            outcomes[0].events[2]
        );
        assert_eq!(outcomes[1], RecordOutcome { events: vec![indexed("r1", 0)] }, "{backend}");
        assert_eq!(
            outcomes[2],
            RecordOutcome { events: vec![EventOutcome::Quarantined { reason: "not an SNS envelope".into() }] },
            "{backend}"
        );
        assert_eq!(
            outcomes[3],
            RecordOutcome { events: vec![EventOutcome::Retry { reason: "S3 object not fetched".into() }] },
            "{backend}"
        );
        assert_eq!(
            outcomes[4],
            RecordOutcome {
                events: vec![EventOutcome::Quarantined { reason: "injected: mapper_parsing_exception".into() }]
            },
            "{backend}"
        );
        assert_eq!(outcomes[5], RecordOutcome::default(), "{backend}: a record without events is done");
        let done: Vec<bool> = outcomes.iter().map(RecordOutcome::is_done).collect();
        assert_eq!(done, [true, true, true, false, true, true], "{backend}");

        // What the outcomes say is what the store holds.
        let event = stored(inner.as_ref(), EVENTS_INDEX, &id("r0", 0)).await.expect("r0's first event");
        assert_eq!(event["details"]["username"], "root", "{backend}");
        assert_eq!(event["mozdefhostname"], "mozdef-test", "{backend}");
        assert!(stored(inner.as_ref(), EVENTS_INDEX, &id("r0", 1)).await.is_none(), "{backend}: dropped");
        let decoded = stored(inner.as_ref(), EVENTS_INDEX, &id("r1", 0)).await.expect("decoded event");
        assert_eq!(decoded["eventname"], "kept", "{backend}: decoded events skip the key mapping");
        let quarantined = stored(inner.as_ref(), QUARANTINE_INDEX, &id("r0", 2)).await.expect("plugin failure");
        assert!(quarantined["payload"].as_str().unwrap().contains("not an object"), "{backend}");
        let undecodable = stored(inner.as_ref(), QUARANTINE_INDEX, &document_id("r2")).await.expect("undecodable");
        assert_eq!((&undecodable["reason"], &undecodable["source"]), (&json!("not an SNS envelope"), &json!("test-queue")));
        let refused = stored(inner.as_ref(), QUARANTINE_INDEX, &id("r4", 0)).await.expect("refused by the store");
        assert_eq!(refused["source"], "store", "{backend}");
        assert!(refused["payload"].as_str().unwrap().contains("refused"), "{backend}");
        assert!(stored(inner.as_ref(), EVENTS_INDEX, &id("r4", 0)).await.is_none(), "{backend}");

        let stats = ingest.stats().snapshot();
        assert_eq!(stats, json!({"indexed": 2, "dropped": 1, "quarantined": 3}), "{backend}");
    })
    .await;
}

fn singles(n: usize, prefix: &str) -> Vec<IngestRecord> {
    (0..n)
        .map(|k| {
            record(&format!("{prefix}{k}"), RecordContent::Events(vec![doc(json!({"summary": format!("event {k}")}))]))
        })
        .collect()
}

#[tokio::test]
async fn a_store_failing_half_way_reports_exactly_what_it_did_not_store() {
    on_both_stores(|inner, backend| async move {
        let store = Faulty::new(inner.clone());
        let ingest = ingest();
        store.retry_from.store(6, Ordering::SeqCst);
        let outcomes = ingest.ingest_batch(&store, singles(10, "h")).await;
        let retry: Vec<bool> = outcomes.iter().map(RecordOutcome::needs_retry).collect();
        assert_eq!(retry, [false, false, false, false, false, false, true, true, true, true], "{backend}");
        for (k, outcome) in outcomes.iter().enumerate() {
            let held = stored(inner.as_ref(), EVENTS_INDEX, &id(&format!("h{k}"), 0)).await.is_some();
            assert_eq!(held, !outcome.needs_retry(), "{backend}: record {k} held {held}, outcome {outcome:?}");
        }
        // Delivered again, the rest is stored once, under the same ids.
        let again: Vec<IngestRecord> = singles(10, "h").into_iter().skip(6).collect();
        let outcomes = ingest.ingest_batch(&store, again).await;
        assert!(outcomes.iter().all(RecordOutcome::is_done), "{backend}: {outcomes:?}");
        let query = mozdef_query::SearchQuery::new(None);
        let indices = vec![EVENTS_INDEX.to_owned()];
        let all =
            inner.search(SearchRequest { indices: &indices, query: &query, size: 100, now: received() }).await.unwrap();
        assert_eq!(all.total, Some(10), "{backend}: exactly once");

        // A request that fails whole, and a commit that fails, leave everything to retry.
        store.fail_call.store(store.calls.load(Ordering::SeqCst) + 1, Ordering::SeqCst);
        let outcomes = ingest.ingest_batch(&store, singles(3, "w")).await;
        assert!(outcomes.iter().all(RecordOutcome::needs_retry), "{backend}: {outcomes:?}");
        assert!(stored(inner.as_ref(), EVENTS_INDEX, &id("w0", 0)).await.is_none(), "{backend}");
        store.fail_next_refresh.store(true, Ordering::SeqCst);
        let outcomes = ingest.ingest_batch(&store, singles(2, "c")).await;
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(&o.events[..], [EventOutcome::Retry { reason }] if reason.contains("commit"))),
            "{backend}: {outcomes:?}"
        );

        // The store refuses an event and then fails while its quarantine record is written:
        // what it did store stays stored (and committed), the refused event is to retry.
        let mut records = singles(2, "q");
        records.push(record(
            "q2",
            RecordContent::Events(vec![doc(json!({"summary": "no", "reject": true, "customendpoint": true}))]),
        ));
        store.fail_call.store(store.calls.load(Ordering::SeqCst) + 2, Ordering::SeqCst);
        let outcomes = ingest.ingest_batch(&store, records).await;
        let retry: Vec<bool> = outcomes.iter().map(RecordOutcome::needs_retry).collect();
        assert_eq!(retry, [false, false, true], "{backend}: {outcomes:?}");
        assert!(stored(inner.as_ref(), EVENTS_INDEX, &id("q1", 0)).await.is_some(), "{backend}: committed");
        assert!(stored(inner.as_ref(), QUARANTINE_INDEX, &id("q2", 0)).await.is_none(), "{backend}");
    })
    .await;
}

/// Counts the documents of `index` whose `summary` starts with `prefix`.
async fn count(store: &dyn EventStore, index: &str, query: &str) -> u64 {
    let mut search = mozdef_query::SearchQuery::new(None);
    search.add_must(mozdef_query::Match::query_string(query).unwrap());
    let indices = vec![index.to_owned()];
    let request = SearchRequest { indices: &indices, query: &search, size: 0, now: received() };
    store.search(request).await.unwrap().total.unwrap()
}

#[tokio::test]
async fn a_streamed_record_is_stored_chunk_by_chunk_and_replaced_when_delivered_again() {
    on_both_stores(|inner, backend| async move {
        let store = Faulty::new(inner.clone());
        let ingest = ingest();
        let chunks = |n: usize| {
            let (tx, rx) = tokio::sync::mpsc::channel(4);
            tokio::spawn(async move {
                for c in 0..n {
                    let mut chunk: Vec<Entry> = (0..3)
                        .map(|i| {
                            Entry::Event(doc(json!({"summary": format!("flow {c}-{i}"), "source": "vpcflowlogs"})))
                        })
                        .collect();
                    chunk.push(Entry::unparsed(
                        format!("s3://b/k line {}: expected 14 fields, got 2", c * 4 + 4),
                        "2 x",
                    ));
                    if tx.send(chunk).await.is_err() {
                        return;
                    }
                }
            });
            rx
        };
        let outcome = ingest.ingest_stream(&store, "sqs:m1", received(), "events-queue", chunks(3)).await;
        assert!(outcome.is_done(), "{backend}: {outcome:?}");
        assert_eq!((outcome.entries, outcome.indexed, outcome.quarantined), (12, 9, 3), "{backend}");
        let first = stored(&store, EVENTS_INDEX, &document_id("sqs:m1:0:0")).await;
        assert_eq!(
            first.map(|d| d["summary"].clone()),
            Some(json!("flow 0-0")),
            "{backend}: ids <identity>:<chunk>:<n>"
        );
        assert_eq!(count(&store, EVENTS_INDEX, "source:vpcflowlogs").await, 9, "{backend}");
        let quarantined = stored(&store, QUARANTINE_INDEX, &document_id("sqs:m1:2:3")).await.unwrap();
        assert_eq!(quarantined["reason"], "s3://b/k line 12: expected 14 fields, got 2", "{backend}");
        assert_eq!(quarantined["payload"], json!("\"2 x\""), "{backend}: the raw line, kept");

        // One failed attempt on the second chunk is retried within the chunk.
        store.fail_call.store(store.calls.load(Ordering::SeqCst) + 2, Ordering::SeqCst);
        let outcome = ingest.ingest_stream(&store, "sqs:m1", received(), "events-queue", chunks(3)).await;
        assert!(outcome.is_done(), "{backend}: {outcome:?}");
        assert_eq!(count(&store, EVENTS_INDEX, "source:vpcflowlogs").await, 9, "{backend}: replaced, not duplicated");

        // A store that stays down: the outcome asks for another delivery and the stream stops
        // at the first chunk; the delivery again stores everything once.
        store.down.store(true, Ordering::SeqCst);
        let outcome = ingest.ingest_stream(&store, "sqs:m2", received(), "events-queue", chunks(3)).await;
        store.down.store(false, Ordering::SeqCst);
        assert!(!outcome.is_done(), "{backend}: {outcome:?}");
        assert_eq!(outcome.entries, 4, "{backend}: stopped after the first chunk");
        assert!(outcome.retry.as_deref().unwrap_or_default().contains("the cluster is gone"), "{backend}: {outcome:?}");
        let outcome = ingest.ingest_stream(&store, "sqs:m2", received(), "events-queue", chunks(3)).await;
        assert!(outcome.is_done(), "{backend}: {outcome:?}");
        store.refresh().await.unwrap();
        assert_eq!(count(&store, EVENTS_INDEX, "source:vpcflowlogs").await, 18, "{backend}: 9 + 9, nothing twice");
    })
    .await;
}

#[tokio::test]
async fn collected_events_take_their_document_id_from_the_provider() {
    on_both_stores(|inner, backend| async move {
        let ingest = ingest();
        let event = |n: u32| {
            doc(json!({"summary": format!("okta login {n}"), "category": "authentication",
                       "_mozdef_collected_id": format!("okta:uuid-{n}")}))
        };
        // The same provider record read twice (a crash between queueing and saving the
        // cursor), in two different queue records, with another event.
        let records = vec![
            record("wal:1:0", RecordContent::Events(vec![event(1), event(2)])),
            record("wal:1:900", RecordContent::Events(vec![event(2), doc(json!({"summary": "plain"}))])),
        ];
        let outcomes = ingest.ingest_batch(inner.as_ref(), records).await;
        assert!(outcomes.iter().all(RecordOutcome::is_done), "{backend}: {outcomes:?}");
        let ids: Vec<String> = outcomes
            .iter()
            .flat_map(|o| &o.events)
            .map(|e| match e {
                EventOutcome::Indexed { id, .. } => id.clone(),
                other => panic!("{backend}: {other:?}"),
            })
            .collect();
        let okta2 = document_id("collected:okta:uuid-2");
        assert_eq!(ids, [document_id("collected:okta:uuid-1"), okta2.clone(), okta2.clone(), id("wal:1:900", 1)]);
        let stored = stored(inner.as_ref(), EVENTS_INDEX, &okta2).await.unwrap();
        assert!(!stored.contains_key("_mozdef_collected_id"), "{backend}: the marker is not stored");
        assert_eq!(count(inner.as_ref(), EVENTS_INDEX, "summary:okta").await, 2, "{backend}: the re-read replaced");
    })
    .await;
}
