//! `tests/alerts/test_ssh_access.py`, plus the login kind and a login without a user name.

use mozdef_alerts::catalogue::ssh_access;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "syslog",
        "hostname": "victim1.small.corp.com",
        "summary": "Accepted publickey for alamakota from 11.22.33.44 port 39190 ssh2",
        "details": {"sourceipaddress": "11.22.33.44", "program": "sshd", "username": "alamakota"}
    }))
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

fn alert(summary: &str) -> Value {
    json!({
        "category": "access",
        "severity": "CRITICAL",
        "summary": summary,
        "tags": ["ssh"],
        "notify_mozdefbot": true,
    })
}

#[tokio::test]
async fn ssh_access() {
    let default_alert = alert("SSH login from 11.22.33.44 on victim1.small.corp.com as user alamakota");
    let cases = vec![
        positive("good event", with(json!({})), default_alert.clone()),
        positive(
            "from the second watched source",
            with(json!({"details": {"sourceipaddress": "11.22.33.45"}})),
            alert("SSH login from 11.22.33.45 on victim1.small.corp.com as user alamakota"),
        ),
        positive("somewhat old timestamp", vec![aged(&default_event(), 14)], default_alert.clone()),
        positive(
            "no user name",
            with(json!({"details": {"username": null}})),
            alert("SSH login from 11.22.33.44 on victim1.small.corp.com as user UNKNOWN"),
        ),
        positive_attaching("one alert per event", vec![default_event(); 2], default_alert, 1),
        negative("old timestamp", vec![aged(&default_event(), 16)]),
        negative("bad category", with(json!({"category": ["bro"]}))),
        negative("bad program", with(json!({"details": {"program": "ssh"}}))),
        negative("source outside the watchlist", with(json!({"details": {"sourceipaddress": "213.212.11.5"}}))),
        negative(
            "password login",
            with(json!({"summary": "Accepted password for alamakota from 11.22.33.44 port 39190 ssh2"})),
        ),
    ];
    check(Subject::defaults(ssh_access::entry), cases).await;
}
