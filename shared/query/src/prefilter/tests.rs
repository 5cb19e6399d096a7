use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use super::*;
use crate::{Match, SearchQuery};

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 7, 13, 21, 0, 0).single().unwrap_or_default()
}

fn terms(doc: Value) -> Vec<String> {
    index_terms(&doc)
}

fn strs(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

/// The required terms of one matcher.
fn req(m: Match) -> Vec<Vec<String>> {
    match m.compile() {
        Ok(c) => c.required_terms(),
        Err(e) => panic!("{m:?}: {e}"),
    }
}

fn req_qs(text: &str) -> Vec<Vec<String>> {
    match Match::query_string(text) {
        Ok(m) => req(m),
        Err(e) => panic!("{text:?}: {e}"),
    }
}

fn groups(gs: &[&[&str]]) -> Vec<Vec<String>> {
    gs.iter().map(|g| strs(g)).collect()
}

// ---------------------------------------------------------------------------------------
// index_terms
// ---------------------------------------------------------------------------------------

#[test]
fn index_terms_of_nested_and_dotted_keys() {
    let doc = json!({
        "category": "authentication",
        "details": {"user": "bob", "a": {"b": "deep"}, "a.c": "lit"},
        "details.user": "alice",
        "": {"x": "empty-key"},
        "k": {"": "inner-empty"}
    });
    assert_eq!(
        terms(doc),
        strs(&[
            "category=authentication",
            "details.user=bob",
            "details.a.b=deep",
            "details.a.c=lit",
            "details.user=alice",
            ".x=empty-key",
            "k.=inner-empty",
        ])
    );
    // The paths are exactly those `field_values` reads.
    let doc = json!({"": {"x": 1}});
    assert_eq!(mozdef_model::field_values(&doc, ".x"), vec![&json!(1)]);
    assert!(mozdef_model::field_values(&doc, "x").is_empty());
}

#[test]
fn index_terms_of_arrays_numbers_and_nulls() {
    let doc = json!({
        "tags": ["ssh", ["nested", null], "ssh"],
        "details": {"list": [{"x": 1}, {"x": 2.5}, [{"x": -3}]], "n": null, "empty": {}, "none": []},
        "count": 5,
        "flag": true,
        "blank": ""
    });
    assert_eq!(
        terms(doc),
        strs(&[
            "tags=ssh",
            "tags=nested",
            "details.list.x=1",
            "details.list.x=2.5",
            "details.list.x=-3",
            "count=5",
            "flag=true",
            "blank=",
        ])
    );
    // Root scalars and root arrays of scalars have no field.
    assert!(terms(json!("x")).is_empty());
    assert!(terms(json!([1, "a", null])).is_empty());
    assert_eq!(terms(json!([{"a": 1}, [{"a": 2}]])), strs(&["a=1", "a=2"]));
}

#[test]
fn index_terms_of_summary_tokens() {
    let doc = json!({"summary": ["Failed login for Bob from 10.1.2.3 at /var/log/auth.log", 42, true]});
    assert_eq!(
        terms(doc),
        strs(&[
            "summary=failed",
            "summary=login",
            "summary=for",
            "summary=bob",
            "summary=from",
            "summary=10.1.2.3",
            "summary=at",
            "summary=var",
            "summary=log",
            "summary=auth.log",
            "summary=42",
            "summary=true",
        ])
    );
    assert!(terms(json!({"summary": "... --- !!!"})).is_empty());
    // Only `summary` is text; `Summary` and nested `x.summary` are keywords.
    assert_eq!(terms(json!({"Summary": "A b", "x": {"summary": "A b"}})), strs(&["Summary=A b", "x.summary=A b"]));
}

#[test]
fn index_terms_of_ip_fields() {
    let doc = json!({"details": {
        "sourceipaddress": ["10.0.0.1", "::ffff:10.0.0.2", "2001:DB8:0:0::1", "0:0:0:0:0:0:0:1", "bogus", 167772161, "10.0.0.0/8"],
        "destinationipaddress": "::ffff:a00:3",
        "ipstring": "::ffff:10.0.0.1"
    }});
    assert_eq!(
        terms(doc),
        strs(&[
            "details.sourceipaddress=10.0.0.1",
            "details.sourceipaddress=10.0.0.2",
            "details.sourceipaddress=2001:db8::1",
            "details.sourceipaddress=::1",
            "details.destinationipaddress=10.0.0.3",
            // Not an `ip` field: the keyword as written.
            "details.ipstring=::ffff:10.0.0.1",
        ])
    );
}

#[test]
fn index_terms_of_booleans_dates_and_geo_points() {
    let doc = json!({
        "details": {
            "success": [true, "false", "", "True", 1, "yes"],
            "sourceipgeopoint": {"lat": 1.5, "lon": 2},
            "destinationipgeopoint": "1.5,2"
        },
        "utctimestamp": "2016-07-13T20:58:43+00:00",
        "receivedtimestamp": 1468443523000_i64,
        "timestamp": "garbage"
    });
    assert_eq!(
        terms(doc),
        strs(&[
            "details.success=true",
            "details.success=false",
            // Below a geo point the paths are keywords again, as `field_values` reads them.
            "details.sourceipgeopoint.lat=1.5",
            "details.sourceipgeopoint.lon=2",
        ])
    );
}

#[test]
fn long_terms_are_cut_at_a_char_boundary() {
    let long_a = format!("{}x", "a".repeat(300));
    let long_b = format!("{}y", "a".repeat(300));
    let t = terms(json!({"k": [long_a, long_b]}));
    assert_eq!(t.len(), 1, "both long values share one term");
    assert_eq!(t[0].len(), MAX_TERM_BYTES);
    assert!(t[0].starts_with("k=aaa"));

    // `é` is two bytes: "k=" + 99 × "é" = 200 bytes, the 100th would end at 202.
    let t = terms(json!({"k": "é".repeat(150)}));
    assert_eq!(t, vec![format!("k={}", "é".repeat(99))]);
    let t = terms(json!({"kk": "é".repeat(150)}));
    assert_eq!(t[0].len(), 199);
    assert!(t[0].is_char_boundary(t[0].len()));

    // The query side is cut the same way.
    assert_eq!(term("k", &"é".repeat(150)), format!("k={}", "é".repeat(99)));
    assert_eq!(req(Match::term("k", format!("{}z", "a".repeat(300)))), vec![vec![t_long("k")]]);
}

fn t_long(path: &str) -> String {
    term(path, &"a".repeat(300))
}

#[test]
fn satisfies_checks_every_group() {
    let doc = index_terms(&json!({"a": "1", "b": "2"}));
    assert!(satisfies(&doc, &[]));
    assert!(satisfies(&doc, &groups(&[&["a=1"], &["b=2", "b=3"]])));
    assert!(!satisfies(&doc, &groups(&[&["a=1"], &["b=3"]])));
    assert!(!satisfies(&doc, &[Vec::new()]));
}

// ---------------------------------------------------------------------------------------
// required_terms
// ---------------------------------------------------------------------------------------

#[test]
fn keyword_terms_terms_and_phrases() {
    assert_eq!(req(Match::term("category", "auth")), groups(&[&["category=auth"]]));
    assert_eq!(req(Match::term("details.sourceport", 22)), groups(&[&["details.sourceport=22"]]));
    assert_eq!(req(Match::term("details.ratio", 1.5)), groups(&[&["details.ratio=1.5"]]));
    assert_eq!(req(Match::term("flag", true)), groups(&[&["flag=true"]]));
    assert_eq!(req(Match::terms("tags", ["b", "a", "b"])), groups(&[&["tags=a", "tags=b"]]));
    assert_eq!(req(Match::phrase("hostname", "Some Host")), groups(&[&["hostname=Some Host"]]));
    // Literal dotted paths and the empty key are literal paths too.
    assert_eq!(req(Match::term("details.a.b", "x")), groups(&[&["details.a.b=x"]]));
    assert_eq!(req(Match::term("", "x")), groups(&[&["=x"]]));
}

#[test]
fn summary_terms_and_phrases() {
    assert_eq!(req(Match::term("summary", "Failed LOGIN")), groups(&[&["summary=failed", "summary=login"]]));
    assert_eq!(req(Match::phrase("summary", "Failed LOGIN")), groups(&[&["summary=failed"], &["summary=login"]]));
    assert_eq!(req(Match::phrase("summary", "login")), groups(&[&["summary=login"]]));
    // `Terms` on text compares tokens with the values as written.
    assert_eq!(req(Match::terms("summary", ["Failed", "x"])), groups(&[&["summary=Failed", "summary=x"]]));
    // Nothing to analyse: nothing matches.
    assert_eq!(req(Match::term("summary", "...")), vec![Vec::<String>::new()]);
    assert_eq!(req(Match::phrase("summary", "")), vec![Vec::<String>::new()]);
    // Other tests on tokens give no group.
    assert!(req(Match::wildcard("summary", "fail*")).is_empty());
    assert!(req(Match::range("summary", Some(json!("a")), None)).is_empty());
}

#[test]
fn ip_and_boolean_fields() {
    let src = "details.sourceipaddress";
    assert_eq!(req(Match::term(src, "10.0.0.1")), groups(&[&["details.sourceipaddress=10.0.0.1"]]));
    assert_eq!(req(Match::term(src, "::ffff:10.0.0.1")), groups(&[&["details.sourceipaddress=10.0.0.1"]]));
    assert_eq!(req(Match::term(src, "2001:DB8::1")), groups(&[&["details.sourceipaddress=2001:db8::1"]]));
    assert_eq!(req(Match::term(src, "10.0.0.1/32")), groups(&[&["details.sourceipaddress=10.0.0.1"]]));
    assert_eq!(
        req(Match::terms(src, ["10.0.0.1", "::1"])),
        groups(&[&["details.sourceipaddress=10.0.0.1", "details.sourceipaddress=::1"]])
    );
    assert_eq!(req(Match::phrase(src, "10.0.0.1")), groups(&[&["details.sourceipaddress=10.0.0.1"]]));
    assert!(req(Match::term(src, "10.0.0.0/8")).is_empty());
    assert!(req(Match::terms(src, ["10.0.0.1", "10.0.0.0/8"])).is_empty());
    assert!(req(Match::range(src, Some(json!("10.0.0.1")), Some(json!("10.0.0.2")))).is_empty());
    // A range of one address is that address.
    assert_eq!(
        req(Match::range(src, Some(json!("10.0.0.1")), Some(json!("10.0.0.1")))),
        groups(&[&["details.sourceipaddress=10.0.0.1"]])
    );
    assert!(req(Match::subnet(src, "10.0.0.0/8").unwrap()).is_empty());
    assert_eq!(req(Match::subnet(src, "10.0.0.1").unwrap()), groups(&[&["details.sourceipaddress=10.0.0.1"]]));
    // A subnet on a keyword field does not compile (OpenSearch cannot answer it).
    assert!(Match::subnet("details.ipstring", "10.0.0.1").unwrap().compile().is_err());

    let ok = "details.success";
    assert_eq!(req(Match::term(ok, true)), groups(&[&["details.success=true"]]));
    assert_eq!(req(Match::term(ok, "false")), groups(&[&["details.success=false"]]));
    assert_eq!(req(Match::terms(ok, [true, false])), groups(&[&["details.success=false", "details.success=true"]]));
    assert_eq!(req(Match::range(ok, Some(json!(true)), None)), groups(&[&["details.success=true"]]));
    assert_eq!(req(Match::range(ok, Some(json!(true)), Some(json!(false)))), vec![Vec::<String>::new()]);
}

#[test]
fn constructs_without_groups() {
    assert!(req(Match::wildcard("category", "auth*")).is_empty());
    assert!(req(Match::exists("category")).is_empty());
    assert!(req(Match::missing("category")).is_empty());
    assert!(req(Match::range("category", Some(json!("a")), Some(json!("a")))).is_empty());
    assert!(req(Match::less_than("details.count", 5)).is_empty());
    assert!(req(Match::term("utctimestamp", "2016-07-13")).is_empty());
    // Geo points only answer `Exists`/`Missing`: a term on one matches nothing.
    assert_eq!(req(Match::term("details.sourceipgeopoint", "1,2")), vec![Vec::<String>::new()]);
    // Field-name patterns give no group.
    assert!(req(Match::term("details.*", "x")).is_empty());
    assert!(req(Match::term("*", "x")).is_empty());
    // Values that can never match still give an unsatisfiable group.
    assert_eq!(req(Match::terms("category", Vec::<Value>::new())), vec![Vec::<String>::new()]);
}

#[test]
fn bool_structure() {
    let a = || Match::term("category", "a");
    let b = || Match::term("hostname", "b");
    let c = || Match::term("tags", "c");
    let none = || Match::exists("x");

    // must: every clause.
    assert_eq!(
        req(Match::boolean(vec![a(), b(), none()], vec![], vec![])),
        groups(&[&["category=a"], &["hostname=b"]])
    );
    // must_not: nothing.
    assert_eq!(req(Match::boolean(vec![a()], vec![b()], vec![])), groups(&[&["category=a"]]));
    assert!(req(Match::boolean(vec![], vec![b()], vec![])).is_empty());
    // should: the union when every clause has a group.
    assert_eq!(req(Match::boolean(vec![], vec![], vec![a(), b()])), groups(&[&["category=a", "hostname=b"]]));
    assert!(req(Match::boolean(vec![], vec![], vec![a(), none()])).is_empty());
    // should beside must is still required in MozDef's bool queries.
    assert_eq!(
        req(Match::boolean(vec![c()], vec![], vec![a(), b()])),
        groups(&[&["category=a", "hostname=b"], &["tags=c"]])
    );
    // A should clause with several groups contributes its smallest one.
    let phrase = Match::phrase("summary", "x y");
    let both = Match::boolean(vec![a(), Match::terms("tags", ["1", "2"])], vec![], vec![]);
    assert_eq!(req(Match::boolean(vec![], vec![], vec![phrase, both])), groups(&[&["category=a", "summary=x"]]));
    // An unsatisfiable should clause drops out of the union.
    assert_eq!(
        req(Match::boolean(vec![], vec![], vec![Match::term("summary", "!!"), a()])),
        groups(&[&["category=a"]])
    );
    // Nested booleans; a group implied by a smaller one is dropped.
    let inner = Match::boolean(vec![a()], vec![], vec![]);
    assert_eq!(
        req(Match::boolean(vec![inner, Match::terms("category", ["a", "z"])], vec![], vec![])),
        groups(&[&["category=a"]])
    );

    // SearchQuery: must, must_not, should; the window plays no part.
    let mut q = SearchQuery::new(Some(chrono::Duration::minutes(5)));
    q.add_must(a()).add_must_not(b()).add_should(c()).add_should(Match::term("tags", "d"));
    let compiled = q.compile().unwrap();
    assert_eq!(compiled.required_terms(), groups(&[&["category=a"], &["tags=c", "tags=d"]]));
    assert!(SearchQuery::new(None).compile().unwrap().required_terms().is_empty());
}

#[test]
fn query_strings() {
    assert_eq!(req_qs("category:auth"), groups(&[&["category=auth"]]));
    assert_eq!(req_qs("category:\"two words\""), groups(&[&["category=two words"]]));
    assert_eq!(req_qs("summary:FAILED"), groups(&[&["summary=failed"]]));
    assert_eq!(req_qs("summary:\"Failed Login\"~2"), groups(&[&["summary=failed"], &["summary=login"]]));
    assert_eq!(req_qs("details.sourceipaddress:10.0.0.1"), groups(&[&["details.sourceipaddress=10.0.0.1"]]));
    assert_eq!(req_qs("details.sourceipaddress:\"::ffff:10.0.0.1\""), groups(&[&["details.sourceipaddress=10.0.0.1"]]));
    assert!(req_qs("details.sourceipaddress:10.0.0.0\\/8").is_empty());
    assert_eq!(req_qs("details.success:true"), groups(&[&["details.success=true"]]));
    assert_eq!(req_qs("details.a\\.b:x"), groups(&[&["details.a.b=x"]]));

    // Lucene booleans: MUST clauses only when there are any, SHOULD otherwise.
    assert_eq!(req_qs("category:a AND hostname:b"), groups(&[&["category=a"], &["hostname=b"]]));
    assert_eq!(req_qs("category:a OR hostname:b"), groups(&[&["category=a", "hostname=b"]]));
    assert_eq!(req_qs("+category:a hostname:b"), groups(&[&["category=a"]]));
    assert_eq!(req_qs("category:a -hostname:b"), groups(&[&["category=a"]]));
    assert!(req_qs("NOT category:a").is_empty());
    assert!(req_qs("category:a OR category:b*").is_empty());
    assert_eq!(req_qs("(category:a OR tags:x) AND (hostname:b OR hostname:c)").len(), 2);
    // Whitespace is not an operator: one keyword value, or the text's tokens ORed.
    assert_eq!(req_qs("category:(a b)"), groups(&[&["category=a b"]]));
    assert_eq!(req_qs("category:(a OR b)"), groups(&[&["category=a", "category=b"]]));
    assert_eq!(req_qs("summary:(foo bar)"), groups(&[&["summary=bar", "summary=foo"]]));
    assert_eq!(req_qs("summary:(foo AND bar)"), groups(&[&["summary=bar"], &["summary=foo"]]));

    // The default field, patterns, wildcards, ranges, fuzzy terms, exists: no group.
    assert!(req_qs("foo").is_empty());
    assert!(req_qs("details.\\*:foo").is_empty());
    assert!(req_qs("category:au*").is_empty());
    assert!(req_qs("category:[a TO b]").is_empty());
    assert!(req_qs("category:>=a").is_empty());
    assert!(req_qs("category:auth~1").is_empty());
    assert!(req_qs("category:/a.*/").is_empty());
    assert!(req_qs("_exists_:category").is_empty());
    assert!(req_qs("category:*").is_empty());
    assert!(req_qs("*").is_empty());
    // An empty query string matches nothing.
    assert_eq!(req_qs(""), vec![Vec::<String>::new()]);
}

// ---------------------------------------------------------------------------------------
// Randomized property: matches ⇒ satisfies the prefilter
// ---------------------------------------------------------------------------------------

use crate::testing::{Rng, random_doc, random_query};

#[derive(Debug, Default)]
struct Stats {
    queries: usize,
    compile_errors: usize,
    with_prefilter: usize,
    unsatisfiable: usize,
    query_strings: usize,
    query_strings_with_prefilter: usize,
    pairs: usize,
    pairs_with_prefilter: usize,
    candidates: usize,
    matches: usize,
    matches_with_prefilter: usize,
}

#[test]
fn prefilter_never_rejects_a_match() {
    const DOCS: usize = 3000;
    const QUERIES: usize = 4000;
    const DOCS_PER_QUERY: usize = 300;

    let mut rng = Rng::new(0x5EED_2016_0713);
    let docs: Vec<Value> = (0..DOCS).map(|_| random_doc(&mut rng)).collect();
    let doc_terms: Vec<Vec<String>> = docs.iter().map(index_terms).collect();
    let now = now();
    let mut stats = Stats::default();

    for qi in 0..QUERIES {
        let query = random_query(&mut rng);
        stats.queries += 1;
        let is_qs = query.query.must.len() == 1
            && matches!(query.query.must[0], Match::QueryString(_))
            && query.query.should.is_empty()
            && query.query.must_not.is_empty();
        let compiled = match query.compile() {
            Ok(c) => c,
            Err(_) => {
                stats.compile_errors += 1;
                continue;
            }
        };
        let required = compiled.required_terms();
        if !required.is_empty() {
            stats.with_prefilter += 1;
        }
        if required.iter().any(Vec::is_empty) {
            stats.unsatisfiable += 1;
        }
        if is_qs {
            stats.query_strings += 1;
            stats.query_strings_with_prefilter += usize::from(!required.is_empty());
        }
        // The groups are normalised: sorted, deduplicated, no group inside another.
        for g in &required {
            assert!(g.windows(2).all(|w| w[0] < w[1]), "{g:?}");
        }
        for k in 0..DOCS_PER_QUERY {
            let di = (qi * 7919 + k) % DOCS;
            let (doc, terms) = (&docs[di], &doc_terms[di]);
            stats.pairs += 1;
            let pass = satisfies(terms, &required);
            if !required.is_empty() {
                stats.pairs_with_prefilter += 1;
                stats.candidates += usize::from(pass);
            }
            if compiled.matches(doc, now) {
                stats.matches += 1;
                stats.matches_with_prefilter += usize::from(!required.is_empty());
                assert!(
                    pass,
                    "prefilter rejects a match\nquery: {query:?}\nrequired: {required:?}\ndoc: {doc}\nterms: {terms:?}"
                );
            }
        }
    }
    eprintln!("{stats:#?}");
    let compiled = stats.queries - stats.compile_errors;
    eprintln!(
        "non-empty prefilter: {:.1}% of compiled queries ({} of {}), query strings alone {:.1}%; \
         candidates {:.2}% of docs for those queries",
        100.0 * stats.with_prefilter as f64 / compiled as f64,
        stats.with_prefilter,
        compiled,
        100.0 * stats.query_strings_with_prefilter as f64 / stats.query_strings.max(1) as f64,
        100.0 * stats.candidates as f64 / stats.pairs_with_prefilter.max(1) as f64,
    );
    // The test must exercise the property, not pass vacuously.
    assert!(compiled > QUERIES / 2, "{stats:?}");
    assert!(stats.with_prefilter > compiled / 5, "{stats:?}");
    assert!(stats.matches_with_prefilter > 2000, "{stats:?}");
}

#[test]
fn required_date_bounds_come_from_must_ranges() {
    let ms = |t: &str| DateTime::parse_from_rfc3339(t).map(|d| d.timestamp_millis()).unwrap_or_default();
    let mut query = SearchQuery::new(Some(chrono::Duration::hours(6)));
    query.add_must(Match::less_than("utctimestamp", json!("2016-07-12T21:00:00+00:00")));
    query.add_must(Match::term("category", "syslog"));
    let bounds = match query.compile() {
        Ok(c) => c.required_date_bounds(now()),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(bounds.len(), 1);
    let (field, lo, hi) = &bounds[0];
    assert_eq!(field, "utctimestamp");
    assert_eq!(*lo, i64::MIN, "open below");
    assert!(*hi <= ms("2016-07-12T21:00:00Z") && *hi >= ms("2016-07-12T20:59:59Z"), "{hi}");

    // Query-string ranges with date math count too; optional ranges do not.
    let qs = match Match::query_string("utctimestamp:[now-2h TO now-1h]") {
        Ok(m) => m.compile().map(|c| c.required_date_bounds(now())).unwrap_or_default(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(qs, vec![("utctimestamp".to_owned(), ms("2016-07-13T19:00:00Z"), ms("2016-07-13T20:00:00Z"))]);
    let optional = match Match::query_string("utctimestamp:[now-2h TO now-1h] OR category:x") {
        Ok(m) => m.compile().map(|c| c.required_date_bounds(now())).unwrap_or_default(),
        Err(e) => panic!("{e}"),
    };
    assert!(optional.is_empty(), "{optional:?}");
}
