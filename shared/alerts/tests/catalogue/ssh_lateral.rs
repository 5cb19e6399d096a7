//! `tests/alerts/test_ssh_lateral.py`, plus the policy of MozDef's shipped
//! `ssh_lateral.json`: hosts in and out of scope, sources outside `alertifsource` or in
//! `notalertifsource`, ignored users, exceptions, several logins on one host, and a summary
//! that does not start with the login line.

use mozdef_alerts::catalogue::ssh_lateral;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "syslog",
        "hostname": "test-host.enterprise.mozilla.com",
        "summary": "Accepted publickey for user1 from 10.2.3.4 port 19936 ssh2: RSA SHA256:ET72afGGbxabDersgSdQ+xJYB6ILXOFSDsLsTqDs",
        "details": {"program": "sshd"}
    }))
}

fn login(user: &str, source: &str) -> Value {
    json!({"summary": format!("Accepted publickey for {user} from {source} port 19936 ssh2: RSA SHA256:abc")})
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

fn alert(summary: &str) -> Value {
    json!({"category": "session", "severity": "WARNING", "summary": summary, "tags": ["sshd", "syslog"]})
}

#[tokio::test]
async fn ssh_lateral() {
    let default_alert = alert(
        "SSH lateral movement outside policy: access to test-host.enterprise.mozilla.com from 10.2.3.4 (mock_hostname1.mozilla.org) as user1",
    );
    let two_logins = vec![
        merge(&default_event(), &login("user1", "10.2.3.4")),
        aged(&merge(&default_event(), &login("user2", "10.9.9.9")), 1),
    ];
    let mut allowed_and_not = with(login("kirk", "10.1.1.1"));
    allowed_and_not.push(aged(&default_event(), 1));
    let spock_elsewhere = merge(&default_event(), &login("spock", "10.0.50.3"));
    let cases = vec![
        positive("good event", with(json!({})), default_alert.clone()),
        positive("14 minutes old", vec![aged(&default_event(), 14)], default_alert.clone()),
        positive(
            "two logins on one host, newest first",
            two_logins,
            alert(
                "SSH lateral movement outside policy: access to test-host.enterprise.mozilla.com from 10.2.3.4 (mock_hostname1.mozilla.org),10.9.9.9 (mock.mozilla.org) as user1,user2",
            ),
        ),
        positive("an allowed login does not hide another", allowed_and_not, default_alert.clone()),
        positive(
            "exception for another host",
            vec![spock_elsewhere],
            alert(
                "SSH lateral movement outside policy: access to test-host.enterprise.mozilla.com from 10.0.50.3 (mock.mozilla.org) as spock",
            ),
        ),
        negative("bad event category", with(json!({"category": "bad"}))),
        negative("bad event summary", with(json!({"summary": "some bad summary"}))),
        negative("bad event details.program", with(json!({"details": {"program": "ftpd"}}))),
        negative("old timestamp", vec![aged(&default_event(), 16)]),
        negative("host out of scope", with(json!({"hostname": "test-host.example.com"}))),
        negative("host excluded", with(json!({"hostname": "ten-forward.enterprise.mozilla.com"}))),
        negative("source outside alertifsource", with(login("user1", "1.2.3.4"))),
        negative("source in notalertifsource", with(login("user1", "10.0.22.5"))),
        negative("ignored user", with(login("user1@example.com", "10.2.3.4"))),
        negative("exception by user and network", with(login("kirk", "10.1.1.2"))),
        negative(
            "exception by user, host and network",
            vec![merge(
                &default_event(),
                &merge(&login("spock", "10.0.53.9"), &json!({"hostname": "sciencestation.enterprise.mozilla.com"})),
            )],
        ),
        negative(
            "login line not at the start of the summary",
            with(json!({"summary": "[123] Accepted publickey for user1 from 10.2.3.4 port 19936 ssh2"})),
        ),
        negative("no hostname", with(json!({"hostname": null}))),
    ];
    check(Subject::defaults(ssh_lateral::entry), cases).await;
}
