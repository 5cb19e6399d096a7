//! `ssl_blacklist_hit` (MozDef shipped no test for it; cases in its suites' style, inventory
//! §8).

use mozdef_alerts::catalogue::ssl_blacklist_hit;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "eventsource": "nsm",
        "category": "brointel",
        "hostname": "nsm1.example.com",
        "summary": "10.0.0.5 connected to a blacklisted SSL certificate",
        "details": {"sources": "abuse.ch SSLBL", "sourceipaddress": "10.0.0.5"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "correlatedalerts",
        "severity": "NOTICE",
        "summary": "nsm1.example.com 10.0.0.5 connected to a blacklisted SSL certificate",
        "tags": ["nsm,bro,correlated"],
        "notify_mozdefbot": false,
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn ssl_blacklist_hit() {
    let cases = vec![
        positive("default event", with(json!({})), default_alert()),
        positive("event fourteen minutes old", vec![aged(&default_event(), 14)], default_alert()),
        positive(
            "sources as a list",
            with(json!({"details": {"sources": ["other feed", "abuse.ch SSLBL"]}})),
            default_alert(),
        ),
        negative("wrong eventsource", with(json!({"eventsource": "systemslogs"}))),
        negative("wrong category", with(json!({"category": "bro"}))),
        negative("other intel source", with(json!({"details": {"sources": "abuse.ch ZeuS"}}))),
        negative("no source address", with(json!({"details": {"sourceipaddress": null}}))),
        negative("event sixteen minutes old", vec![aged(&default_event(), 16)]),
    ];
    check(Subject::defaults(ssl_blacklist_hit::entry), cases).await;
}
