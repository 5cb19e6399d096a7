//! MozDef's query model (`mozdef_util.query_models`, inventory §0.3), free of any backend.
//!
//! A [`SearchQuery`] holds `must`, `must_not` and `should` lists of [`Match`]es, an optional
//! time window applied as (`utctimestamp` in [now−W, now]) OR (`receivedtimestamp` in
//! [now−W, now]), and terms [`Aggregation`]s. Each backend translates it: OpenSearch into its
//! DSL, the embedded store through [`eval`], which reproduces MozDef's index mapping
//! semantics ([`mapping`]) on JSON documents.
//!
//! * [`QueryString`] parses Lucene query strings ([`querystring`]) with Elasticsearch's
//!   boolean semantics; errors name the byte position.
//! * [`CompiledQuery`] / [`CompiledMatch`] compile a query once and test documents with an
//!   injected `now`; [`eval::in_window`] is the time window alone.
//! * [`TermsAggregator`] produces MozDef's `aggregations` object from matching documents;
//!   [`TopHits`] keeps the best of them in MozDef's order (newest `utctimestamp` first).
//! * [`prefilter`] gives the index terms of a document and the terms a compiled query
//!   requires, so that a backend can narrow its candidates with an inverted index before
//!   running the exact evaluator.
//!
//! The modules are layered; each uses only the ones below it (and the model types of this
//! root):
//!
//! 1. [`mapping`] (field types and analysis), `datemath`, `pattern`, `network`, `error`;
//! 2. `leaf`: one field's test compiled for its type — also the check of query-string values;
//! 3. [`querystring`]: parsing Lucene query strings (values of named fields checked by `leaf`);
//! 4. `compiled`: [`CompiledQuery`] / [`CompiledMatch`] built from the query model and parsed
//!    query strings;
//! 5. side by side, neither using the other: [`eval`] (testing documents against the compiled
//!    form) and [`prefilter`] (index terms, and the terms and date bounds the compiled form
//!    requires); `aggregate` beside them;
//! 6. `top_hits`: ranking matching documents, reading their dates as [`eval`] does.

mod aggregate;
mod compiled;
mod datemath;
mod error;
pub mod eval;
mod leaf;
pub mod mapping;
mod network;
mod pattern;
pub mod plan;
pub mod prefilter;
pub mod querystring;
mod results;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod top_hits;

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

pub use aggregate::TermsAggregator;
pub use compiled::{CompiledMatch, CompiledQuery};
pub use error::QueryError;
pub use mozdef_model::Document;
pub use querystring::QueryString;
pub use results::{AggregationBucket, AggregationResult, Hit, Meta, SearchResults};
pub use top_hits::TopHits;

/// One matcher of MozDef's query model.
#[derive(Debug, Clone, PartialEq)]
pub enum Match {
    /// `TermMatch(field, value)`: an Elasticsearch `match` query — analysed (any token) on
    /// text fields such as `summary`, exact on keyword fields.
    Term {
        /// Dotted field path.
        field: String,
        /// The value to match.
        value: Value,
    },
    /// `TermsMatch(field, values)`: exact match of any of the values.
    Terms {
        /// Dotted field path.
        field: String,
        /// The accepted values.
        values: Vec<Value>,
    },
    /// `PhraseMatch(field, phrase)`: `match_phrase` (consecutive tokens on text fields).
    Phrase {
        /// Dotted field path.
        field: String,
        /// The phrase.
        phrase: String,
    },
    /// `WildcardMatch(field, pattern)`: `*` any run of characters, `?` one character.
    Wildcard {
        /// Dotted field path.
        field: String,
        /// The pattern.
        pattern: String,
    },
    /// `QueryStringMatch(query)`: a Lucene query string.
    QueryString(QueryString),
    /// `ExistsMatch(field)`: the field has a non-null value.
    Exists {
        /// Dotted field path.
        field: String,
    },
    /// `MissingMatch(field)`: the field has no non-null value.
    Missing {
        /// Dotted field path.
        field: String,
    },
    /// `RangeMatch(field, from, to)`: `gte`/`lte` bounds, either may be open.
    Range {
        /// Dotted field path.
        field: String,
        /// Inclusive lower bound.
        gte: Option<Value>,
        /// Inclusive upper bound.
        lte: Option<Value>,
    },
    /// `LessThanMatch(field, value)`: `lt`.
    LessThan {
        /// Dotted field path.
        field: String,
        /// Exclusive upper bound.
        value: Value,
    },
    /// `SubnetMatch(field, cidr)`: an IP field within a CIDR block (IPv4 or IPv6).
    Subnet {
        /// Dotted field path.
        field: String,
        /// The network.
        network: IpNetwork,
    },
    /// `BooleanMatch(must, must_not, should)`: a nested bool query (at least one `should`
    /// must match when there are any).
    Boolean(BoolQuery),
}

/// A bool query: all of `must`, none of `must_not`, at least one of `should` (if any).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoolQuery {
    /// Every one must match.
    pub must: Vec<Match>,
    /// None may match.
    pub must_not: Vec<Match>,
    /// At least one must match, when the list is not empty.
    pub should: Vec<Match>,
}

/// An IP network in CIDR notation, IPv4 or IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork {
    /// The address as written (host bits may be set; they are ignored).
    pub addr: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

/// A terms aggregation: the top `size` values of `field` with their counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregation {
    /// Dotted field path.
    pub field: String,
    /// How many buckets to return (MozDef: 20).
    pub size: usize,
}

/// MozDef's `SearchQuery(**timedelta)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    /// The time window; `None` searches all time.
    pub window: Option<Duration>,
    /// The bool query.
    pub query: BoolQuery,
    /// Terms aggregations.
    pub aggregations: Vec<Aggregation>,
}

/// The field names of the time window.
pub const WINDOW_FIELDS: [&str; 2] = ["utctimestamp", "receivedtimestamp"];

impl SearchQuery {
    /// A query over the last `window` (MozDef's `SearchQuery(minutes=N)`), or all time.
    pub fn new(window: Option<Duration>) -> Self {
        SearchQuery { window, ..Default::default() }
    }

    /// Adds a clause every hit must match.
    pub fn add_must(&mut self, m: Match) -> &mut Self {
        self.query.must.push(m);
        self
    }

    /// Adds a clause no hit may match.
    pub fn add_must_not(&mut self, m: Match) -> &mut Self {
        self.query.must_not.push(m);
        self
    }

    /// Adds a clause of which at least one must match.
    pub fn add_should(&mut self, m: Match) -> &mut Self {
        self.query.should.push(m);
        self
    }

    /// Adds a terms aggregation of size 20 on `field`.
    pub fn add_aggregation(&mut self, field: impl Into<String>) -> &mut Self {
        self.aggregations.push(Aggregation { field: field.into(), size: 20 });
        self
    }

    /// The window `[now − W, now]` this query covers at `now`, if it has one.
    pub fn window_bounds(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.window.map(|w| (now.checked_sub_signed(w).unwrap_or(DateTime::<Utc>::MIN_UTC), now))
    }

    /// Compiles the query for evaluation ([`CompiledQuery`]).
    pub fn compile(&self) -> Result<CompiledQuery, QueryError> {
        CompiledQuery::new(self)
    }
}

impl Match {
    /// `TermMatch(field, value)`.
    pub fn term(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Match::Term { field: field.into(), value: value.into() }
    }

    /// `TermsMatch(field, values)`.
    pub fn terms<V: Into<Value>>(field: impl Into<String>, values: impl IntoIterator<Item = V>) -> Self {
        Match::Terms { field: field.into(), values: values.into_iter().map(Into::into).collect() }
    }

    /// `PhraseMatch(field, phrase)`.
    pub fn phrase(field: impl Into<String>, phrase: impl Into<String>) -> Self {
        Match::Phrase { field: field.into(), phrase: phrase.into() }
    }

    /// `WildcardMatch(field, pattern)`.
    pub fn wildcard(field: impl Into<String>, pattern: impl Into<String>) -> Self {
        Match::Wildcard { field: field.into(), pattern: pattern.into() }
    }

    /// `QueryStringMatch(query)`; fails when the query string does not parse.
    pub fn query_string(query: &str) -> Result<Self, QueryError> {
        QueryString::parse(query).map(Match::QueryString)
    }

    /// `ExistsMatch(field)`.
    pub fn exists(field: impl Into<String>) -> Self {
        Match::Exists { field: field.into() }
    }

    /// `MissingMatch(field)`.
    pub fn missing(field: impl Into<String>) -> Self {
        Match::Missing { field: field.into() }
    }

    /// `RangeMatch(field, from, to)`: inclusive bounds, `None` for open.
    pub fn range(field: impl Into<String>, gte: Option<Value>, lte: Option<Value>) -> Self {
        Match::Range { field: field.into(), gte, lte }
    }

    /// `LessThanMatch(field, value)`.
    pub fn less_than(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Match::LessThan { field: field.into(), value: value.into() }
    }

    /// `SubnetMatch(field, cidr)`; fails when `cidr` is not a CIDR block or address.
    pub fn subnet(field: impl Into<String>, cidr: &str) -> Result<Self, QueryError> {
        Ok(Match::Subnet { field: field.into(), network: IpNetwork::parse(cidr)? })
    }

    /// `BooleanMatch(must, must_not, should)`.
    pub fn boolean(must: Vec<Match>, must_not: Vec<Match>, should: Vec<Match>) -> Self {
        Match::Boolean(BoolQuery { must, must_not, should })
    }

    /// Compiles the matcher for evaluation ([`CompiledMatch`]).
    pub fn compile(&self) -> Result<CompiledMatch, QueryError> {
        CompiledMatch::new(self)
    }
}
