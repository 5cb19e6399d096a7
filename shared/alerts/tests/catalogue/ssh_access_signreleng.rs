//! `tests/alerts/test_ssh_access_signreleng.py`, plus keyboard-interactive logins (MozDef
//! HEAD), the host filter's alternatives, and an empty channel.

use std::collections::HashMap;

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::ssh_access_signreleng;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "tags": ["releng"],
        "hostname": "host1",
        "summary": "Accepted publickey for ttesterson from 1.2.3.4 port 39190 ssh2",
        "details": {"sourceipaddress": "1.2.3.4", "program": "sshd"}
    }))
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

fn alert(summary: &str) -> Value {
    json!({
        "category": "access",
        "severity": "NOTICE",
        "summary": summary,
        "tags": ["ssh"],
        "channel": "#somechannel",
    })
}

#[tokio::test]
async fn ssh_access_signreleng() {
    let default_alert = alert("SSH login from 1.2.3.4 on host1 as user ttesterson");
    let cases = vec![
        positive("good event", with(json!({})), default_alert.clone()),
        positive("somewhat old timestamp", vec![aged(&default_event(), 14)], default_alert.clone()),
        positive(
            "excluded user but not ip",
            with(json!({"summary": "Accepted publickey for someuser from 1.2.3.4 port 39190 ssh2"})),
            alert("SSH login from 1.2.3.4 on host1 as user someuser"),
        ),
        positive(
            "excluded ip but not user",
            with(json!({"details": {"sourceipaddress": "4.5.6.7"}})),
            alert("SSH login from 4.5.6.7 on host1 as user ttesterson"),
        ),
        positive(
            "processid at beginning of summary",
            with(json!({"summary": "[12345] Accepted publickey for ttesterson from 1.2.3.4 port 39190 ssh2"})),
            default_alert.clone(),
        ),
        positive(
            "keyboard-interactive login",
            with(json!({"summary": "Accepted keyboard-interactive/pam for kbduser from 1.2.3.4 port 39190 ssh2"})),
            alert("SSH login from 1.2.3.4 on host1 as user kbduser"),
        ),
        positive(
            "second host alternative",
            with(json!({"hostname": "host2.releng.example.com"})),
            alert("SSH login from 1.2.3.4 on host2.releng.example.com as user ttesterson"),
        ),
        positive(
            "user name not parsable",
            with(json!({"summary": "Accepted publickey for user.name from 1.2.3.4 port 39190 ssh2"})),
            alert("SSH login from 1.2.3.4 on host1 as user unknown"),
        ),
        negative("old timestamp", vec![aged(&default_event(), 16)]),
        negative("bad tags", with(json!({"tags": ["badtag"]}))),
        negative("bad program", with(json!({"details": {"program": "badprogram"}}))),
        negative("bad hostname", with(json!({"hostname": "badhostname"}))),
        negative("host filter matches the whole name", with(json!({"hostname": "xhost1"}))),
        negative("bad summary", with(json!({"summary": "bad summary"}))),
        negative(
            "excluded user and ip",
            with(
                json!({"summary": "Accepted publickey for someuser from 4.5.6.7 port 39190 ssh2", "details": {"sourceipaddress": "4.5.6.7"}}),
            ),
        ),
        negative(
            "excluded user and ip from second index",
            with(
                json!({"summary": "Accepted publickey for anotheruser from 8.9.10.11 port 39190 ssh2", "details": {"sourceipaddress": "8.9.10.11"}}),
            ),
        ),
    ];
    check(Subject::defaults(ssh_access_signreleng::entry), cases).await;

    let env = HashMap::from([("MOZDEF_ALERT_SSH_ACCESS_SIGNRELENG__CHANNEL".to_owned(), String::new())]);
    let config = ConfigSource { dir: None, env };
    let mut quiet = default_alert;
    quiet["channel"] = Value::Null;
    quiet["notify_mozdefbot"] = json!(false);
    let cases = vec![positive("an empty channel is none", with(json!({})), quiet)];
    check(Subject::with_config(ssh_access_signreleng::entry, &config), cases).await;
}
