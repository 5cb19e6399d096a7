//! `tests/alerts/test_triagebot_escalation.py`, plus the negatives of inventory §8.

use mozdef_alerts::catalogue::triagebot_escalation;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "hostname": "UNKNOWN",
        "details": {
            "identifier": "UdEkkIEJFXEy54grVnfy",
            "identityConfidence": "low",
            "email": "test@testerson.com",
            "slack": "U4J8Z3DJT",
            "userresponse": "no"
        },
        "category": "triagebot",
        "summary": "TriageBot Response: no from: test@testerson.com"
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "access",
        "severity": "INFO",
        "summary": "TriageBot Escalation for event: UdEkkIEJFXEy54grVnfy sent to PagerDuty per 'NO' response from User: test@testerson.com",
        "tags": ["triagebot_escalation"],
        "url": "https://www.mozilla.org",
        "notify_mozdefbot": false,
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn triagebot_escalation() {
    let cases = vec![
        positive("default event", with(json!({})), default_alert()),
        positive(
            "different event id in the summary",
            with(json!({"details": {"identifier": "AbDpsIOPERXEy54grVnfy"}})),
            merge(
                &default_alert(),
                &json!({"summary": "TriageBot Escalation for event: AbDpsIOPERXEy54grVnfy sent to PagerDuty per 'NO' response from User: test@testerson.com"}),
            ),
        ),
        positive("event fourteen minutes old", vec![aged(&default_event(), 14)], default_alert()),
        negative("user response 'yes'", with(json!({"details": {"userresponse": "yes"}}))),
        negative("email key excluded", with(json!({"details": {"email": null}}))),
        negative("identifier key excluded", with(json!({"details": {"identifier": null}}))),
        negative("bad category", with(json!({"category": "bad"}))),
        negative("event sixteen minutes old", vec![aged(&default_event(), 16)]),
    ];
    check(Subject::defaults(triagebot_escalation::entry), cases).await;
}
