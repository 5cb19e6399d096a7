//! MozDef's result shapes: `{hits: [{_id, _index, _score, _source}], meta: {timed_out}}`,
//! plus `aggregations: {<field>: {terms: [{key, count}]}}` when asked.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Document;

/// One document of a result set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The document id.
    #[serde(rename = "_id")]
    pub id: String,
    /// The concrete index holding it (e.g. `events-20161005`).
    #[serde(rename = "_index")]
    pub index: String,
    /// Always 1.0: MozDef queries run in filter context.
    #[serde(rename = "_score")]
    pub score: f64,
    /// The document.
    #[serde(rename = "_source")]
    pub source: Document,
}

/// One bucket of a terms aggregation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregationBucket {
    /// The value, as the keyword index holds it.
    pub key: String,
    /// How many matching documents carry it.
    pub count: u64,
}

/// A terms aggregation result.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AggregationResult {
    /// The buckets, largest count first.
    pub terms: Vec<AggregationBucket>,
}

/// The `meta` object of a result.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Meta {
    /// Whether the search timed out.
    pub timed_out: bool,
}

/// MozDef's `SimpleResults` / `AggregatedResults`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchResults {
    /// The hits, at most the requested size.
    pub hits: Vec<Hit>,
    /// Result metadata.
    pub meta: Meta,
    /// The total number of matching documents (hits may be fewer).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub total: Option<u64>,
    /// Terms aggregations by field, present only when asked for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub aggregations: Option<serde_json::Map<String, Value>>,
}
