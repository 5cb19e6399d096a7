//! The search fixture of `scripts/bench-search`: N events spread evenly over the hours before
//! now, written straight into the embedded store of a data directory (`<data-dir>/indices`,
//! the daily `events-YYYYMMDD` indices `mozdef dev` searches).
//!
//! ```text
//! search_fixture --corpus FILE --data-dir DIR --events N [--hours H] [--batch B] [--now RFC3339]
//! ```
//!
//! * The corpus (`../shared/bench/gen_corpus.py`) goes once through the whole ingest path of
//!   `mozdef dev` with an empty data directory ([`PipelineOptions::ingest`]: key mapping, the
//!   built-in plugins, no GeoIP database, MozDef's save-time defaults; `mozdefhostname`
//!   `bench.mozdef`); the events it keeps are the templates.
//! * Event `g` of `0..N` is template `g % T` of repetition `g / T`, received at
//!   `now - H hours + g * H hours / N`, where `now` is `--now` (default: the current time;
//!   `scripts/bench-search` puts it a little ahead, see there), so the events arrive in time
//!   order, as ingest writes them: `receivedtimestamp` is that time, `utctimestamp` (and
//!   `timestamp`, when the event has one) 0–2 s before it; `hostname` gets `-r<repetition>`
//!   after its first label (`web12.private.scl3.mozilla.com` →
//!   `web12-r3.private.scl3.mozilla.com`), so the repetitions are not identical copies. Its id is `document_id("bench:<repetition>:<line>")`
//!   (the line of the template in the corpus) and its index `events_index(received)`.
//! * The events go through [`EventStore::index`] in batches of B (default 10,000), then one
//!   [`EventStore::refresh`]. The store is then closed and each index settled as a long-running
//!   `mozdef dev` would leave it: a fresh tantivy writer commits, waits for the merges that
//!   start and collects the files no segment uses any more (so `du` counts no abandoned merge).
//!
//! The data directory must not hold indices yet. The last line on stdout is a JSON summary:
//! the counts, the times of each phase (pipeline, indexing with the refresh, settling), the
//! indexing rate and, per index, its documents and segments.

#![allow(clippy::cast_precision_loss)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use mozdef_benches::{CorpusEvent, Flags, process_corpus};
use mozdef_model::{Document, isoformat};
use mozdef_pipeline::document_id;
use mozdef_service::PipelineOptions;
use mozdef_store::indices::events_index;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome};
use mozdef_store_embedded::EmbeddedStore;
use serde_json::{Value, json};

const USAGE: &str = "usage: search_fixture --corpus FILE --data-dir DIR --events N [--hours H] [--batch B] \
                     [--now RFC3339]";

// The allocator the `mozdef` binary ships with, so the indexing rate is the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The `mozdefhostname` stamped on the events (as the other benches do).
const MOZDEFHOSTNAME: &str = "bench.mozdef";
/// Events a progress line is written after, on stderr.
const PROGRESS_EVERY: u64 = 500_000;

struct Args {
    corpus: PathBuf,
    data_dir: PathBuf,
    events: u64,
    hours: u32,
    batch: usize,
    now: DateTime<Utc>,
}

fn parse_args() -> Result<Args, String> {
    let allowed = ["corpus", "data-dir", "events", "hours", "batch", "now"];
    let flags = Flags::parse(std::env::args().skip(1), &allowed, USAGE)?;
    let number = |name: &str, default: u64| flags.number(name).map(|n| n.unwrap_or(default));
    let now = match flags.text("now") {
        Some(value) => {
            DateTime::parse_from_rfc3339(value).map_err(|e| format!("--now {value:?}: {e}"))?.with_timezone(&Utc)
        }
        None => Utc::now(),
    };
    let args = Args {
        corpus: PathBuf::from(flags.required("corpus")?),
        data_dir: PathBuf::from(flags.required("data-dir")?),
        events: flags.number("events")?.ok_or_else(|| format!("--events is required\n{USAGE}"))?,
        hours: u32::try_from(number("hours", 24)?).map_err(|e| format!("--hours: {e}"))?,
        batch: usize::try_from(number("batch", 10_000)?).map_err(|e| format!("--batch: {e}"))?.max(1),
        now,
    };
    if args.events == 0 || args.hours == 0 {
        return Err(format!("--events and --hours must be at least 1\n{USAGE}"));
    }
    Ok(args)
}

/// `hostname` with `-r<rep>` after its first label.
fn host_of_repetition(hostname: &str, rep: u64) -> String {
    match hostname.split_once('.') {
        Some((first, rest)) => format!("{first}-r{rep}.{rest}"),
        None => format!("{hostname}-r{rep}"),
    }
}

/// Event `g` of the fixture: which template, when, and the document to store.
fn event(templates: &[CorpusEvent], g: u64, args: &Args, start: DateTime<Utc>, span_us: i64) -> IndexRequest {
    let count = templates.len() as u64;
    let template = &templates[usize::try_from(g % count).unwrap_or(0)];
    let rep = g / count;
    let offset = i128::from(span_us) * i128::from(g) / i128::from(args.events);
    let received = start + Duration::microseconds(i64::try_from(offset).unwrap_or(span_us));
    let lag_ms = i64::try_from(template.line % 2000).unwrap_or(0);
    let happened = received - Duration::milliseconds(lag_ms);
    let mut source: Document = template.source.clone();
    source.insert("receivedtimestamp".into(), json!(isoformat(&received)));
    source.insert("utctimestamp".into(), json!(isoformat(&happened)));
    if source.contains_key("timestamp") {
        source.insert("timestamp".into(), json!(isoformat(&happened)));
    }
    if let Some(Value::String(hostname)) = source.get("hostname") {
        let renamed = host_of_repetition(hostname, rep);
        source.insert("hostname".into(), Value::String(renamed));
    }
    IndexRequest { index: events_index(received), id: document_id(&format!("bench:{rep}:{}", template.line)), source }
}

/// Indexes one batch, failing on the first outcome that is not [`ItemOutcome::Indexed`].
async fn index_batch(store: &EmbeddedStore, batch: &[IndexRequest]) -> Result<(), String> {
    let outcomes = store.index(batch).await.map_err(|e| format!("indexing a batch: {e}"))?;
    match outcomes.iter().zip(batch).find(|(o, _)| **o != ItemOutcome::Indexed) {
        Some((outcome, request)) => Err(format!("event {} in {}: {outcome:?}", request.id, request.index)),
        None => Ok(()),
    }
}

/// Writes the events; answers the seconds spent, the refresh included.
async fn write(store: &EmbeddedStore, templates: &[CorpusEvent], args: &Args) -> Result<f64, String> {
    let span_us = i64::from(args.hours) * 3_600_000_000;
    let start = args.now - Duration::microseconds(span_us);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(args.batch);
    for g in 0..args.events {
        batch.push(event(templates, g, args, start, span_us));
        if batch.len() == args.batch {
            index_batch(store, &batch).await?;
            batch.clear();
        }
        if (g + 1) % PROGRESS_EVERY == 0 {
            let seconds = started.elapsed().as_secs_f64();
            eprintln!("{}/{} events, {:.0} events/s", g + 1, args.events, (g + 1) as f64 / seconds);
        }
    }
    if !batch.is_empty() {
        index_batch(store, &batch).await?;
    }
    store.refresh().await.map_err(|e| format!("refresh: {e}"))?;
    Ok(started.elapsed().as_secs_f64())
}

/// The index directories under `<data-dir>/indices`, sorted.
fn index_dirs(data_dir: &Path) -> Result<Vec<PathBuf>, String> {
    let root = data_dir.join("indices");
    let entries = std::fs::read_dir(&root).map_err(|e| format!("cannot read {}: {e}", root.display()))?;
    let mut dirs: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.join("meta.json").is_file()).collect();
    dirs.sort();
    Ok(dirs)
}

/// Lets the merges of the index in `dir` run to the end and removes the files no segment
/// uses; answers its documents and segments afterwards.
fn settle(dir: &Path) -> Result<(u64, usize), String> {
    let failed = |what: &str, e: tantivy::TantivyError| format!("{what} {}: {e}", dir.display());
    let index = tantivy::Index::open_in_dir(dir).map_err(|e| failed("cannot open", e))?;
    let mut writer: tantivy::IndexWriter =
        index.writer_with_num_threads(1, 50_000_000).map_err(|e| failed("no writer for", e))?;
    writer.commit().map_err(|e| failed("cannot commit", e))?;
    writer.wait_merging_threads().map_err(|e| failed("merges failed in", e))?;
    let writer: tantivy::IndexWriter =
        index.writer_with_num_threads(1, 50_000_000).map_err(|e| failed("no writer for", e))?;
    writer.garbage_collect_files().wait().map_err(|e| failed("garbage collection failed in", e))?;
    drop(writer);
    let segments = index.searchable_segment_metas().map_err(|e| failed("cannot list the segments of", e))?;
    let docs = segments.iter().map(|s| u64::from(s.num_docs())).sum();
    Ok((docs, segments.len()))
}

async fn run(args: &Args) -> Result<Value, String> {
    if index_dirs(&args.data_dir).is_ok_and(|dirs| !dirs.is_empty()) {
        return Err(format!("{} already holds indices; remove it first", args.data_dir.display()));
    }
    let started = Instant::now();
    let options = PipelineOptions { mozdefhostname: Some(MOZDEFHOSTNAME.to_owned()), ..PipelineOptions::default() };
    let ingest = options.ingest(None).map_err(|e| format!("the ingest path: {e}"))?;
    let templates = process_corpus(&args.corpus, None, &ingest, |_, _| args.now);
    if templates.is_empty() {
        return Err(format!("{} gave no events", args.corpus.display()));
    }
    let pipeline_seconds = started.elapsed().as_secs_f64();
    eprintln!("{} templates from the corpus in {pipeline_seconds:.1} s", templates.len());

    let store = EmbeddedStore::open(&args.data_dir)
        .map_err(|e| format!("cannot open the store in {}: {e}", args.data_dir.display()))?;
    let index_seconds = write(&store, &templates, args).await?;
    drop(store);
    eprintln!("{} events indexed in {index_seconds:.1} s; settling the indices", args.events);

    let started = Instant::now();
    let mut indices = Vec::new();
    for dir in index_dirs(&args.data_dir)? {
        let (docs, segments) = settle(&dir)?;
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        indices.push(json!({"name": name, "docs": docs, "segments": segments}));
    }
    let settle_seconds = started.elapsed().as_secs_f64();
    let count = templates.len() as u64;
    Ok(json!({
        "events": args.events,
        "templates": count,
        "repetitions": args.events.div_ceil(count),
        "hours": args.hours,
        "now": isoformat(&args.now),
        "batch": args.batch,
        "seconds": {"pipeline": pipeline_seconds, "index": index_seconds, "settle": settle_seconds},
        "events_per_s": args.events as f64 / index_seconds,
        "indices": indices,
    }))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("search_fixture: no tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("search_fixture: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::host_of_repetition;

    #[test]
    fn the_repetition_follows_the_first_label() {
        assert_eq!(host_of_repetition("web12.private.scl3.mozilla.com", 3), "web12-r3.private.scl3.mozilla.com");
        assert_eq!(host_of_repetition("localhost", 0), "localhost-r0");
    }
}
