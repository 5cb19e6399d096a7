//! The alerts' facets: for the triage table's filters (`category`, `severity`, `status`,
//! `acknowledgedby`, `identityConfidence`, the text `q`, the window on `utctimestamp`), how
//! many alerts match by category, by severity and by status, and how many fall in each of a
//! number of equal intervals of the window — what MozDef's alerts page drew with dc.js (a
//! category ring, a severity ring, a volume bar chart that cross-filter).
//!
//! The matching alerts are read newest first through the list's keyset scan and filters
//! ([`Records::scan_selected`]), a chunk of at most 1,000 records in memory at a time, at most
//! [`MAX_FACET_SCAN`] records in all (then `truncated`). Besides the counts, a facet request
//! keeps one time (8 bytes) per matching alert, since the window's start may be the oldest
//! matching alert, known only at the end.

use std::collections::HashMap;
use std::ops::ControlFlow;

use chrono::{DateTime, Utc};
use mozdef_store::Record;
use serde_json::{Value, json};

use super::{Collection, Records, ScanEnd, Selection, fields};
use crate::ServiceError;

/// The most records one facet request reads.
pub const MAX_FACET_SCAN: usize = 100_000;
/// The most histogram intervals.
pub const MAX_BUCKETS: usize = 200;
/// The histogram intervals when the request names none.
pub const DEFAULT_BUCKETS: usize = 48;
/// Records read per round trip.
const CHUNK: usize = 1000;
/// The key a missing (or null, or empty) status counts under: an alert no one triaged yet.
pub const NEW_STATUS: &str = "new";

/// One facet request: the triage list's filters, without its page (`limit`, `cursor`).
#[derive(Debug, Clone)]
pub struct FacetRequest {
    /// A case-insensitive text to find in `summary`, `category` or `severity`.
    pub text: Option<String>,
    /// `(field, value)` equalities, each on one of the alerts' filter fields.
    pub filters: Vec<(String, String)>,
    /// Only alerts at or after this (`utctimestamp`, the sort key).
    pub since: Option<DateTime<Utc>>,
    /// Only alerts at or before this.
    pub until: Option<DateTime<Utc>>,
    /// How many equal intervals the histogram has (1..=[`MAX_BUCKETS`]).
    pub buckets: usize,
}

impl Default for FacetRequest {
    fn default() -> Self {
        FacetRequest { text: None, filters: Vec::new(), since: None, until: None, buckets: DEFAULT_BUCKETS }
    }
}

/// How many matching alerts have one value of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    /// The value (`""` for a missing one; for the status, [`NEW_STATUS`]).
    pub key: String,
    /// How many alerts have it.
    pub count: usize,
}

/// The matching alerts over time: `counts[i]` alerts from `start + i·interval` up to (not
/// including) `start + (i+1)·interval`; the last interval also holds the alerts at `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    /// The window's start: `since` (or `minutes` ago), else the oldest matching alert.
    pub start: DateTime<Utc>,
    /// The window's end: `until`; else, with a start given, now (or the newest matching alert
    /// when it is later); else the newest matching alert.
    pub end: DateTime<Utc>,
    /// Each interval's length: the window over the intervals, rounded up to whole seconds,
    /// at least 1.
    pub interval_seconds: u64,
    /// How many alerts fall in each interval (as many as the request's buckets).
    pub counts: Vec<usize>,
}

/// The facets of the alerts matching a [`FacetRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facets {
    /// How many alerts matched (among those read).
    pub total: usize,
    /// How many alerts were read.
    pub scanned: usize,
    /// Whether the reading stopped at [`MAX_FACET_SCAN`] records with more in the window
    /// (the counts are then those of the newest alerts).
    pub truncated: bool,
    /// Counts by `category`, most first, then by key.
    pub category: Vec<FacetCount>,
    /// Counts by `severity`, most first, then by key.
    pub severity: Vec<FacetCount>,
    /// Counts by `status` (missing: [`NEW_STATUS`]), most first, then by key.
    pub status: Vec<FacetCount>,
    /// The matching alerts over the window.
    pub histogram: Histogram,
}

impl Facets {
    /// `{"total", "scanned", "truncated", "category": [{"key", "count"}], "severity", "status",
    /// "histogram": {"start", "end", "intervalSeconds", "counts"}}`.
    pub fn to_value(&self) -> Value {
        let counts = |counts: &[FacetCount]| -> Value {
            counts.iter().map(|c| json!({"key": c.key, "count": c.count})).collect()
        };
        json!({
            "total": self.total,
            "scanned": self.scanned,
            "truncated": self.truncated,
            "category": counts(&self.category),
            "severity": counts(&self.severity),
            "status": counts(&self.status),
            "histogram": {
                "start": fields::timestamp(&self.histogram.start),
                "end": fields::timestamp(&self.histogram.end),
                "intervalSeconds": self.histogram.interval_seconds,
                "counts": self.histogram.counts,
            },
        })
    }
}

/// The counts of the alerts read so far.
#[derive(Debug, Default)]
struct Tally {
    total: usize,
    category: HashMap<String, usize>,
    severity: HashMap<String, usize>,
    status: HashMap<String, usize>,
    /// Each matching alert's time (microseconds since the epoch).
    times: Vec<i64>,
}

impl Tally {
    fn add(&mut self, record: &Record) {
        self.total += 1;
        count(&mut self.category, record.data.get("category"), "");
        count(&mut self.severity, record.data.get("severity"), "");
        count(&mut self.status, record.data.get("status"), NEW_STATUS);
        if let Some(at) = fields::parse_date(&record.sort) {
            self.times.push(at.timestamp_micros());
        }
    }
}

/// Counts `value` once: a string as itself, a list's distinct members each (as the filters
/// match a member), another value as its JSON text; missing, null, empty: `missing`.
fn count(counts: &mut HashMap<String, usize>, value: Option<&Value>, missing: &str) {
    let mut bump = |key: &str| match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_owned(), 1);
        }
    };
    match value {
        None | Some(Value::Null) => bump(missing),
        Some(Value::String(s)) if s.is_empty() => bump(missing),
        Some(Value::String(s)) => bump(s),
        Some(Value::Array(items)) if items.is_empty() => bump(missing),
        Some(Value::Array(items)) => {
            let mut keys: Vec<String> = items.iter().map(key_of).collect();
            keys.sort();
            keys.dedup();
            keys.iter().for_each(|k| bump(k));
        }
        Some(other) => bump(&other.to_string()),
    }
}

fn key_of(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

/// `counts` most first, then by key.
fn sorted(counts: HashMap<String, usize>) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts.into_iter().map(|(key, count)| FacetCount { key, count }).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The histogram of `times` (microseconds) in `buckets` intervals over the window (see
/// [`Histogram`]); times outside it are left out.
fn histogram(
    times: &[i64],
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    buckets: usize,
) -> Histogram {
    let micros = |t: DateTime<Utc>| t.timestamp_micros();
    let newest = times.iter().copied().max();
    let oldest = times.iter().copied().min();
    let end = match (since, until) {
        (_, Some(until)) => micros(until),
        (Some(_), None) => newest.map_or(micros(now), |n| n.max(micros(now))),
        (None, None) => newest.unwrap_or(micros(now)),
    };
    let start = since.map(micros).or(oldest).unwrap_or(end);
    let end = end.max(start);
    let span = u64::try_from(end - start).unwrap_or_default();
    let buckets = buckets.max(1);
    let interval_seconds = span.div_ceil(buckets as u64 * 1_000_000).max(1);
    let width = i64::try_from(interval_seconds.saturating_mul(1_000_000)).unwrap_or(i64::MAX);
    let mut counts = vec![0; buckets];
    for &t in times.iter().filter(|&&t| (start..=end).contains(&t)) {
        let index = usize::try_from((t - start) / width).unwrap_or(usize::MAX).min(buckets - 1);
        counts[index] += 1;
    }
    let at = |t: i64| DateTime::from_timestamp_micros(t).unwrap_or(now);
    Histogram { start: at(start), end: at(end), interval_seconds, counts }
}

impl Records {
    /// The facets of the alerts' triage copies matching `request` (the triage list's filters,
    /// checked as the list checks them; `buckets` 1..=[`MAX_BUCKETS`]): the matching alerts
    /// read newest first in chunks, at most [`MAX_FACET_SCAN`].
    pub async fn alert_facets(&self, request: &FacetRequest) -> Result<Facets, ServiceError> {
        if !(1..=MAX_BUCKETS).contains(&request.buckets) {
            return Err(ServiceError::invalid("buckets", format!("must be between 1 and {MAX_BUCKETS}")));
        }
        let selection = Selection::new(
            Collection::Alerts,
            &request.filters,
            request.text.as_deref(),
            request.since,
            request.until,
        )?;
        let mut tally = Tally::default();
        let read = self
            .scan_selected(&selection, None, CHUNK, MAX_FACET_SCAN, |record| {
                tally.add(record);
                ControlFlow::Continue(())
            })
            .await?;
        let truncated = read.end == ScanEnd::Bounded && self.more_after(&selection, read.after.as_ref()).await?;
        let histogram = histogram(&tally.times, request.since, request.until, self.now(), request.buckets);
        Ok(Facets {
            total: tally.total,
            scanned: read.scanned,
            truncated,
            category: sorted(tally.category),
            severity: sorted(tally.severity),
            status: sorted(tally.status),
            histogram,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, m, s).single().unwrap_or_default()
    }

    fn micros(times: &[DateTime<Utc>]) -> Vec<i64> {
        times.iter().map(DateTime::timestamp_micros).collect()
    }

    #[test]
    fn counts_are_sorted_most_first_then_by_key_and_missing_status_is_new() {
        let mut counts = HashMap::new();
        for value in [json!("b"), json!("a"), json!("b"), json!(["a", "a", "c"]), json!(3), json!([])] {
            count(&mut counts, Some(&value), NEW_STATUS);
        }
        count(&mut counts, None, NEW_STATUS);
        count(&mut counts, Some(&Value::Null), NEW_STATUS);
        count(&mut counts, Some(&json!("")), NEW_STATUS);
        let sorted = sorted(counts);
        let pairs: Vec<(&str, usize)> = sorted.iter().map(|c| (c.key.as_str(), c.count)).collect();
        assert_eq!(pairs, [("new", 4), ("a", 2), ("b", 2), ("3", 1), ("c", 1)]);
    }

    #[test]
    fn the_window_is_the_request_or_the_alerts_and_the_interval_rounds_up() {
        let now = at(12, 0, 0);
        // Neither bound: from the oldest to the newest alert; 100 s over 48 intervals: 3 s.
        let times = micros(&[at(11, 1, 40), at(11, 0, 1), at(11, 0, 0)]);
        let h = histogram(&times, None, None, now, 48);
        assert_eq!((h.start, h.end, h.interval_seconds), (at(11, 0, 0), at(11, 1, 40), 3));
        assert_eq!(h.counts.len(), 48);
        assert_eq!((h.counts[0], h.counts[33], h.counts.iter().sum::<usize>()), (2, 1, 3), "{:?}", h.counts);

        // A start given: up to now; 60 minutes over 4 intervals of 900 s.
        let times = micros(&[at(11, 59, 59), at(11, 30, 0), at(11, 14, 59), at(11, 0, 0)]);
        let h = histogram(&times, Some(at(11, 0, 0)), None, now, 4);
        assert_eq!((h.start, h.end, h.interval_seconds, h.counts.clone()), (at(11, 0, 0), now, 900, vec![2, 0, 1, 1]));

        // Both given: an alert at the end falls in the last interval.
        let times = micros(&[at(11, 10, 0), at(11, 5, 0)]);
        let h = histogram(&times, Some(at(11, 0, 0)), Some(at(11, 10, 0)), now, 2);
        assert_eq!((h.interval_seconds, h.counts.clone()), (300, vec![0, 2]));

        // Only the end given: from the oldest alert.
        let h = histogram(&times, None, Some(at(11, 15, 0)), now, 5);
        assert_eq!(
            (h.start, h.end, h.interval_seconds, h.counts.clone()),
            (at(11, 5, 0), at(11, 15, 0), 120, vec![1, 0, 1, 0, 0])
        );

        // One alert, or none: at least one second.
        let h = histogram(&micros(&[at(11, 0, 0)]), None, None, now, 48);
        assert_eq!((h.start, h.end, h.interval_seconds, h.counts[0]), (at(11, 0, 0), at(11, 0, 0), 1, 1));
        let h = histogram(&[], None, None, now, 3);
        assert_eq!((h.start, h.end, h.interval_seconds, h.counts.clone()), (now, now, 1, vec![0, 0, 0]));
        // A start after the end: an empty window at the start.
        let h = histogram(&[], Some(at(13, 0, 0)), Some(at(11, 0, 0)), now, 2);
        assert_eq!((h.start, h.end, h.interval_seconds), (at(13, 0, 0), at(13, 0, 0), 1));
    }
}
