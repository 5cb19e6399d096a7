//! Matching one leaf value against its compiled test ([`LeafTest`], built by `leaf`).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Ctx;
use crate::leaf::{DateSpan, LeafTest, StrTest, in_bounds};
use crate::mapping::{FieldType, boolean_value, ip_value, keyword_value, number_millis, string_date_millis};
use crate::network::ip_bits;
use crate::pattern::within_edits;

impl StrTest {
    fn matches(&self, s: &str) -> bool {
        match self {
            StrTest::Eq(e) => e == s,
            StrTest::OneOf(set) => set.binary_search_by(|x| x.as_str().cmp(s)).is_ok(),
            StrTest::Pattern(p) => p.regex.is_match(s),
            StrTest::Fuzzy(term, edits) => within_edits(term, s, *edits),
            StrTest::Range(lower, upper) => {
                in_bounds(s, lower.as_ref().map(String::as_str), upper.as_ref().map(String::as_str))
            }
        }
    }
}

impl DateSpan {
    /// Whether the instant `ms` lies within the span at `now` (never when a bound cannot
    /// resolve).
    fn contains(&self, ms: i64, now: DateTime<Utc>) -> bool {
        self.bounds(now).is_some_and(|(lo, hi)| lo <= ms && ms <= hi)
    }
}

impl LeafTest {
    /// Whether the leaf `v` passes.
    pub(crate) fn matches<'a>(&self, v: &'a Value, ctx: &Ctx<'a>) -> bool {
        match self {
            LeafTest::Never => false,
            LeafTest::Keyword(t) => keyword_value(v).is_some_and(|s| t.matches(&s)),
            LeafTest::Tokens(t) => ctx.tokens(v).iter().any(|tok| t.matches(tok)),
            LeafTest::Phrase(q, slop) => phrase_matches(&ctx.tokens(v), q, *slop),
            LeafTest::Ip(ranges) => ip_value(v).is_some_and(|ip| {
                let bits = ip_bits(ip);
                ranges.iter().any(|(lo, hi)| *lo <= bits && bits <= *hi)
            }),
            LeafTest::Date(spans) => {
                indexed_date_millis(v).is_some_and(|ms| spans.iter().any(|s| s.contains(ms, ctx.now)))
            }
            LeafTest::Bool(accepted) => boolean_value(v).is_some_and(|b| accepted[usize::from(b)]),
        }
    }
}

/// The instant a `date` field indexes for a stored value, in epoch milliseconds, read the
/// way MozDef's mapping declares its dates (`date_optional_time||epoch_millis`): RFC 3339 or
/// ISO 8601 strings (a missing zone is UTC), JSON numbers as epoch milliseconds. Anything
/// else is malformed: OpenSearch keeps it in `_source` but not in the index.
pub(crate) fn indexed_date_millis(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => string_date_millis(s),
        Value::Number(n) => number_millis(n),
        _ => None,
    }
}

/// Whether a stored leaf puts a value into the index of a field of type `ty`.
pub(crate) fn indexes(ty: FieldType, v: &Value) -> bool {
    match ty {
        FieldType::Keyword | FieldType::Text => keyword_value(v).is_some(),
        FieldType::Ip => ip_value(v).is_some(),
        FieldType::Date => indexed_date_millis(v).is_some(),
        FieldType::Boolean => boolean_value(v).is_some(),
        FieldType::GeoPoint => !v.is_null(),
    }
}

/// Whether the query tokens `q` occur in `doc` in order, with Lucene's slop: the positions
/// `p_i - i` of the matched terms span at most `slop`, each at a distinct position.
pub(crate) fn phrase_matches(doc: &[String], q: &[String], slop: u32) -> bool {
    if q.is_empty() || doc.len() < q.len() {
        return false;
    }
    if slop == 0 {
        return doc.windows(q.len()).any(|w| w == q);
    }
    sloppy_phrase_matches(doc, q, i64::from(slop))
}

/// A distinct query term: where it sits in the phrase and where it occurs in the document.
struct TermGroup {
    indices: Vec<i64>,
    positions: Vec<i64>,
}

fn sloppy_phrase_matches(doc: &[String], q: &[String], slop: i64) -> bool {
    let mut groups: Vec<(&str, TermGroup)> = Vec::new();
    for (i, term) in (0i64..).zip(q) {
        match groups.iter_mut().find(|(t, _)| *t == term.as_str()) {
            Some((_, g)) => g.indices.push(i),
            None => {
                let positions = (0i64..).zip(doc).filter(|(_, d)| *d == term).map(|(p, _)| p).collect();
                groups.push((term.as_str(), TermGroup { indices: vec![i], positions }));
            }
        }
    }
    if groups.iter().any(|(_, g)| g.positions.len() < g.indices.len()) {
        return false;
    }
    let mut starts: Vec<i64> = groups
        .iter()
        .flat_map(|(_, g)| g.indices.iter().flat_map(|i| g.positions.iter().map(move |p| p - i)))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts.into_iter().any(|s| groups.iter().all(|(_, g)| fits_window(g, s, s + slop)))
}

/// Whether every phrase index of the group gets its own document position `p` with
/// `p - index` in `[lo, hi]` (greedy: the windows are equally wide and in order).
fn fits_window(g: &TermGroup, lo: i64, hi: i64) -> bool {
    let mut next = 0;
    for &i in &g.indices {
        let Some(k) = g.positions[next..].iter().position(|&p| p - i >= lo) else { return false };
        let p = g.positions[next + k];
        if p - i > hi {
            return false;
        }
        next += k + 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        crate::mapping::analyze(s)
    }

    #[test]
    fn exact_phrases() {
        assert!(phrase_matches(&t("a b c d"), &t("b c"), 0));
        assert!(!phrase_matches(&t("a b c d"), &t("c b"), 0));
        assert!(!phrase_matches(&t("a b x c"), &t("b c"), 0));
        assert!(phrase_matches(&t("a b c"), &t("a b c"), 0));
        assert!(!phrase_matches(&t("a b"), &t("a b c"), 0));
    }

    #[test]
    fn sloppy_phrases() {
        assert!(phrase_matches(&t("a b x c"), &t("b c"), 1));
        assert!(!phrase_matches(&t("a b x y c"), &t("b c"), 1));
        assert!(phrase_matches(&t("a b x y c"), &t("b c"), 2));
        // Reversed terms need a slop of 2, as in Lucene.
        assert!(!phrase_matches(&t("b a"), &t("a b"), 1));
        assert!(phrase_matches(&t("b a"), &t("a b"), 2));
        // Repeated terms need distinct positions.
        assert!(!phrase_matches(&t("a x"), &t("a a"), 5));
        assert!(phrase_matches(&t("a x a"), &t("a a"), 1));
        assert!(!phrase_matches(&t("a x a"), &t("a a"), 0));
        assert!(phrase_matches(&t("a b a"), &t("a a b"), 2));
    }
}
