//! `tests/alerts/test_promisc_audit.py`.

use mozdef_alerts::catalogue::promisc_audit;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "promiscuous",
        "summary": "Promisc: Interface eth0 set promiscuous on",
        "hostname": "example1.hostname.domain.com",
        "details": {"dev": "eth0"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "promisc",
        "severity": "WARNING",
        "summary": "Promiscuous mode enabled on example1.hostname.domain.com",
        "tags": ["promisc", "audit"],
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn promisc_audit() {
    let cases = vec![
        positive("good event", with(json!({})), default_alert()),
        positive("somewhat old timestamp", vec![aged(&default_event(), 1)], default_alert()),
        positive(
            "another host and interface",
            with(json!({"hostname": "db1.example.com", "details": {"dev": "ens3"}})),
            merge(&default_alert(), &json!({"summary": "Promiscuous mode enabled on db1.example.com"})),
        ),
        positive_attaching(
            "one alert per event",
            vec![default_event(), merge(&default_event(), &json!({"hostname": "db1.example.com"}))],
            json!({"category": "promisc", "severity": "WARNING"}),
            1,
        ),
        negative("bad category", with(json!({"category": "badcategory"}))),
        negative("bad summary", with(json!({"summary": "Promisc: Interface eth0 set promiscuous off"}))),
        negative("summary without 'promiscuous'", with(json!({"summary": "Interface eth0 set on"}))),
        negative("a container interface", with(json!({"details": {"dev": "veth123abc"}}))),
        negative("old timestamp", vec![aged(&default_event(), 3)]),
    ];
    check(Subject::defaults(promisc_audit::entry), cases).await;
}
