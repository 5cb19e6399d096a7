//! `http_errors` (MozDef shipped no test for it; cases in its suites' style, inventory §8).

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::http_errors;
use serde_json::{Value, json};

use crate::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "bro",
        "source": "notice",
        "hostname": "nsm1.example.com",
        "summary": "Excessive HTTP errors for requests from 10.0.0.5 1604 in 15.0 mins, eps: 0",
        "details": {"note": "MozillaHTTPErrors::Excessive_HTTP_Errors_Attacker", "sourceipaddress": "10.0.0.5"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "httperrors",
        "severity": "WARNING",
        "summary": "nsm1.example.com Excessive HTTP errors for requests from 10.0.0.5 1604 in 15.0 mins, eps: 0",
        "tags": ["http"],
        "url": "https://www.mozilla.org",
        "notify_mozdefbot": true,
    })
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

#[tokio::test]
async fn http_errors() {
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
    check(Subject::defaults(http_errors::entry), cases).await;

    let mut config = ConfigSource::defaults();
    config.env.insert("MOZDEF_ALERT_HTTP_ERRORS__URL".into(), "https://runbooks.example.com/http_errors".into());
    config.env.insert("MOZDEF_ALERT_HTTP_ERRORS__SEVERITY".into(), "critical".into());
    let cases = vec![positive(
        "configured url and severity",
        with(json!({})),
        merge(
            &default_alert(),
            &json!({"url": "https://runbooks.example.com/http_errors", "severity": "CRITICAL", "notify_mozdefbot": true}),
        ),
    )];
    check(Subject::with_config(http_errors::entry, &config), cases).await;
}
