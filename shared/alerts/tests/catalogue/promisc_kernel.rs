//! `tests/alerts/test_promisc_kernel.py`.

use mozdef_alerts::catalogue::promisc_kernel;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "syslog",
        "summary": "device eth0 entered promiscuous mode",
        "hostname": "logging.server.com",
        "details": {"program": "kernel"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "promisc",
        "severity": "WARNING",
        "summary": "Promiscuous mode enabled on logging.server.com [10]",
        "tags": ["promisc", "kernel"],
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

#[tokio::test]
async fn promisc_kernel() {
    let mut two_hosts = with(json!({}), 4);
    two_hosts[3] = merge(&two_hosts[3], &json!({"hostname": "other.server.com"}));
    let cases = vec![
        positive("good events", with(json!({}), 10), default_alert()),
        positive("somewhat old timestamp", vec![aged(&default_event(), 1); 10], default_alert()),
        positive(
            "one event",
            with(json!({}), 1),
            merge(&default_alert(), &json!({"summary": "Promiscuous mode enabled on logging.server.com [1]"})),
        ),
        positive_attaching(
            "per host: the larger group first",
            two_hosts,
            merge(&default_alert(), &json!({"summary": "Promiscuous mode enabled on logging.server.com [3]"})),
            3,
        ),
        positive_attaching(
            "more events than samples: 10 attached",
            with(json!({}), 12),
            merge(&default_alert(), &json!({"summary": "Promiscuous mode enabled on logging.server.com [12]"})),
            10,
        ),
        negative("bad category", with(json!({"category": "badcategory"}), 10)),
        negative("bad summary", with(json!({"summary": "Promisc: Interface eth0 set promiscuous off"}), 10)),
        negative("a container interface", with(json!({"summary": "device vethc0c001e entered promiscuous mode"}), 10)),
        negative("no hostname (aggregation key)", with(json!({"hostname": null}), 10)),
        negative("old timestamp", vec![aged(&default_event(), 3); 10]),
    ];
    check(Subject::defaults(promisc_kernel::entry), cases).await;
}
