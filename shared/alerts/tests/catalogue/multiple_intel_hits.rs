//! `multiple_intel_hits.py` (MozDef shipped no test for it): cases in MozDef's style.

use chrono::Duration;
use mozdef_alerts::catalogue::multiple_intel_hits;
use mozdef_model::isoformat;
use serde_json::{Value, json};

use super::common::*;

const PREFIX: &str = "sensor1  Bro intel match for indicator: on evil.example.com sample hosts that hit it: ";

fn default_event() -> Value {
    event(json!({
        "category": "bro",
        "source": "intel",
        "hostname": "sensor1",
        "summary": "Intel match evil.example.com",
        "details": {
            "seenindicator": "evil.example.com",
            "seenwhere": "DNS::IN_REQUEST",
            "sourceipaddress": "10.1.1.1",
            "destinationipaddress": "1.2.3.5",
        }
    }))
}

fn alert(summary: String) -> Value {
    json!({
        "category": "bro",
        "severity": "NOTICE",
        "tags": ["nsm,bro,intel"],
        "summary": summary,
        "notify_mozdefbot": false,
    })
}

fn default_alert() -> Value {
    alert(format!("10 {PREFIX}{}", "10.1.1.1 in DNS::IN_REQUEST ".repeat(3)))
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

/// `event` stamped `seconds` before now (samples are newest first).
fn seconds_old(event: Value, seconds: i64) -> Value {
    let stamp = isoformat(&(now() - Duration::seconds(seconds)));
    merge(&event, &json!({"utctimestamp": stamp, "receivedtimestamp": stamp}))
}

#[tokio::test]
async fn multiple_intel_hits() {
    let mixed: Vec<Value> = (0..10)
        .map(|n| {
            let changes = match n {
                0 => json!({"hostname": "sensor2", "details": {"seenwhere": "Conn::IN_ORIG"}}),
                1 => json!({"details": {"seenwhere": "HTTP::IN_HOST_HEADER"}}),
                2 => json!({"details": {"seenwhere": "Intel::IN_ANYWHERE"}}),
                _ => json!({"details": {"seenwhere": null}}),
            };
            seconds_old(merge(&default_event(), &changes), n * 5)
        })
        .collect();
    let mixed_summary = "10 sensor2  Bro intel match for indicator: on evil.example.com sample hosts that hit it: \
         1.2.3.5 in Conn::IN_ORIG 10.1.1.1 in HTTP::IN_HOST_HEADER  in Intel::IN_ANYWHERE ";
    let forwarded: Vec<Value> = (0..10)
        .map(|n| {
            let changes = json!({"details": {"seenwhere": "HTTP::IN_X_FORWARDED_FOR_HEADER"}});
            seconds_old(merge(&default_event(), &changes), n * 5)
        })
        .collect();
    let cases = vec![
        positive("ten hits of one indicator", with(json!({}), 10), default_alert()),
        positive("hits a minute earlier", vec![aged(&default_event(), 1); 10], default_alert()),
        positive(
            "hits on the other sensors",
            with(json!({"hostname": "sensor3"}), 10),
            alert(format!(
                "10 sensor3  Bro intel match for indicator: on evil.example.com sample hosts that hit it: {}",
                "10.1.1.1 in DNS::IN_REQUEST ".repeat(3)
            )),
        ),
        positive("where decides the address", mixed, alert(mixed_summary.to_owned())),
        positive(
            "forwarded-for header: the destination",
            forwarded,
            alert(format!("10 {PREFIX}{}", "1.2.3.5 in HTTP::IN_X_FORWARDED_FOR_HEADER ".repeat(3))),
        ),
        positive_attaching(
            "more hits than samples: 10 attached",
            with(json!({}), 12),
            alert(format!("12 {PREFIX}{}", "10.1.1.1 in DNS::IN_REQUEST ".repeat(3))),
            10,
        ),
        negative("nine hits", with(json!({}), 9)),
        negative(
            "ten hits over two indicators",
            [with(json!({}), 5), with(json!({"details": {"seenindicator": "bad.example.net"}}), 5)].concat(),
        ),
        negative("bad category", with(json!({"category": "syslog"}), 10)),
        negative("bad source", with(json!({"source": "notice"}), 10)),
        negative("not a watched sensor", with(json!({"hostname": "sensor4"}), 10)),
        negative("no indicator (aggregation key)", with(json!({"details": {"seenindicator": null}}), 10)),
        negative("outside the 2 minute window", vec![aged(&default_event(), 3); 10]),
    ];
    check(Subject::defaults(multiple_intel_hits::entry), cases).await;
}
