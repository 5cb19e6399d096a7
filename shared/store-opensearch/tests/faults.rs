//! No loss under faults, on real OpenSearch: bulk items and whole requests refused with 429
//! and 5xx by a loopback proxy in front of the test cluster, answers lost after OpenSearch
//! applied a request, mapping rejections, and a private node killed with SIGKILL in the
//! middle of a stream of batches and restarted. The proxy is
//! `mozdef_store_opensearch::testing::start_fault_proxy`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use mozdef_model::isoformat;
use mozdef_query::SearchQuery;
use mozdef_store::indices::events_index;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome, SearchRequest};
use mozdef_store_opensearch::lifecycle::install_templates;
use mozdef_store_opensearch::testing::{
    Cleanup, Faults, Node, STALL, free_port, isolated_store, repo_root, start_fault_proxy, test_lifecycle,
    unique_prefix,
};
use mozdef_store_opensearch::{BulkLimits, OpenSearchConfig, OpenSearchStore, RetryPolicy};
use serde_json::json;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn event(n: usize, id: String) -> IndexRequest {
    let now = Utc::now();
    let mut source = serde_json::Map::new();
    source.insert("utctimestamp".into(), json!(isoformat(&now)));
    source.insert("receivedtimestamp".into(), json!(isoformat(&now)));
    source.insert("category".into(), json!("faults"));
    source.insert("summary".into(), json!(format!("fault test event {n}")));
    source.insert("details".into(), json!({"n": n, "success": n.is_multiple_of(2)}));
    IndexRequest { index: events_index(now), id, source }
}

/// A store on `url` sharing `prefix`, with small bulk requests and quick retries.
async fn store_at(url: &str, prefix: &str, retry: RetryPolicy, timeout: Duration) -> OpenSearchStore {
    let mut config = OpenSearchConfig::from_url(url).unwrap();
    config.index_prefix = prefix.to_owned();
    config.request_timeout = timeout;
    config.bulk = BulkLimits { max_docs: 500, ..BulkLimits::default() };
    config.retry = retry;
    let store = OpenSearchStore::open(config).unwrap();
    install_templates(store.client(), &test_lifecycle()).await.unwrap();
    store
}

/// The test cluster's URL and a store directly on it (fresh prefix, templates, cleanup).
async fn direct_store() -> (String, OpenSearchStore, Cleanup) {
    let url = tokio::task::spawn_blocking(mozdef_store_opensearch::testing::cluster_url).await.unwrap();
    let (store, cleanup) = isolated_store().await;
    (url, store, cleanup)
}

/// Documents under the store's prefix in `events-*`, after a refresh.
async fn count(store: &OpenSearchStore) -> u64 {
    store.refresh().await.unwrap();
    let indices = vec!["events-*".to_owned()];
    let query = SearchQuery::new(None);
    let results =
        store.search(SearchRequest { indices: &indices, query: &query, size: 0, now: Utc::now() }).await.unwrap();
    results.total.expect("an exact total")
}

/// How many of `ids` the cluster holds (the `ids` query, in chunks), after a refresh.
async fn present(store: &OpenSearchStore, ids: &[String]) -> usize {
    store.refresh().await.unwrap();
    let path = format!("/{}events-*/_count", store.client().prefix());
    let mut found = 0;
    for chunk in ids.chunks(10_000) {
        let body = json!({"query": {"ids": {"values": chunk}}});
        let answer = store.client().json(opensearch::http::Method::Post, &path, &[], Some(body)).await.unwrap();
        found += answer["count"].as_u64().expect("a count") as usize;
    }
    found
}

fn quick_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy { max_attempts, initial_backoff: Duration::from_millis(5), max_backoff: Duration::from_millis(40) }
}

// ---------------------------------------------------------------------------------------
// Injected 429s and 5xx through the proxy
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_refusals_are_retried_until_every_record_is_stored_once() {
    const TOTAL: usize = 5_000;
    let (url, direct, _cleanup) = direct_store().await;
    let faults =
        Faults { first_attempt_every: Some(3), always_prefix: None, request_faults_below: 12, reject_index: None };
    let (proxy_url, proxy) = start_fault_proxy(&url, faults).await;
    // Bounded: at most 8 whole-request faults and one item fault per record. The client
    // gives up on an answer after 2 s, before the stalled one comes.
    let timeout = Duration::from_secs(2);
    assert!(timeout < STALL);
    let store = store_at(&proxy_url, direct.client().prefix(), quick_retries(12), timeout).await;

    let docs: Vec<IndexRequest> = (0..TOTAL).map(|n| event(n, format!("rec-{n:05}"))).collect();
    let started = Instant::now();
    let outcomes = store.index(&docs).await.unwrap();
    let elapsed = started.elapsed();

    assert_eq!(outcomes.len(), TOTAL);
    let failed: Vec<_> = outcomes.iter().enumerate().filter(|(_, o)| **o != ItemOutcome::Indexed).collect();
    assert!(failed.is_empty(), "{} records not indexed, e.g. {:?}", failed.len(), &failed[..failed.len().min(3)]);

    {
        let stats = proxy.stats.lock().unwrap();
        let attempts = proxy.attempts.lock().unwrap();
        eprintln!(
            "5,000 records through the faulty proxy in {elapsed:?}: {} records refused, {} requests refused, {} answers \
         lost and {} too late after OpenSearch applied {} records, {} bulk requests",
            stats.items_refused,
            stats.requests_refused,
            stats.answers_lost,
            stats.answers_stalled,
            stats.applied_unacknowledged.len(),
            proxy.bulk_requests.load(Ordering::SeqCst)
        );
        assert_eq!(stats.items_refused, TOTAL.div_ceil(3), "every third record refused once");
        assert!(stats.requests_refused >= 2, "whole requests refused: {}", stats.requests_refused);
        assert!(stats.answers_lost >= 1, "answers lost: {}", stats.answers_lost);
        assert_eq!(stats.answers_stalled, 1, "answers too late");
        assert!(!stats.applied_unacknowledged.is_empty());
        assert_eq!(attempts.len(), TOTAL);
        for id in &stats.applied_unacknowledged {
            assert!(attempts[id] >= 2, "{id} was applied without acknowledgement, then not sent again");
        }
    }

    // Applied-but-unacknowledged records went twice; ids made the second write a replace.
    assert_eq!(count(&direct).await, TOTAL as u64, "exactly one document per record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lasting_refusals_come_back_retryable_and_the_rest_is_stored() {
    const TOTAL: usize = 2_000;
    const ATTEMPTS: u32 = 4;
    let (url, direct, _cleanup) = direct_store().await;
    let faults =
        Faults { first_attempt_every: None, always_prefix: Some("hot-"), request_faults_below: 0, reject_index: None };
    let (proxy_url, proxy) = start_fault_proxy(&url, faults).await;
    let store = store_at(&proxy_url, direct.client().prefix(), quick_retries(ATTEMPTS), Duration::from_secs(30)).await;

    let id = |n: usize| if n % 10 == 7 { format!("hot-{n:05}") } else { format!("rec-{n:05}") };
    let docs: Vec<IndexRequest> = (0..TOTAL).map(|n| event(n, id(n))).collect();
    let outcomes = store.index(&docs).await.unwrap();

    assert_eq!(outcomes.len(), TOTAL);
    let (mut indexed, mut retry) = (0, 0);
    for (doc, outcome) in docs.iter().zip(&outcomes) {
        match outcome {
            ItemOutcome::Indexed => {
                assert!(!doc.id.starts_with("hot-"), "{} was refused every time, yet Indexed", doc.id);
                indexed += 1;
            }
            ItemOutcome::Retry(reason) => {
                assert!(doc.id.starts_with("hot-"), "{} came back Retry: {reason}", doc.id);
                assert!(reason.contains("429") && reason.contains("es_rejected_execution_exception"), "{reason}");
                retry += 1;
            }
            ItemOutcome::Reject(reason) => {
                panic!("{} rejected, yet only refused for a passing reason: {reason}", doc.id)
            }
        }
    }
    assert_eq!(retry, TOTAL / 10);
    assert_eq!(indexed + retry, TOTAL);

    // Each hot record was offered exactly as often as the policy allows, the others once.
    {
        let attempts = proxy.attempts.lock().unwrap();
        for doc in &docs {
            let expected = if doc.id.starts_with("hot-") { ATTEMPTS } else { 1 };
            assert_eq!(attempts.get(&doc.id).copied(), Some(expected), "attempts of {}", doc.id);
        }
    }

    assert_eq!(count(&direct).await, indexed as u64, "the cluster holds exactly the Indexed records");
    let hot: Vec<String> = docs.iter().filter(|d| d.id.starts_with("hot-")).map(|d| d.id.clone()).collect();
    assert_eq!(present(&direct, &hot).await, 0, "no refused record was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapping_errors_are_rejected_once_with_the_reason_while_batch_mates_are_stored() {
    let (url, direct, _cleanup) = direct_store().await;
    let (proxy_url, proxy) = start_fault_proxy(&url, Faults::default()).await;
    let store = store_at(&proxy_url, direct.client().prefix(), quick_retries(5), Duration::from_secs(30)).await;

    let mut docs: Vec<IndexRequest> = (0..6).map(|n| event(n, format!("ok-{n}"))).collect();
    // `details` is an object in MozDef's mapping: a plain string cannot be indexed, ever.
    let mut flat = event(6, "flat-details".into());
    flat.source.insert("details".into(), json!("a string where an object is mapped"));
    docs.insert(2, flat);
    // `details.success` is boolean, but MozDef's indices set `mapping.ignore_malformed`: a
    // malformed boolean is kept in `_source` and left out of the index, not refused.
    let mut maybe = event(7, "maybe-success".into());
    maybe.source.insert("details".into(), json!({"success": "maybe"}));
    docs.insert(5, maybe);

    let outcomes = store.index(&docs).await.unwrap();
    for (doc, outcome) in docs.iter().zip(&outcomes) {
        match doc.id.as_str() {
            "flat-details" => match outcome {
                ItemOutcome::Reject(reason) => {
                    assert!(reason.starts_with("OpenSearch 400: mapper_parsing_exception"), "{reason}");
                    assert!(reason.contains("[details]"), "the reason names the field: {reason}");
                }
                other => panic!("a mapping conflict must be rejected, got {other:?}"),
            },
            _ => assert_eq!(outcome, &ItemOutcome::Indexed, "{}", doc.id),
        }
    }
    assert_eq!(proxy.attempts.lock().unwrap().get("flat-details"), Some(&1), "a rejection is never retried");

    assert_eq!(count(&direct).await, 7);
    let now = Utc::now();
    let indices = vec!["events-*".to_owned()];
    let kept = direct.get(&indices, "maybe-success", now).await.unwrap().expect("the malformed boolean's event");
    assert_eq!(kept.source["details"]["success"], json!("maybe"), "kept as sent in _source");
    let path = format!("/{}events-*/_count", direct.client().prefix());
    let body = json!({"query": {"bool": {"filter": [{"ids": {"values": ["maybe-success"]}}, {"exists": {"field": "details.success"}}]}}});
    let answer = direct.client().json(opensearch::http::Method::Post, &path, &[], Some(body)).await.unwrap();
    assert_eq!(answer["count"], 0, "but not indexed");
}

// ---------------------------------------------------------------------------------------
// A node killed mid-stream
// ---------------------------------------------------------------------------------------

/// What one `index` call of the stream reported.
struct Batch {
    first: usize,
    outcomes: Vec<ItemOutcome>,
    /// It returned before the node was killed.
    before_kill: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_lost_when_the_node_is_killed_mid_stream() {
    const TOTAL: usize = 100_000;
    const BATCH: usize = 1_000;
    const ACKED_BEFORE_KILL: usize = 8;
    let started = Instant::now();

    let port = free_port();
    let dir = repo_root().join(format!("target/opensearch/faults-{}-{port}", std::process::id()));
    let node = Arc::new(tokio::task::spawn_blocking(move || Node::start(dir, port)).await.unwrap());
    let node_started = started.elapsed();
    let mut config = OpenSearchConfig::from_url(&node.url).unwrap();
    config.index_prefix = unique_prefix();
    config.request_timeout = Duration::from_secs(10);
    config.bulk = BulkLimits { max_docs: BATCH, ..BulkLimits::default() };
    config.retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
    };
    let store = OpenSearchStore::connect(config, Duration::from_secs(60)).await.unwrap();
    install_templates(store.client(), &test_lifecycle()).await.unwrap();

    let docs: Arc<Vec<IndexRequest>> = Arc::new((0..TOTAL).map(|n| event(n, format!("ev-{n:06}"))).collect());
    let killed = Arc::new(AtomicBool::new(false));
    let (acked_tx, mut acked_rx) = tokio::sync::watch::channel(0usize);
    let stream = {
        let (store, docs, killed) = (store.clone(), docs.clone(), killed.clone());
        tokio::spawn(async move {
            let mut batches = Vec::new();
            for (b, chunk) in docs.chunks(BATCH).enumerate() {
                let outcomes = match store.index(chunk).await {
                    Ok(outcomes) => outcomes,
                    Err(e) => vec![ItemOutcome::Retry(e.to_string()); chunk.len()],
                };
                let before_kill = !killed.load(Ordering::SeqCst);
                if outcomes.iter().all(|o| *o == ItemOutcome::Indexed) {
                    acked_tx.send_modify(|n| *n += 1);
                }
                batches.push(Batch { first: b * BATCH, outcomes, before_kill });
            }
            batches
        })
    };

    acked_rx.wait_for(|n| *n >= ACKED_BEFORE_KILL).await.unwrap();
    killed.store(true, Ordering::SeqCst);
    let killer = node.clone();
    tokio::task::spawn_blocking(move || killer.kill()).await.unwrap();
    let killed_at = started.elapsed();
    let batches = stream.await.unwrap();
    let stream_done = started.elapsed();

    // Classify what the stream was told.
    let mut acknowledged = Vec::new();
    let mut acked_before_kill = 0;
    let mut to_redeliver = Vec::new();
    for batch in &batches {
        for (i, outcome) in batch.outcomes.iter().enumerate() {
            let position = batch.first + i;
            match outcome {
                ItemOutcome::Indexed => {
                    acknowledged.push(docs[position].id.clone());
                    acked_before_kill += usize::from(batch.before_kill);
                }
                ItemOutcome::Retry(_) => to_redeliver.push(position),
                ItemOutcome::Reject(reason) => panic!("{} rejected during an outage: {reason}", docs[position].id),
            }
        }
    }
    assert_eq!(batches.len(), TOTAL / BATCH);
    let indexed = acknowledged.len();
    assert_eq!(indexed + to_redeliver.len(), TOTAL);
    assert!(acked_before_kill >= ACKED_BEFORE_KILL * BATCH, "{acked_before_kill} acknowledged before the kill");
    assert!(!to_redeliver.is_empty(), "the outage was seen: records came back Retry");

    tokio::task::spawn_blocking({
        let node = node.clone();
        move || node.restart()
    })
    .await
    .unwrap();
    let restarted_at = started.elapsed();

    // Durability: every record acknowledged (before the SIGKILL, or in flight while it
    // landed) survived it: the translog is fsynced before OpenSearch answers.
    assert_eq!(present(&store, &acknowledged).await, indexed, "acknowledged records lost by the kill");
    let after_restart = count(&store).await;
    assert!(after_restart >= indexed as u64, "{after_restart} documents, {indexed} acknowledged");

    // Redelivery, as a queue would: everything not reported Indexed, until it is.
    let mut rounds = 0;
    while !to_redeliver.is_empty() {
        rounds += 1;
        assert!(rounds <= 10, "{} records still not indexed after 10 redeliveries", to_redeliver.len());
        let mut still = Vec::new();
        for chunk in to_redeliver.chunks(BATCH) {
            let resend: Vec<IndexRequest> = chunk.iter().map(|&p| docs[p].clone()).collect();
            let outcomes =
                store.index(&resend).await.unwrap_or_else(|e| vec![ItemOutcome::Retry(e.to_string()); chunk.len()]);
            still.extend(chunk.iter().zip(outcomes).filter(|(_, o)| *o != ItemOutcome::Indexed).map(|(&p, _)| p));
        }
        if !still.is_empty() {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        to_redeliver = still;
    }

    assert_eq!(count(&store).await, TOTAL as u64, "exactly one document per record: none lost, none doubled");
    let all: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    assert_eq!(present(&store, &all).await, TOTAL);
    eprintln!(
        "node up in {node_started:?}; killed at {killed_at:?} after {} acknowledged records; stream done at \
         {stream_done:?} ({} records to redeliver); restarted at {restarted_at:?} with {after_restart} documents; \
         redelivered in {rounds} round(s); done at {:?}",
        indexed,
        TOTAL - indexed,
        started.elapsed()
    );
    drop(store);
    tokio::task::spawn_blocking(move || drop(node)).await.unwrap();
}
