//! MozDef's query model in OpenSearch's query DSL, in filter context (inventory §0.3): a
//! `TermMatch` is a `match`, a `should` list carries an explicit `minimum_should_match: 1`
//! (ES 6 implied it in filter context, OpenSearch does not: §10), a `SubnetMatch` is a CIDR
//! `term` on an `ip` field (IPv4 and IPv6, where MozDef built an IPv4-only string range), a
//! query string goes to OpenSearch's own Lucene parser as written.

use chrono::{DateTime, SecondsFormat, Utc};
use mozdef_query::mapping::{FieldType, field_type};
use mozdef_query::{BoolQuery, Match, QueryError, SearchQuery, WINDOW_FIELDS};
use serde_json::{Map, Value, json};

/// The aggregation name of the `n`th terms aggregation (field names may hold characters
/// OpenSearch refuses in aggregation names).
pub fn aggregation_name(n: usize) -> String {
    format!("a{n}")
}

/// The `_search` body of `query` at `now`: filter context, newest first, exact totals.
pub fn search_body(query: &SearchQuery, size: usize, now: DateTime<Utc>) -> Result<Value, QueryError> {
    let mut body = json!({
        "query": query_dsl(query, now)?,
        "size": size,
        "track_total_hits": true,
        "sort": [{"utctimestamp": {"order": "desc", "unmapped_type": "date"}}],
    });
    if !query.aggregations.is_empty() {
        let aggs: Map<String, Value> = query
            .aggregations
            .iter()
            .enumerate()
            .map(|(n, a)| {
                let mut terms = json!({"field": a.field, "size": a.size});
                // Date keys as epoch milliseconds (MozDef returned the bucket's `key`, which is
                // that number; `key_as_string` would be the ISO form otherwise).
                if field_type(&a.field) == FieldType::Date {
                    terms["format"] = json!("epoch_millis");
                }
                (aggregation_name(n), json!({ "terms": terms }))
            })
            .collect();
        body["aggs"] = Value::Object(aggs);
    }
    Ok(body)
}

/// The query part: the time window and the bool query, all in a `filter`.
pub fn query_dsl(query: &SearchQuery, now: DateTime<Utc>) -> Result<Value, QueryError> {
    let mut filter = Vec::new();
    if let Some((from, to)) = query.window_bounds(now) {
        let (from, to) = (window_bound(&from), window_bound(&to));
        let either: Vec<Value> =
            WINDOW_FIELDS.iter().map(|f| json!({"range": {*f: {"gte": from, "lte": to}}})).collect();
        filter.push(json!({"bool": {"should": either, "minimum_should_match": 1}}));
    }
    filter.push(bool_dsl(&query.query)?);
    Ok(json!({"bool": {"filter": filter}}))
}

/// A window bound with its milliseconds always written: OpenSearch rounds an `lte` bound up
/// over the fields it lacks, so `12:00:00+00:00` would reach 12:00:00.999 (and MozDef's
/// `isoformat` drops a zero fraction), while the window ends at `now` exactly.
fn window_bound(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn bool_dsl(b: &BoolQuery) -> Result<Value, QueryError> {
    let list = |ms: &[Match]| ms.iter().map(match_dsl).collect::<Result<Vec<_>, _>>();
    let mut out = Map::new();
    out.insert("filter".into(), Value::Array(list(&b.must)?));
    out.insert("must_not".into(), Value::Array(list(&b.must_not)?));
    if !b.should.is_empty() {
        out.insert("should".into(), Value::Array(list(&b.should)?));
        out.insert("minimum_should_match".into(), json!(1));
    }
    Ok(json!({ "bool": out }))
}

/// One matcher.
pub fn match_dsl(m: &Match) -> Result<Value, QueryError> {
    Ok(match m {
        Match::Term { field, value } => json!({"match": {field: {"query": value}}}),
        Match::Terms { field, values } => json!({"terms": {field: values}}),
        Match::Phrase { field, phrase } => json!({"match_phrase": {field: {"query": phrase}}}),
        Match::Wildcard { field, pattern } => json!({"wildcard": {field: {"value": pattern}}}),
        Match::QueryString(qs) => json!({"query_string": {"query": qs.text}}),
        Match::Exists { field } => json!({"exists": {"field": field}}),
        Match::Missing { field } => json!({"bool": {"must_not": [{"exists": {"field": field}}]}}),
        Match::Range { field, gte, lte } => {
            let mut bounds = Map::new();
            if let Some(v) = gte {
                bounds.insert("gte".into(), v.clone());
            }
            if let Some(v) = lte {
                bounds.insert("lte".into(), v.clone());
            }
            json!({"range": {field: bounds}})
        }
        Match::LessThan { field, value } => json!({"range": {field: {"lt": value}}}),
        Match::Subnet { field, network } => {
            if field_type(field) != FieldType::Ip {
                return Err(QueryError::subnet_needs_ip(field));
            }
            json!({"term": {field: format!("{}/{}", network.first(), network.prefix)}})
        }
        Match::Boolean(b) => bool_dsl(b)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn should_gets_minimum_should_match_and_window_is_either_timestamp() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let mut q = SearchQuery::new(Some(Duration::minutes(15)));
        q.add_must(Match::term("category", "proxy"));
        q.add_should(Match::term("details.host", "a"));
        q.add_aggregation("details.host");
        let body = search_body(&q, 10, now).unwrap();
        let filter = &body["query"]["bool"]["filter"];
        assert_eq!(filter[0]["bool"]["minimum_should_match"], 1);
        assert_eq!(filter[0]["bool"]["should"][1]["range"]["receivedtimestamp"]["gte"], "2026-11-23T11:45:00.000Z");
        assert_eq!(filter[0]["bool"]["should"][1]["range"]["receivedtimestamp"]["lte"], "2026-11-23T12:00:00.000Z");
        assert_eq!(filter[1]["bool"]["minimum_should_match"], 1);
        assert_eq!(filter[1]["bool"]["filter"][0], json!({"match": {"category": {"query": "proxy"}}}));
        assert_eq!(body["aggs"]["a0"], json!({"terms": {"field": "details.host", "size": 20}}));
        q.add_aggregation("utctimestamp");
        let body = search_body(&q, 10, now).unwrap();
        assert_eq!(
            body["aggs"]["a1"],
            json!({"terms": {"field": "utctimestamp", "size": 20, "format": "epoch_millis"}})
        );
        let no_should = bool_dsl(&BoolQuery::default()).unwrap();
        assert!(no_should["bool"].get("minimum_should_match").is_none(), "no should, no minimum");
    }

    #[test]
    fn subnets_need_ip_fields() {
        let v6 = Match::subnet("details.sourceipaddress", "2001:db8::/32").unwrap();
        assert_eq!(match_dsl(&v6).unwrap(), json!({"term": {"details.sourceipaddress": "2001:db8::/32"}}));
        let keyword = Match::subnet("details.host", "10.0.0.0/8").unwrap();
        assert!(match_dsl(&keyword).unwrap_err().to_string().contains("details.host"));
    }
}
