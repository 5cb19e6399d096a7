//! `mozdef normalize [FILE|-]`: runs events through exactly the pipeline and configuration
//! `mozdef dev` would use (the same flags and variables: `--mozdefhostname`, `--geoip`,
//! `--plugins-dir`, `--plugin-config`, the same defaults under `--data-dir`, which is only
//! read) and writes one normalized document per line to standard output, in input order:
//! what a site porting its MozDef plugins and shippers wants to see first.
//!
//! Input is NDJSON, one event per line as shippers post them to `/_bulk` (blank lines and
//! Elasticsearch action lines skipped, as loginput does); a `/custom/<app>` event is given as
//! loginput records it, with `"endpoint": "<app>", "customendpoint": true`. A line loginput
//! would refuse (invalid JSON or UTF-8, not an object, too deep, too large), a dropped event
//! and a quarantined one are reported on standard error with their line number and reason,
//! and the run goes on. `--explain` also reports, for every line, what each plugin the event
//! was offered to did with it. The file is streamed: a reader thread, a worker per core
//! processing chunks of lines, and this thread writing them back in order, with a bounded
//! number of chunks in flight.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Utc};
use mozdef_api::Limits;
use mozdef_api::loginput::parse_line;
use mozdef_pipeline::Processed;
use mozdef_service::{Ingest, PipelineOptions};

/// Lines per chunk handed to a worker.
const CHUNK_LINES: usize = 2048;

/// Options of `mozdef normalize`.
#[derive(Debug, clap::Args)]
pub struct NormalizeArgs {
    /// NDJSON events, one per line (`-` or nothing: standard input).
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// The data directory whose defaults `mozdef dev` would use (`geoip/`, `plugins/`,
    /// `plugin-config/`); only read.
    #[arg(long, env = "MOZDEF_DATA_DIR", default_value = "./mozdef-data")]
    pub data_dir: PathBuf,
    /// The pipeline's site settings, as `mozdef dev` reads them.
    #[command(flatten)]
    pub pipeline: PipelineOptions,
    /// Also report on standard error what each plugin offered an event did with it.
    #[arg(long)]
    pub explain: bool,
    /// The receive time of every event (RFC 3339, e.g. 2026-11-23T12:00:00Z; default: the
    /// time the run starts), for output that does not change from run to run.
    #[arg(long, value_parser = parse_time)]
    pub received: Option<DateTime<Utc>>,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|e| format!("not an RFC 3339 time: {e}"))
}

/// A chunk of input lines: its sequence number and, per line, its number and bytes.
type Chunk = (usize, Vec<(usize, Vec<u8>)>);

/// What became of one line.
enum Line {
    /// The normalized document, as JSON text.
    Document(String),
    /// A report for standard error (a refused line, a drop, a quarantine).
    Report(String),
    /// Nothing (a blank or action line).
    Skipped,
}

/// One processed line: its number, its fate, and the explanation when asked for.
struct Done {
    line_no: usize,
    line: Line,
    explain: Vec<String>,
}

/// Counts for the summary line.
#[derive(Debug, Default)]
struct Counts {
    lines: usize,
    documents: usize,
    reported: usize,
}

/// Runs the command.
pub fn run(args: NormalizeArgs) -> anyhow::Result<()> {
    let ingest = Arc::new(args.pipeline.ingest(Some(&args.data_dir))?);
    let received = args.received.unwrap_or_else(Utc::now);
    let input: Box<dyn Read + Send> = match args.input.as_deref() {
        None => Box::new(std::io::stdin()),
        Some(path) if path.as_os_str() == "-" => Box::new(std::io::stdin()),
        Some(path) => Box::new(std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?),
    };
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let started = Instant::now();
    let (chunks_tx, chunks_rx) = sync_channel::<Chunk>(workers * 2);
    let (done_tx, done_rx) = sync_channel::<(usize, Vec<Done>)>(workers * 2);
    let reader = std::thread::spawn(move || read_chunks(input, &chunks_tx));
    let chunks_rx = Arc::new(Mutex::new(chunks_rx));
    let pool: Vec<_> = (0..workers)
        .map(|_| {
            let (chunks_rx, done_tx, ingest) = (chunks_rx.clone(), done_tx.clone(), ingest.clone());
            let explain = args.explain;
            std::thread::spawn(move || work(&chunks_rx, &done_tx, &ingest, received, explain))
        })
        .collect();
    drop((done_tx, chunks_rx));
    let written = write_in_order(&done_rx);
    // On a write error (a closed pipe) the threads see their channels close and stop.
    drop(done_rx);
    for worker in pool {
        worker.join().map_err(|_| anyhow::anyhow!("a worker thread panicked"))?;
    }
    let counts = written?;
    reader.join().map_err(|_| anyhow::anyhow!("the reader thread panicked"))??;
    let seconds = started.elapsed().as_secs_f64();
    let rate = if seconds > 0.0 { counts.lines as f64 / seconds } else { 0.0 };
    eprintln!(
        "normalize: {} lines: {} documents, {} reported; {:.0} lines/s",
        counts.lines, counts.documents, counts.reported, rate
    );
    Ok(())
}

/// Reads `input` line by line into chunks (a read error ends the run with it).
fn read_chunks(input: Box<dyn Read + Send>, chunks: &SyncSender<Chunk>) -> anyhow::Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, input);
    let (mut seq, mut line_no) = (0, 0);
    let mut chunk = Vec::with_capacity(CHUNK_LINES);
    loop {
        let mut line = Vec::new();
        let read = reader.read_until(b'\n', &mut line).context("cannot read the input")?;
        if read == 0 {
            break;
        }
        line_no += 1;
        chunk.push((line_no, line));
        if chunk.len() == CHUNK_LINES {
            if chunks.send((seq, std::mem::take(&mut chunk))).is_err() {
                return Ok(());
            }
            seq += 1;
        }
    }
    if !chunk.is_empty() {
        let _ = chunks.send((seq, chunk));
    }
    Ok(())
}

/// Processes chunks until there are no more.
fn work(
    chunks: &Mutex<Receiver<Chunk>>,
    done: &SyncSender<(usize, Vec<Done>)>,
    ingest: &Ingest,
    received: DateTime<Utc>,
    explain: bool,
) {
    let limits = Limits::default();
    loop {
        let next = match chunks.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok((seq, lines)) = next else { return };
        let out =
            lines.into_iter().map(|(line_no, bytes)| one_line(line_no, &bytes, ingest, received, explain, &limits));
        if done.send((seq, out.collect())).is_err() {
            return;
        }
    }
}

/// One input line through loginput's checks and the pipeline.
fn one_line(
    line_no: usize,
    bytes: &[u8],
    ingest: &Ingest,
    received: DateTime<Utc>,
    explain: bool,
    limits: &Limits,
) -> Done {
    let report = |message: String| Done { line_no, line: Line::Report(message), explain: Vec::new() };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return report(format!("line {line_no}: not valid UTF-8 (bad byte at offset {})", e.valid_up_to())),
    };
    let event = match parse_line(text, limits) {
        Ok(Some(event)) => event,
        Ok(None) => return Done { line_no, line: Line::Skipped, explain: Vec::new() },
        Err(e) => return report(format!("line {line_no}: refused as loginput refuses it: {e}")),
    };
    let mut notes = Vec::new();
    let processed = if explain {
        let (processed, actions) = ingest.explain_event(event, received);
        let steps: Vec<String> = actions.iter().map(|a| format!("{} ({})", a.plugin, a.effect.as_str())).collect();
        let steps = if steps.is_empty() { "offered to no plugin".to_owned() } else { steps.join(", ") };
        notes.push(format!("line {line_no}: {steps}"));
        processed
    } else {
        ingest.process_event(event, received)
    };
    let line = match processed {
        Processed::Event { event, metadata } => {
            if explain && (metadata.index != "events" || metadata.id.is_some()) {
                let id = metadata.id.as_deref().unwrap_or("the record's own id");
                notes.push(format!("line {line_no}: stored in index {:?} under {id}", metadata.index));
            }
            match serde_json::to_string(&event) {
                Ok(json) => Line::Document(json),
                Err(e) => Line::Report(format!("line {line_no}: the document does not serialize: {e}")),
            }
        }
        Processed::Dropped { plugin } => Line::Report(format!("line {line_no}: dropped by plugin {plugin}")),
        Processed::Quarantined { reason, .. } => Line::Report(format!("line {line_no}: quarantined: {reason}")),
    };
    Done { line_no, line, explain: notes }
}

/// Writes the processed chunks in input order: documents to standard output, reports to
/// standard error.
fn write_in_order(done: &Receiver<(usize, Vec<Done>)>) -> anyhow::Result<Counts> {
    let mut stdout = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    // Not locked for the whole run: the workers' log lines go to standard error too.
    let mut stderr = BufWriter::new(std::io::stderr());
    let mut waiting: BTreeMap<usize, Vec<Done>> = BTreeMap::new();
    let mut next = 0;
    let mut counts = Counts::default();
    for (seq, chunk) in done {
        waiting.insert(seq, chunk);
        while let Some(chunk) = waiting.remove(&next) {
            for done in chunk {
                counts.lines = done.line_no;
                for note in done.explain {
                    writeln!(stderr, "{note}")?;
                }
                match done.line {
                    Line::Document(json) => {
                        counts.documents += 1;
                        stdout.write_all(json.as_bytes())?;
                        stdout.write_all(b"\n")?;
                    }
                    Line::Report(message) => {
                        counts.reported += 1;
                        // Reports go out in step with the documents around them.
                        stdout.flush()?;
                        writeln!(stderr, "{message}")?;
                    }
                    Line::Skipped => {}
                }
            }
            next += 1;
        }
    }
    stdout.flush()?;
    stderr.flush()?;
    Ok(counts)
}
