//! The compiled form of the query model: a [`SearchQuery`], [`Match`], [`BoolQuery`] or
//! parsed query string prepared once — wildcards, regexes, CIDR blocks, analysed tokens and
//! fixed dates — as a tree of tests on fields ([`Node`]) whose leaves are [`LeafTest`]s.
//!
//! This answers "what exactly does this query test, on which fields?": values are compiled
//! per their field's type ([`crate::mapping`]); values that do not fit their field's type
//! and bad patterns are errors, as OpenSearch rejects them (query strings on the default
//! field `*` and on field-name patterns are lenient instead). What is done with the compiled
//! form lives above it: testing documents (`eval`: [`CompiledQuery::matches`], ...) and the
//! index terms a match requires (`prefilter`: [`CompiledQuery::required_terms`], ...).

use std::ops::Bound;

use chrono::Duration;
use regex::Regex;
use serde_json::Value;

use crate::leaf::{self, LeafTest, Spec, ValueError};
use crate::mapping::{FieldType, field_type, is_single_field};
use crate::querystring::{Occur, QsQuery, QsValue};
use crate::{BoolQuery, Match, QueryError, SearchQuery};

/// A [`SearchQuery`] prepared for evaluation: its window and its bool query.
///
/// Documents are tested with [`matches`](CompiledQuery::matches) and the other methods of
/// [`crate::eval`]; [`required_terms`](CompiledQuery::required_terms) and
/// [`required_date_bounds`](CompiledQuery::required_date_bounds) come from
/// [`crate::prefilter`].
#[derive(Debug, Clone)]
pub struct CompiledQuery {
    /// The time window; `None` for all time.
    pub(crate) window: Option<Duration>,
    /// The bool query.
    pub(crate) filter: CompiledMatch,
}

impl CompiledQuery {
    /// Compiles `query`; fails on values that do not fit their field's type and on bad
    /// patterns.
    pub fn new(query: &SearchQuery) -> Result<Self, QueryError> {
        Ok(CompiledQuery { window: query.window, filter: CompiledMatch::from_bool(&query.query)? })
    }

    /// The window of the query.
    pub fn window(&self) -> Option<Duration> {
        self.window
    }
}

/// A single [`Match`], [`BoolQuery`] or query string prepared for evaluation.
///
/// Documents are tested with [`matches`](CompiledMatch::matches) ([`crate::eval`]);
/// [`required_terms`](CompiledMatch::required_terms) and
/// [`required_date_bounds`](CompiledMatch::required_date_bounds) come from
/// [`crate::prefilter`].
#[derive(Debug, Clone)]
pub struct CompiledMatch {
    /// The compiled tree.
    pub(crate) node: Node,
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
    /// Whether the field at `path` is one of them.
    pub(crate) fn includes(&self, path: &str) -> bool {
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

    /// The test for a leaf of type `ty`.
    pub(crate) fn get(&self, ty: FieldType) -> &LeafTest {
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

/// A compiled matcher: a tree of tests on the values of fields.
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

/// A compiled bool query.
#[derive(Debug, Clone)]
pub(crate) struct BoolNode {
    pub(crate) must: Vec<Node>,
    pub(crate) must_not: Vec<Node>,
    pub(crate) should: Vec<Node>,
    /// Whether one `should` clause must match.
    pub(crate) should_required: bool,
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
    let spec = value.spec();
    if is_single_field(field) {
        let test = leaf::compile(field_type(field), &spec, true)
            .map_err(|e| QueryError::QueryString { position, message: format!("field {field}: {}", e.message) })?;
        return Ok(Node::Field { path: field.to_owned(), test });
    }
    Ok(Node::AnyField { fields: fields(field)?, tests: Box::new(TypedTests::lenient(&spec)) })
}
