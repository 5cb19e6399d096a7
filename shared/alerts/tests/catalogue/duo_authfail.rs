//! `tests/alerts/test_duo_authfail.py`, plus the negatives of inventory §8.

use mozdef_alerts::catalogue::duo_authfail;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "authentication",
        "summary": "authentication FRAUD for you@somewhere.com",
        "details": {"sourceipaddress": "1.2.3.4", "username": "you@somewhere.com", "result": "fraud"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "duosecurity",
        "tags": ["duosecurity", "duosecurity_auth_fail"],
        "severity": "WARNING",
        "url": "https://www.mozilla.org",
        "summary": "Duo Authentication Failure: user you@somewhere.com rejected and marked a Duo Authentication attempt from 1.2.3.4 as fraud",
        "notify_mozdefbot": true,
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn duo_authfail() {
    let cases = vec![
        positive("good event", with(json!({})), default_alert()),
        positive("somewhat old timestamp", vec![aged(&default_event(), 1)], default_alert()),
        positive("fourteen minutes old", vec![aged(&default_event(), 14)], default_alert()),
        negative("bad category", with(json!({"category": "badcategory"}))),
        negative("bad result", with(json!({"details": {"result": "SUCCESS"}}))),
        negative("without details.sourceipaddress", with(json!({"details": {"sourceipaddress": null}}))),
        negative("without details.username", with(json!({"details": {"username": null}}))),
        negative("wrong timestamp", vec![aged(&default_event(), 16)]),
    ];
    check(Subject::defaults(duo_authfail::entry), cases).await;
}
