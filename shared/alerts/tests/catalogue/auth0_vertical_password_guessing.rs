//! `tests/alerts/test_auth0_vertical_password_guessing.py`, plus the negatives of inventory §8.

use mozdef_alerts::catalogue::auth0_vertical_password_guessing;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "details": {
            "connection": "Mozilla-LDAP",
            "description": "Wrong email or password.",
            "eventname": "Failed Login (wrong password)",
            "sourceipaddress": "1.1.1.1",
            "success": false,
            "useragent": "Firefox 80.0.0 / Windows 10.0.0",
            "userid": "ad|foo",
            "username": "foo@mozilla.com",
        },
        "category": "authentication",
        "severity": "ERROR",
        "summary": "Failed Login (wrong password) Wrong email or password. by foo@mozilla.com",
        "tags": ["auth0"],
        "type": "event",
    }))
}

fn default_event2() -> Value {
    merge(&default_event(), &json!({"details": {"sourceipaddress": "1.1.1.2", "username": "bar"}}))
}

fn default_alert() -> Value {
    json!({
        "category": "bruteforce",
        "tags": ["auth0"],
        "severity": "WARNING",
        "summary": "Auth0 Username/Password Vertical Password Guessing Attack in Progress against 2 users from 2 unique source ip(s)",
        "notify_mozdefbot": true,
    })
}

/// Five events of each default event, with `changes`.
fn both(changes: Value) -> Vec<Value> {
    let mut events = vec![merge(&default_event(), &changes); 5];
    events.extend(vec![merge(&default_event2(), &changes); 5]);
    events
}

#[tokio::test]
async fn auth0_vertical_password_guessing() {
    let mut three_users_one_ip = both(json!({"details": {"sourceipaddress": "1.1.1.1"}}));
    three_users_one_ip.push(merge(&default_event(), &json!({"details": {"username": "baz"}})));
    let mut second_user_without_description = vec![default_event(); 5];
    second_user_without_description
        .extend(vec![merge(&default_event2(), &json!({"details": {"description": "Other"}})); 5]);
    let cases = vec![
        positive("default events", both(json!({})), default_alert()),
        negative("only one affected user", vec![default_event(); 5]),
        positive("default events - dedup", both(json!({})), default_alert()),
        positive("one event per user", vec![default_event(), default_event2()], default_alert()),
        positive_attaching(
            "three users from one address",
            three_users_one_ip,
            merge(
                &default_alert(),
                &json!({"summary": "Auth0 Username/Password Vertical Password Guessing Attack in Progress against 3 users from 1 unique source ip(s)"}),
            ),
            10,
        ),
        negative("default negative event", both(json!({"details": {"eventname": "Success Login"}}))),
        negative("incorrect tags", both(json!({"tags": ["bad"]}))),
        negative("old timestamp", both(json!({})).iter().map(|e| aged(e, 241)).collect()),
        negative("second user's failures have another description", second_user_without_description),
        negative("second user's name is empty", {
            let mut events = vec![default_event(); 5];
            events.extend(vec![merge(&default_event2(), &json!({"details": {"username": ""}})); 5]);
            events
        }),
    ];
    check(Subject::defaults(auth0_vertical_password_guessing::entry), cases).await;
}
