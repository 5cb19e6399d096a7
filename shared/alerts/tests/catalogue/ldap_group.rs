//! `tests/alerts/test_ldap_group.py`.

use mozdef_alerts::catalogue::ldap_group;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "summary": "mail=user_la@example.com,o=com,dc=example modify cn=example_cn,ou=groups,dc=example add:memberUid: anotheruser@example.com",
        "details": {
            "dn": "cn=example_cn,ou=groups,dc=example",
            "changetype": "modify",
            "actor": "mail=user_la@example.com,o=com,dc=example",
            "email": "user_la@example.com",
            "username": "user_la",
        },
        "category": "ldapChange",
        "processid": "1697",
        "severity": "INFO",
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "ldap",
        "tags": ["ldap"],
        "severity": "INFO",
        "summary": "LDAP group change initiated by user_la@example.com",
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn ldap_group() {
    let mut two_users = vec![default_event(); 3];
    two_users[2] = merge(&two_users[2], &json!({"details": {"email": "other@example.com"}}));
    let cases = vec![
        positive("good event", with(json!({})), default_alert()),
        positive("somewhat old timestamp", vec![aged(&default_event(), 1)], default_alert()),
        positive_attaching("largest group of two emails", two_users, default_alert(), 2),
        positive_attaching("more events than samples: 50 attached", vec![default_event(); 55], default_alert(), 50),
        positive(
            "member added (changepairs without delete)",
            with(
                json!({"details": {"changepairs": [["add:member", "cn=test@mozilla.com,ou=distribution_lists,dc=mozilla"]]}}),
            ),
            default_alert(),
        ),
        negative("bad category", with(json!({"category": "badcategory"}))),
        negative("bad changetype", with(json!({"details": {"changetype": "add"}}))),
        negative(
            "summary without 'groups'",
            with(
                json!({"summary": "mail=user_la@example.com,o=com,dc=example modify cn=example_cn,ou=people,dc=example"}),
            ),
        ),
        negative(
            "bind actor excluded",
            with(json!({"details": {"actor": "uid=bind-generate-groups,ou=logins,ou=logins,dc=example"}})),
        ),
        negative("outside the 15 minute window", vec![aged(&default_event(), 16)]),
        negative("old utctimestamp and receivedtimestamp", vec![aged(&default_event(), 25 * 60)]),
        negative(
            "a user deleted from a group",
            with(
                json!({"details": {"changepairs": [["delete:member", "cn=test@mozilla.com,ou=distribution_lists,dc=mozilla"]]}}),
            ),
        ),
        negative("no email (aggregation key)", with(json!({"details": {"email": null}}))),
    ];
    check(Subject::defaults(ldap_group::entry), cases).await;
}
