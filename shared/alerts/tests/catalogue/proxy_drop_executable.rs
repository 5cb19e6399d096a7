//! `tests/alerts/test_proxy_drop_executable.py`, plus the window edge, the action, the
//! aggregation key, the sample limit and the configured extensions.

use std::collections::HashMap;

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::proxy_drop_executable;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "proxy",
        "details": {"sourceipaddress": "1.2.3.4", "destination": "http://evil.com/evil.exe", "proxyaction": "TCP_DENIED"}
    }))
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

fn default_alert() -> Value {
    json!({
        "category": "squid",
        "tags": ["squid", "proxy"],
        "severity": "WARNING",
        "summary": "Suspicious Proxy DROP event(s) detected from 1.2.3.4 to the following executable file destination(s): http://evil.com/evil.exe",
    })
}

fn summary(destinations: &str) -> Value {
    json!({"summary": format!("Suspicious Proxy DROP event(s) detected from 1.2.3.4 to the following executable file destination(s): {destinations}")})
}

#[tokio::test]
async fn proxy_drop_executable() {
    let mut different_dests = with(json!({}), 1);
    different_dests.extend(with(json!({"details": {"destination": "http://evil.com/evil.sh"}}), 1));
    let aggregated = merge(&default_alert(), &summary("http://evil.com/evil.exe,http://evil.com/evil.sh"));
    let cases = vec![
        positive("default event", with(json!({}), 1), default_alert()),
        positive("default events - dedup", with(json!({}), 2), default_alert()),
        positive("different destinations", different_dests, aggregated),
        positive("19 minutes old", vec![aged(&default_event(), 19); 1], default_alert()),
        positive(
            ".py destination",
            with(json!({"details": {"destination": "http://evil.com/a.py"}}), 1),
            merge(&default_alert(), &summary("http://evil.com/a.py")),
        ),
        positive_attaching("more events than samples: 10 attached", with(json!({}), 12), default_alert(), 10),
        negative(
            "default negative event",
            with(json!({"details": {"destination": "http://foo.mozilla.com/index.html"}}), 1),
        ),
        negative("incorrect category", with(json!({"category": "bad"}), 10)),
        negative("old timestamp", vec![aged(&default_event(), 241); 10]),
        negative("21 minutes old", vec![aged(&default_event(), 21); 10]),
        negative(
            "non blacklisted extension",
            with(json!({"details": {"destination": "http://evil.com/evil.pdf"}}), 10),
        ),
        negative(
            "extension not at the end",
            with(json!({"details": {"destination": "http://evil.com/evil.exe.html"}}), 10),
        ),
        negative("not denied", with(json!({"details": {"proxyaction": "TCP_MISS"}}), 10)),
        negative("no source address", with(json!({"details": {"sourceipaddress": null}}), 10)),
    ];
    check(Subject::defaults(proxy_drop_executable::entry), cases).await;

    let env = HashMap::from([("MOZDEF_ALERT_PROXY_DROP_EXECUTABLE__EXTENSIONS".to_owned(), "pdf,jar".to_owned())]);
    let config = ConfigSource { dir: None, env };
    let cases = vec![
        positive(
            "configured extension",
            with(json!({"details": {"destination": "http://evil.com/evil.pdf"}}), 1),
            merge(&default_alert(), &summary("http://evil.com/evil.pdf")),
        ),
        negative("default extension no longer configured", with(json!({}), 1)),
    ];
    check(Subject::with_config(proxy_drop_executable::entry, &config), cases).await;
}
