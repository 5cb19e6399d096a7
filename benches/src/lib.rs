//! What the benches in `benches/` share (`scripts/bench-alerts` runs `catalogue`,
//! `scripts/bench-opensearch` runs `bulk`): settings from the environment, the deterministic
//! shipper corpus (`../shared/bench/gen_corpus.py`) normalised to MozDef events as loginput
//! would (or run through the whole ingest path with its plugins, for `src/bin/search_fixture.rs`),
//! and counting what a store holds afterwards. Benchmarks are never part of the tests.

use std::path::Path;

use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_pipeline::{NormalizeContext, Processed, normalize};
use mozdef_query::SearchQuery;
use mozdef_service::Ingest;
use mozdef_store::{EventStore, SearchRequest};

/// The value of the environment variable `name`, parsed; `None` when unset or blank.
///
/// # Panics
///
/// When the value does not parse (a bench setting that is wrong stops the bench).
pub fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    let text = std::env::var(name).ok().filter(|v| !v.trim().is_empty())?;
    match text.trim().parse() {
        Ok(v) => Some(v),
        Err(_) => panic!("{name}={text:?} does not parse"),
    }
}

/// The `--name value` pairs of a bench binary's command line; errors carry its usage text.
#[derive(Debug)]
pub struct Flags {
    values: std::collections::HashMap<String, String>,
    usage: &'static str,
}

impl Flags {
    /// The flags of `args`, each one of `allowed`; `--help` answers the usage.
    pub fn parse(
        mut args: impl Iterator<Item = String>,
        allowed: &[&str],
        usage: &'static str,
    ) -> Result<Flags, String> {
        let mut values = std::collections::HashMap::new();
        while let Some(flag) = args.next() {
            if flag == "--help" || flag == "-h" {
                return Err(usage.to_owned());
            }
            let name = flag.strip_prefix("--").filter(|name| allowed.contains(name));
            let Some(name) = name else { return Err(format!("unknown argument {flag:?}\n{usage}")) };
            let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{usage}"))?;
            values.insert(name.to_owned(), value);
        }
        Ok(Flags { values, usage })
    }

    /// The value of `--name`, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `--name`, which must be given.
    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.text(name).ok_or_else(|| format!("--{name} is required\n{}", self.usage))
    }

    /// The value of `--name` as a whole number (`_` allowed between digits), if given.
    pub fn number(&self, name: &str) -> Result<Option<u64>, String> {
        self.text(name)
            .map(|v| v.replace('_', "").parse::<u64>().map_err(|e| format!("--{name} {v:?}: {e}")))
            .transpose()
    }
}

/// One corpus line normalised to a MozDef event.
#[derive(Debug, Clone)]
pub struct CorpusEvent {
    /// The line's position among the corpus's non-blank lines (for deterministic ids).
    pub line: usize,
    /// When loginput received it.
    pub received: DateTime<Utc>,
    /// The normalised event.
    pub source: Document,
}

/// Reads the NDJSON corpus at `path` (its first `limit` non-blank lines, or all) and
/// normalises each line as received at `received(line, lines)`; lines that are not JSON
/// objects are skipped and counted on stderr.
///
/// # Panics
///
/// When the corpus cannot be read.
pub fn load_corpus(
    path: &Path,
    limit: Option<usize>,
    received: impl Fn(usize, usize) -> DateTime<Utc>,
) -> Vec<CorpusEvent> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(limit.unwrap_or(usize::MAX)).collect();
    let mut skipped = 0;
    let mut events = Vec::with_capacity(lines.len());
    for (line, text) in lines.iter().enumerate() {
        let at = received(line, lines.len());
        let ctx = NormalizeContext { received: at, mozdefhostname: "bench.mozdef".to_owned() };
        let Ok(raw) = serde_json::from_str(text) else {
            skipped += 1;
            continue;
        };
        match normalize(raw, &ctx) {
            Ok(source) => events.push(CorpusEvent { line, received: at, source }),
            Err(_) => skipped += 1,
        }
    }
    if skipped > 0 {
        eprintln!("{skipped} corpus lines skipped (not JSON objects)");
    }
    events
}

/// Reads the NDJSON corpus at `path` (its first `limit` non-blank lines, or all) and runs each
/// line through the whole ingest path of `ingest` (key mapping, the plugin chain, MozDef's
/// save-time defaults: what `mozdef dev` stores) as received at `received(line, lines)`.
/// Only the events bound for the daily event indices are kept; lines that are not JSON
/// objects, events a plugin drops or quarantines, and events a plugin routes to another
/// index are left out and counted on stderr.
///
/// # Panics
///
/// When the corpus cannot be read.
pub fn process_corpus(
    path: &Path,
    limit: Option<usize>,
    ingest: &Ingest,
    received: impl Fn(usize, usize) -> DateTime<Utc>,
) -> Vec<CorpusEvent> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(limit.unwrap_or(usize::MAX)).collect();
    let (mut not_objects, mut dropped, mut quarantined, mut elsewhere) = (0, 0, 0, 0);
    let mut events = Vec::with_capacity(lines.len());
    for (line, text) in lines.iter().enumerate() {
        let at = received(line, lines.len());
        let Ok(raw) = serde_json::from_str::<Document>(text) else {
            not_objects += 1;
            continue;
        };
        match ingest.process_event(raw, at) {
            Processed::Event { event, metadata } if metadata.index == "events" => {
                events.push(CorpusEvent { line, received: at, source: event });
            }
            Processed::Event { .. } => elsewhere += 1,
            Processed::Dropped { .. } => dropped += 1,
            Processed::Quarantined { .. } => quarantined += 1,
        }
    }
    if not_objects + dropped + quarantined + elsewhere > 0 {
        eprintln!(
            "corpus lines left out: {not_objects} not JSON objects, {dropped} dropped by a plugin, \
             {quarantined} quarantined, {elsewhere} routed to another index"
        );
    }
    events
}

/// How many events the daily indices of `store` hold, by search (`None` when it fails).
pub async fn count_events(store: &dyn EventStore, now: DateTime<Utc>) -> Option<u64> {
    let indices = vec!["events-*".to_owned()];
    let query = SearchQuery::new(None);
    store.search(SearchRequest { indices: &indices, query: &query, size: 0, now }).await.ok()?.total
}
