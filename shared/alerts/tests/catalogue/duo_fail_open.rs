//! `tests/alerts/test_duo_fail_open.py`, plus the negatives of inventory §8.

use mozdef_alerts::catalogue::duo_fail_open;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({"summary": "Failsafe Duo login by 1.2.3.4"}))
}

fn default_alert() -> Value {
    json!({
        "category": "bypass",
        "tags": ["openvpn", "duosecurity"],
        "severity": "WARNING",
        "summary": "DuoSecurity contact failed, fail open triggered on exhostname",
        "notify_mozdefbot": true,
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

#[tokio::test]
async fn duo_fail_open() {
    let mut two_hosts = with(json!({"hostname": "vpn2"}), 2);
    two_hosts.extend(with(json!({}), 3));
    let cases = vec![
        positive("default events", with(json!({}), 10), default_alert()),
        positive("one default event", with(json!({}), 1), default_alert()),
        positive("events fourteen minutes earlier", vec![aged(&default_event(), 14); 10], default_alert()),
        positive_attaching("more events than samples: 10 attached", with(json!({}), 12), default_alert(), 10),
        positive_attaching("one alert per host, the busiest first", two_hosts, default_alert(), 3),
        negative("incorrect summary", with(json!({"summary": "bad summary example"}), 10)),
        negative("words out of order", with(json!({"summary": "Duo login Failsafe"}), 10)),
        negative("old timestamp", vec![aged(&default_event(), 16); 10]),
        negative("no hostname", with(json!({"hostname": null}), 10)),
    ];
    check(Subject::defaults(duo_fail_open::entry), cases).await;
}
