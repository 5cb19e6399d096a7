//! `tests/alerts/test_proxy_drop_executable.py`, plus the window edge, the action, the
//! aggregation key, the sample limit and the configured extensions.

use mozdef_alerts::catalogue::proxy_drop_executable;
use serde_json::{Value, json};

use super::common::*;
use super::shapes::*;

fn alert(destinations: &str) -> Value {
    squid_alert(format!(
        "Suspicious Proxy DROP event(s) detected from 1.2.3.4 to the following executable file destination(s): {destinations}"
    ))
}

#[tokio::test]
async fn proxy_drop_executable() {
    let shape = Shape::new(
        json!({
            "category": "proxy",
            "details": {"sourceipaddress": "1.2.3.4", "destination": "http://evil.com/evil.exe", "proxyaction": "TCP_DENIED"}
        }),
        alert("http://evil.com/evil.exe"),
    );
    let mut different_dests = shape.with(json!({}));
    different_dests.extend(shape.with(json!({"details": {"destination": "http://evil.com/evil.sh"}})));
    let aggregated = alert("http://evil.com/evil.exe,http://evil.com/evil.sh");
    let mut cases = proxy_cases(&shape, true);
    cases.extend([
        positive("default event", shape.with(json!({})), shape.alert.clone()),
        positive("default events - dedup", shape.with_n(json!({}), 2), shape.alert.clone()),
        positive("different destinations", different_dests, aggregated),
        positive(
            ".py destination",
            shape.with(json!({"details": {"destination": "http://evil.com/a.py"}})),
            alert("http://evil.com/a.py"),
        ),
        positive_attaching(
            "more events than samples: 10 attached",
            shape.with_n(json!({}), 12),
            shape.alert.clone(),
            10,
        ),
        negative(
            "default negative event",
            shape.with(json!({"details": {"destination": "http://foo.mozilla.com/index.html"}})),
        ),
        negative(
            "non blacklisted extension",
            shape.with_n(json!({"details": {"destination": "http://evil.com/evil.pdf"}}), 10),
        ),
        negative(
            "extension not at the end",
            shape.with_n(json!({"details": {"destination": "http://evil.com/evil.exe.html"}}), 10),
        ),
    ]);
    check(Subject::defaults(proxy_drop_executable::entry), cases).await;

    let config = settings(&[("MOZDEF_ALERT_PROXY_DROP_EXECUTABLE__EXTENSIONS", "pdf,jar")]);
    let cases = vec![
        positive(
            "configured extension",
            shape.with(json!({"details": {"destination": "http://evil.com/evil.pdf"}})),
            alert("http://evil.com/evil.pdf"),
        ),
        negative("default extension no longer configured", shape.with(json!({}))),
    ];
    check(Subject::with_config(proxy_drop_executable::entry, &config), cases).await;
}
