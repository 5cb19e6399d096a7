//! `tests/alerts/test_proxy_drop_non_standard_port.py`, plus the second excluded port, the
//! method, the window edge and the aggregation key.

use mozdef_alerts::catalogue::proxy_drop_non_standard_port;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "proxy",
        "details": {
            "sourceipaddress": "1.2.3.4",
            "destination": "evil.com:1337",
            "destinationport": "1337",
            "proxyaction": "TCP_DENIED",
            "method": "CONNECT"
        }
    }))
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

fn alert(destinations: &str) -> Value {
    json!({
        "category": "squid",
        "tags": ["squid", "proxy"],
        "severity": "WARNING",
        "summary": format!("Suspicious Proxy DROP event(s) detected from 1.2.3.4 to the following non-std port destination(s): {destinations}"),
    })
}

#[tokio::test]
async fn proxy_drop_non_standard_port() {
    let mut two = with(json!({"details": {"destination": "evil.com:6667", "destinationport": "6667"}}), 1);
    two.extend(with(json!({}), 1));
    let cases = vec![
        positive("default event", with(json!({}), 1), alert("evil.com:1337")),
        positive("two destinations, sorted", two, alert("evil.com:1337,evil.com:6667")),
        positive("19 minutes old", vec![aged(&default_event(), 19); 1], alert("evil.com:1337")),
        positive_attaching("more events than samples: 10 attached", with(json!({}), 11), alert("evil.com:1337"), 10),
        negative("whitelisted port 443", with(json!({"details": {"destinationport": "443"}}), 10)),
        negative("whitelisted port 8443", with(json!({"details": {"destinationport": "8443"}}), 10)),
        negative("incorrect category", with(json!({"category": "bad"}), 10)),
        negative("old timestamp", vec![aged(&default_event(), 241); 10]),
        negative("21 minutes old", vec![aged(&default_event(), 21); 10]),
        negative("not a CONNECT", with(json!({"details": {"method": "GET"}}), 10)),
        negative("not denied", with(json!({"details": {"proxyaction": "TCP_MISS"}}), 10)),
        negative("no source address", with(json!({"details": {"sourceipaddress": null}}), 10)),
    ];
    check(Subject::defaults(proxy_drop_non_standard_port::entry), cases).await;
}
