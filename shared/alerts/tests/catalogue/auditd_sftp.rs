//! `auditd_sftp` (MozDef shipped no test for it; cases in its suites' style, inventory §8).

use mozdef_alerts::catalogue::auditd_sftp;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "execve",
        "processname": "audisp-json",
        "details": {"processname": "ssh", "parentprocess": "sftp", "originaluser": "randomjoe", "cwd": "/tmp"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "execve",
        "severity": "NOTICE",
        "summary": "SFTP Event by randomjoe from host exhostname in directory /tmp",
        "tags": ["audisp-json, audit"],
        "notify_mozdefbot": false,
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn auditd_sftp() {
    let cases = vec![
        positive("default event", with(json!({})), default_alert()),
        positive("event four minutes old", vec![aged(&default_event(), 4)], default_alert()),
        positive(
            "missing user, host and directory are unknown",
            with(json!({"hostname": null, "details": {"originaluser": null, "cwd": null}})),
            merge(
                &default_alert(),
                &json!({"summary": "SFTP Event by unknown from host unknown in directory unknown"}),
            ),
        ),
        positive(
            "other host",
            with(json!({"hostname": "sftp1.example.com"})),
            merge(
                &default_alert(),
                &json!({"summary": "SFTP Event by randomjoe from host sftp1.example.com in directory /tmp"}),
            ),
        ),
        negative("wrong category", with(json!({"category": "write"}))),
        negative("wrong processname", with(json!({"processname": "auditd"}))),
        negative("process is not ssh", with(json!({"details": {"processname": "bash"}}))),
        negative("parent is not sftp", with(json!({"details": {"parentprocess": "bash"}}))),
        negative("no parent process", with(json!({"details": {"parentprocess": null}}))),
        negative("event six minutes old", vec![aged(&default_event(), 6)]),
    ];
    check(Subject::defaults(auditd_sftp::entry), cases).await;
}
