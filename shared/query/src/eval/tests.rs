use chrono::TimeZone;
use serde_json::json;

use super::*;
use mozdef_model::rng::SplitMix64 as Rng;

use crate::querystring::{QsQuery, QsValue, QueryString};
use crate::{IpNetwork, Match, QueryError, SearchQuery};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 7, 13, 21, 0, 0).single().unwrap_or_default()
}

fn doc() -> Value {
    json!({
        "utctimestamp": "2016-07-13T20:58:43+00:00",
        "receivedtimestamp": "2016-07-13T20:58:50+00:00",
        "category": "authentication",
        "summary": "Failed login for user Bob from 10.1.2.3 at /var/log/auth.log",
        "severity": "INFO",
        "tags": ["ssh", "bro,intel"],
        "details": {
            "sourceipaddress": "10.1.2.3",
            "destinationipaddress": "2001:db8::5",
            "ipstring": "192.168.1.20",
            "sourceport": 5022,
            "ratio": 1.5,
            "success": false,
            "username": "bob",
            "list": [{"x": "1"}, {"x": "2"}],
            "sourceipgeopoint": {"lat": 1.0, "lon": 2.0},
            "nested": {"deep": null},
            "empty": {},
            "emptylist": []
        },
        "details.literal": "dotted"
    })
}

fn try_matches(m: Match) -> Result<bool, QueryError> {
    Ok(CompiledMatch::new(&m)?.matches(&doc(), now()))
}

fn matches(m: Match) -> bool {
    match try_matches(m.clone()) {
        Ok(b) => b,
        Err(e) => panic!("{m:?}: {e}"),
    }
}

fn qs(text: &str) -> bool {
    match Match::query_string(text) {
        Ok(m) => matches(m),
        Err(e) => panic!("{text:?}: {e}"),
    }
}

#[test]
fn term_on_text_is_analysed() {
    assert!(matches(Match::term("summary", "failed")));
    assert!(matches(Match::term("summary", "FAILED")));
    assert!(matches(Match::term("summary", "nothing bob")));
    assert!(matches(Match::term("summary", "auth.log")));
    assert!(matches(Match::term("summary", "log")));
    assert!(matches(Match::term("summary", "10.1.2.3")));
    assert!(!matches(Match::term("summary", "fail")));
    assert!(!matches(Match::term("summary", "nothing here")));
    assert!(!matches(Match::term("summary", "...")));
}

#[test]
fn term_on_keyword_is_exact() {
    assert!(matches(Match::term("category", "authentication")));
    assert!(!matches(Match::term("category", "Authentication")));
    assert!(!matches(Match::term("category", "auth")));
    assert!(matches(Match::term("details.sourceport", 5022)));
    assert!(matches(Match::term("details.sourceport", "5022")));
    assert!(!matches(Match::term("details.sourceport", 5023)));
    assert!(matches(Match::term("details.ratio", 1.5)));
    assert!(matches(Match::term("details.ratio", "1.5")));
    assert!(matches(Match::term("tags", "ssh")));
    assert!(matches(Match::term("tags", "bro,intel")));
    assert!(!matches(Match::term("tags", "bro")));
    assert!(matches(Match::term("details.list.x", "2")));
    assert!(matches(Match::term("details.literal", "dotted")));
    assert!(!matches(Match::term("details.nested", "x")));
    assert!(!matches(Match::term("nope", "x")));
    assert!(matches!(try_matches(Match::term("category", json!({"a": 1}))), Err(QueryError::Pattern { .. })));
}

#[test]
fn term_on_ip_dates_and_booleans() {
    assert!(matches(Match::term("details.sourceipaddress", "10.1.2.3")));
    assert!(matches(Match::term("details.sourceipaddress", "10.0.0.0/8")));
    assert!(!matches(Match::term("details.sourceipaddress", "10.1.2.4")));
    assert!(matches(Match::term("details.destinationipaddress", "2001:db8::5")));
    assert!(matches(Match::term("details.destinationipaddress", "2001:db8::/32")));
    assert_eq!(try_matches(Match::term("details.sourceipaddress", "foo")), Err(QueryError::Network("foo".into())));

    assert!(matches(Match::term("utctimestamp", "2016-07-13T20:58:43+00:00")));
    assert!(matches(Match::term("utctimestamp", "2016-07-13T22:58:43+02:00")));
    assert!(matches(Match::term("utctimestamp", "2016-07-13")));
    assert!(!matches(Match::term("utctimestamp", "2016-07-14")));
    assert!(matches(Match::term("utctimestamp", 1_468_443_523_000_i64)));
    assert!(!matches(Match::term("utctimestamp", 1_468_443_523_001_i64)));
    assert!(matches!(try_matches(Match::term("utctimestamp", "garbage")), Err(QueryError::Pattern { .. })));

    assert!(matches(Match::term("details.success", false)));
    assert!(matches(Match::term("details.success", "false")));
    assert!(!matches(Match::term("details.success", true)));
    assert!(matches!(try_matches(Match::term("details.success", "yes")), Err(QueryError::Pattern { .. })));

    assert!(!matches(Match::term("details.sourceipgeopoint", "1,2")));
}

#[test]
fn stored_values_of_the_wrong_type_do_not_match() {
    let d = json!({"details": {"sourceipaddress": "not-an-ip", "success": "maybe"}, "utctimestamp": "soon"});
    let m = |m: Match| CompiledMatch::new(&m).is_ok_and(|c| c.matches(&d, now()));
    assert!(!m(Match::term("details.sourceipaddress", "10.0.0.1")));
    assert!(!m(Match::range("details.sourceipaddress", None, None)));
    assert!(!m(Match::term("details.success", true)));
    assert!(!m(Match::term("details.success", false)));
    assert!(!m(Match::range("utctimestamp", None, None)));
    // Malformed values are kept in _source but not indexed (ignore_malformed): they do not
    // exist, as on OpenSearch.
    assert!(!m(Match::exists("details.sourceipaddress")));
    assert!(m(Match::missing("details.sourceipaddress")));
    assert!(!m(Match::exists("utctimestamp")));
    assert!(!m(Match::query_string("_exists_:details.sourceip*").unwrap()));
    let syslog_date = json!({"utctimestamp": "Nov 23 11:50:00", "receivedtimestamp": "2016-07-13T20:58:43"});
    let n = |m: Match| CompiledMatch::new(&m).is_ok_and(|c| c.matches(&syslog_date, now()));
    assert!(!n(Match::range("utctimestamp", None, None)), "only date_optional_time||epoch_millis is indexed");
    assert!(n(Match::exists("receivedtimestamp")), "an ISO time without a zone is UTC");
}

#[test]
fn terms_are_exact() {
    assert!(matches(Match::terms("category", ["x", "authentication"])));
    assert!(!matches(Match::terms("category", ["x", "y"])));
    assert!(!matches(Match::terms("category", Vec::<Value>::new())));
    assert!(matches(Match::terms("summary", ["failed"])));
    assert!(!matches(Match::terms("summary", ["Failed"])));
    assert!(!matches(Match::terms("summary", ["failed login"])));
    assert!(matches(Match::terms("details.sourceipaddress", ["1.1.1.1", "10.0.0.0/8"])));
    assert!(!matches(Match::terms("details.sourceipaddress", ["1.1.1.1"])));
    assert!(matches(Match::terms("details.sourceport", [json!(1), json!(5022)])));
    assert!(matches(Match::terms("details.success", [true, false])));
    assert!(matches(Match::terms("utctimestamp", ["2015", "2016-07-13"])));
}

#[test]
fn phrases() {
    assert!(matches(Match::phrase("summary", "failed login")));
    assert!(matches(Match::phrase("summary", "FAILED LOGIN")));
    assert!(matches(Match::phrase("summary", "user bob from")));
    assert!(matches(Match::phrase("summary", "bob")));
    assert!(!matches(Match::phrase("summary", "login failed")));
    assert!(!matches(Match::phrase("summary", "failed user")));
    assert!(!matches(Match::phrase("summary", "--")));
    assert!(matches(Match::phrase("category", "authentication")));
    assert!(!matches(Match::phrase("category", "authent")));
    assert!(matches(Match::phrase("details.sourceipaddress", "10.1.2.3")));
}

#[test]
fn wildcards() {
    assert!(matches(Match::wildcard("category", "auth*")));
    assert!(matches(Match::wildcard("category", "*cation")));
    assert!(matches(Match::wildcard("category", "authent?cation")));
    assert!(!matches(Match::wildcard("category", "Auth*")));
    assert!(!matches(Match::wildcard("category", "auth")));
    assert!(matches(Match::wildcard("summary", "fail*")));
    assert!(matches(Match::wildcard("summary", "*ogin")));
    assert!(!matches(Match::wildcard("summary", "Fail*")));
    assert!(!matches(Match::wildcard("summary", "failed*login")));
    assert!(matches(Match::wildcard("details.sourceport", "50*")));
    assert!(!matches(Match::wildcard("details.sourceipaddress", "10.*")));
}

#[test]
fn exists_and_missing() {
    assert!(matches(Match::exists("details.username")));
    assert!(matches(Match::exists("details")));
    assert!(matches(Match::exists("details.list")));
    assert!(matches(Match::exists("details.sourceipgeopoint")));
    assert!(matches(Match::exists("details.literal")));
    assert!(!matches(Match::exists("details.nested.deep")));
    assert!(!matches(Match::exists("details.nested")));
    assert!(!matches(Match::exists("details.empty")));
    assert!(!matches(Match::exists("details.emptylist")));
    assert!(!matches(Match::exists("nope")));
    assert!(matches(Match::exists("details.*")));
    assert!(!matches(Match::exists("nope.*")));
    assert!(matches(Match::missing("details.nested")));
    assert!(matches(Match::missing("nope")));
    assert!(!matches(Match::missing("details.username")));
    assert!(matches(Match::missing("nope.*")));
}

#[test]
fn keyword_ranges_are_lexicographic() {
    let r = |lo: Option<Value>, hi: Option<Value>| matches(Match::range("details.sourceport", lo, hi));
    assert!(r(Some(json!("5000")), Some(json!("6000"))));
    assert!(r(Some(json!(5000)), Some(json!(6000))));
    assert!(r(Some(json!("10")), Some(json!("9"))));
    assert!(!r(Some(json!(1000)), Some(json!(2000))));
    assert!(r(Some(json!("5022")), Some(json!("5022"))));
    assert!(r(None, None));
    assert!(!matches(Match::less_than("details.sourceport", "5022")));
    assert!(matches(Match::less_than("details.sourceport", "6")));
    assert!(matches(Match::range("category", Some(json!("a")), Some(json!("b")))));
    assert!(matches(Match::range("summary", Some(json!("fa")), Some(json!("fb")))));
    assert!(!matches(Match::range("summary", Some(json!("Fa")), Some(json!("Fb")))));
}

#[test]
fn date_ranges() {
    let r = |lo: Option<Value>, hi: Option<Value>| matches(Match::range("utctimestamp", lo, hi));
    assert!(r(Some(json!("2016-07-13T20:00:00Z")), Some(json!("2016-07-13T21:00:00Z"))));
    assert!(r(Some(json!("2016-07-13T20:58:43Z")), Some(json!("2016-07-13T20:58:43Z"))));
    assert!(r(Some(json!("now-5m")), None));
    assert!(!r(Some(json!("now-1m")), None));
    assert!(r(None, Some(json!("2016-07-13"))));
    assert!(!r(None, Some(json!("2016-07-12"))));
    assert!(r(Some(json!(1_468_443_523_000_i64)), Some(json!(1_468_443_523_000_i64))));
    assert!(r(Some(json!("1468443523000")), None));
    assert!(r(Some(json!("now-1d/d")), Some(json!("now/d"))));
    assert!(!matches(Match::less_than("utctimestamp", "2016-07-13T20:58:43Z")));
    assert!(matches(Match::less_than("utctimestamp", "2016-07-13T20:58:44Z")));
    assert!(matches(Match::less_than("utctimestamp", "now")));
    assert!(matches!(try_matches(Match::less_than("utctimestamp", "later")), Err(QueryError::Pattern { .. })));
    assert!(matches!(try_matches(Match::less_than("utctimestamp", json!([1]))), Err(QueryError::Pattern { .. })));
}

#[test]
fn ip_and_boolean_ranges() {
    let r = |lo: &str, hi: &str| matches(Match::range("details.sourceipaddress", Some(json!(lo)), Some(json!(hi))));
    assert!(r("10.0.0.0", "10.255.255.255"));
    assert!(r("10.1.2.3", "10.1.2.3"));
    assert!(!r("11.0.0.0", "12.0.0.0"));
    assert!(!r("10.1.2.4", "10.0.0.0"));
    assert!(matches(Match::range("details.destinationipaddress", Some(json!("2001:db8::")), None)));
    assert!(matches(Match::range("details.sourceipaddress", Some(json!("::")), Some(json!("::ffff:ffff:ffff")))));
    assert_eq!(
        try_matches(Match::range("details.sourceipaddress", Some(json!("foo")), None)),
        Err(QueryError::Network("foo".into()))
    );
    assert!(matches(Match::range("details.success", Some(json!(false)), Some(json!(false)))));
    assert!(!matches(Match::range("details.success", Some(json!(true)), None)));
    assert!(matches(Match::less_than("details.success", true)));
}

#[test]
fn subnets() {
    let s = |field: &str, cidr: &str| Match::subnet(field, cidr).map(matches);
    assert_eq!(s("details.sourceipaddress", "10.0.0.0/8"), Ok(true));
    assert_eq!(s("details.sourceipaddress", "10.1.2.3/32"), Ok(true));
    assert_eq!(s("details.sourceipaddress", "192.168.0.0/16"), Ok(false));
    assert_eq!(s("details.destinationipaddress", "2001:db8::/32"), Ok(true));
    assert_eq!(s("details.destinationipaddress", "2001:db9::/32"), Ok(false));
    assert_eq!(s("details.destinationipaddress", "10.0.0.0/8"), Ok(false));
    assert_eq!(s("details.sourceipaddress", "2001:db8::/32"), Ok(false));
    assert_eq!(s("details.sourceipaddress", "::ffff:10.0.0.0/104"), Ok(true));
    // OpenSearch tests CIDR membership only on ip fields; both backends refuse the rest.
    let keyword = Match::subnet("details.ipstring", "192.168.0.0/16").and_then(|m| try_matches(m).map(|_| ()));
    assert_eq!(keyword, Err(QueryError::subnet_needs_ip("details.ipstring")));
    assert_eq!(s("category", "10.0.0.0/33"), Err(QueryError::Network("10.0.0.0/33".into())));
    let network = IpNetwork { addr: "10.0.0.0".parse().unwrap_or(std::net::IpAddr::from([0; 4])), prefix: 8 };
    assert!(matches(Match::Subnet { field: "details.sourceipaddress".into(), network }));
}

#[test]
fn nested_booleans() {
    let yes = || Match::term("category", "authentication");
    let no = || Match::term("category", "nope");
    assert!(matches(Match::boolean(vec![], vec![], vec![])));
    assert!(matches(Match::boolean(vec![yes()], vec![no()], vec![])));
    assert!(!matches(Match::boolean(vec![yes(), no()], vec![], vec![])));
    assert!(!matches(Match::boolean(vec![], vec![yes()], vec![])));
    assert!(matches(Match::boolean(vec![], vec![no()], vec![])));
    assert!(matches(Match::boolean(vec![], vec![], vec![no(), yes()])));
    assert!(!matches(Match::boolean(vec![], vec![], vec![no(), no()])));
    // Filter context: a should is required even beside a must.
    assert!(!matches(Match::boolean(vec![yes()], vec![], vec![no()])));
    assert!(matches(Match::boolean(vec![Match::boolean(vec![], vec![no()], vec![yes()])], vec![], vec![])));
}

#[test]
fn search_query_should_and_window() {
    let mut q = SearchQuery::new(Some(Duration::minutes(5)));
    q.add_must(Match::term("category", "authentication"));
    let compiled = CompiledQuery::new(&q);
    assert!(compiled.as_ref().is_ok_and(|c| c.matches(&doc(), now())));
    q.add_should(Match::term("tags", "nope"));
    assert!(CompiledQuery::new(&q).is_ok_and(|c| !c.matches(&doc(), now())));
    q.add_should(Match::term("tags", "ssh"));
    assert!(q.compile().is_ok_and(|c| c.matches(&doc(), now())));
    q.add_must_not(Match::term("severity", "INFO"));
    assert!(q.compile().is_ok_and(|c| !c.matches(&doc(), now())));

    let mut short = SearchQuery::new(Some(Duration::minutes(1)));
    short.add_must(Match::term("category", "authentication"));
    let c = short.compile();
    assert!(c.as_ref().is_ok_and(|c| !c.matches(&doc(), now())));
    assert!(c.as_ref().is_ok_and(|c| c.matches_filter(&doc(), now())));
    assert!(c.as_ref().is_ok_and(|c| !c.in_window(&doc(), now())));
    assert!(c.is_ok_and(|c| c.window() == Some(Duration::minutes(1))));
    assert!(SearchQuery::new(None).compile().is_ok_and(|c| c.matches(&doc(), now())));
    let mut bad = SearchQuery::new(None);
    bad.add_must(Match::term("details.sourceipaddress", "x"));
    assert!(bad.compile().is_err());
}

#[test]
fn window_bounds_are_inclusive_on_either_timestamp() {
    let at = |u: &str, r: &str| json!({"utctimestamp": u, "receivedtimestamp": r});
    let w = Duration::minutes(2);
    assert!(in_window(&doc(), w, now()));
    assert!(!in_window(&doc(), Duration::minutes(1), now()));
    assert!(in_window(&at("2016-07-13T20:58:00+00:00", "2000-01-01T00:00:00+00:00"), w, now()));
    assert!(in_window(&at("2000-01-01T00:00:00+00:00", "2016-07-13T21:00:00+00:00"), w, now()));
    assert!(!in_window(&at("2016-07-13T20:57:59.999+00:00", "2016-07-13T21:00:00.001+00:00"), w, now()));
    assert!(!in_window(&json!({"category": "x"}), w, now()));
    assert!(in_window(&json!({"utctimestamp": 1_468_443_600_000_i64}), w, now()));
    assert!(in_window(&doc(), Duration::MAX, now()));
    let q = SearchQuery::new(Some(w));
    assert_eq!(q.window_bounds(now()).map(|(lo, _)| lo), Some(now() - w));
    assert!(SearchQuery::new(Some(Duration::MAX)).window_bounds(now()).is_some());
}

#[test]
fn query_string_default_field() {
    assert!(qs("authentication"));
    assert!(qs("failed"));
    assert!(qs("Failed"));
    assert!(qs("10.1.2.3"));
    assert!(qs("10.0.0.0\\/8"));
    assert!(qs("5022"));
    assert!(qs("2016-07-13"));
    assert!(qs("dotted"));
    assert!(qs("false"));
    assert!(!qs("nothing"));
    assert!(!qs("bro"));
    assert!(!qs("1.0"));
    assert!(qs("auth*"));
    assert!(qs("\"failed login\""));
    assert!(qs("*"));
    assert!(qs("*:*"));
    assert!(!qs(""));
    assert!(qs("*:bob"));
}

#[test]
fn query_string_fields() {
    assert!(qs("category:authentication"));
    assert!(!qs("category:Authentication"));
    assert!(qs("category:auth*"));
    assert!(!qs("category:AUTH*"));
    assert!(qs("summary:FAIL*"));
    assert!(qs("summary:/fail.*/"));
    assert!(qs("summary:/FAIL.*/"));
    assert!(qs("category:/auth.*/"));
    assert!(!qs("category:/auth/"));
    assert!(qs("summary:\"failed login\""));
    assert!(!qs("summary:\"login failed\""));
    assert!(qs("summary:\"login failed\"~2"));
    assert!(qs("summary:faild~"));
    assert!(!qs("summary:faild~0"));
    assert!(qs("details.username:bobb~1"));
    assert!(qs("details.sourceport:[5000 TO 6000]"));
    assert!(qs("details.sourceport:>=5022"));
    assert!(!qs("details.sourceport:>5022"));
    assert!(qs("details.sourceport:[10 TO 9]"));
    assert!(qs("details.literal:dotted"));
    assert!(qs("details.list.x:2"));
    assert!(qs("details.\\*:bob"));
    assert!(!qs("details.\\*:alice"));
    assert!(qs("summary:(nothing OR bob)"));
}

#[test]
fn query_string_typed_fields() {
    assert!(qs("utctimestamp:[now-5m TO now]"));
    assert!(!qs("utctimestamp:>now-1m"));
    assert!(!qs("utctimestamp:{* TO 2016-07-13}"));
    assert!(qs("utctimestamp:[* TO 2016-07-13]"));
    assert!(qs("utctimestamp:2016-07-13"));
    assert!(qs("details.sourceipaddress:10.0.0.0\\/8"));
    assert!(qs("details.sourceipaddress:\"10.1.2.3\""));
    assert!(qs("details.sourceipaddress:[10.0.0.0 TO 10.255.255.255]"));
    assert!(!qs("details.sourceipaddress:{10.1.2.3 TO *]"));
    assert!(qs("details.destinationipaddress:2001\\:db8\\:\\:\\/32"));
    assert!(qs("details.success:false"));
    assert!(!qs("details.success:true"));
    assert!(!qs("details.sourceipaddress:10.*"));
}

#[test]
fn query_string_exists() {
    assert!(qs("_exists_:details.username"));
    assert!(!qs("_exists_:details.nope"));
    assert!(qs("details.username:*"));
    assert!(!qs("details.nope:*"));
    assert!(qs("NOT _exists_:details.nope"));
    assert!(qs("_exists_:details.*"));
    assert!(qs("_exists_:*"));
}

#[test]
fn query_string_lucene_boolean_semantics() {
    // `a AND b OR c` is `+a +b c`: c is optional, so a AND b decides.
    assert!(!qs("category:authentication AND category:nope OR tags:ssh"));
    // `a OR b AND c` is `a +b +c`.
    assert!(!qs("tags:ssh OR category:nope AND category:authentication"));
    assert!(qs("tags:nope OR category:authentication AND tags:ssh"));
    assert!(qs("category:nope OR tags:ssh"));
    assert!(!qs("category:nope tags:nope"));
    assert!(qs("+category:authentication tags:nope"));
    assert!(!qs("+category:authentication +tags:nope"));
    assert!(!qs("category:authentication AND -tags:ssh"));
    assert!(!qs("category:authentication AND NOT tags:ssh"));
    assert!(qs("category:authentication && !tags:nope"));
    assert!(qs("category:authentication || tags:nope"));
    // Purely negative queries and groups match everything else.
    assert!(!qs("-tags:ssh"));
    assert!(qs("-tags:nope"));
    assert!(qs("NOT tags:nope"));
    assert!(qs("(NOT tags:nope) AND category:authentication"));
    assert!(qs("category:nope OR (-tags:nope)"));
    // A should beside a must_not, without a must, is required.
    assert!(!qs("tags:nope -category:nope"));
    assert!(qs("tags:ssh -category:nope"));
    assert!(qs("category:(nope OR authentication)"));
    assert!(!qs("category:(nope AND authentication)"));
    assert!(qs("(category:nope OR tags:ssh) AND (summary:bob)"));
}

#[test]
fn query_string_errors_from_hand_built_trees() {
    let q = QueryString {
        text: String::new(),
        ast: QsQuery::Field { field: "details.sourceipaddress".into(), value: QsValue::Term("x".into()), position: 7 },
    };
    match CompiledMatch::new(&Match::QueryString(q)) {
        Err(QueryError::QueryString { position, .. }) => assert_eq!(position, 7),
        other => panic!("{other:?}"),
    }
}

#[test]
fn text_tokens_are_cached_per_value() {
    let m = Match::query_string("summary:failed AND summary:login AND summary:\"user bob\"");
    assert!(m.is_ok_and(matches));
    let d = json!({"summary": ["first value", "second value"]});
    let c = CompiledMatch::new(&Match::phrase("summary", "value second"));
    assert!(c.is_ok_and(|c| !c.matches(&d, now())));
    let c = CompiledMatch::new(&Match::term("summary", "second"));
    assert!(c.is_ok_and(|c| c.matches(&d, now())));
}

#[test]
fn compiled_queries_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<CompiledQuery>();
    assert_send_sync::<CompiledMatch>();
}

/// Query strings of random syntax pieces: those that parse compile (or are rejected) and
/// evaluate without panicking.
#[test]
fn random_query_strings_never_panic() {
    const PIECES: &[&str] = &[
        "a",
        "b",
        "foo",
        " ",
        " ",
        "AND",
        "OR",
        "NOT",
        "&&",
        "||",
        "!",
        "+",
        "-",
        "(",
        ")",
        ":",
        "^",
        "^2",
        "[",
        "]",
        "{",
        "}",
        "TO",
        "\"",
        "~",
        "~2",
        "*",
        "?",
        "\\",
        "/",
        ".",
        "10.0.0.1",
        "/8",
        "summary",
        "category",
        "details.sourceipaddress",
        "utctimestamp",
        "details.success",
        "_exists_",
        "now-1d/d",
        ">",
        "<=",
        "é",
        "東",
        "\u{3000}",
        "\t",
        "\\u",
        "\\u00e9",
        "0",
        "@",
        "#",
        "&",
        "<1-5>",
        "1.5",
    ];
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let doc = serde_json::json!({"summary": "foo bar", "category": "a", "details": {"sourceipaddress": "10.0.0.1", "success": true}, "utctimestamp": "2016-07-13T20:58:43+00:00"});
    let now = chrono::Utc::now();
    for _ in 0..20_000 {
        let n = (rng.next_u64() % 12) as usize;
        let text: String = (0..n).map(|_| PIECES[(rng.next_u64() % PIECES.len() as u64) as usize]).collect();
        if let Ok(qs) = QueryString::parse(&text)
            && let Ok(m) = CompiledMatch::new(&Match::QueryString(qs))
        {
            let _ = m.matches(&doc, now);
        }
    }
}
