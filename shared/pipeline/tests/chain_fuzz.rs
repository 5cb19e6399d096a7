//! The whole event-task path — key mapping, every built-in plugin, defaults — on random and
//! mangled events: no input makes it panic, and every record ends as an event, a drop or a
//! quarantine (never nothing).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use mozdef_model::rng::SplitMix64 as Rng;
use mozdef_pipeline::plugins::{PluginConfig, builtin};
use mozdef_pipeline::{NormalizeContext, PluginChain, Processed, process};
use serde_json::{Map, Value, json};

/// Keys and values that reach plugins: every registration keyword, MozDef field names, and
/// values of awkward shapes.
const KEYS: &[&str] = &[
    "category",
    "summary",
    "message",
    "hostname",
    "processname",
    "program",
    "source",
    "tags",
    "details",
    "type",
    "customendpoint",
    "endpoint",
    "SOURCE",
    "MESSAGE",
    "sourceipaddress",
    "destinationipaddress",
    "src",
    "dst",
    "srcip",
    "dstip",
    "http_x_forwarded_for",
    "utctimestamp",
    "timestamp",
    "eventName",
    "finding",
    "action",
    "ts",
    "id.orig_h",
    "id.resp_p",
    "auid",
    "ses",
    "gid",
    "dhost",
    "etag",
    "logName",
    "protoPayload",
    "textPayload",
    "jsonPayload",
    "payload",
    "commit_ts",
    "event",
    "version",
    "asset",
    "vuln",
    "zone",
    "actor",
    "tls",
    "http_user_agent",
    "program",
    "cmdline",
    "pr_body",
    "requestparameters",
    "responseelements",
];
const WORDS: &[&str] = &[
    "auditd",
    "command",
    "audisp-json",
    "customendpoint",
    "zoom_host",
    "guardduty",
    "cloudtrail",
    "suricata",
    "bro",
    "squid",
    "sshd",
    "fail2ban",
    "ldap",
    "google",
    "netflow",
    "network",
    "nagios_hostname",
    "observium",
    "snmptt",
    "rt_flow",
    "pubsub",
    "triagebot",
    "filterlog",
    "githubeventsqs",
    "stackdriver",
    "vulnerability",
    "complianceitems",
    "proxy",
    "conn",
    "dns",
    "http",
    "alert",
    "Accepted publickey for root from 10.1.2.3 port 22 ssh2",
    "Failed password for invalid user x from 2001:db8::1 port 1 ssh2",
    "10.0.0.1",
    "::1",
    "8.8.8.8",
    "not-an-ip",
    "",
    "4294967295",
    "(null)",
    "1,2,3",
    "mail=a@b.c,ou=x",
    "RT_FLOW_SESSION_DENY: x",
    "1468443523",
    "2016-07-13T20:58:43Z",
    "Nov 25 14:01:12",
    "{\"a\": 1}",
    "[1,2]",
    "\u{0}",
    "é",
    ".dot.",
];

fn value(rng: &mut Rng, depth: usize) -> Value {
    match rng.index(if depth > 3 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.index(2) == 0),
        2 => json!(rng.next_u64() as i64 >> rng.index(64)),
        3 => json!((rng.next_u64() as f64) / 7.0),
        4 if rng.index(50) == 0 => json!("x".repeat(5000)),
        4 => json!(rng.pick(WORDS)),
        5 => Value::Array((0..rng.index(4)).map(|_| value(rng, depth + 1)).collect()),
        _ => Value::Object(object(rng, depth + 1)),
    }
}

fn object(rng: &mut Rng, depth: usize) -> Map<String, Value> {
    (0..rng.index(8)).map(|_| (rng.pick(KEYS).to_string(), value(rng, depth))).collect()
}

#[test]
fn random_events_never_panic_and_always_end_somewhere() {
    let chain = PluginChain::new(builtin(&PluginConfig::default()));
    let ctx = NormalizeContext {
        received: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
        mozdefhostname: "fuzz".into(),
    };
    let mut rng = Rng::new(20261125);
    let (mut events, mut dropped, mut quarantined) = (0, 0, 0);
    for round in 0..20_000 {
        let mut event = object(&mut rng, 0);
        // Make every plugin's trigger likely: a keyword as a value and a category.
        event.insert("category".into(), json!(rng.pick(WORDS)));
        event.insert(rng.pick(KEYS).to_string(), json!(rng.pick(WORDS)));
        if round % 3 == 0 {
            event.insert("customendpoint".into(), json!(true));
        }
        let raw = if round % 97 == 0 { value(&mut rng, 3) } else { Value::Object(event) };
        match process(raw, &ctx, &chain) {
            Processed::Event { event, metadata } => {
                events += 1;
                assert!(!metadata.index.is_empty());
                assert!(event.contains_key("utctimestamp") && event.contains_key("receivedtimestamp"));
            }
            Processed::Dropped { plugin } => {
                dropped += 1;
                assert!(chain.names().contains(&plugin));
            }
            Processed::Quarantined { reason, .. } => {
                quarantined += 1;
                assert!(!reason.to_string().is_empty());
            }
        }
    }
    assert!(
        events > 10_000,
        "most random events are stored: {events} stored, {dropped} dropped, {quarantined} quarantined"
    );
}
