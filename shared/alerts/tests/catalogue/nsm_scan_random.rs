//! `tests/alerts/test_nsm_scan_random.py`.

use mozdef_alerts::catalogue::nsm_scan_random;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "bro",
        "summary": "Scan::Random_Scan source 10.252.25.90 destination unknown port unknown",
        "hostname": "your.friendly.nsm.sensor",
        "tags": ["bro"],
        "source": "notice",
        "details": {
            "sourceipaddress": "10.99.88.77",
            "indicators": "10.99.88.77",
            "source": "notice",
            "note": "Scan::Random_Scan",
        }
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "nsm",
        "severity": "WARNING",
        "summary": "Random scan from 10.99.88.77",
        "tags": ["nsm", "bro", "randomscan"],
        "notify_mozdefbot": true,
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

#[tokio::test]
async fn nsm_scan_random() {
    let cases = vec![
        positive("default events", with(json!({}), 5), default_alert()),
        positive("events a minute earlier", vec![aged(&default_event(), 1); 5], default_alert()),
        positive(
            "no reverse name even when one exists",
            with(json!({"details": {"sourceipaddress": "10.2.3.4", "indicators": "10.2.3.4"}}), 5),
            merge(&default_alert(), &json!({"summary": "Random scan from 10.2.3.4"})),
        ),
        positive(
            "no indicators",
            with(json!({"details": {"indicators": null}}), 5),
            merge(&default_alert(), &json!({"summary": "Random scan from unknown"})),
        ),
        negative("different category", with(json!({"category": "syslog"}), 5)),
        negative("different source", with(json!({"source": "intel"}), 5)),
        negative("address scan note", with(json!({"details": {"note": "Scan::Address_Scan"}}), 5)),
        negative(
            "excluded IP address",
            with(json!({"details": {"sourceipaddress": "10.54.65.234", "indicators": "1.2.3.4"}}), 5),
        ),
        negative(
            "excluded subnet",
            with(json!({"details": {"sourceipaddress": "1.2.3.4", "indicators": "1.2.3.4"}}), 5),
        ),
        negative("no source address (aggregation key)", with(json!({"details": {"sourceipaddress": null}}), 5)),
        negative("outside the 1 minute window", vec![aged(&default_event(), 2); 5]),
        negative("old timestamp", vec![aged(&default_event(), 15); 5]),
    ];
    check(Subject::defaults(nsm_scan_random::entry), cases).await;
}
