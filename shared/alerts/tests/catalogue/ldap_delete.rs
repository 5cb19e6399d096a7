//! `tests/alerts/test_ldap_delete.py`.

use mozdef_alerts::catalogue::ldap_delete;
use serde_json::{Value, json};

use crate::common::*;

const ACTOR: &str = "dc=example mail=user_la@example.com,o=com,dc=example IP=1.2.3.4:49818 conn=527493";

fn default_event() -> Value {
    event(json!({
        "summary": format!("{ACTOR} delete cn=example_cn,ou=groups,dc=example"),
        "details": {"dn": "cn=example_cn,ou=groups,dc=example", "changetype": "delete", "actor": ACTOR},
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
        "summary": format!("{ACTOR} deleted cn=example_cn,ou=groups,dc=example"),
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn ldap_delete() {
    let bind_actor = "dc=example uid=bind-generate-groups,ou=logins,dc=example IP=1.2.3.4:49818 conn=527493";
    let cases = vec![
        positive("good event", with(json!({})), default_alert()),
        positive("somewhat old timestamp", vec![aged(&default_event(), 1)], default_alert()),
        positive(
            "another actor and dn",
            with(json!({"details": {"actor": "mail=other@example.com,o=com,dc=example", "dn": "uid=new,ou=people"}})),
            merge(
                &default_alert(),
                &json!({"summary": "mail=other@example.com,o=com,dc=example deleted uid=new,ou=people"}),
            ),
        ),
        positive_attaching(
            "one alert per event",
            vec![default_event(), merge(&default_event(), &json!({"details": {"dn": "cn=second"}}))],
            json!({"category": "ldap", "severity": "INFO"}),
            1,
        ),
        negative("bad category", with(json!({"category": "badcategory"}))),
        negative("bad changetype", with(json!({"details": {"changetype": "add"}}))),
        negative("bind actor excluded", with(json!({"details": {"actor": bind_actor}}))),
        negative("outside the 15 minute window", vec![aged(&default_event(), 16)]),
        negative("old utctimestamp and receivedtimestamp", vec![aged(&default_event(), 25 * 60)]),
    ];
    check(Subject::defaults(ldap_delete::entry), cases).await;
}
