//! `tests/alerts/test_nsm_scan_port.py`: the Bro scan cases (`shapes::nsm_scan_cases`),
//! the reverse names and the excluded destinations.

use mozdef_alerts::catalogue::nsm_scan_port;
use serde_json::json;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn nsm_scan_port() {
    let shape = nsm_scan(
        "Scan::Port_Scan",
        "nsm1-sfo1.private.sfo1.mozilla.com",
        "10.251.34.228",
        json!({}),
        json!({
            "category": "nsm",
            "severity": "WARNING",
            "summary": "Port scan from 10.251.34.228 (mock.mozilla.org)",
            "tags": ["nsm", "bro", "portscan"],
            "notify_mozdefbot": true,
        }),
    );
    let excluded_msg = "2620:101:80f8:224:44af:81c2:372c:6cbf scanned at least 15 unique ports on hosts 2001:41d0:e:9d4::1, \
         192.168.1.1, 2400:6180:0:d0::4a6b:4001, 2a03:b0c0:1:e0::13a:2001, 2001:0:3e8a:ee2d:5c:3162:3f57:fd8d in 0m11s";
    let mut cases = nsm_scan_cases(&shape);
    cases.extend([
        positive(
            "a message without an excluded destination",
            shape.with_n(
                json!({"details": {"msg": "10.251.34.228 scanned at least 15 unique ports of host 10.1.1.1 in 0m3s"}}),
                5,
            ),
            shape.alert.clone(),
        ),
        positive(
            "a known reverse name",
            shape.with_n(json!({"details": {"sourceipaddress": "10.2.3.4", "indicators": "10.2.3.4"}}), 5),
            shape.alert_with(json!({"summary": "Port scan from 10.2.3.4 (mock_hostname1.mozilla.org)"})),
        ),
        negative("address scan note", shape.with_n(json!({"details": {"note": "Scan::Address_Scan"}}), 5)),
        negative(
            "excluded destination (MozDef's case, external source too)",
            shape.with_n(
                json!({"details": {"sourceipaddress": "1.2.3.4", "indicators": "1.2.3.4", "msg": excluded_msg}}),
                5,
            ),
        ),
        negative(
            "excluded destination from an internal source",
            shape.with_n(json!({"details": {"msg": excluded_msg}}), 5),
        ),
        negative("outside the 2 minute window", shape.aged(3, 5)),
    ]);
    check(Subject::defaults(nsm_scan_port::entry), cases).await;
}
