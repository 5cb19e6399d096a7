//! `dns_watchlist` (not a MozDef alert): Route 53 Resolver queries for a watched name or a
//! name under it, with or without the trailing dot, one alert per query naming the watched
//! name; the negatives (names that only end alike, the parent name, other source or
//! category, window), terms that are not DNS names, and an empty watchlist.

use mozdef_alerts::catalogue::dns_watchlist;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "dns",
        "source": "route53resolver",
        "details": {
            "query": "evil.example.com",
            "querytype": "A",
            "sourceipaddress": "10.0.0.5",
            "rcode": "NOERROR"
        }
    }))
}

fn querying(name: &str) -> Vec<Value> {
    vec![merge(&default_event(), &json!({"details": {"query": name}}))]
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

fn alert(summary: &str) -> Value {
    json!({
        "category": "watchlist",
        "tags": ["dns", "watchlist", "route53resolver"],
        "severity": "WARNING",
        "summary": summary,
        "notify_mozdefbot": true,
    })
}

fn watching(terms: &[&str]) -> Subject {
    let mut subject = Subject::defaults(dns_watchlist::entry);
    subject.watchlist = terms.iter().map(|t| (*t).to_owned()).collect();
    subject
}

#[tokio::test]
async fn dns_watchlist() {
    let default_alert = alert("DNS query for watchlisted name evil.example.com: evil.example.com (A) from 10.0.0.5");
    let cases = vec![
        positive("the watched name", querying("evil.example.com"), default_alert.clone()),
        positive(
            "the watched name with its trailing dot",
            querying("evil.example.com."),
            alert("DNS query for watchlisted name evil.example.com: evil.example.com. (A) from 10.0.0.5"),
        ),
        positive(
            "a name under it",
            with(json!({"details": {"query": "www.evil.example.com", "querytype": "AAAA"}})),
            alert("DNS query for watchlisted name evil.example.com: www.evil.example.com (AAAA) from 10.0.0.5"),
        ),
        positive(
            "a name two labels under it, with the trailing dot",
            querying("a.b.evil.example.com."),
            alert("DNS query for watchlisted name evil.example.com: a.b.evil.example.com. (A) from 10.0.0.5"),
        ),
        positive(
            "no query type nor source address",
            with(json!({"details": {"querytype": null, "sourceipaddress": null}})),
            alert("DNS query for watchlisted name evil.example.com: evil.example.com (unknown) from unknown"),
        ),
        positive("nineteen minutes old", vec![aged(&default_event(), 19)], default_alert.clone()),
        positive_attaching("one alert per query", vec![default_event(); 2], default_alert, 1),
        negative("a name ending alike", querying("notevil.example.com")),
        negative("a longer top-level name", querying("evil.example.com.au")),
        negative("the parent name", querying("example.com")),
        negative("another name", querying("good.example.org")),
        negative("other source", with(json!({"source": "bro"}))),
        negative("other category", with(json!({"category": "syslog"}))),
        negative("twenty-one minutes old", vec![aged(&default_event(), 21)]),
    ];
    check(watching(&["evil.example.com"]), cases).await;

    let cases = vec![
        positive(
            "the second watched name",
            querying("cdn.bad.example.net"),
            alert("DNS query for watchlisted name bad.example.net: cdn.bad.example.net (A) from 10.0.0.5"),
        ),
        positive(
            "the term as the watchlist holds it, matched without case or trailing dot",
            querying("mail.evil.example.com"),
            alert("DNS query for watchlisted name Evil.Example.COM.: mail.evil.example.com (A) from 10.0.0.5"),
        ),
        negative("a word is not a name", querying("evilterm")),
        negative("a word is not a top-level domain", querying("www.evilterm")),
    ];
    check(watching(&["evilterm", "details.username:bob", "bad.example.net", "Evil.Example.COM."]), cases).await;

    let cases = vec![positive(
        "both a name and its parent watched: the first in the watchlist is named",
        querying("www.evil.example.com"),
        alert("DNS query for watchlisted name example.com: www.evil.example.com (A) from 10.0.0.5"),
    )];
    check(watching(&["example.com", "evil.example.com"]), cases).await;

    let cases = vec![negative("no terms: nothing is searched for", querying("evil.example.com"))];
    check(watching(&[]), cases).await;
}
