//! `tests/alerts/test_proxy_drop_ip.py`, plus IPv6 destinations, a group mixing addresses
//! and names, the window edge, the action and the aggregation key.

use mozdef_alerts::catalogue::proxy_drop_ip;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "proxy",
        "details": {"sourceipaddress": "1.2.3.4", "host": "1.2.3.5", "proxyaction": "TCP_DENIED"}
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
        "summary": format!("Suspicious Proxy DROP event(s) detected from 1.2.3.4 to the following IP-based destination(s): {destinations}"),
    })
}

#[tokio::test]
async fn proxy_drop_ip() {
    let mut address_and_name = with(json!({}), 1);
    address_and_name.extend(with(json!({"details": {"host": "1.idonotexist.com"}}), 1));
    let mut two_addresses = with(json!({}), 1);
    two_addresses.extend(with(json!({"details": {"host": "10.9.8.7"}}), 1));
    let cases = vec![
        positive("default event", with(json!({}), 1), alert("1.2.3.5")),
        positive("default events - dedup", with(json!({}), 2), alert("1.2.3.5")),
        positive("two addresses, sorted", two_addresses, alert("1.2.3.5,10.9.8.7")),
        positive("IPv6 destination", with(json!({"details": {"host": "2001:db8::1"}}), 1), alert("2001:db8::1")),
        positive_attaching("names are left out of the alert", address_and_name, alert("1.2.3.5"), 1),
        positive_attaching(
            "every address event is listed, beyond the samples",
            with(json!({}), 12),
            alert("1.2.3.5"),
            12,
        ),
        positive("19 minutes old", vec![aged(&default_event(), 19); 1], alert("1.2.3.5")),
        negative("a name", with(json!({"details": {"host": "idonotexist.com"}}), 10)),
        negative("whitelisted address", with(json!({"details": {"host": "169.254.169.254"}}), 10)),
        negative("a name starting with a number", with(json!({"details": {"host": "1.idonotexist.com"}}), 10)),
        negative("incorrect category", with(json!({"category": "bad"}), 10)),
        negative("old timestamp", vec![aged(&default_event(), 241); 10]),
        negative("21 minutes old", vec![aged(&default_event(), 21); 10]),
        negative("not denied", with(json!({"details": {"proxyaction": "TCP_MISS"}}), 10)),
        negative("no source address", with(json!({"details": {"sourceipaddress": null}}), 10)),
    ];
    check(Subject::defaults(proxy_drop_ip::entry), cases).await;
}
