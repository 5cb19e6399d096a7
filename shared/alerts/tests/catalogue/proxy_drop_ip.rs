//! `tests/alerts/test_proxy_drop_ip.py`, plus IPv6 destinations, a group mixing addresses
//! and names, the window edge, the action and the aggregation key.

use mozdef_alerts::catalogue::proxy_drop_ip;
use serde_json::{Value, json};

use super::common::*;
use super::shapes::*;

fn alert(destinations: &str) -> Value {
    squid_alert(format!(
        "Suspicious Proxy DROP event(s) detected from 1.2.3.4 to the following IP-based destination(s): {destinations}"
    ))
}

#[tokio::test]
async fn proxy_drop_ip() {
    let shape = Shape::new(
        json!({
            "category": "proxy",
            "details": {"sourceipaddress": "1.2.3.4", "host": "1.2.3.5", "proxyaction": "TCP_DENIED"}
        }),
        alert("1.2.3.5"),
    );
    let mut address_and_name = shape.with(json!({}));
    address_and_name.extend(shape.with(json!({"details": {"host": "1.idonotexist.com"}})));
    let mut two_addresses = shape.with(json!({}));
    two_addresses.extend(shape.with(json!({"details": {"host": "10.9.8.7"}})));
    let mut cases = proxy_cases(&shape, true);
    cases.extend([
        positive("default event", shape.with(json!({})), alert("1.2.3.5")),
        positive("default events - dedup", shape.with_n(json!({}), 2), alert("1.2.3.5")),
        positive("two addresses, sorted", two_addresses, alert("1.2.3.5,10.9.8.7")),
        positive("IPv6 destination", shape.with(json!({"details": {"host": "2001:db8::1"}})), alert("2001:db8::1")),
        positive_attaching("names are left out of the alert", address_and_name, alert("1.2.3.5"), 1),
        positive_attaching(
            "every address event is listed, beyond the samples",
            shape.with_n(json!({}), 12),
            alert("1.2.3.5"),
            12,
        ),
        negative("a name", shape.with_n(json!({"details": {"host": "idonotexist.com"}}), 10)),
        negative("whitelisted address", shape.with_n(json!({"details": {"host": "169.254.169.254"}}), 10)),
        negative("a name starting with a number", shape.with_n(json!({"details": {"host": "1.idonotexist.com"}}), 10)),
    ]);
    check(Subject::defaults(proxy_drop_ip::entry), cases).await;
}
