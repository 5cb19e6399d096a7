//! A backend-independent prefilter: the index terms of a document and, per compiled query,
//! the terms any matching document must have.
//!
//! A backend indexes [`index_terms`] of every document in an inverted index. For a query it
//! asks [`CompiledQuery::required_terms`](crate::CompiledQuery::required_terms) for groups in
//! conjunctive normal form, fetches the documents that hold at least one term of every group,
//! and runs the exact evaluator ([`CompiledQuery::matches`](crate::CompiledQuery::matches))
//! on those candidates only. The prefilter only ever lets through too much, never too little:
//! for every document `doc` and query `q`, `q.matches(doc, now)` implies
//! `satisfies(&index_terms(doc), &q.required_terms())`.
//!
//! A term is `path=value` ([`term`]), `path` the dotted path of a leaf as
//! [`mozdef_model::field_values`] finds it (nested objects joined with `.`, keys containing
//! dots taken literally, arrays flattened) and `value` what the field's type
//! ([`crate::mapping::field_type`]) indexes:
//!
//! | type | terms of a leaf |
//! |---|---|
//! | `keyword` | its [`keyword_value`] (`5`, `1.5`, `true`, strings as they are) |
//! | `text` (`summary`) | one per token of [`analyze`] |
//! | `ip` | the address, IPv4-mapped IPv6 written as IPv4 (`::ffff:10.0.0.1` → `10.0.0.1`); nothing when it does not parse |
//! | `boolean` | `true` or `false` ([`boolean_value`]); nothing otherwise |
//! | `date`, `geo_point` | nothing |
//!
//! Terms longer than [`MAX_TERM_BYTES`] are cut at a character boundary, on both sides, so
//! long values may share a term (more candidates) but never miss.
//!
//! Groups come only from tests whose meaning is exactly "some leaf at the literal path `P`
//! has the term `T`": `Term`/`Terms`/`Phrase` on keyword fields, analysed `Term`s and
//! phrases on `summary`, single addresses on `ip` fields, `boolean` fields — from structured
//! matchers and query strings alike, as they were compiled. `must` clauses add their
//! groups; required `should` clauses add one group, the union of one group of each clause,
//! when every clause has one; `must_not`, field-name patterns, the default field, wildcards,
//! ranges, `Exists`/`Missing` and date fields add nothing. A test that can match nothing
//! (a `summary` term without tokens, an empty `Terms`, a query string's `MatchNone`) gives
//! an empty group, which no document satisfies.

use std::net::Ipv6Addr;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::WINDOW_FIELDS;
use crate::compiled::{CompiledMatch, CompiledQuery, Node};
use crate::eval::{has_leaf, indexed_date_millis};
use crate::leaf::{LeafTest, StrTest};
use crate::mapping::{FieldType, analyze, boolean_value, field_type, ip_value, is_single_field, keyword_value};
use crate::network::ip_bits;

/// The longest term, in bytes; longer terms are cut at the last character boundary at or
/// before it.
pub const MAX_TERM_BYTES: usize = 200;

/// The index term for `value` at the dotted `path`: `path=value`, cut to
/// [`MAX_TERM_BYTES`].
pub fn term(path: &str, value: &str) -> String {
    let mut t = String::with_capacity((path.len() + 1 + value.len()).min(MAX_TERM_BYTES));
    push_term(&mut t, path, value);
    t
}

/// Writes the term of `value` at `path` into the empty buffer `out`; whether it was cut.
pub(crate) fn push_term(out: &mut String, path: &str, value: &str) -> bool {
    out.push_str(path);
    out.push('=');
    out.push_str(value);
    cut_term(out)
}

/// Cuts `term` to [`MAX_TERM_BYTES`] at a character boundary; whether it was cut.
pub(crate) fn cut_term(out: &mut String) -> bool {
    if out.len() <= MAX_TERM_BYTES {
        return false;
    }
    let mut end = MAX_TERM_BYTES;
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    out.truncate(end);
    true
}

/// The address an `ip` leaf indexes, as its term value: IPv4 and IPv4-mapped IPv6
/// addresses as IPv4, other IPv6 addresses in their canonical (RFC 5952) form — the same
/// 128-bit value the evaluator compares always gives the same string.
fn ip_term_value(bits: u128) -> String {
    Ipv6Addr::from(bits).to_canonical().to_string()
}

/// Every index term of `doc`, sorted and without duplicates (see the [module
/// documentation](self) for what each field type indexes).
pub fn index_terms(doc: &Value) -> Vec<String> {
    let mut walker = Walker::new(false);
    walker.walk(doc, false);
    walker.finish().terms
}

/// [`index_terms`] of a document held as a JSON object.
pub fn document_terms(doc: &crate::Document) -> Vec<String> {
    let mut walker = Walker::new(false);
    walker.walk_object(doc, false);
    walker.finish().terms
}

/// What one walk over a document collects: the terms of [`index_terms`] and, for an index
/// plan ([`crate::plan`]), the typed terms, the existing paths and the window dates.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// `path=value` terms, sorted, without duplicates.
    pub(crate) terms: Vec<String>,
    /// `path=<sortable hex>` of `ip` and `date` leaves, sorted, without duplicates.
    pub(crate) typed: Vec<String>,
    /// Paths holding an indexed leaf (as `Exists` tests them), sorted, without duplicates.
    pub(crate) exists: Vec<String>,
    /// Whether a term was cut at [`MAX_TERM_BYTES`] or a key holds `=`: the document's terms
    /// may then stand for other values, so an index cannot count it exactly.
    pub(crate) suspect: bool,
    /// The instants of `utctimestamp` and `receivedtimestamp` leaves, in epoch milliseconds.
    pub(crate) window_dates: [Vec<i64>; 2],
}

/// One walk over a document, with a reused path buffer.
struct Walker {
    path: String,
    /// Whether to collect more than the `path=value` terms.
    full: bool,
    out: Walked,
}

impl Walker {
    fn new(full: bool) -> Self {
        Walker { path: String::new(), full, out: Walked::default() }
    }

    /// Walks `value`; `keyed` says whether a key has been passed (the path of the root and
    /// of the items of a root array is empty but no field). Returns whether the value puts a
    /// leaf into the index (the evaluator's `is_indexed` at this path).
    fn walk(&mut self, value: &Value, keyed: bool) -> bool {
        match value {
            Value::Null => false,
            Value::Array(items) => items.iter().fold(false, |any, v| self.walk(v, keyed) | any),
            Value::Object(map) => {
                let below = self.walk_object(map, keyed);
                if keyed && field_type(&self.path) == FieldType::GeoPoint { has_leaf(value) } else { below }
            }
            scalar if keyed => self.leaf(scalar),
            _ => false,
        }
    }

    fn walk_object(&mut self, map: &crate::Document, keyed: bool) -> bool {
        let mut any = false;
        for (key, child) in map {
            let len = self.path.len();
            // The separator depends on the depth, not on the path being empty: the
            // key `""` is a field too (`{"": {"x": 1}}` holds `.x`).
            if keyed {
                self.path.push('.');
            }
            self.path.push_str(key);
            let indexed = self.walk(child, true);
            if self.full {
                self.out.suspect |= key.contains('=');
                if indexed {
                    self.out.exists.push(self.path.clone());
                }
            }
            any |= indexed;
            self.path.truncate(len);
        }
        any
    }

    fn finish(mut self) -> Walked {
        for list in [&mut self.out.terms, &mut self.out.typed, &mut self.out.exists] {
            list.sort_unstable();
            list.dedup();
        }
        self.out
    }

    /// The terms of one scalar leaf at the current path; whether it is indexed.
    fn leaf(&mut self, value: &Value) -> bool {
        match field_type(&self.path) {
            FieldType::Keyword => match keyword_value(value) {
                Some(s) => {
                    self.push(&s);
                    true
                }
                None => false,
            },
            FieldType::Text => match keyword_value(value) {
                Some(s) => {
                    for token in analyze(&s) {
                        self.push(&token);
                    }
                    true
                }
                None => false,
            },
            FieldType::Ip => match ip_value(value) {
                Some(ip) => {
                    let bits = ip_bits(ip);
                    self.push(&ip_term_value(bits));
                    if self.full {
                        let typed = term(&self.path, &ip_hex(bits));
                        self.out.typed.push(typed);
                    }
                    true
                }
                None => false,
            },
            FieldType::Boolean => match boolean_value(value) {
                Some(b) => {
                    self.push(if b { "true" } else { "false" });
                    true
                }
                None => false,
            },
            FieldType::Date => match indexed_date_millis(value) {
                Some(ms) => {
                    if self.full {
                        let typed = term(&self.path, &date_hex(ms));
                        self.out.typed.push(typed);
                        if let Some(i) = WINDOW_FIELDS.iter().position(|f| *f == self.path) {
                            self.out.window_dates[i].push(ms);
                        }
                    }
                    true
                }
                None => false,
            },
            // A geo point's own leaves (`lat`, `lon`) are typed by their own paths.
            FieldType::GeoPoint => true,
        }
    }

    fn push(&mut self, value: &str) {
        let mut t = String::with_capacity((self.path.len() + 1 + value.len()).min(MAX_TERM_BYTES));
        let cut = push_term(&mut t, &self.path, value);
        self.out.suspect |= cut && self.full;
        self.out.terms.push(t);
    }
}

/// One walk collecting everything an index plan needs ([`Walked`]).
pub(crate) fn walk_document(doc: &crate::Document) -> Walked {
    let mut walker = Walker::new(true);
    walker.walk_object(doc, false);
    walker.finish()
}

/// An address as 32 hex digits of its 128-bit value (IPv4 as IPv4-mapped IPv6): sorted as
/// the addresses are.
pub(crate) fn ip_hex(bits: u128) -> String {
    format!("{bits:032x}")
}

/// An instant in epoch milliseconds as 16 hex digits with the sign bit flipped: sorted as
/// the instants are.
pub(crate) fn date_hex(ms: i64) -> String {
    format!("{:016x}", (ms as u64) ^ (1 << 63))
}

/// Whether a document with the index terms `doc_terms` (sorted, as [`index_terms`] returns
/// them) passes the prefilter `groups`: it holds a term of every group.
pub fn satisfies(doc_terms: &[String], groups: &[Vec<String>]) -> bool {
    groups.iter().all(|g| g.iter().any(|t| doc_terms.binary_search(t).is_ok()))
}

impl CompiledQuery {
    /// The index terms every document matching the bool query has, in conjunctive normal
    /// form (see [`crate::prefilter`]); the window is not part of it.
    pub fn required_terms(&self) -> Vec<Vec<String>> {
        self.filter.required_terms()
    }

    /// The date bounds every matching document has at some fields (beyond the window), at
    /// `now`: `(field, lowest ms, highest ms)`, see [`CompiledMatch::required_date_bounds`].
    pub fn required_date_bounds(&self, now: DateTime<Utc>) -> Vec<(String, i64, i64)> {
        self.filter.required_date_bounds(now)
    }
}

impl CompiledMatch {
    /// The index terms every matching document has, in conjunctive normal form: each inner
    /// `Vec` is a group of which a matching document's [`crate::prefilter::index_terms`]
    /// hold at least one. No groups: no prefilter is possible; an empty group: nothing
    /// matches. See [`crate::prefilter`].
    pub fn required_terms(&self) -> Vec<Vec<String>> {
        required_terms(&self.node)
    }

    /// The date ranges the match requires, as `(field, lowest ms, highest ms)` at `now`: a
    /// matching document's (indexed) date at `field` lies within, so a store can narrow its
    /// candidates by them. Only required (must) ranges count; none: no narrowing.
    pub fn required_date_bounds(&self, now: DateTime<Utc>) -> Vec<(String, i64, i64)> {
        required_date_bounds(&self.node, now)
    }
}

/// The required terms of a compiled node, normalised.
fn required_terms(node: &Node) -> Vec<Vec<String>> {
    normalize(groups(node))
}

/// Bounds that every matching document's date at a field lies within, from the date ranges
/// the node requires (`utctimestamp < now-1d` and the like): `(field, lowest ms, highest ms)`,
/// at `now`. A store that indexes the field as a date narrows its candidates with them.
fn required_date_bounds(node: &Node, now: DateTime<Utc>) -> Vec<(String, i64, i64)> {
    match node {
        Node::Field { path, test: LeafTest::Date(spans) } if is_single_field(path) => {
            let mut hull: Option<(i64, i64)> = None;
            for span in spans {
                let Some((lo, hi)) = span.bounds(now) else { return Vec::new() };
                hull = Some(hull.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
            }
            match hull {
                Some((lo, hi)) => vec![(path.clone(), lo, hi)],
                None => Vec::new(),
            }
        }
        Node::Bool(b) => b.must.iter().flat_map(|n| required_date_bounds(n, now)).collect(),
        _ => Vec::new(),
    }
}

/// The groups of a node, in conjunctive normal form (not normalised).
fn groups(node: &Node) -> Vec<Vec<String>> {
    match node {
        Node::Nothing => vec![Vec::new()],
        Node::Field { path, test } => field_groups(path, test),
        Node::Bool(b) => {
            let mut out: Vec<Vec<String>> = b.must.iter().flat_map(groups).collect();
            if b.should_required {
                // One clause matches, so the union of one group of each clause holds; the
                // smallest group of each keeps the union selective.
                let mut union = Vec::new();
                for clause in &b.should {
                    match required_terms(clause).into_iter().min_by_key(Vec::len) {
                        Some(group) => union.extend(group),
                        None => return out,
                    }
                }
                out.push(union);
            }
            out
        }
        Node::All | Node::AnyField { .. } | Node::Exists(_) | Node::AnyExists(_) | Node::Not(_) => Vec::new(),
    }
}

/// The groups of a test on the values at one literal path.
fn field_groups(path: &str, test: &LeafTest) -> Vec<Vec<String>> {
    if let LeafTest::Never = test {
        return vec![Vec::new()];
    }
    if !is_single_field(path) {
        return Vec::new();
    }
    match (field_type(path), test) {
        (FieldType::Keyword, LeafTest::Keyword(t)) | (FieldType::Text, LeafTest::Tokens(t)) => match t {
            StrTest::Eq(v) => vec![vec![term(path, v)]],
            StrTest::OneOf(vs) => vec![vs.iter().map(|v| term(path, v)).collect()],
            StrTest::Pattern(_) | StrTest::Fuzzy(..) | StrTest::Range(..) => Vec::new(),
        },
        (FieldType::Text, LeafTest::Phrase(tokens, _)) => tokens.iter().map(|t| vec![term(path, t)]).collect(),
        (FieldType::Ip, LeafTest::Ip(ranges)) if ranges.iter().all(|(lo, hi)| lo == hi) => {
            vec![ranges.iter().map(|(bits, _)| term(path, &ip_term_value(*bits))).collect()]
        }
        (FieldType::Boolean, LeafTest::Bool([accept_false, accept_true])) => {
            let values = [(*accept_false, "false"), (*accept_true, "true")];
            vec![values.into_iter().filter(|(accepted, _)| *accepted).map(|(_, v)| term(path, v)).collect()]
        }
        _ => Vec::new(),
    }
}

/// Sorts and deduplicates each group and the groups, reduces an unsatisfiable form to one
/// empty group, and drops groups implied by a smaller one (a superset of another group).
fn normalize(mut groups: Vec<Vec<String>>) -> Vec<Vec<String>> {
    for g in &mut groups {
        g.sort_unstable();
        g.dedup();
    }
    if groups.iter().any(Vec::is_empty) {
        return vec![Vec::new()];
    }
    groups.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    groups.dedup();
    let mut kept: Vec<Vec<String>> = Vec::with_capacity(groups.len());
    for g in groups {
        // `kept` holds only groups no longer than `g`: a subset of `g` among them implies it.
        if !kept.iter().any(|k| k.iter().all(|t| g.binary_search(t).is_ok())) {
            kept.push(g);
        }
    }
    kept.sort_unstable();
    kept
}

#[cfg(test)]
pub(crate) mod tests;
