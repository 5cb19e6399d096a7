//! `tests/alerts/test_cloudtrail_logging_disabled.py`, plus the refused call as CloudTrail
//! records it (`details.errorcode`, the MozDef bug fixed here) and the negatives of
//! inventory §8.

use mozdef_alerts::catalogue::cloudtrail_logging_disabled;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "source": "cloudtrail",
        "details": {"eventname": "StopLogging", "requestparameters": {"name": "cloudtrail_example_name"}}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "AWSCloudtrail",
        "severity": "CRITICAL",
        "summary": "Cloudtrail Logging Disabled: cloudtrail_example_name",
        "tags": ["cloudtrail", "aws", "cloudtrail_logging_disabled"],
        "notify_mozdefbot": true,
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn cloudtrail_logging_disabled() {
    let cases = vec![
        positive("good event", with(json!({})), default_alert()),
        positive("somewhat old timestamp", vec![aged(&default_event(), 29)], default_alert()),
        positive("another error code", with(json!({"details": {"errorcode": "ThrottlingException"}})), default_alert()),
        positive_attaching(
            "a nameless event does not stop the others",
            vec![merge(&default_event(), &json!({"details": {"requestparameters": null}})), default_event()],
            default_alert(),
            1,
        ),
        negative("bad event source", with(json!({"source": "event"}))),
        negative("bad eventName", with(json!({"details": {"eventname": "Badeventname"}}))),
        negative("old timestamp", vec![aged(&default_event(), 31)]),
        negative(
            "excluding errorCode (top level, as MozDef's test put it)",
            with(json!({"errorcode": "AccessDenied"})),
        ),
        negative(
            "excluding errorCode (details, as CloudTrail events have it)",
            with(json!({"details": {"errorcode": "AccessDenied"}})),
        ),
        negative("no trail name", with(json!({"details": {"requestparameters": null}}))),
    ];
    check(Subject::defaults(cloudtrail_logging_disabled::entry), cases).await;
}
