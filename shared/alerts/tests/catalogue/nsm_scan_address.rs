//! `tests/alerts/test_nsm_scan_address.py`: the Bro scan cases (`shapes::nsm_scan_cases`),
//! the reverse names, the sample limit, the range and a configured range.

use mozdef_alerts::catalogue::nsm_scan_address;
use serde_json::json;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn nsm_scan_address() {
    let shape = nsm_scan(
        "Scan::Address_Scan",
        "your.friendly.nsm.sensor",
        "10.99.88.77",
        json!({
            "summary": "Scan::Address_Scan source 10.252.25.90 destination unknown port unknown",
            "details": {"source": "notice"},
        }),
        json!({
            "category": "nsm",
            "severity": "NOTICE",
            "tags": ["nsm", "bro", "addressscan"],
            "summary": "Address scan from 10.99.88.77 (mock.mozilla.org)",
            "notify_mozdefbot": false,
        }),
    );
    let summary = |text: &str| shape.alert_with(json!({"summary": text}));
    let mut two_scanners = shape.with_n(json!({}), 5);
    two_scanners.extend(shape.with(json!({"details": {"sourceipaddress": "10.1.1.1", "indicators": "10.1.1.1"}})));
    let mut cases = nsm_scan_cases(&shape);
    cases.extend([
        positive("one event", shape.with(json!({})), shape.alert.clone()),
        positive_attaching("two scanners: the larger first", two_scanners, shape.alert.clone(), 5),
        positive(
            "a known reverse name",
            shape.with_n(json!({"details": {"sourceipaddress": "10.2.3.4", "indicators": "10.2.3.4"}}), 5),
            summary("Address scan from 10.2.3.4 (mock_hostname1.mozilla.org)"),
        ),
        positive(
            "range bound 10.255.255.255",
            shape.with_n(json!({"details": {"sourceipaddress": "10.255.255.255"}}), 5),
            summary("Address scan from 10.255.255.255 (mock.mozilla.org)"),
        ),
        positive(
            "no indicators",
            shape.with_n(json!({"details": {"indicators": null}}), 5),
            summary("Address scan from unknown"),
        ),
        positive_attaching(
            "more events than samples: 10 attached",
            shape.with_n(json!({}), 12),
            shape.alert.clone(),
            10,
        ),
        negative("random scan note", shape.with_n(json!({"details": {"note": "Scan::Random_Scan"}}), 5)),
        negative("port scan note", shape.with_n(json!({"details": {"note": "Scan::Port_Scan"}}), 5)),
        negative(
            "excluded IP address 10.33.44.54",
            shape.with_n(json!({"details": {"sourceipaddress": "10.33.44.54"}}), 5),
        ),
        negative("just above the range", shape.with_n(json!({"details": {"sourceipaddress": "11.0.0.0"}}), 5)),
        negative("outside the 1 minute window", shape.aged(2, 5)),
    ]);
    check(Subject::defaults(nsm_scan_address::entry), cases).await;

    let config = settings(&[
        ("MOZDEF_ALERT_NSM_SCAN_ADDRESS__SOURCEMUSTMATCH", "[192.168.0.0 TO 192.168.255.255]"),
        ("MOZDEF_ALERT_NSM_SCAN_ADDRESS__SOURCEMUSTNOTMATCH", "192.168.1.1"),
    ]);
    let cases = vec![
        positive(
            "configured range",
            shape.with_n(json!({"details": {"sourceipaddress": "192.168.7.7"}}), 2),
            summary("Address scan from 192.168.7.7 (mock.mozilla.org)"),
        ),
        negative("outside the configured range", shape.with_n(json!({}), 2)),
        negative("configured exclusion", shape.with_n(json!({"details": {"sourceipaddress": "192.168.1.1"}}), 2)),
    ];
    check(Subject::with_config(nsm_scan_address::entry, &config), cases).await;

    let broken = settings(&[("MOZDEF_ALERT_NSM_SCAN_ADDRESS__SOURCEMUSTMATCH", "[10.0.0.0 TO")]);
    assert!(nsm_scan_address::entry(&broken).is_err(), "a query string that does not parse is refused");
}
