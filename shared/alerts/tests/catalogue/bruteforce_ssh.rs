//! `tests/alerts/test_bruteforce_ssh.py`.

use mozdef_alerts::catalogue::bruteforce_ssh;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "summary": "login invalid ldap_count_entries failed by 1.2.3.4",
        "details": {"program": "sshd", "hostname": "exhostname", "sourceipaddress": "1.2.3.4"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "bruteforce",
        "severity": "NOTICE",
        "summary": "10 ssh bruteforce attempts by 1.2.3.4 exhostname (10 hits)",
        "tags": ["ssh"],
        "notify_mozdefbot": false,
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

#[tokio::test]
async fn bruteforce_ssh() {
    let mut different_source = with(json!({}), 10);
    for event in &mut different_source[8..] {
        *event = merge(event, &json!({"details": {"sourceipaddress": "127.0.0.1"}}));
    }
    let cases = vec![
        positive("default events", with(json!({}), 10), default_alert()),
        positive("events a minute earlier", vec![aged(&default_event(), 1); 10], default_alert()),
        positive("summary 'login failed'", with(json!({"summary": "login failed"}), 10), default_alert()),
        positive("summary 'invalid failed'", with(json!({"summary": "invalid failed"}), 10), default_alert()),
        positive(
            "summary 'keyboard failed'",
            with(json!({"summary": "keyboard-interactive failed"}), 10),
            default_alert(),
        ),
        positive_attaching(
            "more events than samples: 10 attached",
            with(json!({}), 12),
            merge(&default_alert(), &json!({"summary": "12 ssh bruteforce attempts by 1.2.3.4 exhostname (12 hits)"})),
            10,
        ),
        negative("one source address differs", different_source),
        negative("not enough events", with(json!({}), 9)),
        negative("summary without 'failed'", with(json!({"summary": "login good ldap_count_entries"}), 10)),
        negative("summary only 'failed'", with(json!({"summary": "failed"}), 10)),
        negative("summary only 'login'", with(json!({"summary": "login"}), 10)),
        negative("bad program", with(json!({"details": {"program": "badprogram"}}), 10)),
        negative("old timestamps", vec![aged(&default_event(), 3); 10]),
        negative("11.22.33.44 skipped", with(json!({"summary": "login failed by 11.22.33.44"}), 10)),
        negative("55.66.77.88 skipped", with(json!({"summary": "login failed by 55.66.77.88"}), 10)),
        negative("no source address", with(json!({"details": {"sourceipaddress": null}}), 10)),
    ];
    check(Subject::defaults(bruteforce_ssh::entry), cases).await;
}
