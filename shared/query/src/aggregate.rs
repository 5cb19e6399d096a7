//! Terms aggregations over matching documents, in MozDef's result shape
//! `{"<field>": {"terms": [{"key": "...", "count": N}, ...]}}`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::mapping::{FieldType, analyze, field_type, ip_value, keyword_value, string_date_millis};
use crate::network::ip_bits;
use crate::{Aggregation, AggregationBucket, AggregationResult};

/// Counts the values of the aggregated fields over the documents fed to it.
///
/// A document counts once per distinct value of a field. Buckets are sorted by count
/// (descending), then key (ascending, in the field's own order: addresses for `ip` fields,
/// instants for dates, bytes otherwise, as OpenSearch orders them), and cut to the
/// aggregation's `size`. Keys are the
/// values as the index holds them: keyword strings (numbers as their JSON text), canonical
/// IP addresses, `true`/`false`, dates as epoch milliseconds, and the tokens of text fields.
#[derive(Debug, Clone, Default)]
pub struct TermsAggregator {
    fields: Vec<(Aggregation, HashMap<String, u64>)>,
    /// At most this many distinct values per field (`None`: no limit).
    max_keys: Option<usize>,
    /// The first field that had more distinct values than allowed.
    overflow: Option<String>,
}

impl TermsAggregator {
    /// An aggregator for `aggregations`.
    pub fn new(aggregations: &[Aggregation]) -> Self {
        TermsAggregator {
            fields: aggregations.iter().map(|a| (a.clone(), HashMap::new())).collect(),
            max_keys: None,
            overflow: None,
        }
    }

    /// An aggregator that holds at most `max_keys` distinct values per field: past it, it
    /// stops counting and [`overflow`](Self::overflow) names the field, so that a search
    /// over millions of distinct values is refused instead of holding them all.
    pub fn bounded(aggregations: &[Aggregation], max_keys: usize) -> Self {
        TermsAggregator { max_keys: Some(max_keys), ..TermsAggregator::new(aggregations) }
    }

    /// The field that had more distinct values than a bounded aggregator holds, if one had.
    pub fn overflow(&self) -> Option<&str> {
        self.overflow.as_deref()
    }

    /// Whether there is nothing to aggregate.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Counts one matching document.
    pub fn add(&mut self, doc: &Value) {
        if self.overflow.is_some() {
            return;
        }
        for (aggregation, counts) in &mut self.fields {
            let mut keys = bucket_keys(doc, &aggregation.field);
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                *counts.entry(key).or_insert(0) += 1;
            }
            if self.max_keys.is_some_and(|max| counts.len() > max) {
                self.overflow = Some(aggregation.field.clone());
                counts.clear();
                return;
            }
        }
    }

    /// Counts `n` documents holding `key` for the `field`-th aggregation: for a backend
    /// that counts values inside its index (keys as [`crate::plan`]'s terms hold them).
    pub fn count(&mut self, field: usize, key: String, n: u64) {
        if self.overflow.is_some() {
            return;
        }
        let Some((aggregation, counts)) = self.fields.get_mut(field) else { return };
        *counts.entry(key).or_insert(0) += n;
        if self.max_keys.is_some_and(|max| counts.len() > max) {
            self.overflow = Some(aggregation.field.clone());
            counts.clear();
        }
    }

    /// The results per field, in the order the aggregations were given.
    pub fn results(&self) -> Vec<(String, AggregationResult)> {
        self.fields
            .iter()
            .map(|(a, counts)| (a.field.clone(), top_buckets(counts, a.size, field_type(&a.field))))
            .collect()
    }

    /// MozDef's `aggregations` object.
    pub fn finish(self) -> Map<String, Value> {
        let mut out = Map::new();
        for (field, result) in self.results() {
            let terms = result
                .terms
                .into_iter()
                .map(|b| {
                    let mut bucket = Map::new();
                    bucket.insert("key".to_owned(), Value::String(b.key));
                    bucket.insert("count".to_owned(), Value::from(b.count));
                    Value::Object(bucket)
                })
                .collect();
            let mut agg = Map::new();
            agg.insert("terms".to_owned(), Value::Array(terms));
            out.insert(field, Value::Object(agg));
        }
        out
    }
}

fn top_buckets(counts: &HashMap<String, u64>, size: usize, ty: FieldType) -> AggregationResult {
    let mut buckets: Vec<AggregationBucket> =
        counts.iter().map(|(key, count)| AggregationBucket { key: key.clone(), count: *count }).collect();
    buckets.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| key_order(ty, &a.key, &b.key)));
    buckets.truncate(size);
    AggregationResult { terms: buckets }
}

/// The order of equal-count buckets: ascending keys in the order the field's index holds
/// them — addresses as 128-bit values (IPv4 as IPv4-mapped IPv6, so `9.9.9.9` comes before
/// `10.0.0.1` and every IPv4 address before `2001:db8::1`), dates as numbers, everything else
/// by bytes.
fn key_order(ty: FieldType, a: &str, b: &str) -> Ordering {
    match ty {
        FieldType::Ip => match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
            (Ok(x), Ok(y)) => ip_bits(x).cmp(&ip_bits(y)),
            _ => a.cmp(b),
        },
        FieldType::Date => match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.cmp(b),
        },
        _ => a.cmp(b),
    }
}

/// The bucket keys of the values at `field` in `doc` (possibly repeated).
fn bucket_keys(doc: &Value, field: &str) -> Vec<String> {
    let values = mozdef_model::field_values(doc, field);
    match field_type(field) {
        FieldType::Keyword => values.into_iter().filter_map(|v| keyword_value(v).map(|s| s.into_owned())).collect(),
        FieldType::Text => values.into_iter().filter_map(keyword_value).flat_map(|s| analyze(&s)).collect(),
        FieldType::Ip => values.into_iter().filter_map(ip_value).map(|ip| ip.to_canonical().to_string()).collect(),
        FieldType::Date => values
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => string_date_millis(s),
                Value::Number(n) => crate::mapping::number_millis(n),
                _ => None,
            })
            .map(|ms| ms.to_string())
            .collect(),
        FieldType::Boolean => {
            values.into_iter().filter_map(crate::mapping::boolean_value).map(|b| b.to_string()).collect()
        }
        FieldType::GeoPoint => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn agg(field: &str, size: usize) -> Aggregation {
        Aggregation { field: field.to_owned(), size }
    }

    #[test]
    fn counts_documents_per_value() {
        let mut a = TermsAggregator::new(&[agg("details.user", 20), agg("tags", 2)]);
        a.add(&json!({"details": {"user": "bob"}, "tags": ["x", "y", "x"]}));
        a.add(&json!({"details": {"user": "alice"}, "tags": ["y"]}));
        a.add(&json!({"details": {"user": "bob"}, "tags": "z"}));
        a.add(&json!({"details": {"user": null}}));
        a.add(&json!({"details": {"user": 5}}));
        let out = a.finish();
        assert_eq!(
            Value::Object(out),
            json!({
                "details.user": {"terms": [
                    {"key": "bob", "count": 2}, {"key": "5", "count": 1}, {"key": "alice", "count": 1}
                ]},
                "tags": {"terms": [{"key": "y", "count": 2}, {"key": "x", "count": 1}]}
            })
        );
    }

    #[test]
    fn typed_keys() {
        let mut a = TermsAggregator::new(&[
            agg("details.sourceipaddress", 20),
            agg("details.success", 20),
            agg("utctimestamp", 20),
            agg("summary", 20),
            agg("details.sourceipgeopoint", 20),
        ]);
        a.add(&json!({
            "details": {"sourceipaddress": "::ffff:10.0.0.1", "success": "true", "sourceipgeopoint": "1,2"},
            "utctimestamp": "2016-07-13T20:58:43+00:00",
            "summary": "Login FAILED login"
        }));
        a.add(&json!({"details": {"sourceipaddress": "not an ip", "success": false}}));
        let results = a.results();
        let keys = |i: usize| results[i].1.terms.iter().map(|b| b.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(0), ["10.0.0.1"]);
        assert_eq!(keys(1), ["false", "true"]);
        assert_eq!(keys(2), ["1468443523000"]);
        assert_eq!(keys(3), ["failed", "login"]);
        assert!(keys(4).is_empty());
        assert!(!a.is_empty());
        assert!(TermsAggregator::new(&[]).is_empty());
    }

    #[test]
    fn ties_follow_the_field_order() {
        let mut a = TermsAggregator::new(&[agg("details.sourceipaddress", 20), agg("utctimestamp", 20)]);
        for (ip, ms) in [("2001:db8::1", 1_000_000_000_000_i64), ("10.0.0.1", 999_999_999_999), ("9.9.9.9", 5)] {
            a.add(&json!({"details": {"sourceipaddress": ip}, "utctimestamp": ms}));
        }
        let results = a.results();
        let keys = |i: usize| results[i].1.terms.iter().map(|b| b.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(0), ["9.9.9.9", "10.0.0.1", "2001:db8::1"]);
        assert_eq!(keys(1), ["5", "999999999999", "1000000000000"]);
    }

    #[test]
    fn a_bounded_aggregator_stops_at_its_limit() {
        let mut a = TermsAggregator::bounded(&[agg("category", 20), agg("details.user", 20)], 2);
        a.add(&json!({"category": "a", "details": {"user": "x"}}));
        a.add(&json!({"category": "a", "details": {"user": "y"}}));
        assert_eq!(a.overflow(), None);
        a.add(&json!({"category": "b", "details": {"user": "z"}}));
        assert_eq!(a.overflow(), Some("details.user"));
        let mut unbounded = TermsAggregator::new(&[agg("details.user", 20)]);
        for user in ["x", "y", "z"] {
            unbounded.add(&json!({"details": {"user": user}}));
        }
        assert_eq!(unbounded.overflow(), None);
    }

    #[test]
    fn empty_aggregation_keeps_the_field() {
        let a = TermsAggregator::new(&[agg("category", 20)]);
        assert_eq!(Value::Object(a.finish()), json!({"category": {"terms": []}}));
    }
}
