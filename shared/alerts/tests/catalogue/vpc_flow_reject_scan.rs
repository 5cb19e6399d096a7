//! `vpc_flow_reject_scan` (not a MozDef alert): rejected flows from one address to twenty
//! distinct ports or twenty distinct hosts within ten minutes; the negatives (many flows
//! over few ports and hosts, a scan spread over many sources, accepted flows, other source,
//! no address, window) and the settings.

use mozdef_alerts::catalogue::vpc_flow_reject_scan;
use serde_json::{Value, json};

use super::common::*;
use super::settings::from_env;

fn default_event() -> Value {
    event(json!({
        "category": "vpcflow",
        "source": "vpcflowlogs",
        "details": {
            "action": "REJECT",
            "sourceipaddress": "1.2.3.4",
            "destinationipaddress": "10.0.0.1",
            "destinationport": 22,
            "protocol": 6
        }
    }))
}

/// A rejected flow from 1.2.3.4 to `host`:`port`.
fn flow(host: &str, port: u32) -> Value {
    merge(&default_event(), &json!({"details": {"destinationipaddress": host, "destinationport": port}}))
}

/// One flow to each of ports `ports` on 10.0.0.1.
fn port_scan(ports: std::ops::RangeInclusive<u32>) -> Vec<Value> {
    ports.map(|port| flow("10.0.0.1", port)).collect()
}

/// One flow to port 22 on each of 10.0.0.`hosts`.
fn host_scan(hosts: std::ops::RangeInclusive<u32>) -> Vec<Value> {
    hosts.map(|n| flow(&format!("10.0.0.{n}"), 22)).collect()
}

fn alert(summary: &str) -> Value {
    json!({
        "category": "scan",
        "tags": ["vpcflowlogs", "aws", "scan"],
        "severity": "WARNING",
        "summary": summary,
        "notify_mozdefbot": true,
    })
}

fn with(changes: Value, events: Vec<Value>) -> Vec<Value> {
    events.iter().map(|e| merge(e, &changes)).collect()
}

#[tokio::test]
async fn vpc_flow_reject_scan() {
    let mut repeated = port_scan(1..=20);
    repeated.extend(vec![flow("10.0.0.1", 5); 5]);
    // Forty flows, but over nineteen ports and nineteen hosts only.
    let busy: Vec<Value> = (0..40).map(|i| flow(&format!("10.0.0.{}", 1 + i % 19), 1 + i % 19)).collect();
    let spread: Vec<Value> = (1..=20)
        .map(|n| merge(&flow("10.0.0.1", n), &json!({"details": {"sourceipaddress": format!("1.2.3.{n}")}})))
        .collect();
    let cases = vec![
        positive_attaching(
            "twenty ports on one host",
            port_scan(1..=20),
            alert("VPC flow REJECT scan from 1.2.3.4: 20 ports on 1 hosts (20 rejected flows)"),
            10,
        ),
        positive_attaching(
            "one port on twenty hosts",
            host_scan(1..=20),
            alert("VPC flow REJECT scan from 1.2.3.4: 1 ports on 20 hosts (20 rejected flows)"),
            10,
        ),
        positive_attaching(
            "a repeated port counts once",
            repeated,
            alert("VPC flow REJECT scan from 1.2.3.4: 20 ports on 1 hosts (25 rejected flows)"),
            10,
        ),
        positive_attaching(
            "nine minutes old",
            port_scan(1..=20).iter().map(|e| aged(e, 9)).collect(),
            alert("VPC flow REJECT scan from 1.2.3.4: 20 ports on 1 hosts (20 rejected flows)"),
            10,
        ),
        negative("nineteen ports on one host", port_scan(1..=19)),
        negative("nineteen hosts on one port", host_scan(1..=19)),
        negative("forty flows over nineteen ports and nineteen hosts", busy),
        negative("twenty ports from twenty sources", spread),
        negative("accepted flows", with(json!({"details": {"action": "ACCEPT"}}), port_scan(1..=20))),
        negative("other source", with(json!({"source": "waf"}), port_scan(1..=20))),
        negative("no source address", with(json!({"details": {"sourceipaddress": null}}), port_scan(1..=20))),
        negative("eleven minutes old", port_scan(1..=20).iter().map(|e| aged(e, 11)).collect()),
    ];
    check(Subject::defaults(vpc_flow_reject_scan::entry), cases).await;

    let config = from_env(&[
        ("MOZDEF_ALERT_VPC_FLOW_REJECT_SCAN__PORT_THRESHOLD", "3"),
        ("MOZDEF_ALERT_VPC_FLOW_REJECT_SCAN__HOST_THRESHOLD", "100"),
        ("MOZDEF_ALERT_VPC_FLOW_REJECT_SCAN__SAMPLES", "2"),
    ]);
    let cases = vec![
        positive_attaching(
            "configured: three ports, two samples",
            port_scan(1..=3),
            alert("VPC flow REJECT scan from 1.2.3.4: 3 ports on 1 hosts (3 rejected flows)"),
            2,
        ),
        negative("configured: twenty hosts are not enough", host_scan(1..=20)),
    ];
    check(Subject::with_config(vpc_flow_reject_scan::entry, &config), cases).await;
}

#[test]
fn a_zero_threshold_is_refused_by_name() {
    let config = from_env(&[("MOZDEF_ALERT_VPC_FLOW_REJECT_SCAN__HOST_THRESHOLD", "0")]);
    let text = vpc_flow_reject_scan::entry(&config).expect_err("zero").to_string();
    assert!(text.contains("vpc_flow_reject_scan") && text.contains("host_threshold: must be at least 1"), "{text}");
}
