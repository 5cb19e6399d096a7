//! `get_watchlist.py` (MozDef shipped no test for it): the summary with each kind of user
//! field, with and without source address, the term named per event when several are
//! watched, and the negatives (no term, no match, no `details`, no `hostname`, window).

use mozdef_alerts::catalogue::get_watchlist;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "hostname": "exhostname",
        "summary": "Suspicious traffic by evilterm detected",
        "details": {"username": "ttesterson", "sourceipaddress": "1.2.3.4"}
    }))
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

fn alert(summary: &str) -> Value {
    json!({"category": "watchlist", "severity": "WARNING", "summary": summary, "tags": ["watchtarget"], "notify_mozdefbot": true})
}

fn watching(terms: &[&str]) -> Subject {
    let mut subject = Subject::defaults(get_watchlist::entry);
    subject.watchlist = terms.iter().map(|t| (*t).to_owned()).collect();
    subject
}

#[tokio::test]
async fn get_watchlist() {
    let default_alert = alert("Watchlist term evilterm detected by ttesterson from 1.2.3.4 on exhostname");
    let cases = vec![
        positive("term in the summary", with(json!({})), default_alert.clone()),
        positive("19 minutes old", vec![aged(&default_event(), 19)], default_alert.clone()),
        positive(
            "original user",
            with(json!({"details": {"username": null, "originaluser": "root"}})),
            alert("Watchlist term evilterm detected by root from 1.2.3.4 on exhostname"),
        ),
        positive(
            "user",
            with(json!({"details": {"username": null, "user": "alice"}})),
            alert("Watchlist term evilterm detected by alice from 1.2.3.4 on exhostname"),
        ),
        positive(
            "no user",
            with(json!({"details": {"username": null}})),
            alert("Watchlist term evilterm detected  from 1.2.3.4 on exhostname"),
        ),
        positive(
            "neither user nor source",
            with(json!({"details": {"username": null, "sourceipaddress": null}})),
            alert("Watchlist term evilterm detected   on exhostname"),
        ),
        positive_attaching("one alert per event", vec![default_event(); 2], default_alert, 1),
        negative("no match", with(json!({"summary": "nothing to see"}))),
        negative("no details", with(json!({"details": null}))),
        negative("no hostname", with(json!({"hostname": null}))),
        negative("old timestamp", vec![aged(&default_event(), 21)]),
    ];
    check(watching(&["evilterm"]), cases).await;

    let cases = vec![
        positive(
            "the second term",
            with(json!({"summary": "nothing here", "details": {"destination": "badhost.example.com"}})),
            alert("Watchlist term badhost.example.com detected by ttesterson from 1.2.3.4 on exhostname"),
        ),
        positive(
            "both terms: the first is named",
            with(json!({"details": {"destination": "badhost.example.com"}})),
            alert("Watchlist term evilterm detected by ttesterson from 1.2.3.4 on exhostname"),
        ),
        negative("neither term", with(json!({"summary": "nothing here"}))),
    ];
    check(watching(&["evilterm", "badhost.example.com"]), cases).await;

    let cases = vec![negative("no terms: nothing is searched for", with(json!({})))];
    check(watching(&[]), cases).await;
}
