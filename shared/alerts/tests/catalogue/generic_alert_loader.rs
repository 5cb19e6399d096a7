//! `generic_alert_loader.py`: MozDef's generic rules (hjson files such as `ssh_open_crit`
//! and `duosecurity_bypass_generated`, whose alert names the triage bot relies on), in the
//! style of MozDef's alert tests, and the loading of a rule directory.

use std::path::Path;

use mozdef_alerts::CatalogueEntry;
use mozdef_alerts::catalogue::generic_alert_loader::{ENTRY_NAME, load_rules};
use serde_json::{Value, json};

use super::common::*;

/// An hjson rule: comments, unquoted keys and strings, trailing commas.
const SSH_OPEN_CRIT: &str = r#"
{
    // An ssh session opened on a sensitive host
    search_string: "details.program:sshd AND summary:\"session opened\"",
    # ES filters as [field, value] pairs
    filters: [
        ["category", "syslog"],
    ],
    aggregation_key: details.username
    time_window: 5
    num_samples: 10
    num_aggregations: 1
    /* what the alert says */
    alert_category: session
    alert_severity: WARNING
    alert_summary: Session opened on sensitive host by
    alert_tags: ["session", "successful",]
    alert_url: "https://mozilla.org/ssh_open_crit"
}
"#;

/// A plain JSON rule with the optional keys: a channel, additional summary fields, a
/// threshold of two events and two samples.
const DUO_BYPASS: &str = r#"{
    "search_string": "summary:bypass",
    "filters": [["category", "authentication"], ["details.action", "bypass"]],
    "aggregation_key": "details.username",
    "time_window": "15",
    "num_samples": 2,
    "num_aggregations": 2,
    "alert_category": "bypass",
    "alert_severity": "INFO",
    "alert_summary": "Duo bypass codes generated",
    "alert_tags": ["duosecurity"],
    "alert_url": "https://mozilla.org/duo",
    "channel": "testchannel",
    "additional_summary_fields": ["details.bypass_user", "details.not_in_events"]
}"#;

/// A rule that silences the bot for a CRITICAL alert, grouped on a number.
const PORT_SILENT: &str = r#"{
    search_string: "summary:Example",
    filters: [],
    aggregation_key: "details.port",
    time_window: 10,
    num_samples: 5,
    num_aggregations: 1,
    alert_category: "portscan",
    alert_severity: "CRITICAL",
    alert_summary: "Example alert",
    alert_tags: ["ports"],
    alert_url: "https://mozilla.org/ports",
    notify_mozdefbot: false,
}"#;

/// The entry loaded from a directory holding `files`; every file must load.
fn rules_entry(files: &[(&str, &str)]) -> CatalogueEntry {
    let dir = tempfile::tempdir().expect("tempdir");
    write_files(dir.path(), files);
    let (entry, errors) = load_rules(dir.path());
    assert!(errors.is_empty(), "rules do not load: {errors:?}");
    entry.expect("an entry")
}

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write rule");
    }
}

fn subject(entry: CatalogueEntry) -> Subject {
    Subject { entry, plugins: Vec::new(), watchlist: Vec::new(), fixtures: Vec::new() }
}

fn ssh_event() -> Value {
    event(json!({
        "category": "syslog",
        "hostname": "crit1.example.com",
        "summary": "pam_unix(sshd:session): session opened for user tester by (uid=0)",
        "details": {"program": "sshd", "username": "tester"}
    }))
}

fn ssh_alert(summary: &str) -> Value {
    json!({
        "classname": "AlertGenericLoader:ssh_open_crit",
        "category": "session",
        "severity": "WARNING",
        "summary": summary,
        "tags": ["session", "successful"],
        "url": "https://mozilla.org/ssh_open_crit",
        "channel": null,
        "notify_mozdefbot": true,
    })
}

fn ssh_with(changes: Value) -> Vec<Value> {
    vec![merge(&ssh_event(), &changes)]
}

#[tokio::test]
async fn generic_rule_ssh_open_crit() {
    let on_host = |host: &str, minutes: i64| aged(&merge(&ssh_event(), &json!({"hostname": host})), minutes);
    let two_hosts =
        vec![on_host("crit1.example.com", 0), on_host("crit2.example.com", 1), on_host("crit1.example.com", 2)];
    let mut two_users = vec![ssh_event(); 3];
    two_users[0] = merge(&two_users[0], &json!({"details": {"username": "other"}}));
    two_users[2] = merge(&two_users[2], &json!({"details": {"username": "other"}}));
    let cases = vec![
        positive(
            "one session",
            vec![ssh_event()],
            ssh_alert("Session opened on sensitive host by (1): tester [crit1.example.com]"),
        ),
        positive(
            "a session 4 minutes ago",
            vec![aged(&ssh_event(), 4)],
            ssh_alert("Session opened on sensitive host by (1): tester [crit1.example.com]"),
        ),
        positive(
            "distinct hostnames, newest first",
            two_hosts,
            ssh_alert("Session opened on sensitive host by (3): tester [crit1.example.com, crit2.example.com]"),
        ),
        positive_attaching(
            "two users: the larger group first",
            two_users,
            ssh_alert("Session opened on sensitive host by (2): other [crit1.example.com]"),
            2,
        ),
        positive(
            "no hostname: no host list",
            ssh_with(json!({"hostname": null})),
            ssh_alert("Session opened on sensitive host by (1): tester"),
        ),
        negative("filter category does not match", ssh_with(json!({"category": "authentication"}))),
        negative("search_string program does not match", ssh_with(json!({"details": {"program": "cron"}}))),
        negative("search_string phrase does not match", ssh_with(json!({"summary": "session closed for user tester"}))),
        negative("older than time_window", vec![aged(&ssh_event(), 6)]),
        negative("no aggregation_key value", ssh_with(json!({"details": {"username": null}}))),
    ];
    check(subject(rules_entry(&[("ssh_open_crit.json", SSH_OPEN_CRIT)])), cases).await;
}

fn duo_event(bypass_user: &str, minutes: i64) -> Value {
    aged(
        &event(json!({
            "category": "authentication",
            "hostname": "duo.example.com",
            "summary": "bypass code generated",
            "details": {"action": "bypass", "username": "admin", "bypass_user": bypass_user}
        })),
        minutes,
    )
}

fn duo_alert(summary: &str) -> Value {
    json!({
        "classname": "AlertGenericLoader:duo_bypass",
        "category": "bypass",
        "severity": "INFO",
        "summary": summary,
        "tags": ["duosecurity"],
        "url": "https://mozilla.org/duo",
        "channel": "testchannel",
        "notify_mozdefbot": true,
    })
}

#[tokio::test]
async fn generic_rule_optional_keys() {
    let without_field: Vec<Value> = [duo_event("alice", 0), duo_event("bob", 1)]
        .iter()
        .map(|e| merge(e, &json!({"details": {"bypass_user": null}})))
        .collect();
    let cases = vec![
        positive(
            "additional summary fields: distinct values of the samples",
            vec![duo_event("alice", 0), duo_event("bob", 1)],
            duo_alert("Duo bypass codes generated (2): admin (details.bypass_user=alice, bob) [duo.example.com]"),
        ),
        positive_attaching(
            "num_samples: only the newest two events are samples",
            vec![duo_event("alice", 0), duo_event("alice", 1), duo_event("carol", 2)],
            duo_alert("Duo bypass codes generated (3): admin (details.bypass_user=alice) [duo.example.com]"),
            2,
        ),
        positive(
            "additional field absent: no part for it",
            without_field,
            duo_alert("Duo bypass codes generated (2): admin [duo.example.com]"),
        ),
        negative("below num_aggregations", vec![duo_event("alice", 0)]),
        negative("older than time_window (15, as text)", vec![duo_event("alice", 16), duo_event("bob", 16)]),
        negative(
            "second filter does not match",
            [duo_event("alice", 0), duo_event("bob", 1)]
                .iter()
                .map(|e| merge(e, &json!({"details": {"action": "login"}})))
                .collect(),
        ),
    ];
    check(subject(rules_entry(&[("duo_bypass.json", DUO_BYPASS)])), cases).await;
}

#[tokio::test]
async fn generic_rule_notify_mozdefbot_false() {
    let port_event = event(json!({"details": {"port": 22}}));
    let expected = json!({
        "classname": "AlertGenericLoader:port_silent",
        "severity": "CRITICAL",
        "summary": "Example alert (1): 22 [exhostname]",
        "notify_mozdefbot": false,
    });
    let cases = vec![
        positive("notify_mozdefbot false wins over CRITICAL", vec![port_event.clone()], expected),
        negative("no port", vec![event(json!({}))]),
        negative("summary without Example", vec![merge(&port_event, &json!({"summary": "other"}))]),
    ];
    check(subject(rules_entry(&[("port_silent.json", PORT_SILENT)])), cases).await;
}

#[tokio::test]
async fn generic_rule_directory_with_broken_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing_url = SSH_OPEN_CRIT.replace("alert_url: \"https://mozilla.org/ssh_open_crit\"", "");
    write_files(
        dir.path(),
        &[
            ("ssh_open_crit.json", SSH_OPEN_CRIT),
            ("bad_syntax.json", "{ search_string: [1, 2 }"),
            ("missing_key.json", &missing_url),
            ("duo_bypass.json", DUO_BYPASS),
            ("README.md", "not a rule"),
        ],
    );
    let (entry, errors) = load_rules(dir.path());
    let entry = entry.expect("the good rules load");
    assert_eq!(entry.name, ENTRY_NAME);
    let names: Vec<&str> = entry.tasks.iter().map(|t| t.name()).collect();
    assert_eq!(names, ["AlertGenericLoader:duo_bypass", "AlertGenericLoader:ssh_open_crit"]);
    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("rule file bad_syntax.json: not valid hjson"), "{}", errors[0]);
    assert!(errors[1].contains("rule file missing_key.json: missing required key \"alert_url\""), "{}", errors[1]);

    // The rules that loaded run.
    let cases = vec![positive(
        "the good rule of a partly broken directory fires",
        vec![ssh_event()],
        ssh_alert("Session opened on sensitive host by (1): tester [crit1.example.com]"),
    )];
    check(subject(entry), cases).await;
}

#[test]
fn generic_rule_bad_query_string_and_empty_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad_query =
        SSH_OPEN_CRIT.replace(r#"details.program:sshd AND summary:\"session opened\""#, "summary:(unclosed");
    write_files(dir.path(), &[("bad_query.json", &bad_query)]);
    let (entry, errors) = load_rules(dir.path());
    assert!(entry.is_none(), "no valid rule, no entry");
    assert_eq!(errors.len(), 1);
    let error = errors[0].to_string();
    assert!(error.contains("rule file bad_query.json: search_string: invalid query string"), "{error}");

    let (entry, errors) = load_rules(&dir.path().join("absent"));
    assert!(entry.is_none());
    assert_eq!(errors.len(), 1, "a missing directory is reported");

    let empty = tempfile::tempdir().expect("tempdir");
    let (entry, errors) = load_rules(empty.path());
    assert!(entry.is_none() && errors.is_empty(), "an empty directory is neither an entry nor an error");
}
