use chrono::Duration;
use serde_json::{Value, json};

use super::*;
use crate::prefilter::tests::now;
use crate::testing::{Rng, random_doc, random_query};
use crate::{Match, SearchQuery};

fn doc(v: Value) -> crate::Document {
    match v {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn plan_of(query: &SearchQuery) -> IndexPlan {
    match query.compile() {
        Ok(c) => c.index_plan(now()),
        Err(e) => panic!("{query:?}: {e}"),
    }
}

fn qs(text: &str) -> SearchQuery {
    let mut q = SearchQuery::new(None);
    match Match::query_string(text) {
        Ok(m) => {
            q.add_must(m);
        }
        Err(e) => panic!("{text:?}: {e}"),
    }
    q
}

/// Whether the plan of `query` admits `doc` and whether the query matches it.
fn admits_and_matches(query: &SearchQuery, d: &Value) -> (bool, bool) {
    let compiled = query.compile().unwrap_or_else(|e| panic!("{e}"));
    let indexed = index_document(&doc(d.clone()));
    (compiled.index_plan(now()).query.admits(&indexed), compiled.matches(d, now()))
}

#[test]
fn indexed_document_fields() {
    let d = doc(json!({
        "category": "authentication",
        "summary": "Failed password for root",
        "details": {"sourceipaddress": "10.0.0.1", "success": "false", "n": null, "empty": {}},
        "utctimestamp": "2016-07-13T20:58:43+00:00",
        "receivedtimestamp": [1468443523000_i64, "garbage"]
    }));
    let indexed = index_document(&d);
    let ip = format!("{:032x}", u128::from(std::net::Ipv4Addr::new(10, 0, 0, 1).to_ipv6_mapped()));
    assert_eq!(indexed.typed.len(), 3, "{:?}", indexed.typed);
    assert!(indexed.typed.contains(&format!("details.sourceipaddress={ip}")));
    assert!(indexed.any.contains(&format!("i{ip}")));
    for t in ["kauthentication", "tfailed", "tpassword", "troot", "bfalse"] {
        assert!(indexed.any.contains(&t.to_owned()), "{t} in {:?}", indexed.any);
    }
    assert_eq!(
        indexed.exists,
        [
            "category",
            "details",
            "details.sourceipaddress",
            "details.success",
            "receivedtimestamp",
            "summary",
            "utctimestamp"
        ]
    );
    assert_eq!(indexed.window_dates, [vec![1_468_443_523_000], vec![1_468_443_523_000]]);
    assert!(!indexed.is_suspect());
}

#[test]
fn cut_terms_equals_in_keys_and_several_times_are_suspect() {
    let long = "x".repeat(300);
    assert!(index_document(&doc(json!({"details": {"user": long}}))).is_suspect());
    assert!(index_document(&doc(json!({"details": {"a=b": "c"}}))).is_suspect());
    assert!(index_document(&doc(json!({"utctimestamp": ["2016-07-13", "2016-07-14"]}))).is_suspect());
    assert!(!index_document(&doc(json!({"details": {"user": "x".repeat(150)}}))).is_suspect());
}

#[test]
fn what_is_exact() {
    let exact = [
        "category:authentication",
        "Failed",
        "failed AND password",
        "details.sourceipaddress:\"10.0.0.0/8\"",
        "details.sourceipaddress:[10.0.0.1 TO 10.0.0.9]",
        "hostname:web*",
        "details.user:/ad.*n/",
        "details.destinationport:[0 TO 1024]",
        "utctimestamp:[now-2h TO now]",
        "_exists_:details.sourceipaddress",
        "NOT category:syslog",
        "category:a OR category:b",
    ];
    for text in exact {
        assert!(plan_of(&qs(text)).exact, "{text}");
    }
    let narrowing = ["\"Failed password\"", "details.user:bob~1", "details.\\*:bob", "_exists_:details.\\*"];
    for text in narrowing {
        assert!(!plan_of(&qs(text)).exact, "{text}");
    }
}

#[test]
fn free_text_patterns_and_ranges_narrow() {
    let d = json!({
        "summary": "Failed password for root from 10.0.0.1",
        "hostname": "web-01.example.com",
        "details": {"user": "admin", "destinationport": "22", "sourceipaddress": "10.1.2.3"},
        "utctimestamp": "2016-07-13T20:58:43+00:00"
    });
    let cases = [
        ("failed", true),
        ("succeeded", false),
        ("\"Failed password\"", true),
        ("\"password Failed\"", false), // the tokens are there: the plan admits it
        ("admin", true),
        ("hostname:web*", true),
        ("hostname:db*", false),
        ("details.user:/ad.*n/", true),
        ("details.user:/ad.*x/", false),
        ("details.destinationport:[0 TO 1024]", false), // keyword order: "22" > "1024"
        ("details.destinationport:[1 TO 3]", true),
        ("details.sourceipaddress:\"10.0.0.0/8\"", true),
        ("details.sourceipaddress:\"192.168.0.0/16\"", false),
        ("utctimestamp:[now-1h TO now]", true),
        ("utctimestamp:[now-1m TO now]", false),
        ("_exists_:details.user", true),
        ("_exists_:details.nope", false),
        ("NOT details.user:admin", false),
    ];
    for (text, expected) in cases {
        let (admits, matches) = admits_and_matches(&qs(text), &d);
        assert_eq!(matches, expected, "evaluator on {text}");
        let phrase_out_of_order = text.starts_with("\"password");
        assert_eq!(admits, expected || phrase_out_of_order, "plan on {text}");
    }
}

#[test]
fn windows_are_exact_on_both_fields() {
    let mut q = SearchQuery::new(Some(Duration::hours(1)));
    q.add_must(Match::term("category", "x"));
    let inside = json!({"category": "x", "receivedtimestamp": "2016-07-13T20:30:00+00:00"});
    let outside = json!({"category": "x", "utctimestamp": "2016-07-13T19:59:59.999+00:00"});
    let edge = json!({"category": "x", "utctimestamp": "2016-07-13T20:00:00+00:00"});
    assert_eq!(admits_and_matches(&q, &inside), (true, true));
    assert_eq!(admits_and_matches(&q, &outside), (false, false));
    assert_eq!(admits_and_matches(&q, &edge), (true, true));
}

#[test]
fn long_values_pass_patterns_and_ranges() {
    let value = format!("{}b", "a".repeat(250));
    let d = json!({"details": {"user": value}});
    for text in ["details.user:a*b", "details.user:/a+b/", "details.user:{aa TO b}", "details.user:[aaa TO *]"] {
        let (admits, matches) = admits_and_matches(&qs(text), &d);
        assert!(admits || !matches, "{text}: a match is dropped");
        assert!(admits, "{text}: the cut term must pass");
    }
}

#[derive(Debug, Default)]
struct Stats {
    queries: usize,
    exact: usize,
    narrowing: usize,
    pairs: usize,
    matches: usize,
    exact_pairs: usize,
    suspect_docs: usize,
    admitted: usize,
    reduced_pairs: usize,
}

#[test]
fn plans_never_drop_a_match_and_exact_plans_are_exact() {
    const DOCS: usize = 3000;
    const QUERIES: usize = 4000;
    const DOCS_PER_QUERY: usize = 300;

    let mut rng = Rng::new(0x1DE8_2026_1207);
    let docs: Vec<Value> = (0..DOCS)
        .map(|_| match random_doc(&mut rng) {
            Value::Array(mut items) => items.pop().unwrap_or_else(|| json!({})),
            d => d,
        })
        .collect();
    let indexed: Vec<IndexedDocument> = docs.iter().map(|d| index_document(&doc(d.clone()))).collect();
    let now = now();
    let mut stats = Stats { suspect_docs: indexed.iter().filter(|d| d.is_suspect()).count(), ..Stats::default() };

    for qi in 0..QUERIES {
        let mut query = random_query(&mut rng);
        if rng.chance(0.30) {
            query.window = Some(Duration::minutes(*rng.pick(&[10_i64, 60, 1440, 2880])));
        }
        let Ok(compiled) = query.compile() else { continue };
        stats.queries += 1;
        let plan = compiled.index_plan(now);
        let reduced = plan.query.without_scans();
        if plan.exact {
            stats.exact += 1;
        } else if !matches!(plan.query, IndexQuery::All) {
            stats.narrowing += 1;
        }
        for k in 0..DOCS_PER_QUERY {
            let di = (qi * 7919 + k) % DOCS;
            let (d, ix) = (&docs[di], &indexed[di]);
            stats.pairs += 1;
            let admits = plan.query.admits(ix);
            let matches = compiled.matches(d, now);
            stats.matches += usize::from(matches);
            stats.admitted += usize::from(admits);
            assert!(
                admits || !matches,
                "the plan drops a match\nquery: {query:?}\nplan: {plan:?}\ndoc: {d}\nindexed: {ix:?}"
            );
            if let Some(reduced) = &reduced {
                stats.reduced_pairs += 1;
                assert!(
                    reduced.admits(ix) || !admits,
                    "without its scans the plan drops a candidate\nquery: {query:?}\nreduced: {reduced:?}\ndoc: {d}"
                );
            }
            if plan.exact && !ix.is_suspect() {
                stats.exact_pairs += 1;
                assert_eq!(
                    admits, matches,
                    "an exact plan disagrees\nquery: {query:?}\nplan: {plan:?}\ndoc: {d}\nindexed: {ix:?}"
                );
            }
        }
    }
    eprintln!("{stats:#?}");
    // The test must exercise the properties, not pass vacuously.
    assert!(stats.queries > QUERIES / 2, "{stats:?}");
    assert!(stats.exact > stats.queries / 3, "{stats:?}");
    assert!(stats.exact_pairs > 200_000, "{stats:?}");
    assert!(stats.matches > 5_000, "{stats:?}");
    assert!(stats.suspect_docs < DOCS / 2, "{stats:?}");
    assert!(stats.reduced_pairs > 20_000, "{stats:?}");
}
