//! Scenario parity: the JSON scenario files of `tests/fixtures/scenarios/` (repository root)
//! run on any [`EventStore`], so that every backend gives the same answers — the answers
//! MozDef on Elasticsearch gives for its mapping.
//!
//! A scenario file holds a frozen `now`, the `events` to index (`id`, concrete `index`,
//! `source`) and `cases`, each a search (`indices`, `query`, optional `size`) with its
//! expected answer:
//!
//! ```json
//! {
//!   "description": "what the scenario is about",
//!   "now": "2026-11-23T12:00:00+00:00",
//!   "events": [{"id": "a1", "index": "events-20261123", "source": {"category": "x"}}],
//!   "cases": [{
//!     "name": "keyword is exact",
//!     "indices": ["events-*"],
//!     "query": {"window_minutes": 15, "must": [{"term": {"field": "category", "value": "x"}}],
//!               "must_not": [], "should": [], "aggregations": [{"field": "category", "size": 20}]},
//!     "size": 100,
//!     "expect": {"ids": ["a1"], "total": 1, "aggregations": {"category": [{"key": "x", "count": 1}]}}
//!   }]
//! }
//! ```
//!
//! * `expect.ids`: the ids of the hits, sorted (a set comparison); `expect.order`: the ids in
//!   hit order (newest `utctimestamp` first), for scenarios whose timestamps are distinct;
//!   `expect.total`: the total (default: the number of `ids`); `expect.aggregations`: the
//!   buckets per aggregated field; `expect.error: true`: the query must be refused (when it is
//!   compiled or run).
//! * `size` defaults to 100, `query` to an empty query, `window_minutes` to no window,
//!   `aggregations[].size` to 20.
//!
//! The JSON form of a matcher (one key per object):
//!
//! | JSON | [`Match`] |
//! |---|---|
//! | `{"term": {"field": f, "value": v}}` | `Term` |
//! | `{"terms": {"field": f, "values": [v, ...]}}` | `Terms` |
//! | `{"phrase": {"field": f, "phrase": p}}` | `Phrase` |
//! | `{"wildcard": {"field": f, "pattern": p}}` | `Wildcard` |
//! | `{"query_string": "text"}` | `QueryString` |
//! | `{"exists": f}` / `{"missing": f}` | `Exists` / `Missing` |
//! | `{"range": {"field": f, "gte": v, "lte": v}}` (either bound optional) | `Range` |
//! | `{"less_than": {"field": f, "value": v}}` | `LessThan` |
//! | `{"subnet": {"field": f, "cidr": c}}` | `Subnet` |
//! | `{"bool": {"must": [...], "must_not": [...], "should": [...]}}` | `Boolean` |
//!
//! A backend's test calls [`run_all`] with a function that opens a fresh, empty store; each
//! scenario file gets its own store. Every failure names the file and the case and shows the
//! expected and the actual answer; all failures are reported together. Set
//! `MOZDEF_SCENARIO=<file stem>` to run one scenario.

use std::fmt::Write as _;
use std::future::Future;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use mozdef_model::Document;
use mozdef_query::{Aggregation, BoolQuery, IpNetwork, Match, QueryString, SearchQuery, SearchResults};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{EventStore, IndexRequest, ItemOutcome, SearchRequest};

/// The directory of the scenario files.
pub fn scenario_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/scenarios"))
}

/// The scenario files, sorted by name (only `MOZDEF_SCENARIO`'s when that is set).
pub fn scenario_files() -> Vec<PathBuf> {
    let dir = scenario_dir();
    let only = std::env::var("MOZDEF_SCENARIO").ok().filter(|s| !s.trim().is_empty());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the scenario directory {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| only.as_deref().is_none_or(|o| p.file_stem().is_some_and(|s| s == o)))
        .collect();
    files.sort();
    files
}

/// Runs every scenario file, each on a fresh store from `open` (which yields the store and
/// anything that must live as long as it), and panics with every failure if any case fails.
pub async fn run_all<F, Fut, S, G>(mut open: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = (S, G)>,
    S: EventStore,
{
    let files = scenario_files();
    assert!(!files.is_empty(), "no scenario files in {}", scenario_dir().display());
    let mut failures = Vec::new();
    let mut cases = 0;
    for path in &files {
        let (store, guard) = open().await;
        let outcome = run_scenario(&store, path).await;
        cases += outcome.cases;
        failures.extend(outcome.failures);
        drop(store);
        drop(guard);
    }
    if !failures.is_empty() {
        panic!(
            "{} of {cases} scenario cases failed ({} files):\n\n{}",
            failures.len(),
            files.len(),
            failures.join("\n\n")
        );
    }
}

/// What running one scenario file gave.
#[derive(Debug, Default)]
pub struct ScenarioOutcome {
    /// How many cases ran.
    pub cases: usize,
    /// One message per failed case (or per problem loading the scenario).
    pub failures: Vec<String>,
}

/// Loads the scenario file at `path` into `store` (which should be empty) and runs its
/// cases.
pub async fn run_scenario(store: &dyn EventStore, path: &Path) -> ScenarioOutcome {
    let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut outcome = ScenarioOutcome::default();
    let scenario = match read_scenario(path) {
        Ok(s) => s,
        Err(e) => {
            outcome.failures.push(format!("scenario {file}: {e}"));
            return outcome;
        }
    };
    let now = match DateTime::parse_from_rfc3339(&scenario.now) {
        Ok(t) => t.with_timezone(&Utc),
        Err(e) => {
            outcome.failures.push(format!("scenario {file}: `now` {:?} is not RFC 3339: {e}", scenario.now));
            return outcome;
        }
    };
    if let Err(e) = load(store, &scenario.events).await {
        outcome.failures.push(format!("scenario {file}: loading the events: {e}"));
        return outcome;
    }
    for case in &scenario.cases {
        outcome.cases += 1;
        if let Err(message) = run_case(store, case, now).await {
            outcome.failures.push(format!("scenario {file}, case {:?}: {message}", case.name));
        }
    }
    outcome
}

// ---------------------------------------------------------------------------------------
// The file format
// ---------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    #[serde(default)]
    #[allow(dead_code)]
    description: String,
    now: String,
    events: Vec<EventSpec>,
    cases: Vec<CaseSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventSpec {
    id: String,
    index: String,
    source: Document,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: String,
    indices: Vec<String>,
    #[serde(default)]
    query: QuerySpec,
    #[serde(default = "default_size")]
    size: usize,
    expect: Expect,
}

fn default_size() -> usize {
    100
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuerySpec {
    #[serde(default)]
    window_minutes: Option<i64>,
    #[serde(default)]
    must: Vec<Value>,
    #[serde(default)]
    must_not: Vec<Value>,
    #[serde(default)]
    should: Vec<Value>,
    #[serde(default)]
    aggregations: Vec<AggregationSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AggregationSpec {
    field: String,
    #[serde(default = "default_aggregation_size")]
    size: usize,
}

fn default_aggregation_size() -> usize {
    20
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    order: Option<Vec<String>>,
    #[serde(default)]
    total: Option<u64>,
    #[serde(default)]
    aggregations: Option<Map<String, Value>>,
    #[serde(default)]
    error: bool,
}

fn read_scenario(path: &Path) -> Result<ScenarioFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    let scenario: ScenarioFile = serde_json::from_str(&text).map_err(|e| format!("does not parse: {e}"))?;
    for case in &scenario.cases {
        let mut sorted = case.expect.ids.clone();
        sorted.sort();
        if sorted != case.expect.ids {
            return Err(format!("case {:?}: expect.ids must be sorted: {:?}", case.name, case.expect.ids));
        }
    }
    Ok(scenario)
}

/// Parses the JSON form of a matcher (see the module documentation).
pub fn parse_match(value: &Value) -> Result<Match, String> {
    let Some((kind, body)) = value.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
        return Err(format!("a matcher is an object with one key, not {value}"));
    };
    let field = || -> Result<String, String> {
        body.get("field").and_then(Value::as_str).map(str::to_owned).ok_or_else(|| format!("{kind}: no \"field\""))
    };
    let get = |key: &str| body.get(key).cloned().ok_or_else(|| format!("{kind}: no {key:?}"));
    let text = |key: &str| -> Result<String, String> {
        body.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| format!("{kind}: no string {key:?}"))
    };
    let list = |key: &str| -> Result<Vec<Match>, String> {
        match body.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items.iter().map(parse_match).collect(),
            Some(other) => Err(format!("bool: {key:?} must be a list, not {other}")),
        }
    };
    Ok(match kind.as_str() {
        "term" => Match::Term { field: field()?, value: get("value")? },
        "terms" => match get("values")? {
            Value::Array(values) => Match::Terms { field: field()?, values },
            other => return Err(format!("terms: \"values\" must be a list, not {other}")),
        },
        "phrase" => Match::Phrase { field: field()?, phrase: text("phrase")? },
        "wildcard" => Match::Wildcard { field: field()?, pattern: text("pattern")? },
        "query_string" => {
            let query = body.as_str().ok_or_else(|| format!("query_string: a string, not {body}"))?;
            Match::QueryString(QueryString::parse(query).map_err(|e| format!("query string {query:?}: {e}"))?)
        }
        "exists" | "missing" => {
            let field = body.as_str().ok_or_else(|| format!("{kind}: a field name, not {body}"))?.to_owned();
            if kind == "exists" { Match::Exists { field } } else { Match::Missing { field } }
        }
        "range" => Match::Range {
            field: field()?,
            gte: body.get("gte").cloned().filter(|v| !v.is_null()),
            lte: body.get("lte").cloned().filter(|v| !v.is_null()),
        },
        "less_than" => Match::LessThan { field: field()?, value: get("value")? },
        "subnet" => {
            let cidr = text("cidr")?;
            let network = IpNetwork::parse(&cidr).map_err(|e| format!("subnet {cidr:?}: {e}"))?;
            Match::Subnet { field: field()?, network }
        }
        "bool" => {
            Match::Boolean(BoolQuery { must: list("must")?, must_not: list("must_not")?, should: list("should")? })
        }
        other => return Err(format!("unknown matcher {other:?}")),
    })
}

fn build_query(spec: &QuerySpec) -> Result<SearchQuery, String> {
    let list = |ms: &[Value]| ms.iter().map(parse_match).collect::<Result<Vec<_>, _>>();
    Ok(SearchQuery {
        window: spec.window_minutes.map(Duration::minutes),
        query: BoolQuery { must: list(&spec.must)?, must_not: list(&spec.must_not)?, should: list(&spec.should)? },
        aggregations: spec.aggregations.iter().map(|a| Aggregation { field: a.field.clone(), size: a.size }).collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

async fn load(store: &dyn EventStore, events: &[EventSpec]) -> Result<(), String> {
    let requests: Vec<IndexRequest> = events
        .iter()
        .map(|e| IndexRequest { index: e.index.clone(), id: e.id.clone(), source: e.source.clone() })
        .collect();
    let outcomes = store.index(&requests).await.map_err(|e| format!("the batch failed: {e}"))?;
    let refused: Vec<String> = outcomes
        .iter()
        .zip(events)
        .filter(|(o, _)| **o != ItemOutcome::Indexed)
        .map(|(o, e)| format!("event {} ({}): {o:?}", e.id, e.index))
        .collect();
    if !refused.is_empty() {
        return Err(format!("not indexed:\n  {}", refused.join("\n  ")));
    }
    store.refresh().await.map_err(|e| format!("refresh failed: {e}"))
}

async fn run_case(store: &dyn EventStore, case: &CaseSpec, now: DateTime<Utc>) -> Result<(), String> {
    let built = build_query(&case.query).and_then(|q| q.compile().map(|_| q).map_err(|e| e.to_string()));
    let query = match (built, case.expect.error) {
        (Ok(q), _) => q,
        (Err(_), true) => return Ok(()),
        (Err(e), false) => return Err(format!("the query does not build: {e}")),
    };
    let request = SearchRequest { indices: &case.indices, query: &query, size: case.size, now };
    let results = match (store.search(request).await, case.expect.error) {
        (Err(_), true) => return Ok(()),
        (Ok(r), true) => {
            return Err(format!("expected an error, got the ids {:?}", sorted_ids(&r)));
        }
        (Err(e), false) => return Err(format!("the search failed: {e}")),
        (Ok(r), false) => r,
    };
    compare(case, &results)
}

fn sorted_ids(results: &SearchResults) -> Vec<String> {
    let mut ids: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
    ids.sort();
    ids
}

fn compare(case: &CaseSpec, results: &SearchResults) -> Result<(), String> {
    let mut problems = String::new();
    let ids = sorted_ids(results);
    if ids != case.expect.ids {
        let _ = write!(problems, "\n  ids\n    expected: {:?}\n    actual:   {ids:?}", case.expect.ids);
    }
    if let Some(order) = &case.expect.order {
        let actual: Vec<&str> = results.hits.iter().map(|h| h.id.as_str()).collect();
        if actual != *order {
            let _ = write!(problems, "\n  hit order\n    expected: {order:?}\n    actual:   {actual:?}");
        }
    }
    let total = case.expect.total.unwrap_or(case.expect.ids.len() as u64);
    if results.total != Some(total) {
        let _ = write!(problems, "\n  total\n    expected: {total}\n    actual:   {:?}", results.total);
    }
    match (&case.expect.aggregations, &results.aggregations) {
        (None, None) => {}
        (None, Some(actual)) if case.query.aggregations.is_empty() => {
            let _ = write!(problems, "\n  aggregations: none asked for, got {}", Value::Object(actual.clone()));
        }
        (None, Some(_)) => {}
        (Some(expected), actual) => {
            let empty = Map::new();
            let actual = actual.as_ref().unwrap_or(&empty);
            let mut fields: Vec<&String> = expected.keys().chain(actual.keys()).collect();
            fields.sort();
            fields.dedup();
            for field in fields {
                let want = expected.get(field).cloned().unwrap_or(Value::Null);
                let got = actual.get(field).map_or(Value::Null, |a| a.get("terms").cloned().unwrap_or(Value::Null));
                if want != got {
                    let _ = write!(problems, "\n  aggregation {field}\n    expected: {want}\n    actual:   {got}");
                }
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}
