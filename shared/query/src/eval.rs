//! Evaluation of the query model against JSON documents with MozDef's mapping semantics.
//!
//! A [`CompiledQuery`] is built once from a [`SearchQuery`] — wildcards, regexes, CIDR
//! blocks, analysed tokens and fixed dates are prepared then — and tests documents with an
//! injected `now`. Per field type ([`crate::mapping`]):
//!
//! | matcher | `text` (`summary`) | `keyword` (everything else) | `ip` | `date` | `boolean` |
//! |---|---|---|---|---|---|
//! | `Term` | any analysed token | whole value | address or CIDR | the instant (missing fields round up) | `true`/`"true"` |
//! | `Terms` | token equals a value | whole value | any | any | any |
//! | `Phrase` | consecutive tokens | whole value | as `Term` | as `Term` | as `Term` |
//! | `Wildcard` | each token, as written | whole value, case-sensitive | never | never | never |
//! | `Range`/`LessThan` | tokens | lexicographic | addresses | instants, date math | `false` < `true` |
//!
//! Values at a path come from [`mozdef_model::field_values`] (arrays flattened, literal
//! dotted keys); a field with several values matches if any value does. Stored values that
//! do not fit their field's type (a non-IP in an `ip` field, a date that is not
//! `date_optional_time||epoch_millis`) never match and do not exist, as OpenSearch's
//! `ignore_malformed` leaves them out of the index; query values that
//! do not fit are errors, as OpenSearch rejects them (query strings on the default field `*`
//! are lenient instead). `geo_point` fields only answer `Exists`/`Missing`.

mod leaf;

use std::cell::{OnceCell, RefCell};
use std::ops::Bound;
use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use regex::Regex;
use serde_json::Value;

use crate::mapping::{FieldType, analyze, field_type, keyword_value};
use crate::querystring::{Occur, QsQuery, QsValue, is_single_field};
use crate::{BoolQuery, Match, QueryError, SearchQuery, WINDOW_FIELDS};
use leaf::{Spec, ValueError};

pub(crate) use leaf::{LeafTest, StrTest};

pub use crate::aggregate::TermsAggregator;

/// A [`SearchQuery`] prepared for evaluation: its window and its bool query.
#[derive(Debug, Clone)]
pub struct CompiledQuery {
    window: Option<Duration>,
    filter: CompiledMatch,
}

impl CompiledQuery {
    /// Compiles `query`; fails on values that do not fit their field's type and on bad
    /// patterns.
    pub fn new(query: &SearchQuery) -> Result<Self, QueryError> {
        Ok(CompiledQuery { window: query.window, filter: CompiledMatch::from_bool(&query.query)? })
    }

    /// Whether `doc` is in the window and matches the bool query, at `now`.
    pub fn matches(&self, doc: &Value, now: DateTime<Utc>) -> bool {
        self.in_window(doc, now) && self.filter.matches(doc, now)
    }

    /// Whether `doc` is in the window (always, without one).
    pub fn in_window(&self, doc: &Value, now: DateTime<Utc>) -> bool {
        self.window.is_none_or(|w| in_window(doc, w, now))
    }

    /// Whether `doc` matches the bool query, ignoring the window.
    pub fn matches_filter(&self, doc: &Value, now: DateTime<Utc>) -> bool {
        self.filter.matches(doc, now)
    }

    /// The window of the query.
    pub fn window(&self) -> Option<Duration> {
        self.window
    }

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

/// MozDef's time window: `utctimestamp` in [now − W, now] OR `receivedtimestamp` in
/// [now − W, now], both ends inclusive, at millisecond resolution.
pub fn in_window(doc: &Value, window: Duration, now: DateTime<Utc>) -> bool {
    let hi = now.timestamp_millis();
    let lo = now.checked_sub_signed(window).map_or(i64::MIN, |t| t.timestamp_millis());
    WINDOW_FIELDS.iter().any(|field| {
        mozdef_model::field_values(doc, field)
            .into_iter()
            .filter_map(leaf::indexed_date_millis)
            .any(|ms| lo <= ms && ms <= hi)
    })
}

/// The instant a `date` field indexes for a stored value (`date_optional_time||epoch_millis`,
/// millisecond resolution), or `None` when the value is malformed and left out of the index.
pub fn indexed_date(value: &Value) -> Option<DateTime<Utc>> {
    leaf::indexed_date_millis(value).and_then(DateTime::<Utc>::from_timestamp_millis)
}

/// A single [`Match`], [`BoolQuery`] or query string prepared for evaluation.
#[derive(Debug, Clone)]
pub struct CompiledMatch {
    node: Node,
}

impl CompiledMatch {
    /// Compiles one matcher.
    pub fn new(m: &Match) -> Result<Self, QueryError> {
        Ok(CompiledMatch { node: compile_match(m)? })
    }

    /// Compiles a bool query with MozDef's (filter-context) semantics: every `must`, no
    /// `must_not`, and at least one `should` when there are any.
    pub fn from_bool(query: &BoolQuery) -> Result<Self, QueryError> {
        Ok(CompiledMatch { node: compile_bool(query)? })
    }

    /// Whether `doc` matches, with `now` for date math and time-relative values.
    pub fn matches(&self, doc: &Value, now: DateTime<Utc>) -> bool {
        self.node.matches(&Ctx::new(doc, now))
    }

    /// The index terms every matching document has, in conjunctive normal form: each inner
    /// `Vec` is a group of which a matching document's [`crate::prefilter::index_terms`]
    /// hold at least one. No groups: no prefilter is possible; an empty group: nothing
    /// matches. See [`crate::prefilter`].
    pub fn required_terms(&self) -> Vec<Vec<String>> {
        crate::prefilter::required_terms(&self.node)
    }

    /// The date ranges the match requires, as `(field, lowest ms, highest ms)` at `now`: a
    /// matching document's (indexed) date at `field` lies within, so a store can narrow its
    /// candidates by them. Only required (must) ranges count; none: no narrowing.
    pub fn required_date_bounds(&self, now: DateTime<Utc>) -> Vec<(String, i64, i64)> {
        crate::prefilter::required_date_bounds(&self.node, now)
    }
}

/// Checks a query-string value against a named field's type (used by the parser).
pub(crate) fn check_value(ty: FieldType, value: &QsValue) -> Result<(), String> {
    leaf::compile(ty, &qs_spec(value), true).map(|_| ()).map_err(|e| e.message)
}

// ---------------------------------------------------------------------------------------
// Evaluation context
// ---------------------------------------------------------------------------------------

/// A leaf of a document with its dotted path.
struct Leaf<'a> {
    path: String,
    ty: FieldType,
    value: &'a Value,
}

/// One document under evaluation, with lazily computed views of it.
pub(crate) struct Ctx<'a> {
    doc: &'a Value,
    now: DateTime<Utc>,
    leaves: OnceCell<Vec<Leaf<'a>>>,
    tokens: TokenCache<'a>,
}

/// Analysed tokens by text value (compared by address).
type TokenCache<'a> = RefCell<Vec<(&'a Value, Rc<[String]>)>>;

impl<'a> Ctx<'a> {
    fn new(doc: &'a Value, now: DateTime<Utc>) -> Self {
        Ctx { doc, now, leaves: OnceCell::new(), tokens: RefCell::new(Vec::new()) }
    }

    /// Every leaf of the document (geo points whole).
    fn leaves(&self) -> &[Leaf<'a>] {
        self.leaves.get_or_init(|| {
            let mut out = Vec::new();
            collect_leaves(self.doc, &mut String::new(), &mut out);
            out
        })
    }

    /// The analysed tokens of a text value, computed once per value.
    fn tokens(&self, v: &'a Value) -> Rc<[String]> {
        if let Some((_, t)) = self.tokens.borrow().iter().find(|(k, _)| std::ptr::eq(*k, v)) {
            return Rc::clone(t);
        }
        let tokens: Rc<[String]> = keyword_value(v).map(|s| analyze(&s)).unwrap_or_default().into();
        self.tokens.borrow_mut().push((v, Rc::clone(&tokens)));
        tokens
    }
}

fn collect_leaves<'a>(value: &'a Value, path: &mut String, out: &mut Vec<Leaf<'a>>) {
    match value {
        Value::Null => {}
        Value::Array(items) => items.iter().for_each(|v| collect_leaves(v, path, out)),
        Value::Object(map) => {
            for (key, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if field_type(path) == FieldType::GeoPoint {
                    if has_leaf(child) {
                        out.push(Leaf { path: path.clone(), ty: FieldType::GeoPoint, value: child });
                    }
                } else {
                    collect_leaves(child, path, out);
                }
                path.truncate(len);
            }
        }
        scalar => out.push(Leaf { path: path.clone(), ty: field_type(path), value: scalar }),
    }
}

/// Whether the value at `path` puts at least one value into the index: a leaf that fits
/// its field's type (malformed ip and date values are left out, as `ignore_malformed` leaves
/// them out on OpenSearch), or an object with such a leaf below it.
fn is_indexed(v: &Value, path: &str) -> bool {
    let ty = field_type(path);
    match v {
        Value::Null => false,
        Value::Array(items) => items.iter().any(|item| is_indexed(item, path)),
        _ if ty == FieldType::GeoPoint => has_leaf(v),
        Value::Object(map) => map.iter().any(|(key, child)| is_indexed(child, &format!("{path}.{key}"))),
        scalar => leaf::indexes(ty, scalar),
    }
}

/// Whether a value holds at least one non-null leaf.
fn has_leaf(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(items) => items.iter().any(has_leaf),
        Value::Object(map) => map.values().any(has_leaf),
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------
// Compiled tree
// ---------------------------------------------------------------------------------------

/// Which fields a multi-field node looks at.
#[derive(Debug, Clone)]
pub(crate) enum Fields {
    All,
    Pattern(Regex),
}

impl Fields {
    fn includes(&self, path: &str) -> bool {
        match self {
            Fields::All => true,
            Fields::Pattern(re) => re.is_match(path),
        }
    }
}

/// One test per field type, for nodes over several fields.
#[derive(Debug, Clone)]
pub(crate) struct TypedTests {
    keyword: LeafTest,
    text: LeafTest,
    ip: LeafTest,
    date: LeafTest,
    boolean: LeafTest,
}

impl TypedTests {
    /// Compiles `spec` for every type; values that do not fit a type never match it.
    fn lenient(spec: &Spec) -> Self {
        let each = |ty| leaf::compile(ty, spec, true).unwrap_or(LeafTest::Never);
        TypedTests {
            keyword: each(FieldType::Keyword),
            text: each(FieldType::Text),
            ip: each(FieldType::Ip),
            date: each(FieldType::Date),
            boolean: each(FieldType::Boolean),
        }
    }

    fn get(&self, ty: FieldType) -> &LeafTest {
        match ty {
            FieldType::Keyword => &self.keyword,
            FieldType::Text => &self.text,
            FieldType::Ip => &self.ip,
            FieldType::Date => &self.date,
            FieldType::Boolean => &self.boolean,
            FieldType::GeoPoint => &LeafTest::Never,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    All,
    Nothing,
    /// A test on the values at one path.
    Field {
        path: String,
        test: LeafTest,
    },
    /// A test on every leaf of the selected fields, by each leaf's type.
    AnyField {
        fields: Fields,
        tests: Box<TypedTests>,
    },
    /// The path has a non-null leaf.
    Exists(String),
    /// A leaf of the selected fields exists.
    AnyExists(Fields),
    Not(Box<Node>),
    Bool(BoolNode),
}

#[derive(Debug, Clone)]
pub(crate) struct BoolNode {
    pub(crate) must: Vec<Node>,
    pub(crate) must_not: Vec<Node>,
    pub(crate) should: Vec<Node>,
    /// Whether one `should` clause must match.
    pub(crate) should_required: bool,
}

impl Node {
    fn matches(&self, ctx: &Ctx<'_>) -> bool {
        match self {
            Node::All => true,
            Node::Nothing => false,
            Node::Field { path, test } => {
                mozdef_model::field_values(ctx.doc, path).into_iter().any(|v| test.matches(v, ctx))
            }
            Node::AnyField { fields, tests } => {
                ctx.leaves().iter().any(|l| fields.includes(&l.path) && tests.get(l.ty).matches(l.value, ctx))
            }
            Node::Exists(path) => mozdef_model::field_values(ctx.doc, path).into_iter().any(|v| is_indexed(v, path)),
            Node::AnyExists(fields) => {
                ctx.leaves().iter().any(|l| fields.includes(&l.path) && leaf::indexes(l.ty, l.value))
            }
            Node::Not(inner) => !inner.matches(ctx),
            Node::Bool(b) => {
                b.must.iter().all(|n| n.matches(ctx))
                    && !b.must_not.iter().any(|n| n.matches(ctx))
                    && (!b.should_required || b.should.iter().any(|n| n.matches(ctx)))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Compiling the structured matchers
// ---------------------------------------------------------------------------------------

fn compile_bool(query: &BoolQuery) -> Result<Node, QueryError> {
    let all = |ms: &[Match]| ms.iter().map(compile_match).collect::<Result<Vec<_>, _>>();
    Ok(Node::Bool(BoolNode {
        must: all(&query.must)?,
        must_not: all(&query.must_not)?,
        should_required: !query.should.is_empty(),
        should: all(&query.should)?,
    }))
}

fn compile_match(m: &Match) -> Result<Node, QueryError> {
    let field_node = |field: &str, spec: Spec| -> Result<Node, QueryError> {
        let test = leaf::compile(field_type(field), &spec, false).map_err(ValueError::into_query_error)?;
        Ok(Node::Field { path: field.to_owned(), test })
    };
    match m {
        Match::Term { field, value } => field_node(field, Spec::Term(value.clone())),
        Match::Terms { field, values } => field_node(field, Spec::Terms(values.clone())),
        Match::Phrase { field, phrase } => field_node(field, Spec::Phrase(phrase.clone(), 0)),
        Match::Wildcard { field, pattern } => field_node(field, Spec::Wildcard(pattern.clone())),
        Match::Range { field, gte, lte } => {
            let bound = |v: &Option<Value>| v.clone().map_or(Bound::Unbounded, Bound::Included);
            field_node(field, Spec::Range(bound(gte), bound(lte)))
        }
        Match::LessThan { field, value } => {
            field_node(field, Spec::Range(Bound::Unbounded, Bound::Excluded(value.clone())))
        }
        Match::Subnet { field, network } if field_type(field) == FieldType::Ip => {
            Ok(Node::Field { path: field.clone(), test: LeafTest::subnet(network) })
        }
        Match::Subnet { field, .. } => Err(QueryError::subnet_needs_ip(field)),
        Match::Exists { field } => exists(field),
        Match::Missing { field } => Ok(Node::Not(Box::new(exists(field)?))),
        Match::QueryString(qs) => compile_qs(&qs.ast),
        Match::Boolean(b) => compile_bool(b),
    }
}

/// `exists` on a path, or on a field-name pattern (`details.*`).
fn exists(field: &str) -> Result<Node, QueryError> {
    Ok(if is_single_field(field) { Node::Exists(field.to_owned()) } else { Node::AnyExists(fields(field)?) })
}

/// The fields a name selects: `*` all, a name with `*` those whose path matches.
fn fields(pattern: &str) -> Result<Fields, QueryError> {
    if pattern == "*" {
        return Ok(Fields::All);
    }
    let body: Vec<String> = pattern.split('*').map(regex::escape).collect();
    Regex::new(&format!(r"\A(?s:{})\z", body.join(".*")))
        .map(Fields::Pattern)
        .map_err(|e| QueryError::Pattern { pattern: pattern.to_owned(), message: e.to_string() })
}

// ---------------------------------------------------------------------------------------
// Compiling query strings
// ---------------------------------------------------------------------------------------

fn qs_spec(value: &QsValue) -> Spec {
    let bound = |b: &Bound<String>| match b {
        Bound::Included(s) => Bound::Included(Value::String(s.clone())),
        Bound::Excluded(s) => Bound::Excluded(Value::String(s.clone())),
        Bound::Unbounded => Bound::Unbounded,
    };
    match value {
        QsValue::Term(t) => Spec::Term(Value::String(t.clone())),
        QsValue::Phrase { text, slop } => Spec::Phrase(text.clone(), *slop),
        QsValue::Fuzzy { term, max_edits } => Spec::Fuzzy(term.clone(), *max_edits),
        QsValue::Wildcard(w) => Spec::Wildcard(w.clone()),
        QsValue::Regex(r) => Spec::Regex(r.clone()),
        QsValue::Range { lower, upper } => Spec::Range(bound(lower), bound(upper)),
    }
}

fn compile_qs(query: &QsQuery) -> Result<Node, QueryError> {
    match query {
        QsQuery::MatchAll => Ok(Node::All),
        QsQuery::MatchNone => Ok(Node::Nothing),
        QsQuery::Exists { field } => exists(field),
        QsQuery::Field { field, value, position } => compile_qs_field(field, value, *position),
        QsQuery::Bool(clauses) => {
            let mut node =
                BoolNode { must: Vec::new(), must_not: Vec::new(), should: Vec::new(), should_required: false };
            for clause in clauses {
                let compiled = compile_qs(&clause.query)?;
                match clause.occur {
                    Occur::Must => node.must.push(compiled),
                    Occur::Should => node.should.push(compiled),
                    Occur::MustNot => node.must_not.push(compiled),
                }
            }
            // Lucene: SHOULD clauses are optional beside a MUST clause. A group of only
            // MUST_NOT clauses matches everything else (Elasticsearch adds a match-all).
            node.should_required = node.must.is_empty() && !node.should.is_empty();
            Ok(Node::Bool(node))
        }
    }
}

fn compile_qs_field(field: &str, value: &QsValue, position: usize) -> Result<Node, QueryError> {
    let spec = qs_spec(value);
    if is_single_field(field) {
        let test = leaf::compile(field_type(field), &spec, true)
            .map_err(|e| QueryError::QueryString { position, message: format!("field {field}: {}", e.message) })?;
        return Ok(Node::Field { path: field.to_owned(), test });
    }
    Ok(Node::AnyField { fields: fields(field)?, tests: Box::new(TypedTests::lenient(&spec)) })
}

#[cfg(test)]
mod tests;
