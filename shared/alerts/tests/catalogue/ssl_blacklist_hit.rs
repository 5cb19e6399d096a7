//! `ssl_blacklist_hit` (MozDef shipped no test for it; cases in its suites' style, inventory
//! §8).

use mozdef_alerts::catalogue::ssl_blacklist_hit;
use serde_json::json;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn ssl_blacklist_hit() {
    let shape = Shape::new(
        json!({
            "eventsource": "nsm",
            "category": "brointel",
            "hostname": "nsm1.example.com",
            "summary": "10.0.0.5 connected to a blacklisted SSL certificate",
            "details": {"sources": "abuse.ch SSLBL", "sourceipaddress": "10.0.0.5"}
        }),
        json!({
            "category": "correlatedalerts",
            "severity": "NOTICE",
            "summary": "nsm1.example.com 10.0.0.5 connected to a blacklisted SSL certificate",
            "tags": ["nsm,bro,correlated"],
            "notify_mozdefbot": false,
        }),
    );
    let cases = vec![
        positive("default event", shape.with(json!({})), shape.alert.clone()),
        positive("event fourteen minutes old", shape.aged(14, 1), shape.alert.clone()),
        positive(
            "sources as a list",
            shape.with(json!({"details": {"sources": ["other feed", "abuse.ch SSLBL"]}})),
            shape.alert.clone(),
        ),
        negative("wrong eventsource", shape.with(json!({"eventsource": "systemslogs"}))),
        negative("wrong category", shape.with(json!({"category": "bro"}))),
        negative("other intel source", shape.with(json!({"details": {"sources": "abuse.ch ZeuS"}}))),
        negative("no source address", shape.with(json!({"details": {"sourceipaddress": null}}))),
        negative("event sixteen minutes old", shape.aged(16, 1)),
    ];
    check(Subject::defaults(ssl_blacklist_hit::entry), cases).await;
}
