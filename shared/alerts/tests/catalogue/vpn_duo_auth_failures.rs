//! `vpn_duo_auth_failures.py` (MozDef shipped no test for it): the threshold, the sample
//! limit, the address list, and the §8 negatives (category, tag, integration, result,
//! window, aggregation key, users counted apart).

use mozdef_alerts::catalogue::vpn_duo_auth_failures;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "event",
        "tags": ["duosecurity"],
        "details": {
            "integration": "global and external openvpn",
            "result": "FAILURE",
            "username": "ttesterson",
            "ip": "1.2.3.4"
        }
    }))
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

fn alert(summary: &str) -> Value {
    json!({"category": "openvpn", "severity": "NOTICE", "summary": summary, "tags": ["vpn", "auth", "duo"], "notify_mozdefbot": false})
}

#[tokio::test]
async fn vpn_duo_auth_failures() {
    let mut two_addresses = with(json!({}), 5);
    two_addresses.extend(with(json!({"details": {"ip": "5.6.7.8"}}), 2));
    let mut split_users = with(json!({}), 4);
    split_users.extend(with(json!({"details": {"username": "other"}}), 1));
    let cases = vec![
        positive(
            "five failures",
            with(json!({}), 5),
            alert("5 openvpn authentication attempts by ttesterson 1.2.3.4 (5 hits)"),
        ),
        positive(
            "a minute earlier",
            vec![aged(&default_event(), 1); 5],
            alert("5 openvpn authentication attempts by ttesterson 1.2.3.4 (5 hits)"),
        ),
        positive_attaching(
            "two addresses, five samples",
            two_addresses,
            alert("7 openvpn authentication attempts by ttesterson 1.2.3.4 (5 hits) 5.6.7.8 (2 hits)"),
            5,
        ),
        negative("four failures", with(json!({}), 4)),
        negative("failures of two users", split_users),
        negative("wrong category", with(json!({"category": "authentication"}), 5)),
        negative("wrong tag", with(json!({"tags": ["openvpn"]}), 5)),
        negative("other integration", with(json!({"details": {"integration": "global and external ssh"}}), 5)),
        negative("success", with(json!({"details": {"result": "SUCCESS"}}), 5)),
        negative("old timestamps", vec![aged(&default_event(), 3); 5]),
        negative("no user name", with(json!({"details": {"username": null}}), 5)),
    ];
    check(Subject::defaults(vpn_duo_auth_failures::entry), cases).await;
}
