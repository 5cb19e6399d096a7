//! Ranking of hits as MozDef's searches return them: newest `utctimestamp` first, documents
//! without a (well-formed) one last, ties by index then id — the order OpenSearch gives for
//! MozDef's sort, reproduced by every evaluator that walks documents itself (the embedded
//! store, the alert domain's in-memory test backend).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use chrono::{DateTime, Utc};

use crate::Hit;
use crate::eval::indexed_date;

/// The `size` best of the hits offered, in MozDef's order (see the module documentation),
/// kept in a bounded heap: a search matching millions of documents holds only `size` of
/// them, and still counts every match.
///
/// ```
/// use mozdef_query::{Hit, TopHits};
/// use serde_json::json;
///
/// let hit = |id: &str, at: &str| Hit {
///     id: id.into(),
///     index: "events-20170101".into(),
///     score: 1.0,
///     source: json!({"utctimestamp": at}).as_object().cloned().unwrap_or_default(),
/// };
/// let mut top = TopHits::new(2);
/// top.offer(hit("old", "2017-01-01T00:00:00+00:00"));
/// top.offer(hit("new", "2017-01-01T00:02:00+00:00"));
/// top.offer(hit("mid", "2017-01-01T00:01:00+00:00"));
/// let (total, hits) = top.finish();
/// assert_eq!(total, 3);
/// assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["new", "mid"]);
/// ```
#[derive(Debug)]
pub struct TopHits {
    size: usize,
    total: u64,
    heap: BinaryHeap<Reverse<Ranked>>,
}

/// A hit with its sort key; a greater `Ranked` comes first in the results.
#[derive(Debug)]
struct Ranked {
    utc: Option<DateTime<Utc>>,
    hit: Hit,
}

impl Ranked {
    fn key(&self) -> (Option<DateTime<Utc>>, Reverse<&str>, Reverse<&str>) {
        (self.utc, Reverse(self.hit.index.as_str()), Reverse(self.hit.id.as_str()))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl TopHits {
    /// Keeps at most `size` hits (0: only counts).
    pub fn new(size: usize) -> Self {
        TopHits { size, total: 0, heap: BinaryHeap::with_capacity(size.min(10_000) + 1) }
    }

    /// Counts one matching hit and keeps it if it is among the `size` best so far. Its
    /// `utctimestamp` is read as the `date` mapping indexes it ([`indexed_date`]).
    pub fn offer(&mut self, hit: Hit) {
        self.total += 1;
        if self.size == 0 {
            return;
        }
        let utc = hit.source.get("utctimestamp").and_then(indexed_date);
        self.heap.push(Reverse(Ranked { utc, hit }));
        if self.heap.len() > self.size {
            self.heap.pop();
        }
    }

    /// Counts `n` more matching hits that are not offered: a backend that ranks inside its
    /// index offers only the hits that can be among the best, and counts the others here.
    pub fn count_unseen(&mut self, n: u64) {
        self.total += n;
    }

    /// How many hits were offered.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The total number of hits offered and the kept hits, best first.
    pub fn finish(self) -> (u64, Vec<Hit>) {
        (self.total, self.heap.into_sorted_vec().into_iter().map(|Reverse(r)| r.hit).collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn hit(index: &str, id: &str, utc: Value) -> Hit {
        let source = json!({"utctimestamp": utc}).as_object().cloned().unwrap_or_default();
        Hit { id: id.into(), index: index.into(), score: 1.0, source }
    }

    fn ids(top: TopHits) -> (u64, Vec<String>) {
        let (total, hits) = top.finish();
        (total, hits.into_iter().map(|h| format!("{}/{}", h.index, h.id)).collect())
    }

    #[test]
    fn newest_first_then_index_then_id_missing_dates_last() {
        let mut top = TopHits::new(10);
        top.offer(hit("events-20170102", "b", json!("2017-01-01T00:00:00+00:00")));
        top.offer(hit("events-20170101", "z", json!(null)));
        top.offer(hit("events-20170101", "b", json!("2017-01-01T00:00:00+00:00")));
        top.offer(hit("events-20170101", "a", json!("2017-01-01T00:00:00+00:00")));
        top.offer(hit("events-20170101", "m", json!("not a date")));
        top.offer(hit("events-20170101", "n", json!(1483228860000_i64)));
        assert_eq!(
            ids(top),
            (
                6,
                [
                    "events-20170101/n",
                    "events-20170101/a",
                    "events-20170101/b",
                    "events-20170102/b",
                    "events-20170101/m",
                    "events-20170101/z"
                ]
                .map(String::from)
                .to_vec()
            )
        );
    }

    #[test]
    fn bounded_but_counts_everything() {
        let mut top = TopHits::new(2);
        for minute in 0..50 {
            top.offer(hit(
                "events-20170101",
                &format!("e{minute:02}"),
                json!(format!("2017-01-01T00:{minute:02}:00Z")),
            ));
        }
        assert_eq!(top.total(), 50);
        assert_eq!(ids(top), (50, vec!["events-20170101/e49".to_owned(), "events-20170101/e48".to_owned()]));
        let mut none = TopHits::new(0);
        none.offer(hit("events-20170101", "e", json!(null)));
        assert_eq!(ids(none), (1, Vec::new()));
    }
}
