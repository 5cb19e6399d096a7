//! `tests/alerts/test_nsm_scan_port.py`.

use mozdef_alerts::catalogue::nsm_scan_port;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "bro",
        "summary": "Scan::Port_Scan source 10.251.34.228 destination unknown port unknown",
        "hostname": "nsm1-sfo1.private.sfo1.mozilla.com",
        "tags": ["bro"],
        "source": "notice",
        "details": {
            "sourceipaddress": "10.251.34.228",
            "indicators": "10.251.34.228",
            "note": "Scan::Port_Scan",
        }
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "nsm",
        "severity": "WARNING",
        "summary": "Port scan from 10.251.34.228 (mock.mozilla.org)",
        "tags": ["nsm", "bro", "portscan"],
        "notify_mozdefbot": true,
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

#[tokio::test]
async fn nsm_scan_port() {
    let excluded_msg = "2620:101:80f8:224:44af:81c2:372c:6cbf scanned at least 15 unique ports on hosts 2001:41d0:e:9d4::1, \
         192.168.1.1, 2400:6180:0:d0::4a6b:4001, 2a03:b0c0:1:e0::13a:2001, 2001:0:3e8a:ee2d:5c:3162:3f57:fd8d in 0m11s";
    let cases = vec![
        positive("default events", with(json!({}), 5), default_alert()),
        positive("events a minute earlier", vec![aged(&default_event(), 1); 5], default_alert()),
        positive(
            "a message without an excluded destination",
            with(
                json!({"details": {"msg": "10.251.34.228 scanned at least 15 unique ports of host 10.1.1.1 in 0m3s"}}),
                5,
            ),
            default_alert(),
        ),
        positive(
            "a known reverse name",
            with(json!({"details": {"sourceipaddress": "10.2.3.4", "indicators": "10.2.3.4"}}), 5),
            merge(&default_alert(), &json!({"summary": "Port scan from 10.2.3.4 (mock_hostname1.mozilla.org)"})),
        ),
        negative("different category", with(json!({"category": "syslog"}), 5)),
        negative("different source", with(json!({"source": "intel"}), 5)),
        negative("address scan note", with(json!({"details": {"note": "Scan::Address_Scan"}}), 5)),
        negative(
            "excluded IP address",
            with(json!({"details": {"sourceipaddress": "10.54.65.234", "indicators": "1.2.3.4"}}), 5),
        ),
        negative(
            "excluded subnet",
            with(json!({"details": {"sourceipaddress": "1.2.3.4", "indicators": "1.2.3.4"}}), 5),
        ),
        negative(
            "excluded destination (MozDef's case, external source too)",
            with(json!({"details": {"sourceipaddress": "1.2.3.4", "indicators": "1.2.3.4", "msg": excluded_msg}}), 5),
        ),
        negative("excluded destination from an internal source", with(json!({"details": {"msg": excluded_msg}}), 5)),
        negative("no source address (aggregation key)", with(json!({"details": {"sourceipaddress": null}}), 5)),
        negative("outside the 2 minute window", vec![aged(&default_event(), 3); 5]),
        negative("old timestamp", vec![aged(&default_event(), 15); 5]),
    ];
    check(Subject::defaults(nsm_scan_port::entry), cases).await;
}
