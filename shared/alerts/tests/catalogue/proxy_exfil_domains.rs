//! `tests/alerts/test_proxy_exfil_domains.py`, plus the window edge, a sub-domain, the
//! aggregation key and a configured domain list.

use mozdef_alerts::catalogue::proxy_exfil_domains;
use serde_json::{Value, json};

use super::common::*;
use super::shapes::*;

fn alert(domains: &str) -> Value {
    squid_alert(format!(
        "Proxy drop events detected from 1.2.3.4 to the following domain(s) that are known for exfiltrating data: {domains}"
    ))
}

#[tokio::test]
async fn proxy_exfil_domains() {
    let shape = Shape::new(
        json!({"category": "proxy", "details": {"sourceipaddress": "1.2.3.4", "host": "pastebin.com"}}),
        alert("pastebin.com"),
    );
    let sendspace = json!({"details": {"host": "www.sendspace.com"}});
    let mut both = shape.with(json!({}));
    both.extend(shape.with(sendspace.clone()));
    let mut cases = proxy_cases(&shape, false);
    cases.extend([
        positive("default event", shape.with(json!({})), alert("pastebin.com")),
        positive("default events - dedup", shape.with_n(json!({}), 2), alert("pastebin.com")),
        positive("second domain - dedup", shape.with_n(sendspace.clone(), 2), alert("www.sendspace.com")),
        positive("different destinations", both, alert("pastebin.com,www.sendspace.com")),
        negative("default negative event", shape.with(json!({"details": {"host": "foo.mozilla.com"}}))),
        negative("a sub-domain is another host", shape.with(json!({"details": {"host": "evil.pastebin.com"}}))),
    ]);
    check(Subject::defaults(proxy_exfil_domains::entry), cases).await;

    let config = settings(&[("MOZDEF_ALERT_PROXY_EXFIL_DOMAINS__EXFIL_DOMAINS", "example.org, pastebin.com")]);
    let cases = vec![
        positive("configured domain", shape.with(json!({"details": {"host": "example.org"}})), alert("example.org")),
        positive("configured domain after a space", shape.with(json!({})), alert("pastebin.com")),
        negative("default domain no longer configured", shape.with(sendspace)),
    ];
    check(Subject::with_config(proxy_exfil_domains::entry, &config), cases).await;
}
