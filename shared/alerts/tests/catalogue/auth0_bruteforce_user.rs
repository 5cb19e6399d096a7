//! `tests/alerts/test_auth0_bruteforce_user.py`, plus the negatives of inventory §8.

use mozdef_alerts::catalogue::auth0_bruteforce_user;
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

fn default_alert() -> Value {
    json!({
        "category": "bruteforce",
        "tags": ["auth0"],
        "severity": "WARNING",
        "summary": "Auth0 Username/Password Bruteforce Attack in Progress against user (foo@mozilla.com) from the following source ip(s): 1.1.1.1",
        "notify_mozdefbot": true,
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

/// `n` events from `n` distinct addresses 10.0.0.<n>.
fn from_many(n: usize) -> Vec<Value> {
    (1..=n).map(|i| merge(&default_event(), &json!({"details": {"sourceipaddress": format!("10.0.0.{i}")}}))).collect()
}

#[tokio::test]
async fn auth0_bruteforce_user() {
    let summary = |ips: &str| {
        merge(
            &default_alert(),
            &json!({"summary": format!("Auth0 Username/Password Bruteforce Attack in Progress against user (foo@mozilla.com) from the following source ip(s): {ips}")}),
        )
    };
    let mut two_users = with(json!({}), 2);
    two_users.extend(with(json!({"details": {"username": "bar@mozilla.com"}}), 3));
    let cases = vec![
        positive("default events", with(json!({}), 10), default_alert()),
        positive("default events - dedup", with(json!({}), 2), default_alert()),
        positive("one event is enough", with(json!({}), 1), default_alert()),
        positive("events 59 minutes old", vec![aged(&default_event(), 59); 3], default_alert()),
        positive(
            "addresses sorted and unique",
            vec![
                merge(&default_event(), &json!({"details": {"sourceipaddress": "2.2.2.2"}})),
                default_event(),
                merge(&default_event(), &json!({"details": {"sourceipaddress": "2.2.2.2"}})),
            ],
            summary("1.1.1.1, 2.2.2.2"),
        ),
        positive(
            "nine addresses: no ellipsis",
            from_many(9),
            summary("10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9"),
        ),
        positive_attaching(
            "eleven addresses: first ten (as text) and an ellipsis",
            from_many(11),
            summary(
                "10.0.0.1, 10.0.0.10, 10.0.0.11, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8...",
            ),
            10,
        ),
        positive_attaching(
            "the largest user group first",
            two_users,
            merge(
                &default_alert(),
                &json!({"summary": "Auth0 Username/Password Bruteforce Attack in Progress against user (bar@mozilla.com) from the following source ip(s): 1.1.1.1"}),
            ),
            3,
        ),
        negative("default negative event", with(json!({"details": {"eventname": "Success Login"}}), 10)),
        negative("incorrect tags", with(json!({"tags": ["bad"]}), 10)),
        negative("old timestamp", vec![aged(&default_event(), 241); 10]),
        negative("just outside the window", vec![aged(&default_event(), 61); 10]),
        negative("empty username", with(json!({"details": {"username": ""}}), 10)),
        negative("no username", with(json!({"details": {"username": null}}), 10)),
    ];
    check(Subject::defaults(auth0_bruteforce_user::entry), cases).await;
}
