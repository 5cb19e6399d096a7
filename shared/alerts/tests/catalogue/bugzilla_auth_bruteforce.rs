//! `bugzilla_auth_bruteforce` (MozDef shipped no test for it; cases in its suites' style, inventory §8).

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::bugzilla_auth_bruteforce;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "bro",
        "source": "notice",
        "hostname": "nsm1.example.com",
        "summary": "10.0.0.5 appears to be bruteforcing Bugzilla logins",
        "details": {"note": "BugzBruteforcing::HTTP_BugzBruteforcing_Attacker", "sourceipaddress": "10.0.0.5"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "httperrors",
        "severity": "NOTICE",
        "summary": "nsm1.example.com 10.0.0.5 appears to be bruteforcing Bugzilla logins",
        "tags": ["http"],
        "url": "https://www.mozilla.org",
        "notify_mozdefbot": false,
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn bugzilla_auth_bruteforce() {
    let cases = vec![
        positive("default event", with(json!({})), default_alert()),
        positive("event fourteen minutes old", vec![aged(&default_event(), 14)], default_alert()),
        positive(
            "summary of the event",
            with(json!({"hostname": "nsm2", "summary": "other text"})),
            merge(&default_alert(), &json!({"summary": "nsm2 other text"})),
        ),
        positive_attaching("one alert per event", vec![default_event(); 3], default_alert(), 1),
        negative("wrong category", with(json!({"category": "bronotice"}))),
        negative("wrong source", with(json!({"source": "intel"}))),
        negative("other note", with(json!({"details": {"note": "Scan::Port_Scan"}}))),
        negative("no note", with(json!({"details": {"note": null}}))),
        negative("event sixteen minutes old", vec![aged(&default_event(), 16)]),
    ];
    check(Subject::defaults(bugzilla_auth_bruteforce::entry), cases).await;

    let mut config = ConfigSource::defaults();
    config.env.insert(
        "MOZDEF_ALERT_BUGZILLA_AUTH_BRUTEFORCE__URL".into(),
        "https://runbooks.example.com/bugzilla_auth_bruteforce".into(),
    );
    let cases = vec![positive(
        "configured url",
        with(json!({})),
        merge(&default_alert(), &json!({"url": "https://runbooks.example.com/bugzilla_auth_bruteforce"})),
    )];
    check(Subject::with_config(bugzilla_auth_bruteforce::entry, &config), cases).await;
}
