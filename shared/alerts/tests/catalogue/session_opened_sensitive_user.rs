//! `tests/alerts/test_session_opened_sensitive_user.py`, plus the sample limit, the
//! aggregation key, and an expected window around the frozen clock (events inside it are
//! not reported, events of the same run outside it are).

use std::collections::HashMap;

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::session_opened_sensitive_user;
use mozdef_model::isoformat;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "syslog",
        "hostname": "exhostname",
        "summary": "pam_unix(sshd:session): session opened for user user1 by (uid=0)",
        "details": {"program": "sshd"}
    }))
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

fn alert(hosts: &str, total: usize) -> Value {
    json!({
        "category": "session",
        "severity": "WARNING",
        "tags": ["pam", "syslog"],
        "summary": format!("Session opened by a sensitive user outside of the expected window - sample hosts: {hosts} [total {total} hosts]"),
    })
}

/// Both timestamps at `hour:minute:second` of the frozen day.
fn at_time_of_day(event: &Value, hour: u32, minute: u32, second: u32) -> Value {
    let stamp = now().date_naive().and_hms_opt(hour, minute, second).expect("time").and_utc();
    merge(event, &json!({"utctimestamp": isoformat(&stamp), "receivedtimestamp": isoformat(&stamp)}))
}

#[tokio::test]
async fn session_opened_sensitive_user() {
    let mut random_hosts = with(json!({}), 10);
    let mut names = Vec::new();
    for (n, event) in random_hosts.iter_mut().enumerate() {
        *event = merge(event, &json!({"hostname": format!("host{n}")}));
        names.push(format!("host{n}"));
    }
    let user2 = json!({"summary": "pam_unix(sshd:session): session opened for user user2 by (uid=0)"});
    let cases = vec![
        positive("default events", with(json!({}), 10), alert("exhostname", 10)),
        positive("events a minute earlier", vec![aged(&default_event(), 1); 10], alert("exhostname", 10)),
        positive("user 'user2'", with(user2, 10), alert("exhostname", 10)),
        positive(
            "user 'user1'",
            with(json!({"summary": "pam_unix(sshd:session): session opened for user user1 by (uid=0)"}), 10),
            alert("exhostname", 10),
        ),
        positive("ten hosts, sorted", random_hosts, alert(&names.join(" "), 10)),
        positive("one event", with(json!({}), 1), alert("exhostname", 1)),
        positive_attaching("more events than samples: 10 attached", with(json!({}), 12), alert("exhostname", 12), 10),
        negative(
            "wrong username",
            with(json!({"summary": "pam_unix(sshd:session): session opened for user user3 by (uid=0)"}), 10),
        ),
        negative("inside whitelisted time", vec![at_time_of_day(&default_event(), 3, 45, 30); 10]),
        negative("summary 'login failed'", with(json!({"summary": "login failed"}), 10)),
        negative("wrong category", with(json!({"category": "badcategory"}), 10)),
        negative("wrong program", with(json!({"details": {"program": "ssh"}}), 10)),
        negative(
            "'session closed' summary",
            with(json!({"summary": "pam_unix(sshd:session): session closed for user user1 by (uid=0)"}), 10),
        ),
        negative("old timestamp", vec![aged(&default_event(), 15); 10]),
        negative("11 minutes old", vec![aged(&default_event(), 11); 10]),
        negative("no program", with(json!({"details": {"program": null}}), 10)),
    ];
    check(Subject::defaults(session_opened_sensitive_user::entry), cases).await;

    // An expected window 00:55:00–01:05:00 around the frozen 01:00:00.
    let window = json!({"period1": {"start_hour": "00", "start_minute": "55", "start_second": "00",
                                    "end_hour": 1, "end_minute": 5, "end_second": 0}});
    let env =
        HashMap::from([("MOZDEF_ALERT_SESSION_OPENED_SENSITIVE_USER__SCAN_EXPECTED".to_owned(), window.to_string())]);
    let config = ConfigSource { dir: None, env };
    let mut mixed = vec![at_time_of_day(&default_event(), 0, 52, 0)];
    mixed.push(merge(&at_time_of_day(&default_event(), 0, 58, 0), &json!({"hostname": "inside"})));
    let cases = vec![
        negative("inside the expected window", with(json!({}), 10)),
        negative("at the window's start", vec![at_time_of_day(&default_event(), 0, 55, 0); 3]),
        positive(
            "before the expected window",
            vec![at_time_of_day(&default_event(), 0, 52, 0); 3],
            alert("exhostname", 3),
        ),
        positive_attaching("only the events outside the window", mixed, alert("exhostname", 1), 1),
    ];
    check(Subject::with_config(session_opened_sensitive_user::entry, &config), cases).await;
}
