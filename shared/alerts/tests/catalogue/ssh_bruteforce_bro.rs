//! `ssh_bruteforce_bro` (MozDef shipped no test for it; cases in its suites' style, inventory §8).

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::ssh_bruteforce_bro;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "bro",
        "source": "notice",
        "hostname": "nsm1.example.com",
        "summary": "10.0.0.5 appears to be guessing SSH passwords (seen in 30 connections).",
        "details": {"note": "SSH::Password_Guessing", "sourceipaddress": "10.0.0.5"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "bruteforce",
        "severity": "NOTICE",
        "summary": "nsm1.example.com 10.0.0.5 appears to be guessing SSH passwords (seen in 30 connections).",
        "tags": ["http"],
        "url": "https://www.mozilla.org",
        "notify_mozdefbot": false,
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn ssh_bruteforce_bro() {
    let cases = vec![
        positive("default event", with(json!({})), default_alert()),
        positive("event fourteen minutes old", vec![aged(&default_event(), 14)], default_alert()),
        positive(
            "summary of the event",
            with(json!({"hostname": "nsm2", "summary": "other text"})),
            merge(&default_alert(), &json!({"summary": "nsm2 other text"})),
        ),
        positive_attaching("one alert per event", vec![default_event(); 3], default_alert(), 1),
        negative("wrong category", with(json!({"category": "bronotice"}))),
        negative("wrong source", with(json!({"source": "intel"}))),
        negative("other note", with(json!({"details": {"note": "Scan::Port_Scan"}}))),
        negative("no note", with(json!({"details": {"note": null}}))),
        negative("event sixteen minutes old", vec![aged(&default_event(), 16)]),
    ];
    check(Subject::defaults(ssh_bruteforce_bro::entry), cases).await;

    let mut config = ConfigSource::defaults();
    config.env.insert(
        "MOZDEF_ALERT_SSH_BRUTEFORCE_BRO__URL".into(),
        "https://runbooks.example.com/ssh_bruteforce_bro".into(),
    );
    let cases = vec![positive(
        "configured url",
        with(json!({})),
        merge(&default_alert(), &json!({"url": "https://runbooks.example.com/ssh_bruteforce_bro"})),
    )];
    check(Subject::with_config(ssh_bruteforce_bro::entry, &config), cases).await;
}
