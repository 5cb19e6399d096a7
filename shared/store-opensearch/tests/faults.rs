//! No loss under faults, on real OpenSearch: bulk items and whole requests refused with 429
//! and 5xx by a loopback proxy in front of the test cluster, answers lost after OpenSearch
//! applied a request, mapping rejections, and a private node killed with SIGKILL in the
//! middle of a stream of batches and restarted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use mozdef_model::isoformat;
use mozdef_query::SearchQuery;
use mozdef_store::indices::events_index;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome, SearchRequest};
use mozdef_store_opensearch::lifecycle::install_templates;
use mozdef_store_opensearch::testing::{
    Cleanup, Node, free_port, isolated_store, repo_root, test_lifecycle, unique_prefix,
};
use mozdef_store_opensearch::{BulkLimits, OpenSearchConfig, OpenSearchStore, RetryPolicy};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// The fault-injecting proxy
// ---------------------------------------------------------------------------------------

/// What the proxy does to `POST /_bulk`.
#[derive(Debug, Clone, Copy, Default)]
struct Faults {
    /// Records whose number is a multiple of this are answered 429 (and not forwarded) the
    /// first time the proxy sees them.
    first_attempt_every: Option<u64>,
    /// Records whose id starts with this are answered 429 every time.
    always_prefix: Option<&'static str>,
    /// Bulk requests numbered below this follow a fixed schedule of whole-request faults:
    /// 503, 429, forwarded to OpenSearch with the answer replaced by a 502, or forwarded and
    /// answered only after [`STALL`] (longer than the client waits). The last two are applied
    /// without the client knowing.
    request_faults_below: u32,
}

/// What the proxy did.
#[derive(Debug, Default)]
struct Stats {
    /// Records answered 429 without being forwarded.
    items_refused: usize,
    /// Whole requests answered 503 or 429 without being forwarded.
    requests_refused: usize,
    /// Requests forwarded and applied whose answer became a 502.
    answers_lost: usize,
    /// Requests forwarded and applied, answered after the client's timeout.
    answers_stalled: usize,
    /// Records forwarded inside a request whose answer was lost.
    applied_unacknowledged: HashSet<String>,
}

#[derive(Debug)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    faults: Faults,
    bulk_requests: AtomicU32,
    /// How often each id reached the item stage (the request as a whole was not refused).
    attempts: Mutex<HashMap<String, u32>>,
    stats: Mutex<Stats>,
}

/// How long a stalled answer takes; more than the client's timeout in the test that stalls.
const STALL: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestFault {
    Unavailable,
    TooManyRequests,
    LoseAnswer,
    Stall,
}

impl Proxy {
    fn request_fault(&self, n: u32) -> Option<RequestFault> {
        if n >= self.faults.request_faults_below {
            return None;
        }
        match n % 6 {
            1 => Some(RequestFault::Unavailable),
            3 => Some(RequestFault::TooManyRequests),
            5 => Some(RequestFault::LoseAnswer),
            2 if n >= 6 => Some(RequestFault::Stall),
            _ => None,
        }
    }

    fn refuses(&self, id: &str, attempt: u32) -> bool {
        if self.faults.always_prefix.is_some_and(|p| id.starts_with(p)) {
            return true;
        }
        let number: Option<u64> = id.rsplit('-').next().and_then(|n| n.parse().ok());
        match (self.faults.first_attempt_every, number) {
            (Some(every), Some(number)) => attempt == 1 && number % every == 0,
            _ => false,
        }
    }
}

fn json_response(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn error_response(status: u16, kind: &str, reason: &str) -> Response {
    let body = json!({"error": {"type": kind, "reason": reason}, "status": status});
    json_response(status, body.to_string().into_bytes())
}

async fn forward(
    proxy: &Proxy,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<(u16, Vec<u8>), String> {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = proxy.http.request(method, format!("{}{path}", proxy.upstream)).body(body);
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let answer = request.send().await.map_err(|e| e.to_string())?;
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.map_err(|e| e.to_string())?;
    Ok((status, bytes.to_vec()))
}

async fn handle(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = if method == Method::POST && uri.path() == "/_bulk" {
        bulk(&proxy, &uri, &headers, body).await
    } else {
        forward(&proxy, method, &uri, &headers, body).await.map(|(status, body)| json_response(status, body))
    };
    result.unwrap_or_else(|e| error_response(502, "proxy_exception", &e))
}

async fn bulk(proxy: &Proxy, uri: &Uri, headers: &HeaderMap, body: Bytes) -> Result<Response, String> {
    let n = proxy.bulk_requests.fetch_add(1, Ordering::SeqCst);
    let fault = proxy.request_fault(n);
    match fault {
        Some(RequestFault::Unavailable) => {
            proxy.stats.lock().unwrap().requests_refused += 1;
            return Ok(error_response(503, "unavailable_shards_exception", "injected: primary shard is not active"));
        }
        Some(RequestFault::TooManyRequests) => {
            proxy.stats.lock().unwrap().requests_refused += 1;
            return Ok(error_response(429, "circuit_breaking_exception", "injected: [parent] Data too large"));
        }
        _ => {}
    }

    // The records: (action line, source line, action kind, index, id).
    let lines: Vec<&[u8]> = body.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len() % 2, 0, "index actions come in pairs");
    let mut refused = Vec::with_capacity(lines.len() / 2);
    let mut forwarded = Vec::with_capacity(body.len());
    let mut records = Vec::with_capacity(lines.len() / 2);
    {
        let mut attempts = proxy.attempts.lock().unwrap();
        for pair in lines.chunks(2) {
            let action: Value = serde_json::from_slice(pair[0]).map_err(|e| e.to_string())?;
            let (kind, meta) = action.as_object().and_then(|o| o.iter().next()).ok_or("empty action")?;
            let id = meta["_id"].as_str().ok_or("action without _id")?.to_owned();
            let attempt = attempts.entry(id.clone()).or_default();
            *attempt += 1;
            let refuse = proxy.refuses(&id, *attempt);
            if refuse {
                proxy.stats.lock().unwrap().items_refused += 1;
            } else {
                forwarded.extend_from_slice(pair[0]);
                forwarded.push(b'\n');
                forwarded.extend_from_slice(pair[1]);
                forwarded.push(b'\n');
            }
            refused.push(refuse);
            if !refuse && matches!(fault, Some(RequestFault::LoseAnswer | RequestFault::Stall)) {
                proxy.stats.lock().unwrap().applied_unacknowledged.insert(id.clone());
            }
            records.push((kind.clone(), meta["_index"].clone(), id));
        }
    }

    let mut real_items = Vec::new();
    let mut took = 0;
    if !forwarded.is_empty() {
        let (status, answer) = forward(proxy, Method::POST, uri, headers, Bytes::from(forwarded)).await?;
        if !(200..300).contains(&status) {
            return Ok(json_response(status, answer));
        }
        let answer: Value = serde_json::from_slice(&answer).map_err(|e| e.to_string())?;
        took = answer["took"].as_u64().unwrap_or(0);
        real_items = answer["items"].as_array().cloned().ok_or("bulk answer without items")?;
    }
    match fault {
        Some(RequestFault::LoseAnswer) => {
            proxy.stats.lock().unwrap().answers_lost += 1;
            return Ok(error_response(
                502,
                "bad_gateway",
                "injected: the answer was lost after OpenSearch applied the request",
            ));
        }
        Some(RequestFault::Stall) => {
            proxy.stats.lock().unwrap().answers_stalled += 1;
            tokio::time::sleep(STALL).await;
        }
        _ => {}
    }

    let mut real = real_items.into_iter();
    let mut items = Vec::with_capacity(records.len());
    let mut errors = false;
    for ((kind, index, id), refuse) in records.into_iter().zip(refused) {
        let item = if refuse {
            let error = json!({"type": "es_rejected_execution_exception",
                "reason": "rejected execution of coordinating operation [injected by the test proxy]"});
            json!({kind: {"_index": index, "_id": id, "status": 429, "error": error}})
        } else {
            real.next().ok_or("OpenSearch answered fewer items than it was sent")?
        };
        errors |= item.as_object().and_then(|o| o.values().next()).is_some_and(|i| i.get("error").is_some());
        items.push(item);
    }
    assert!(real.next().is_none(), "OpenSearch answered more items than it was sent");
    let answer = json!({"took": took, "errors": errors, "items": items});
    Ok(json_response(200, answer.to_string().into_bytes()))
}

/// Starts a proxy in front of `upstream`; returns its URL.
async fn start_proxy(upstream: &str, faults: Faults) -> (String, Arc<Proxy>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let proxy = Arc::new(Proxy {
        upstream: upstream.trim_end_matches('/').to_owned(),
        http: reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().unwrap(),
        faults,
        bulk_requests: AtomicU32::new(0),
        attempts: Mutex::default(),
        stats: Mutex::default(),
    });
    let app = Router::new().fallback(handle).with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, proxy)
}

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
    let faults = Faults { first_attempt_every: Some(3), always_prefix: None, request_faults_below: 12 };
    let (proxy_url, proxy) = start_proxy(&url, faults).await;
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
    let faults = Faults { first_attempt_every: None, always_prefix: Some("hot-"), request_faults_below: 0 };
    let (proxy_url, proxy) = start_proxy(&url, faults).await;
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
    let (proxy_url, proxy) = start_proxy(&url, Faults::default()).await;
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
