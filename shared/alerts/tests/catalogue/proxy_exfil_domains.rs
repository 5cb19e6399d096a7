//! `tests/alerts/test_proxy_exfil_domains.py`, plus the window edge, a sub-domain, the
//! aggregation key and a configured domain list.

use std::collections::HashMap;

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::proxy_exfil_domains;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({"category": "proxy", "details": {"sourceipaddress": "1.2.3.4", "host": "pastebin.com"}}))
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

fn alert(domains: &str) -> Value {
    json!({
        "category": "squid",
        "tags": ["squid", "proxy"],
        "severity": "WARNING",
        "summary": format!("Proxy drop events detected from 1.2.3.4 to the following domain(s) that are known for exfiltrating data: {domains}"),
    })
}

#[tokio::test]
async fn proxy_exfil_domains() {
    let sendspace = json!({"details": {"host": "www.sendspace.com"}});
    let mut both = with(json!({}), 1);
    both.extend(with(sendspace.clone(), 1));
    let cases = vec![
        positive("default event", with(json!({}), 1), alert("pastebin.com")),
        positive("default events - dedup", with(json!({}), 2), alert("pastebin.com")),
        positive("second domain - dedup", with(sendspace.clone(), 2), alert("www.sendspace.com")),
        positive("different destinations", both, alert("pastebin.com,www.sendspace.com")),
        positive("19 minutes old", vec![aged(&default_event(), 19); 1], alert("pastebin.com")),
        negative("default negative event", with(json!({"details": {"host": "foo.mozilla.com"}}), 1)),
        negative("a sub-domain is another host", with(json!({"details": {"host": "evil.pastebin.com"}}), 1)),
        negative("incorrect category", with(json!({"category": "bad"}), 10)),
        negative("old timestamp", vec![aged(&default_event(), 241); 10]),
        negative("21 minutes old", vec![aged(&default_event(), 21); 10]),
        negative("no source address", with(json!({"details": {"sourceipaddress": null}}), 10)),
    ];
    check(Subject::defaults(proxy_exfil_domains::entry), cases).await;

    let env = HashMap::from([(
        "MOZDEF_ALERT_PROXY_EXFIL_DOMAINS__EXFIL_DOMAINS".to_owned(),
        "example.org, pastebin.com".to_owned(),
    )]);
    let config = ConfigSource { dir: None, env };
    let cases = vec![
        positive("configured domain", with(json!({"details": {"host": "example.org"}}), 1), alert("example.org")),
        positive("configured domain after a space", with(json!({}), 1), alert("pastebin.com")),
        negative("default domain no longer configured", with(sendspace, 1)),
    ];
    check(Subject::with_config(proxy_exfil_domains::entry, &config), cases).await;
}
