//! Scaffolding the catalogue's alike tests share: an alert's default event and alert with
//! helpers to vary them ([`Shape`]), and the fixtures and cases common to a family of alerts
//! (Bro notices, LDAP changes, Bro scans, proxy drops, Auth0 failed logins). Each alert's
//! test file states its own event, alert and cases.

use mozdef_alerts::ConfigSource;
use serde_json::{Value, json};

use super::common::*;

/// An alert's test fixtures: the default event and the alert it raises; cases are changes
/// to them.
pub struct Shape {
    /// The default event (the base event with the alert's changes).
    pub event: Value,
    /// The alert the default event raises (the keys checked).
    pub alert: Value,
}

impl Shape {
    /// The base event with `event_changes`, raising `alert`.
    pub fn new(event_changes: Value, alert: Value) -> Self {
        Shape { event: event(event_changes), alert }
    }

    /// One default event with `changes`.
    pub fn with(&self, changes: Value) -> Vec<Value> {
        self.with_n(changes, 1)
    }

    /// `n` default events with `changes`.
    pub fn with_n(&self, changes: Value, n: usize) -> Vec<Value> {
        vec![merge(&self.event, &changes); n]
    }

    /// `n` default events `minutes` old.
    pub fn aged(&self, minutes: i64, n: usize) -> Vec<Value> {
        vec![aged(&self.event, minutes); n]
    }

    /// The default alert with `changes`.
    pub fn alert_with(&self, changes: Value) -> Value {
        merge(&self.alert, &changes)
    }
}

/// The default configuration with `env` (`MOZDEF_ALERT_<MODULE>__<KEY>`, value) settings.
pub fn settings(env: &[(&str, &str)]) -> ConfigSource {
    let mut config = ConfigSource::defaults();
    for (key, value) in env {
        config.env.insert((*key).to_owned(), (*value).to_owned());
    }
    config
}

/// A Bro notice alert's fixtures: a `bro` `notice` event from `nsm1.example.com` with `note`
/// and `summary`, and the alert `<hostname> <summary>` tagged `http` with the default url and
/// `alert` (category, severity, notify_mozdefbot).
pub fn bro_notice(note: &str, summary: &str, alert: Value) -> Shape {
    let event = json!({
        "category": "bro",
        "source": "notice",
        "hostname": "nsm1.example.com",
        "summary": summary,
        "details": {"note": note, "sourceipaddress": "10.0.0.5"}
    });
    let base = json!({
        "summary": format!("nsm1.example.com {summary}"),
        "tags": ["http"],
        "url": "https://www.mozilla.org",
    });
    Shape::new(event, merge(&base, &alert))
}

/// The cases every Bro notice alert passes: one alert per notice of the last fifteen
/// minutes with the right category, source and note.
pub fn bro_notice_cases(shape: &Shape) -> Vec<Case> {
    vec![
        positive("default event", shape.with(json!({})), shape.alert.clone()),
        positive("event fourteen minutes old", shape.aged(14, 1), shape.alert.clone()),
        positive(
            "summary of the event",
            shape.with(json!({"hostname": "nsm2", "summary": "other text"})),
            shape.alert_with(json!({"summary": "nsm2 other text"})),
        ),
        positive_attaching("one alert per event", shape.with_n(json!({}), 3), shape.alert.clone(), 1),
        negative("wrong category", shape.with(json!({"category": "bronotice"}))),
        negative("wrong source", shape.with(json!({"source": "intel"}))),
        negative("other note", shape.with(json!({"details": {"note": "Scan::Port_Scan"}}))),
        negative("no note", shape.with(json!({"details": {"note": null}}))),
        negative("event sixteen minutes old", shape.aged(16, 1)),
    ]
}

/// The actor of the LDAP change tests.
pub const LDAP_ACTOR: &str = "dc=example mail=user_la@example.com,o=com,dc=example IP=1.2.3.4:49818 conn=527493";

/// The cases of an LDAP change alert (`tests/alerts/test_ldap_add.py` and `_delete.py`):
/// `changetype` changes summarised as `<actor> <verb> <dn>`; `other` is a change type that is
/// not reported.
pub fn ldap_change_cases(changetype: &str, verb: &str, other: &str) -> Vec<Case> {
    let shape = Shape::new(
        json!({
            "summary": format!("{LDAP_ACTOR} {changetype} cn=example_cn,ou=groups,dc=example"),
            "details": {"dn": "cn=example_cn,ou=groups,dc=example", "changetype": changetype, "actor": LDAP_ACTOR},
            "category": "ldapChange",
            "processid": "1697",
            "severity": "INFO",
        }),
        json!({
            "category": "ldap",
            "tags": ["ldap"],
            "severity": "INFO",
            "summary": format!("{LDAP_ACTOR} {verb} cn=example_cn,ou=groups,dc=example"),
        }),
    );
    let bind_actor = "dc=example uid=bind-generate-groups,ou=logins,dc=example IP=1.2.3.4:49818 conn=527493";
    let other_actor = "mail=other@example.com,o=com,dc=example";
    let mut two = shape.with(json!({}));
    two.extend(shape.with(json!({"details": {"dn": "cn=second"}})));
    vec![
        positive("good event", shape.with(json!({})), shape.alert.clone()),
        positive("somewhat old timestamp", shape.aged(1, 1), shape.alert.clone()),
        positive(
            "another actor and dn",
            shape.with(json!({"details": {"actor": other_actor, "dn": "uid=new,ou=people"}})),
            shape.alert_with(json!({"summary": format!("{other_actor} {verb} uid=new,ou=people")})),
        ),
        positive_attaching("one alert per event", two, json!({"category": "ldap", "severity": "INFO"}), 1),
        negative("bad category", shape.with(json!({"category": "badcategory"}))),
        negative("bad changetype", shape.with(json!({"details": {"changetype": other}}))),
        negative("bind actor excluded", shape.with(json!({"details": {"actor": bind_actor}}))),
        negative("outside the 15 minute window", shape.aged(16, 1)),
        negative("old utctimestamp and receivedtimestamp", shape.aged(25 * 60, 1)),
    ]
}

/// A Bro scan alert's fixtures: a `bro` `notice` event (tagged `bro`) from `hostname` with
/// `note` and the scanner `address` as its source and indicator, with `changes`; the alert
/// is `alert`.
pub fn nsm_scan(note: &str, hostname: &str, address: &str, changes: Value, alert: Value) -> Shape {
    let event = json!({
        "category": "bro",
        "summary": format!("{note} source {address} destination unknown port unknown"),
        "hostname": hostname,
        "tags": ["bro"],
        "source": "notice",
        "details": {"sourceipaddress": address, "indicators": address, "note": note},
    });
    Shape::new(merge(&event, &changes), alert)
}

/// The cases every Bro scan alert passes with its default settings: five scans now or a
/// minute ago alert; other categories or sources, the excluded sources, scans without a
/// source address and old ones do not.
pub fn nsm_scan_cases(shape: &Shape) -> Vec<Case> {
    vec![
        positive("default events", shape.with_n(json!({}), 5), shape.alert.clone()),
        positive("events a minute earlier", shape.aged(1, 5), shape.alert.clone()),
        negative("different category", shape.with_n(json!({"category": "syslog"}), 5)),
        negative("different source", shape.with_n(json!({"source": "intel"}), 5)),
        negative(
            "excluded IP address",
            shape.with_n(json!({"details": {"sourceipaddress": "10.54.65.234", "indicators": "1.2.3.4"}}), 5),
        ),
        negative(
            "excluded subnet",
            shape.with_n(json!({"details": {"sourceipaddress": "1.2.3.4", "indicators": "1.2.3.4"}}), 5),
        ),
        negative("no source address (aggregation key)", shape.with_n(json!({"details": {"sourceipaddress": null}}), 5)),
        negative("old timestamp", shape.aged(15, 5)),
    ]
}

/// A proxy alert's expected alert: `WARNING`, category `squid`, tags `squid` and `proxy`.
pub fn squid_alert(summary: String) -> Value {
    json!({"category": "squid", "tags": ["squid", "proxy"], "severity": "WARNING", "summary": summary})
}

/// The cases every proxy alert passes: events up to twenty minutes old alert; another
/// category, older events and events without a source address do not; nor, for the alerts
/// on `denied` requests, requests that were not denied.
pub fn proxy_cases(shape: &Shape, denied: bool) -> Vec<Case> {
    let mut cases = vec![
        positive("19 minutes old", shape.aged(19, 1), shape.alert.clone()),
        negative("incorrect category", shape.with_n(json!({"category": "bad"}), 10)),
        negative("old timestamp", shape.aged(241, 10)),
        negative("21 minutes old", shape.aged(21, 10)),
        negative("no source address", shape.with_n(json!({"details": {"sourceipaddress": null}}), 10)),
    ];
    if denied {
        cases.push(negative("not denied", shape.with_n(json!({"details": {"proxyaction": "TCP_MISS"}}), 10)));
    }
    cases
}

/// The Auth0 failed login of `tests/alerts/test_auth0_*.py` (`foo@mozilla.com` from 1.1.1.1),
/// as changes to the base event.
pub fn auth0_failed_login() -> Value {
    json!({
        "details": {
            "connection": "Mozilla-LDAP",
            "description": "Wrong email or password.",
            "eventname": "Failed Login (wrong password)",
            "sourceipaddress": "1.1.1.1",
            "success": false,
            "useragent": "Firefox 80.0.0 / Windows 10.0.0",
            "userid": "ad|foo",
            "username": "foo@mozilla.com",
        },
        "category": "authentication",
        "severity": "ERROR",
        "summary": "Failed Login (wrong password) Wrong email or password. by foo@mozilla.com",
        "tags": ["auth0"],
        "type": "event",
    })
}

/// An Auth0 alert with `summary`: `WARNING`, category `bruteforce`, tagged `auth0`.
pub fn auth0_alert(summary: &str) -> Value {
    json!({
        "category": "bruteforce",
        "tags": ["auth0"],
        "severity": "WARNING",
        "summary": summary,
        "notify_mozdefbot": true,
    })
}
