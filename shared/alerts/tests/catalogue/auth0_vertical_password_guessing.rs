//! `tests/alerts/test_auth0_vertical_password_guessing.py`, plus the negatives of inventory §8.

use mozdef_alerts::catalogue::auth0_vertical_password_guessing;
use serde_json::{Value, json};

use super::common::*;
use super::shapes::*;

/// The second user's failed login: `bar` from 1.1.1.2.
fn second_user(shape: &Shape) -> Value {
    merge(&shape.event, &json!({"details": {"sourceipaddress": "1.1.1.2", "username": "bar"}}))
}

/// Five events of each user, with `changes`.
fn both(shape: &Shape, changes: Value) -> Vec<Value> {
    let mut events = vec![merge(&shape.event, &changes); 5];
    events.extend(vec![merge(&second_user(shape), &changes); 5]);
    events
}

#[tokio::test]
async fn auth0_vertical_password_guessing() {
    let summary = |users: usize, ips: usize| {
        auth0_alert(&format!(
            "Auth0 Username/Password Vertical Password Guessing Attack in Progress against {users} users from {ips} unique source ip(s)"
        ))
    };
    let shape = Shape::new(auth0_failed_login(), summary(2, 2));
    let default_event2 = second_user(&shape);
    let mut three_users_one_ip = both(&shape, json!({"details": {"sourceipaddress": "1.1.1.1"}}));
    three_users_one_ip.push(merge(&shape.event, &json!({"details": {"username": "baz"}})));
    let mut second_user_without_description = vec![shape.event.clone(); 5];
    second_user_without_description
        .extend(vec![merge(&default_event2, &json!({"details": {"description": "Other"}})); 5]);
    let cases = vec![
        positive("default events", both(&shape, json!({})), shape.alert.clone()),
        negative("only one affected user", vec![shape.event.clone(); 5]),
        positive("default events - dedup", both(&shape, json!({})), shape.alert.clone()),
        positive("one event per user", vec![shape.event.clone(), default_event2.clone()], shape.alert.clone()),
        positive_attaching("three users from one address", three_users_one_ip, summary(3, 1), 10),
        negative("default negative event", both(&shape, json!({"details": {"eventname": "Success Login"}}))),
        negative("incorrect tags", both(&shape, json!({"tags": ["bad"]}))),
        negative("old timestamp", both(&shape, json!({})).iter().map(|e| aged(e, 241)).collect()),
        negative("second user's failures have another description", second_user_without_description),
        negative("second user's name is empty", {
            let mut events = vec![shape.event.clone(); 5];
            events.extend(vec![merge(&default_event2, &json!({"details": {"username": ""}})); 5]);
            events
        }),
    ];
    check(Subject::defaults(auth0_vertical_password_guessing::entry), cases).await;
}
