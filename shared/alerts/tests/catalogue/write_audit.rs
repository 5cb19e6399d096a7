//! `tests/alerts/test_write_audit.py`.

use mozdef_alerts::catalogue::write_audit;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "write",
        "summary": "Write: /etc/audit/plugins.d/temp-file.conf",
        "hostname": "exhostname",
        "tags": ["audisp-json", "2.1.0", "audit"],
        "details": {"processname": "vi", "originaluser": "randomjoe", "user": "root", "auditkey": "audit"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "write",
        "severity": "WARNING",
        "summary": "5 Filesystem write(s) to an auditd path (/etc/audit/plugins.d/temp-file.conf) by root (randomjoe)",
        "tags": ["audit"],
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

fn summary(text: &str) -> Value {
    merge(&default_alert(), &json!({"summary": text}))
}

#[tokio::test]
async fn write_audit() {
    let mut mixed = with(json!({}), 4);
    mixed[0] = merge(&mixed[0], &json!({"summary": "Write: /etc/audit/auditd.conf", "details": {"user": "admin"}}));
    let mut hosts = with(json!({}), 6);
    for event in &mut hosts[..2] {
        *event = merge(event, &json!({"hostname": "second"}));
    }
    hosts[5] = merge(&hosts[5], &json!({"hostname": "third"}));
    let cases = vec![
        positive("default events", with(json!({}), 5), default_alert()),
        positive(
            "expected user: downgraded severity",
            with(json!({"details": {"originaluser": "user1"}}), 5),
            json!({
                "category": "write",
                "severity": "NOTICE",
                "summary": "5 Filesystem write(s) to an auditd path (/etc/audit/plugins.d/temp-file.conf) by root (user1)",
                "tags": ["audit"],
            }),
        ),
        positive(
            "second expected user",
            with(json!({"details": {"originaluser": "user2"}}), 2),
            json!({"severity": "NOTICE", "notify_mozdefbot": false}),
        ),
        positive("events a minute earlier", vec![aged(&default_event(), 1); 5], default_alert()),
        positive(
            "two events (the threshold)",
            with(json!({}), 2),
            summary(
                "2 Filesystem write(s) to an auditd path (/etc/audit/plugins.d/temp-file.conf) by root (randomjoe)",
            ),
        ),
        positive(
            "distinct paths and users, sorted",
            mixed,
            summary(
                "4 Filesystem write(s) to an auditd path (/etc/audit/auditd.conf, /etc/audit/plugins.d/temp-file.conf) by admin, root (randomjoe)",
            ),
        ),
        positive(
            "more than one host: top hosts listed",
            hosts,
            summary(
                "6 Filesystem write(s) to an auditd path (/etc/audit/plugins.d/temp-file.conf) by root (randomjoe) \
                 on exhostname (3 hosts) on second (2 hosts) on third (1 hosts)",
            ),
        ),
        positive_attaching(
            "more events than samples: 10 attached",
            with(json!({}), 12),
            summary(
                "12 Filesystem write(s) to an auditd path (/etc/audit/plugins.d/temp-file.conf) by root (randomjoe)",
            ),
            10,
        ),
        negative("one event (below the threshold)", with(json!({}), 1)),
        negative("auditkey without 'audit'", with(json!({"details": {"auditkey": "exec"}}), 5)),
        negative("bad category", with(json!({"category": "read"}), 5)),
        negative("processname excluded: process1", with(json!({"details": {"processname": "process1"}}), 5)),
        negative("processname excluded: process2", with(json!({"details": {"processname": "process2"}}), 5)),
        negative("aggregation key excluded", with(json!({"details": {"originaluser": null}}), 5)),
        negative("outside the 15 minute window", vec![aged(&default_event(), 16); 5]),
        negative("old timestamp", vec![aged(&default_event(), 20); 5]),
    ];
    check(Subject::defaults(write_audit::entry), cases).await;
}
