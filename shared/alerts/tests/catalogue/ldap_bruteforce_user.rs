//! `tests/alerts/test_ldap_bruteforce_user.py`.

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::ldap_bruteforce_user;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "ldap",
        "details": {
            "client": "1.2.3.4",
            "requests": [{"verb": "BIND", "details": ["method=128dn=\"mail=jsmith@example.com,o=com,dc=example\""]}],
            "server": "ldap.example.com",
            "user": "jsmith@example.com",
            "response": {"error": "LDAP_INVALID_CREDENTIALS"},
        }
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "bruteforce",
        "tags": ["ldap"],
        "severity": "WARNING",
        "summary": "LDAP Bruteforce Attack in Progress against user (jsmith@example.com) from the following source ip(s): 1.2.3.4",
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

/// `n` events against the default user from clients 10.0.0.<i>, i in 0..n.
fn from_clients(n: usize) -> Vec<Value> {
    (0..n).map(|i| merge(&default_event(), &json!({"details": {"client": format!("10.0.0.{i}")}}))).collect()
}

fn summary(clients: &str) -> Value {
    let text = format!(
        "LDAP Bruteforce Attack in Progress against user (jsmith@example.com) from the following source ip(s): {clients}"
    );
    merge(&default_alert(), &json!({"summary": text}))
}

#[tokio::test]
async fn ldap_bruteforce_user() {
    let mut two_clients = with(json!({}), 3);
    two_clients[0] = merge(&two_clients[0], &json!({"details": {"client": "5.6.7.8"}}));
    let cases = vec![
        positive("default events", with(json!({}), 10), default_alert()),
        positive("two events (threshold 1)", with(json!({}), 2), default_alert()),
        positive("one event", with(json!({}), 1), default_alert()),
        positive("events 59 minutes old", vec![aged(&default_event(), 59); 3], default_alert()),
        positive("distinct clients, sorted", two_clients, summary("1.2.3.4, 5.6.7.8")),
        positive_attaching(
            "nine clients: no ellipsis",
            from_clients(9),
            summary("10.0.0.0, 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8"),
            9,
        ),
        positive_attaching(
            "twelve clients: ten listed (text order) and an ellipsis, ten samples",
            from_clients(12),
            summary(
                "10.0.0.0, 10.0.0.1, 10.0.0.10, 10.0.0.11, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7...",
            ),
            10,
        ),
        negative("LDAP_SUCCESS", with(json!({"details": {"response": {"error": "LDAP_SUCCESS"}}}), 10)),
        negative("incorrect category", with(json!({"category": "bad"}), 10)),
        negative("old timestamp (241 minutes)", vec![aged(&default_event(), 241); 10]),
        negative("outside the 60 minute window", vec![aged(&default_event(), 61); 10]),
        negative("excluded server foo.example.com", with(json!({"details": {"server": "foo.example.com"}}), 10)),
        negative("excluded server bar.example.com", with(json!({"details": {"server": "bar.example.com"}}), 10)),
        negative("empty user", with(json!({"details": {"user": ""}}), 10)),
        negative("no user (aggregation key)", with(json!({"details": {"user": null}}), 10)),
    ];
    check(Subject::defaults(ldap_bruteforce_user::entry), cases).await;

    let mut config = ConfigSource::defaults();
    config.env.insert("MOZDEF_ALERT_LDAP_BRUTEFORCE_USER__THRESHOLD_COUNT".into(), "5".into());
    config.env.insert(
        "MOZDEF_ALERT_LDAP_BRUTEFORCE_USER__HOST_EXCLUSIONS".into(),
        "ldap.example.com, other.example.com".into(),
    );
    let cases = vec![
        positive(
            "five failures on another server",
            with(json!({"details": {"server": "foo.example.com"}}), 5),
            default_alert(),
        ),
        negative(
            "four failures are below the configured threshold",
            with(json!({"details": {"server": "foo.example.com"}}), 4),
        ),
        negative("configured exclusion", with(json!({}), 10)),
        negative("configured exclusion after a space", with(json!({"details": {"server": "other.example.com"}}), 10)),
    ];
    check(Subject::with_config(ldap_bruteforce_user::entry, &config), cases).await;
}
