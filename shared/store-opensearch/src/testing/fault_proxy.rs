//! A fault-injecting loopback proxy in front of a real cluster, for tests of what callers do
//! when OpenSearch refuses: bulk items answered 429 (not forwarded), whole bulk requests
//! answered 503 or 429, requests applied whose answer is lost (502) or comes too late, and
//! items of an index rejected as a mapping error (400). Everything else is forwarded as is.
//! The faults can be changed while it runs ([`FaultProxy::set_faults`]).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// What the proxy does to `POST /_bulk`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Records whose number is a multiple of this are answered 429 (and not forwarded) the
    /// first time the proxy sees them.
    pub first_attempt_every: Option<u64>,
    /// Records whose id starts with this are answered 429 every time (`Some("")`: every
    /// record).
    pub always_prefix: Option<&'static str>,
    /// Bulk requests numbered below this follow a fixed schedule of whole-request faults:
    /// 503, 429, forwarded to OpenSearch with the answer replaced by a 502, or forwarded and
    /// answered only after [`STALL`] (longer than the client waits). The last two are applied
    /// without the client knowing.
    pub request_faults_below: u32,
    /// Records for an index whose name contains this are rejected (400, a mapping error, not
    /// forwarded) every time.
    pub reject_index: Option<&'static str>,
}

/// What the proxy did.
#[derive(Debug, Default)]
pub struct ProxyStats {
    /// Records answered 429 without being forwarded.
    pub items_refused: usize,
    /// Records answered 400 without being forwarded.
    pub items_rejected: usize,
    /// Whole requests answered 503 or 429 without being forwarded.
    pub requests_refused: usize,
    /// Requests forwarded and applied whose answer became a 502.
    pub answers_lost: usize,
    /// Requests forwarded and applied, answered after the client's timeout.
    pub answers_stalled: usize,
    /// Records forwarded inside a request whose answer was lost.
    pub applied_unacknowledged: HashSet<String>,
}

/// The proxy's state.
#[derive(Debug)]
pub struct FaultProxy {
    upstream: String,
    http: reqwest::Client,
    faults: Mutex<Faults>,
    /// Bulk requests seen.
    pub bulk_requests: AtomicU32,
    /// How often each id reached the item stage (the request as a whole was not refused).
    pub attempts: Mutex<HashMap<String, u32>>,
    /// What it did.
    pub stats: Mutex<ProxyStats>,
}

/// How long a stalled answer takes; more than the client's timeout in a test that stalls.
pub const STALL: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestFault {
    Unavailable,
    TooManyRequests,
    LoseAnswer,
    Stall,
}

/// What the proxy does to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemFault {
    Refuse,
    Reject,
}

impl FaultProxy {
    /// Replaces the faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults;
    }

    fn faults(&self) -> Faults {
        *self.faults.lock().unwrap()
    }

    fn request_fault(&self, n: u32) -> Option<RequestFault> {
        if n >= self.faults().request_faults_below {
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

    fn item_fault(&self, index: &str, id: &str, attempt: u32) -> Option<ItemFault> {
        let faults = self.faults();
        if faults.reject_index.is_some_and(|part| index.contains(part)) {
            return Some(ItemFault::Reject);
        }
        if faults.always_prefix.is_some_and(|p| id.starts_with(p)) {
            return Some(ItemFault::Refuse);
        }
        let number: Option<u64> = id.rsplit('-').next().and_then(|n| n.parse().ok());
        match (faults.first_attempt_every, number) {
            (Some(every), Some(number)) if attempt == 1 && number % every == 0 => Some(ItemFault::Refuse),
            _ => None,
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
    proxy: &FaultProxy,
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
    State(proxy): State<Arc<FaultProxy>>,
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

async fn bulk(proxy: &FaultProxy, uri: &Uri, headers: &HeaderMap, body: Bytes) -> Result<Response, String> {
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

    // The records: (action kind, index, id), and what the proxy does to each.
    let lines: Vec<&[u8]> = body.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len() % 2, 0, "index actions come in pairs");
    let mut item_faults = Vec::with_capacity(lines.len() / 2);
    let mut forwarded = Vec::with_capacity(body.len());
    let mut records = Vec::with_capacity(lines.len() / 2);
    {
        let mut attempts = proxy.attempts.lock().unwrap();
        for pair in lines.chunks(2) {
            let action: Value = serde_json::from_slice(pair[0]).map_err(|e| e.to_string())?;
            let (kind, meta) = action.as_object().and_then(|o| o.iter().next()).ok_or("empty action")?;
            let id = meta["_id"].as_str().ok_or("action without _id")?.to_owned();
            let index = meta["_index"].as_str().unwrap_or_default();
            let attempt = attempts.entry(id.clone()).or_default();
            *attempt += 1;
            let item_fault = proxy.item_fault(index, &id, *attempt);
            match item_fault {
                Some(ItemFault::Refuse) => proxy.stats.lock().unwrap().items_refused += 1,
                Some(ItemFault::Reject) => proxy.stats.lock().unwrap().items_rejected += 1,
                None => {
                    forwarded.extend_from_slice(pair[0]);
                    forwarded.push(b'\n');
                    forwarded.extend_from_slice(pair[1]);
                    forwarded.push(b'\n');
                    if matches!(fault, Some(RequestFault::LoseAnswer | RequestFault::Stall)) {
                        proxy.stats.lock().unwrap().applied_unacknowledged.insert(id.clone());
                    }
                }
            }
            item_faults.push(item_fault);
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
    for ((kind, index, id), item_fault) in records.into_iter().zip(item_faults) {
        let item = match item_fault {
            Some(ItemFault::Refuse) => {
                let error = json!({"type": "es_rejected_execution_exception",
                    "reason": "rejected execution of coordinating operation [injected by the test proxy]"});
                json!({kind: {"_index": index, "_id": id, "status": 429, "error": error}})
            }
            Some(ItemFault::Reject) => {
                let error = json!({"type": "mapper_parsing_exception",
                    "reason": "failed to parse field [payload] [injected by the test proxy]"});
                json!({kind: {"_index": index, "_id": id, "status": 400, "error": error}})
            }
            None => real.next().ok_or("OpenSearch answered fewer items than it was sent")?,
        };
        errors |= item.as_object().and_then(|o| o.values().next()).is_some_and(|i| i.get("error").is_some());
        items.push(item);
    }
    assert!(real.next().is_none(), "OpenSearch answered more items than it was sent");
    let answer = json!({"took": took, "errors": errors, "items": items});
    Ok(json_response(200, answer.to_string().into_bytes()))
}

/// Starts a proxy in front of `upstream` with `faults`; returns its URL.
pub async fn start_fault_proxy(upstream: &str, faults: Faults) -> (String, Arc<FaultProxy>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let proxy = Arc::new(FaultProxy {
        upstream: upstream.trim_end_matches('/').to_owned(),
        http: reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().unwrap(),
        faults: Mutex::new(faults),
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
