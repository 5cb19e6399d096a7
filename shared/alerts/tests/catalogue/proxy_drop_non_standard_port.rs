//! `tests/alerts/test_proxy_drop_non_standard_port.py`, plus the second excluded port, the
//! method, the window edge and the aggregation key.

use mozdef_alerts::catalogue::proxy_drop_non_standard_port;
use serde_json::{Value, json};

use super::common::*;
use super::shapes::*;

fn alert(destinations: &str) -> Value {
    squid_alert(format!(
        "Suspicious Proxy DROP event(s) detected from 1.2.3.4 to the following non-std port destination(s): {destinations}"
    ))
}

#[tokio::test]
async fn proxy_drop_non_standard_port() {
    let shape = Shape::new(
        json!({
            "category": "proxy",
            "details": {
                "sourceipaddress": "1.2.3.4",
                "destination": "evil.com:1337",
                "destinationport": "1337",
                "proxyaction": "TCP_DENIED",
                "method": "CONNECT"
            }
        }),
        alert("evil.com:1337"),
    );
    let mut two = shape.with(json!({"details": {"destination": "evil.com:6667", "destinationport": "6667"}}));
    two.extend(shape.with(json!({})));
    let mut cases = proxy_cases(&shape, true);
    cases.extend([
        positive("default event", shape.with(json!({})), alert("evil.com:1337")),
        positive("two destinations, sorted", two, alert("evil.com:1337,evil.com:6667")),
        positive_attaching(
            "more events than samples: 10 attached",
            shape.with_n(json!({}), 11),
            alert("evil.com:1337"),
            10,
        ),
        negative("whitelisted port 443", shape.with_n(json!({"details": {"destinationport": "443"}}), 10)),
        negative("whitelisted port 8443", shape.with_n(json!({"details": {"destinationport": "8443"}}), 10)),
        negative("not a CONNECT", shape.with_n(json!({"details": {"method": "GET"}}), 10)),
    ]);
    check(Subject::defaults(proxy_drop_non_standard_port::entry), cases).await;
}
