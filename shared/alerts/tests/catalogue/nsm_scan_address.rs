//! `tests/alerts/test_nsm_scan_address.py`.

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::nsm_scan_address;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "bro",
        "summary": "Scan::Address_Scan source 10.252.25.90 destination unknown port unknown",
        "hostname": "your.friendly.nsm.sensor",
        "tags": ["bro"],
        "source": "notice",
        "details": {
            "sourceipaddress": "10.99.88.77",
            "indicators": "10.99.88.77",
            "source": "notice",
            "note": "Scan::Address_Scan",
        }
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "nsm",
        "severity": "NOTICE",
        "tags": ["nsm", "bro", "addressscan"],
        "summary": "Address scan from 10.99.88.77 (mock.mozilla.org)",
        "notify_mozdefbot": false,
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

fn summary(text: &str) -> Value {
    merge(&default_alert(), &json!({"summary": text}))
}

#[tokio::test]
async fn nsm_scan_address() {
    let mut two_scanners = with(json!({}), 5);
    two_scanners
        .push(merge(&default_event(), &json!({"details": {"sourceipaddress": "10.1.1.1", "indicators": "10.1.1.1"}})));
    let cases = vec![
        positive("default events", with(json!({}), 5), default_alert()),
        positive("events a minute earlier", vec![aged(&default_event(), 1); 5], default_alert()),
        positive("one event", with(json!({}), 1), default_alert()),
        positive_attaching("two scanners: the larger first", two_scanners, default_alert(), 5),
        positive(
            "a known reverse name",
            with(json!({"details": {"sourceipaddress": "10.2.3.4", "indicators": "10.2.3.4"}}), 5),
            summary("Address scan from 10.2.3.4 (mock_hostname1.mozilla.org)"),
        ),
        positive(
            "range bound 10.255.255.255",
            with(json!({"details": {"sourceipaddress": "10.255.255.255"}}), 5),
            summary("Address scan from 10.255.255.255 (mock.mozilla.org)"),
        ),
        positive(
            "no indicators",
            with(json!({"details": {"indicators": null}}), 5),
            summary("Address scan from unknown"),
        ),
        positive_attaching("more events than samples: 10 attached", with(json!({}), 12), default_alert(), 10),
        negative("different category", with(json!({"category": "syslog"}), 5)),
        negative("different source", with(json!({"source": "intel"}), 5)),
        negative("random scan note", with(json!({"details": {"note": "Scan::Random_Scan"}}), 5)),
        negative("port scan note", with(json!({"details": {"note": "Scan::Port_Scan"}}), 5)),
        negative(
            "excluded IP address",
            with(json!({"details": {"sourceipaddress": "10.54.65.234", "indicators": "1.2.3.4"}}), 5),
        ),
        negative("excluded IP address 10.33.44.54", with(json!({"details": {"sourceipaddress": "10.33.44.54"}}), 5)),
        negative(
            "excluded subnet",
            with(json!({"details": {"sourceipaddress": "1.2.3.4", "indicators": "1.2.3.4"}}), 5),
        ),
        negative("just above the range", with(json!({"details": {"sourceipaddress": "11.0.0.0"}}), 5)),
        negative("no source address (aggregation key)", with(json!({"details": {"sourceipaddress": null}}), 5)),
        negative("outside the 1 minute window", vec![aged(&default_event(), 2); 5]),
        negative("old timestamp", vec![aged(&default_event(), 15); 5]),
    ];
    check(Subject::defaults(nsm_scan_address::entry), cases).await;

    let mut config = ConfigSource::defaults();
    config
        .env
        .insert("MOZDEF_ALERT_NSM_SCAN_ADDRESS__SOURCEMUSTMATCH".into(), "[192.168.0.0 TO 192.168.255.255]".into());
    config.env.insert("MOZDEF_ALERT_NSM_SCAN_ADDRESS__SOURCEMUSTNOTMATCH".into(), "192.168.1.1".into());
    let cases = vec![
        positive(
            "configured range",
            with(json!({"details": {"sourceipaddress": "192.168.7.7"}}), 2),
            summary("Address scan from 192.168.7.7 (mock.mozilla.org)"),
        ),
        negative("outside the configured range", with(json!({}), 2)),
        negative("configured exclusion", with(json!({"details": {"sourceipaddress": "192.168.1.1"}}), 2)),
    ];
    check(Subject::with_config(nsm_scan_address::entry, &config), cases).await;

    let mut broken = ConfigSource::defaults();
    broken.env.insert("MOZDEF_ALERT_NSM_SCAN_ADDRESS__SOURCEMUSTMATCH".into(), "[10.0.0.0 TO".into());
    assert!(nsm_scan_address::entry(&broken).is_err(), "a query string that does not parse is refused");
}
