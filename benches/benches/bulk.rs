//! Bulk indexing throughput: a mixed NDJSON corpus of shipper events, normalised to MozDef
//! events up front, then indexed through `EventStore::index` into OpenSearch (a local node
//! with MozDef's templates, replicas 0, under a fresh index prefix) and into the embedded
//! store (a temporary directory). Wall time and this process's own CPU time (utime + stime
//! of `/proc/self/stat`) are measured over the indexing phase only (index calls + the final
//! refresh), and the document count is verified afterwards.
//!
//! Run by `scripts/bench-opensearch` (`cargo bench -p mozdef-benches --bench bulk`); the
//! environment says what to do:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `BENCH_CORPUS` | the NDJSON corpus (one shipper event a line) | none: the bench says so and exits |
//! | `BENCH_LIMIT` | use only the first N lines | all |
//! | `BENCH_STORES` | `opensearch`, `embedded` or both, comma-separated | both |
//! | `BENCH_OPENSEARCH_URL` | the node (OpenSearch is skipped without it) | none |
//! | `BENCH_OPENSEARCH_PID` | the node's process id, to report its CPU time too | none |
//! | `BENCH_BATCH` | events per `EventStore::index` call | 5000 |
//! | `BENCH_BULK_DOCS` / `BENCH_BULK_BYTES` / `BENCH_BULK_CONCURRENCY` | `BulkLimits` | `BulkLimits::default()` |
//! | `BENCH_TOTAL_FIELDS` | `mapping.total_fields.limit` of the template | 1000 |
//! | `BENCH_CLK_TCK` | clock ticks per second of `/proc/*/stat` | 100 |
//!
//! Receive times are spread deterministically over three days from 2026-11-20T00:00:00Z (so
//! events land in three daily indices, `events-YYYYMMDD` by receive time), and document ids
//! are `document_id("bench:<line number>")`, so a run is reproducible.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use mozdef_benches::{count_events, env_parse};
use mozdef_pipeline::document_id;
use mozdef_store::indices::events_index;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome};
use mozdef_store_embedded::EmbeddedStore;
use mozdef_store_opensearch::lifecycle::{LifecycleConfig, install_templates};
use mozdef_store_opensearch::{BulkLimits, OpenSearchConfig, OpenSearchStore, list};
use opensearch::http::Method;

// The allocator the `mozdef` binary ships with, so the client's figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CPU time (user + system) of a process so far, from `/proc/<pid>/stat`.
fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after it start at `state`.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let per_second: u64 = env_parse("BENCH_CLK_TCK").unwrap_or(100);
    Some(Duration::from_secs_f64(ticks as f64 / per_second as f64))
}

/// Reads and normalises the corpus: one index request per line.
fn load_corpus(path: &Path, limit: Option<usize>) -> Vec<IndexRequest> {
    let start = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).single().expect("valid date");
    // Three days of receive times, evenly spread.
    let spread = |line: usize, lines: usize| {
        let step_ms = (3 * 24 * 3600 * 1000) / i64::try_from(lines.max(1)).unwrap_or(1);
        start + chrono::Duration::milliseconds(step_ms * i64::try_from(line).unwrap_or(0))
    };
    mozdef_benches::load_corpus(path, limit, spread)
        .into_iter()
        .map(|event| IndexRequest {
            index: events_index(event.received),
            id: document_id(&format!("bench:{}", event.line)),
            source: event.source,
        })
        .collect()
}

/// What one store's run gave.
struct Run {
    store: &'static str,
    settings: String,
    events: usize,
    wall: Duration,
    cpu: Duration,
    server_cpu: Option<Duration>,
    outcomes: BTreeMap<String, usize>,
    counted: Option<u64>,
}

/// Indexes `requests` in batches of `batch` and refreshes, timing wall and CPU time.
async fn index_timed(
    store: &dyn EventStore,
    requests: &[IndexRequest],
    batch: usize,
    server_pid: Option<&str>,
) -> (Duration, Duration, Option<Duration>, BTreeMap<String, usize>) {
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let cpu_before = cpu_time("self").expect("read /proc/self/stat");
    let server_before = server_pid.and_then(cpu_time);
    let started = Instant::now();
    for chunk in requests.chunks(batch.max(1)) {
        match store.index(chunk).await {
            Ok(results) => {
                for outcome in results {
                    let key = match outcome {
                        ItemOutcome::Indexed => "indexed".to_owned(),
                        ItemOutcome::Retry(reason) => format!("retry: {}", shorten(&reason)),
                        ItemOutcome::Reject(reason) => format!("reject: {}", shorten(&reason)),
                    };
                    *outcomes.entry(key).or_default() += 1;
                }
            }
            Err(e) => *outcomes.entry(format!("batch failed: {e}")).or_default() += chunk.len(),
        }
    }
    store.refresh().await.expect("refresh");
    let wall = started.elapsed();
    let cpu = cpu_time("self").expect("read /proc/self/stat").saturating_sub(cpu_before);
    let server = match (server_before, server_pid.and_then(cpu_time)) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before)),
        _ => None,
    };
    (wall, cpu, server, outcomes)
}

/// A reason without its variable part (the document id), to group them.
fn shorten(reason: &str) -> String {
    let head = reason.split(" in document with id").next().unwrap_or(reason);
    head.chars().take(200).collect()
}

async fn run_opensearch(url: &str, requests: &[IndexRequest], batch: usize) -> Run {
    let mut config = OpenSearchConfig::from_url(url).expect("BENCH_OPENSEARCH_URL");
    config.index_prefix = format!("bench-{}-", std::process::id());
    let defaults = BulkLimits::default();
    config.bulk = BulkLimits {
        max_docs: env_parse("BENCH_BULK_DOCS").unwrap_or(defaults.max_docs),
        max_bytes: env_parse("BENCH_BULK_BYTES").unwrap_or(defaults.max_bytes),
        concurrency: env_parse("BENCH_BULK_CONCURRENCY").unwrap_or(defaults.concurrency),
    };
    let limits = config.bulk;
    let store = OpenSearchStore::connect(config, Duration::from_secs(120)).await.expect("OpenSearch node");
    let lifecycle = LifecycleConfig {
        replicas: 0,
        total_fields_limit: env_parse("BENCH_TOTAL_FIELDS").unwrap_or(LifecycleConfig::default().total_fields_limit),
        ..LifecycleConfig::default()
    };
    install_templates(store.client(), &lifecycle).await.expect("install the templates");
    let pid = std::env::var("BENCH_OPENSEARCH_PID").ok().filter(|p| !p.trim().is_empty());
    let (wall, cpu, server_cpu, outcomes) = index_timed(&store, requests, batch, pid.as_deref()).await;
    let counted = count_events(&store, Utc::now()).await;
    // Leave the node as it was: delete this run's indices.
    if let Ok(indices) = list(store.client()).await {
        let names: Vec<String> = indices.iter().map(|i| store.client().physical(&i.name)).collect();
        if !names.is_empty() {
            let _ = store.client().send(Method::Delete, &format!("/{}", names.join(",")), &[], None).await;
        }
    }
    Run {
        store: "opensearch",
        settings: format!(
            "bulk {} docs / {} KiB, {} in flight, fields limit {}",
            limits.max_docs,
            limits.max_bytes / 1024,
            limits.concurrency,
            lifecycle.total_fields_limit
        ),
        events: requests.len(),
        wall,
        cpu,
        server_cpu,
        outcomes,
        counted,
    }
}

async fn run_embedded(requests: &[IndexRequest], batch: usize) -> Run {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = EmbeddedStore::open(dir.path()).expect("open the embedded store");
    let (wall, cpu, _, outcomes) = index_timed(&store, requests, batch, None).await;
    let counted = count_events(&store, Utc::now()).await;
    Run {
        store: "embedded",
        settings: format!("tantivy in {}", dir.path().display()),
        events: requests.len(),
        wall,
        cpu,
        server_cpu: None,
        outcomes,
        counted,
    }
}

fn report(runs: &[Run], batch: usize) {
    println!();
    println!("bulk indexing: {} events, {batch} per EventStore::index call, {} CPUs", runs[0].events, cpus());
    println!(
        "{:<11} {:>9} {:>9} {:>11} {:>9} {:>10} {:>12} {:>9}",
        "store", "events", "wall_s", "events/s", "cpu_s", "cpu_share", "server_cpu_s", "verified"
    );
    for run in runs {
        let wall = run.wall.as_secs_f64();
        let server = run.server_cpu.map_or_else(|| "-".to_owned(), |d| format!("{:.1}", d.as_secs_f64()));
        let verified = match run.counted {
            Some(n) if n == run.events as u64 => "yes".to_owned(),
            Some(n) => format!("NO ({n})"),
            None => "NO (count failed)".to_owned(),
        };
        println!(
            "{:<11} {:>9} {:>9.2} {:>11.0} {:>9.2} {:>9.1}% {:>12} {:>9}",
            run.store,
            run.events,
            wall,
            run.events as f64 / wall,
            run.cpu.as_secs_f64(),
            100.0 * run.cpu.as_secs_f64() / wall,
            server,
            verified
        );
    }
    println!();
    for run in runs {
        println!("{}: {}", run.store, run.settings);
        for (outcome, n) in &run.outcomes {
            println!("  {n:>9}  {outcome}");
        }
    }
    println!();
    println!("wall/cpu cover the index calls and the final refresh; cpu_share is this process's own");
    println!("CPU time (utime+stime) over the wall time; server_cpu_s is the OpenSearch node's.");
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn main() {
    let Some(corpus) = std::env::var("BENCH_CORPUS").ok().filter(|c| !c.trim().is_empty()) else {
        eprintln!("bulk bench: set BENCH_CORPUS (see scripts/bench-opensearch); nothing to do");
        return;
    };
    let stores = std::env::var("BENCH_STORES").unwrap_or_else(|_| "opensearch,embedded".to_owned());
    let batch: usize = env_parse("BENCH_BATCH").unwrap_or(5000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let prepared = Instant::now();
    let requests = load_corpus(Path::new(&corpus), env_parse("BENCH_LIMIT"));
    eprintln!(
        "{} events read and normalised in {:.1} s (not part of the figures)",
        requests.len(),
        prepared.elapsed().as_secs_f64()
    );
    let mut runs = Vec::new();
    for store in stores.split(',').map(str::trim) {
        match store {
            "opensearch" => match std::env::var("BENCH_OPENSEARCH_URL").ok().filter(|u| !u.trim().is_empty()) {
                Some(url) => {
                    eprintln!("indexing into OpenSearch at {url}");
                    runs.push(runtime.block_on(run_opensearch(&url, &requests, batch)));
                }
                None => eprintln!("BENCH_OPENSEARCH_URL is not set: OpenSearch skipped"),
            },
            "embedded" => {
                eprintln!("indexing into the embedded store");
                runs.push(runtime.block_on(run_embedded(&requests, batch)));
            }
            other => panic!("BENCH_STORES: unknown store {other:?}"),
        }
    }
    if !runs.is_empty() {
        report(&runs, batch);
    }
    if runs.iter().any(|r| r.counted != Some(r.events as u64)) {
        std::process::exit(1);
    }
}
