//! Index plans: what an inverted index can answer of a compiled query by itself.
//!
//! A backend indexes the [`IndexedDocument`] of every document ([`index_document`]): four term
//! fields ([`TermField`]) and the dates of the window fields. For a query it asks
//! [`CompiledQuery::index_plan`] for an [`IndexQuery`] — a tree of term look-ups, term ranges
//! (optionally filtered by the query's own pattern), date ranges and `and`/`or`/`not` — that
//! every matching document passes. Where the tree is [`IndexPlan::exact`], it is passed by
//! exactly the matching documents among those that are not [suspect](IndexedDocument::is_suspect),
//! so the backend counts and ranks those inside the index, loading only the documents it
//! returns, and evaluates the suspect ones (and everything of an inexact plan) with
//! [`CompiledQuery::matches`], which stays the judge of MozDef's semantics.
//!
//! | field | terms |
//! |---|---|
//! | [`TermField::Terms`] | [`crate::prefilter::index_terms`]: `path=value` of keyword, text (tokens), ip and boolean leaves |
//! | [`TermField::Typed`] | `path=<hex>` of ip (32 hex digits of the 128-bit address) and date leaves (16 hex digits, sign bit flipped): sorted as the values are, for ranges |
//! | [`TermField::Any`] | the same values without their path, tagged by type: `k` keyword, `t` token, `i` ip, `d` date, `b` boolean (`tfailed`, `k10.0.0.1`) — for query strings without a field |
//! | [`TermField::Exists`] | the paths holding an indexed leaf (as `_exists_` tests them), and [`SUSPECT`] |
//!
//! A document is suspect when one of its terms was cut at [`MAX_TERM_BYTES`] or one of its
//! keys holds `=`: its terms may then stand for other values. Plans admit it wherever it may
//! match (a cut term passes every pattern and range it could belong to), so nothing is lost;
//! only its count is left to the evaluator.
//!
//! What is exact: terms, `terms`, patterns (wildcards, regexes, prefixes), string, address
//! and date ranges on keyword, text, ip, date and boolean fields; `_exists_` on a field;
//! query strings without a field (every field); `not`, `and` and `or` of exact parts; the
//! window. What only narrows: phrases (the tokens, not their order), fuzzy terms (nothing),
//! field-name patterns (`details.*:x`: the value on any field), `_exists_` on a pattern.

use std::ops::Bound;

use chrono::{DateTime, Utc};
use regex::Regex;
use serde_json::Value;

use crate::compiled::{BoolNode, CompiledQuery, Fields, Node, TypedTests};
use crate::eval::{indexed_date_millis, visit_map_leaves};
use crate::leaf::{LeafTest, StrTest};
use crate::mapping::{FieldType, analyze, boolean_value, field_type, ip_value, is_single_field, keyword_value};
use crate::network::ip_bits;
use crate::prefilter::{MAX_TERM_BYTES, cut_term, date_hex, ip_hex, walk_document};

/// The term of [`TermField::Exists`] that marks a suspect document.
pub const SUSPECT: &str = "\u{0}suspect";

/// A term this long may have been cut: it passes every pattern of its range.
pub const LONG_TERM_BYTES: usize = MAX_TERM_BYTES - 3;

/// The term fields of an indexed document (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermField {
    /// `path=value`.
    Terms,
    /// `path=<sortable hex>` of ip and date leaves.
    Typed,
    /// Typed values without their path.
    Any,
    /// Paths holding an indexed leaf, and [`SUSPECT`].
    Exists,
}

/// The window fields, in the order of [`IndexedDocument::window_dates`].
pub const WINDOW_DATE_FIELDS: [&str; 2] = crate::WINDOW_FIELDS;

/// What an index holds of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexedDocument {
    /// [`TermField::Terms`], sorted, without duplicates.
    pub terms: Vec<String>,
    /// [`TermField::Typed`], sorted, without duplicates.
    pub typed: Vec<String>,
    /// [`TermField::Any`], sorted, without duplicates.
    pub any: Vec<String>,
    /// [`TermField::Exists`], sorted, without duplicates.
    pub exists: Vec<String>,
    /// Every instant of `utctimestamp` and of `receivedtimestamp`, in epoch milliseconds.
    pub window_dates: [Vec<i64>; 2],
}

impl IndexedDocument {
    /// The terms of one field.
    pub fn field(&self, field: TermField) -> &[String] {
        match field {
            TermField::Terms => &self.terms,
            TermField::Typed => &self.typed,
            TermField::Any => &self.any,
            TermField::Exists => &self.exists,
        }
    }

    /// Whether an index cannot count this document exactly (see the [module
    /// documentation](self)).
    pub fn is_suspect(&self) -> bool {
        self.exists.binary_search_by(|t| t.as_str().cmp(SUSPECT)).is_ok()
    }
}

/// What an index holds of `doc`.
///
/// Besides the cut terms and `=` in keys, a document is suspect when its `utctimestamp` is
/// several values: hits are ranked by its one value, which the index then does not know.
pub fn index_document(doc: &crate::Document) -> IndexedDocument {
    let walked = walk_document(doc);
    let mut any = Vec::new();
    let mut cut = false;
    visit_map_leaves(doc, &mut String::new(), &mut |_, ty, value| cut |= any_terms(ty, value, &mut any));
    any.sort_unstable();
    any.dedup();
    let several_times = matches!(doc.get("utctimestamp"), Some(Value::Array(_)));
    let mut exists = walked.exists;
    if walked.suspect || cut || several_times {
        exists.push(SUSPECT.to_owned());
        exists.sort_unstable();
        exists.dedup();
    }
    IndexedDocument { terms: walked.terms, typed: walked.typed, any, exists, window_dates: walked.window_dates }
}

/// Pushes the [`TermField::Any`] terms of one leaf; whether one was cut.
fn any_terms(ty: FieldType, value: &Value, out: &mut Vec<String>) -> bool {
    let mut cut = false;
    let mut push = |tag: char, v: &str| {
        let mut t = String::with_capacity(1 + v.len());
        t.push(tag);
        t.push_str(v);
        cut |= cut_term(&mut t);
        out.push(t);
    };
    match ty {
        FieldType::Keyword => {
            if let Some(s) = keyword_value(value) {
                push('k', &s);
            }
        }
        FieldType::Text => {
            if let Some(s) = keyword_value(value) {
                analyze(&s).iter().for_each(|token| push('t', token));
            }
        }
        FieldType::Ip => {
            if let Some(ip) = ip_value(value) {
                push('i', &ip_hex(ip_bits(ip)));
            }
        }
        FieldType::Date => {
            if let Some(ms) = indexed_date_millis(value) {
                push('d', &date_hex(ms));
            }
        }
        FieldType::Boolean => {
            if let Some(b) = boolean_value(value) {
                push('b', if b { "true" } else { "false" });
            }
        }
        FieldType::GeoPoint => {}
    }
    cut
}

/// Where an index holds the bucket keys of a terms aggregation on `field`: the term field and
/// the head of its terms (`field=`), and whether the value after the head is a date in
/// [`TermField::Typed`]'s hex (read it with [`date_from_hex`]) rather than the key itself.
/// `None` for geo points, which have no buckets.
pub fn aggregation_terms(field: &str) -> Option<(TermField, String, bool)> {
    let head = format!("{field}=");
    match field_type(field) {
        FieldType::Keyword | FieldType::Text | FieldType::Ip | FieldType::Boolean => {
            Some((TermField::Terms, head, false))
        }
        FieldType::Date => Some((TermField::Typed, head, true)),
        FieldType::GeoPoint => None,
    }
}

/// The instant written by [`TermField::Typed`]'s date hex, in epoch milliseconds.
pub fn date_from_hex(hex: &str) -> Option<i64> {
    u64::from_str_radix(hex, 16).ok().map(|v| (v ^ (1 << 63)) as i64)
}

/// A test on the part of a term after its first `skip` bytes (the `path=` or type tag);
/// terms of [`LONG_TERM_BYTES`] or more pass whatever their text, as they may have been cut.
#[derive(Debug, Clone)]
pub struct TermFilter {
    /// Bytes of the term not tested.
    pub skip: usize,
    /// The test of the rest, anchored on all of it.
    pub regex: Regex,
}

impl TermFilter {
    /// Whether the term passes.
    pub fn accepts(&self, term: &[u8]) -> bool {
        term.len() >= LONG_TERM_BYTES
            || term
                .get(self.skip..)
                .and_then(|rest| std::str::from_utf8(rest).ok())
                .is_some_and(|s| self.regex.is_match(s))
    }
}

/// A query an inverted index answers (see the [module documentation](self)).
#[derive(Debug, Clone)]
pub enum IndexQuery {
    /// Every document.
    All,
    /// No document.
    Nothing,
    /// The documents holding the term.
    Term(TermField, String),
    /// The documents holding a term within the bounds (byte order) that the filter accepts.
    Range {
        /// The field.
        field: TermField,
        /// The lower bound.
        lower: Bound<Vec<u8>>,
        /// The upper bound.
        upper: Bound<Vec<u8>>,
        /// A test of each term in the bounds.
        filter: Option<TermFilter>,
    },
    /// The documents with an instant of a window field (index into
    /// [`WINDOW_DATE_FIELDS`]) within `[lo, hi]` milliseconds.
    Dates {
        /// Index into [`WINDOW_DATE_FIELDS`].
        field: usize,
        /// The lowest instant.
        lo: i64,
        /// The highest instant.
        hi: i64,
    },
    /// Every part.
    And(Vec<IndexQuery>),
    /// At least one part.
    Or(Vec<IndexQuery>),
    /// Not the part.
    Not(Box<IndexQuery>),
}

impl IndexQuery {
    /// Whether a document holding `doc` passes: what the index does, for tests and for
    /// backends that hold documents in memory.
    pub fn admits(&self, doc: &IndexedDocument) -> bool {
        match self {
            IndexQuery::All => true,
            IndexQuery::Nothing => false,
            IndexQuery::Term(field, term) => doc.field(*field).binary_search(term).is_ok(),
            IndexQuery::Range { field, lower, upper, filter } => doc.field(*field).iter().any(|t| {
                let bytes = t.as_bytes();
                crate::leaf::in_bounds(bytes, lower.as_ref().map(Vec::as_slice), upper.as_ref().map(Vec::as_slice))
                    && filter.as_ref().is_none_or(|f| f.accepts(bytes))
            }),
            IndexQuery::Dates { field, lo, hi } => {
                doc.window_dates.get(*field).is_some_and(|ds| ds.iter().any(|ms| lo <= ms && ms <= hi))
            }
            IndexQuery::And(parts) => parts.iter().all(|p| p.admits(doc)),
            IndexQuery::Or(parts) => parts.iter().any(|p| p.admits(doc)),
            IndexQuery::Not(part) => !part.admits(doc),
        }
    }

    /// This query without its filtered term ranges (patterns), which read every term of
    /// their range: each one becomes `All` where it narrows and `Nothing` under a `Not`,
    /// so the result admits every document this query admits. `None` when there is no such
    /// range. A backend whose other clauses are selective reads their few candidates and lets
    /// the evaluator test the patterns instead.
    pub fn without_scans(&self) -> Option<IndexQuery> {
        let mut replaced = false;
        let reduced = self.reduce(true, &mut replaced);
        replaced.then_some(reduced)
    }

    fn reduce(&self, positive: bool, replaced: &mut bool) -> IndexQuery {
        match self {
            IndexQuery::Range { filter: Some(_), .. } => {
                *replaced = true;
                if positive { IndexQuery::All } else { IndexQuery::Nothing }
            }
            IndexQuery::And(parts) => IndexQuery::and(parts.iter().map(|p| p.reduce(positive, replaced)).collect()),
            IndexQuery::Or(parts) => IndexQuery::or(parts.iter().map(|p| p.reduce(positive, replaced)).collect()),
            IndexQuery::Not(part) => match part.reduce(!positive, replaced) {
                IndexQuery::All => IndexQuery::Nothing,
                IndexQuery::Nothing => IndexQuery::All,
                other => IndexQuery::Not(Box::new(other)),
            },
            other => other.clone(),
        }
    }

    /// The documents `query` does not admit, and every suspect one: a suspect document may
    /// pass `query` without matching it, so excluding it could lose a match.
    fn excluding(query: IndexQuery) -> IndexQuery {
        match query {
            IndexQuery::All => IndexQuery::Term(TermField::Exists, SUSPECT.to_owned()),
            IndexQuery::Nothing => IndexQuery::All,
            query => IndexQuery::Or(vec![
                IndexQuery::Not(Box::new(query)),
                IndexQuery::Term(TermField::Exists, SUSPECT.to_owned()),
            ]),
        }
    }

    fn and(parts: Vec<IndexQuery>) -> IndexQuery {
        let mut kept = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                IndexQuery::All => {}
                IndexQuery::Nothing => return IndexQuery::Nothing,
                IndexQuery::And(inner) => kept.extend(inner),
                other => kept.push(other),
            }
        }
        match kept.len() {
            0 => IndexQuery::All,
            1 => kept.remove(0),
            _ => IndexQuery::And(kept),
        }
    }

    fn or(parts: Vec<IndexQuery>) -> IndexQuery {
        let mut kept = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                IndexQuery::Nothing => {}
                IndexQuery::All => return IndexQuery::All,
                IndexQuery::Or(inner) => kept.extend(inner),
                other => kept.push(other),
            }
        }
        match kept.len() {
            0 => IndexQuery::Nothing,
            1 => kept.remove(0),
            _ => IndexQuery::Or(kept),
        }
    }
}

/// An index query and whether it is exact for documents that are not suspect.
#[derive(Debug, Clone)]
pub struct IndexPlan {
    /// The query.
    pub query: IndexQuery,
    /// Whether a document that is not suspect passes exactly when it matches.
    pub exact: bool,
}

impl IndexPlan {
    fn exact(query: IndexQuery) -> Self {
        IndexPlan { query, exact: true }
    }

    /// Everything passes; nothing is known.
    fn unknown() -> Self {
        IndexPlan { query: IndexQuery::All, exact: false }
    }

    fn all_of(plans: Vec<IndexPlan>) -> Self {
        let exact = plans.iter().all(|p| p.exact);
        IndexPlan { query: IndexQuery::and(plans.into_iter().map(|p| p.query).collect()), exact }
    }

    fn any_of(plans: Vec<IndexPlan>) -> Self {
        let exact = plans.iter().all(|p| p.exact);
        IndexPlan { query: IndexQuery::or(plans.into_iter().map(|p| p.query).collect()), exact }
    }

    fn widened(mut self) -> Self {
        self.exact = false;
        self
    }
}

impl CompiledQuery {
    /// The index plan of the query at `now`: its window and its bool query.
    pub fn index_plan(&self, now: DateTime<Utc>) -> IndexPlan {
        let window = match self.window {
            None => IndexPlan::exact(IndexQuery::All),
            Some(w) => {
                let hi = now.timestamp_millis();
                let lo = now.checked_sub_signed(w).map_or(i64::MIN, |t| t.timestamp_millis());
                let dates = (0..WINDOW_DATE_FIELDS.len()).map(|field| IndexQuery::Dates { field, lo, hi }).collect();
                IndexPlan::exact(IndexQuery::or(dates))
            }
        };
        IndexPlan::all_of(vec![window, plan(&self.filter.node, now)])
    }
}

fn plan(node: &Node, now: DateTime<Utc>) -> IndexPlan {
    match node {
        Node::All => IndexPlan::exact(IndexQuery::All),
        Node::Nothing => IndexPlan::exact(IndexQuery::Nothing),
        Node::Field { path, test } if is_single_field(path) => field_plan(path, test, now),
        Node::Field { .. } | Node::AnyExists(_) => IndexPlan::unknown(),
        Node::AnyField { fields, tests } => {
            let plan = any_field_plan(tests, now);
            if matches!(fields, Fields::All) { plan } else { plan.widened() }
        }
        Node::Exists(path) => IndexPlan::exact(IndexQuery::Term(TermField::Exists, path.clone())),
        Node::Not(inner) => {
            let inner = plan(inner, now);
            if inner.exact { IndexPlan::exact(IndexQuery::excluding(inner.query)) } else { IndexPlan::unknown() }
        }
        Node::Bool(b) => bool_plan(b, now),
    }
}

fn bool_plan(b: &BoolNode, now: DateTime<Utc>) -> IndexPlan {
    let mut parts: Vec<IndexPlan> = b.must.iter().map(|n| plan(n, now)).collect();
    for n in &b.must_not {
        let excluded = plan(n, now);
        parts.push(if excluded.exact {
            IndexPlan::exact(IndexQuery::excluding(excluded.query))
        } else {
            IndexPlan::unknown()
        });
    }
    if b.should_required {
        parts.push(IndexPlan::any_of(b.should.iter().map(|n| plan(n, now)).collect()));
    }
    IndexPlan::all_of(parts)
}

/// Where a field's terms live: the field and the key every term starts with.
struct Keys<'a> {
    field: TermField,
    /// `path=` or a type tag.
    head: &'a str,
}

impl Keys<'_> {
    fn key(&self, value: &str) -> String {
        let mut t = String::with_capacity(self.head.len() + value.len());
        t.push_str(self.head);
        t.push_str(value);
        cut_term(&mut t);
        t
    }

    fn term(&self, value: &str) -> IndexQuery {
        IndexQuery::Term(self.field, self.key(value))
    }

    /// The lower bound of terms at or above `value`: cut to under [`LONG_TERM_BYTES`] when
    /// long, so that cut terms of larger values stay above it.
    fn lower(&self, value: &str, inclusive: bool) -> Bound<Vec<u8>> {
        let mut key = format!("{}{value}", self.head);
        if key.len() >= LONG_TERM_BYTES {
            let mut end = LONG_TERM_BYTES - 1;
            while !key.is_char_boundary(end) {
                end -= 1;
            }
            key.truncate(end);
            return Bound::Included(key.into_bytes());
        }
        if inclusive { Bound::Included(key.into_bytes()) } else { Bound::Excluded(key.into_bytes()) }
    }

    /// Every term of the field under `head`.
    fn span(&self) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
        (Bound::Included(self.head.as_bytes().to_vec()), prefix_end(self.head.as_bytes()))
    }

    fn range(&self, lower: Bound<Vec<u8>>, upper: Bound<Vec<u8>>, filter: Option<TermFilter>) -> IndexQuery {
        IndexQuery::Range { field: self.field, lower, upper, filter }
    }

    fn str_plan(&self, test: &StrTest) -> IndexPlan {
        match test {
            StrTest::Eq(v) => IndexPlan::exact(self.term(v)),
            StrTest::OneOf(vs) => IndexPlan::exact(IndexQuery::or(vs.iter().map(|v| self.term(v)).collect())),
            StrTest::Pattern(p) => {
                let start = self.lower(&p.prefix, true);
                let end = prefix_end(format!("{}{}", self.head, p.prefix).as_bytes());
                let filter = TermFilter { skip: self.head.len(), regex: p.regex.clone() };
                IndexPlan::exact(self.range(start, end, Some(filter)))
            }
            StrTest::Fuzzy(..) => IndexPlan::unknown(),
            StrTest::Range(lower, upper) => {
                let (span_lo, span_hi) = self.span();
                let lower = match lower {
                    Bound::Unbounded => span_lo,
                    Bound::Included(v) => self.lower(v, true),
                    Bound::Excluded(v) => self.lower(v, false),
                };
                let upper = match upper {
                    Bound::Unbounded => span_hi,
                    Bound::Included(v) => Bound::Included(format!("{}{v}", self.head).into_bytes()),
                    Bound::Excluded(v) => Bound::Excluded(format!("{}{v}", self.head).into_bytes()),
                };
                IndexPlan::exact(self.range(lower, upper, None))
            }
        }
    }

    /// Terms of `[lo, hi]` written by `hex`.
    fn hex_range<T: Copy>(&self, lo: T, hi: T, hex: impl Fn(T) -> String) -> IndexQuery {
        let bound = |v: T| format!("{}{}", self.head, hex(v)).into_bytes();
        self.range(Bound::Included(bound(lo)), Bound::Included(bound(hi)), None)
    }

    /// The plan of a typed test on this field's terms.
    fn typed_plan(&self, typed: &Keys<'_>, test: &LeafTest, now: DateTime<Utc>) -> IndexPlan {
        match test {
            LeafTest::Never => IndexPlan::exact(IndexQuery::Nothing),
            LeafTest::Keyword(t) | LeafTest::Tokens(t) => self.str_plan(t),
            LeafTest::Phrase(tokens, _) => {
                IndexPlan { query: IndexQuery::and(tokens.iter().map(|t| self.term(t)).collect()), exact: false }
            }
            LeafTest::Ip(ranges) => IndexPlan::exact(IndexQuery::or(
                ranges.iter().map(|(lo, hi)| typed.hex_range(*lo, *hi, ip_hex)).collect(),
            )),
            LeafTest::Date(spans) => IndexPlan::exact(IndexQuery::or(
                spans
                    .iter()
                    .filter_map(|s| s.bounds(now))
                    .filter(|(lo, hi)| lo <= hi)
                    .map(|(lo, hi)| typed.hex_range(lo, hi, date_hex))
                    .collect(),
            )),
            LeafTest::Bool([accept_false, accept_true]) => {
                let values = [(*accept_false, "false"), (*accept_true, "true")];
                IndexPlan::exact(IndexQuery::or(
                    values.into_iter().filter(|(accepted, _)| *accepted).map(|(_, v)| self.term(v)).collect(),
                ))
            }
        }
    }
}

/// The first key after every key starting with `prefix` (unbounded when there is none).
pub fn prefix_end(prefix: &[u8]) -> Bound<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Bound::Excluded(end);
        }
    }
    Bound::Unbounded
}

/// The plan of a test on the values at one literal path.
fn field_plan(path: &str, test: &LeafTest, now: DateTime<Utc>) -> IndexPlan {
    let head = format!("{path}=");
    // A path this long cuts every term: its terms say nothing exact.
    if head.len() + 32 >= LONG_TERM_BYTES {
        return IndexPlan::unknown();
    }
    let ty = field_type(path);
    let fits = matches!(
        (ty, test),
        (_, LeafTest::Never)
            | (FieldType::Keyword, LeafTest::Keyword(_))
            | (FieldType::Text, LeafTest::Tokens(_) | LeafTest::Phrase(..))
            | (FieldType::Ip, LeafTest::Ip(_))
            | (FieldType::Date, LeafTest::Date(_))
            | (FieldType::Boolean, LeafTest::Bool(_))
    );
    if !fits {
        return IndexPlan::unknown();
    }
    let terms = Keys { field: TermField::Terms, head: &head };
    let typed = Keys { field: TermField::Typed, head: &head };
    terms.typed_plan(&typed, test, now)
}

/// The plan of a test on every leaf, by type, over [`TermField::Any`].
fn any_field_plan(tests: &TypedTests, now: DateTime<Utc>) -> IndexPlan {
    let tagged = [
        (FieldType::Keyword, "k"),
        (FieldType::Text, "t"),
        (FieldType::Ip, "i"),
        (FieldType::Date, "d"),
        (FieldType::Boolean, "b"),
    ];
    IndexPlan::any_of(
        tagged
            .into_iter()
            .map(|(ty, tag)| {
                let keys = Keys { field: TermField::Any, head: tag };
                keys.typed_plan(&keys, tests.get(ty), now)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests;
