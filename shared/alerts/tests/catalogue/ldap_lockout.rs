//! `ldap_lockout.py` (MozDef shipped no test for it): cases in MozDef's style.

use mozdef_alerts::catalogue::ldap_lockout;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "summary": "cn=admin,dc=mozilla modify mail=jsmith@example.com,o=com,dc=example replace:pwdAccountLockedTime",
        "details": {
            "dn": "mail=jsmith@example.com,o=com,dc=example",
            "changetype": "modify",
            "actor": "cn=admin,dc=mozilla",
            "changepairs": ["replace:pwdAccountLockedTime", "000001010000Z"],
        },
        "category": "ldapChange",
        "severity": "INFO",
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "ldap",
        "tags": ["ldap"],
        "severity": "NOTICE",
        "summary": "mail=jsmith@example.com,o=com,dc=example LDAP account locked",
        "notify_mozdefbot": false,
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn ldap_lockout() {
    let cases = vec![
        positive("good event", with(json!({})), default_alert()),
        positive("somewhat old timestamp", vec![aged(&default_event(), 14)], default_alert()),
        positive(
            "changepairs as a single string",
            with(json!({"details": {"changepairs": "replace:pwdAccountLockedTime"}})),
            default_alert(),
        ),
        negative("bad category", with(json!({"category": "ldap"}))),
        negative("another actor", with(json!({"details": {"actor": "mail=jsmith@example.com,o=com,dc=example"}}))),
        negative("another change", with(json!({"details": {"changepairs": ["replace:userPassword"]}}))),
        negative(
            "lock time deleted (unlock)",
            with(json!({"details": {"changepairs": ["delete:pwdAccountLockedTime"]}})),
        ),
        negative("no changepairs", with(json!({"details": {"changepairs": null}}))),
        negative("outside the 15 minute window", vec![aged(&default_event(), 16)]),
    ];
    check(Subject::defaults(ldap_lockout::entry), cases).await;
}
