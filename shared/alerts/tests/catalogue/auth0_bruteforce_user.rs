//! `tests/alerts/test_auth0_bruteforce_user.py`, plus the negatives of inventory §8.

use mozdef_alerts::catalogue::auth0_bruteforce_user;
use serde_json::{Value, json};

use super::common::*;
use super::shapes::*;

/// `n` default events from `n` distinct addresses 10.0.0.<n>.
fn from_many(shape: &Shape, n: usize) -> Vec<Value> {
    (1..=n).map(|i| merge(&shape.event, &json!({"details": {"sourceipaddress": format!("10.0.0.{i}")}}))).collect()
}

#[tokio::test]
async fn auth0_bruteforce_user() {
    let alert = |user: &str, ips: &str| {
        auth0_alert(&format!(
            "Auth0 Username/Password Bruteforce Attack in Progress against user ({user}) from the following source ip(s): {ips}"
        ))
    };
    let summary = |ips: &str| alert("foo@mozilla.com", ips);
    let shape = Shape::new(auth0_failed_login(), summary("1.1.1.1"));
    let mut two_users = shape.with_n(json!({}), 2);
    two_users.extend(shape.with_n(json!({"details": {"username": "bar@mozilla.com"}}), 3));
    let cases = vec![
        positive("default events", shape.with_n(json!({}), 10), shape.alert.clone()),
        positive("default events - dedup", shape.with_n(json!({}), 2), shape.alert.clone()),
        positive("one event is enough", shape.with_n(json!({}), 1), shape.alert.clone()),
        positive("events 59 minutes old", shape.aged(59, 3), shape.alert.clone()),
        positive(
            "addresses sorted and unique",
            vec![
                merge(&shape.event, &json!({"details": {"sourceipaddress": "2.2.2.2"}})),
                shape.event.clone(),
                merge(&shape.event, &json!({"details": {"sourceipaddress": "2.2.2.2"}})),
            ],
            summary("1.1.1.1, 2.2.2.2"),
        ),
        positive(
            "nine addresses: no ellipsis",
            from_many(&shape, 9),
            summary("10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9"),
        ),
        positive_attaching(
            "eleven addresses: first ten (as text) and an ellipsis",
            from_many(&shape, 11),
            summary(
                "10.0.0.1, 10.0.0.10, 10.0.0.11, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8...",
            ),
            10,
        ),
        positive_attaching("the largest user group first", two_users, alert("bar@mozilla.com", "1.1.1.1"), 3),
        negative("default negative event", shape.with_n(json!({"details": {"eventname": "Success Login"}}), 10)),
        negative("incorrect tags", shape.with_n(json!({"tags": ["bad"]}), 10)),
        negative("old timestamp", shape.aged(241, 10)),
        negative("just outside the window", shape.aged(61, 10)),
        negative("empty username", shape.with_n(json!({"details": {"username": ""}}), 10)),
        negative("no username", shape.with_n(json!({"details": {"username": null}}), 10)),
    ];
    check(Subject::defaults(auth0_bruteforce_user::entry), cases).await;
}
