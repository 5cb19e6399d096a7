//! `tests/alerts/test_nsm_scan_random.py`: the Bro scan cases (`shapes::nsm_scan_cases`),
//! no reverse names and the missing indicators.

use mozdef_alerts::catalogue::nsm_scan_random;
use serde_json::json;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn nsm_scan_random() {
    let shape = nsm_scan(
        "Scan::Random_Scan",
        "your.friendly.nsm.sensor",
        "10.99.88.77",
        json!({
            "summary": "Scan::Random_Scan source 10.252.25.90 destination unknown port unknown",
            "details": {"source": "notice"},
        }),
        json!({
            "category": "nsm",
            "severity": "WARNING",
            "summary": "Random scan from 10.99.88.77",
            "tags": ["nsm", "bro", "randomscan"],
            "notify_mozdefbot": true,
        }),
    );
    let mut cases = nsm_scan_cases(&shape);
    cases.extend([
        positive(
            "no reverse name even when one exists",
            shape.with_n(json!({"details": {"sourceipaddress": "10.2.3.4", "indicators": "10.2.3.4"}}), 5),
            shape.alert_with(json!({"summary": "Random scan from 10.2.3.4"})),
        ),
        positive(
            "no indicators",
            shape.with_n(json!({"details": {"indicators": null}}), 5),
            shape.alert_with(json!({"summary": "Random scan from unknown"})),
        ),
        negative("address scan note", shape.with_n(json!({"details": {"note": "Scan::Address_Scan"}}), 5)),
        negative("outside the 1 minute window", shape.aged(2, 5)),
    ]);
    check(Subject::defaults(nsm_scan_random::entry), cases).await;
}
