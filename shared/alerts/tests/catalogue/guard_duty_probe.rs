//! `tests/alerts/test_guard_duty_probe.py`, plus the negatives of inventory §8.

use mozdef_alerts::catalogue::guard_duty_probe;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "source": "guardduty",
        "details": {"sourceipaddress": "1.2.3.4", "finding": {"action": {"actionType": "PORT_PROBE"}}}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "bruteforce",
        "tags": ["guardduty", "bruteforce"],
        "severity": "INFO",
        "summary": "Guard Duty Port Probe by 1.2.3.4",
        "notify_mozdefbot": false,
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

#[tokio::test]
async fn guard_duty_probe() {
    let mut two_sources = with(json!({"details": {"sourceipaddress": "5.6.7.8"}}), 3);
    two_sources.extend(with(json!({}), 1));
    let cases = vec![
        positive("default events", with(json!({}), 1), default_alert()),
        positive_attaching("more events than samples: 10 attached", with(json!({}), 11), default_alert(), 10),
        positive("nineteen minutes old", vec![aged(&default_event(), 19); 2], default_alert()),
        positive_attaching(
            "one alert per address, the busiest first",
            two_sources,
            merge(&default_alert(), &json!({"summary": "Guard Duty Port Probe by 5.6.7.8"})),
            3,
        ),
        negative("incorrect source", with(json!({"source": "bad"}), 10)),
        negative(
            "other action type",
            with(json!({"details": {"finding": {"action": {"actionType": "NETWORK_CONNECTION"}}}}), 10),
        ),
        negative("non-existent sourceipaddress", with(json!({"details": {"sourceipaddress": null}}), 10)),
        negative("old timestamp", vec![aged(&default_event(), 21); 10]),
    ];
    check(Subject::defaults(guard_duty_probe::entry), cases).await;
}
