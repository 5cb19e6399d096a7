//! Alert plugins (`tests/alerts/plugins/test_*.py`): the alert documents MozDef's tests fed
//! each plugin, enriched by the plugin on a store holding the events it looks up (every
//! store of the test root), compared whole
//! with the expected enriched documents. MozDef mocked the searches; here the fixture events
//! also hold near misses (other addresses, other sources, outside the window) that a broken
//! query would pick up.

use std::sync::Arc;

use chrono::Duration;
use mozdef_alerts::catalogue::bruteforce_ssh;
use mozdef_alerts::plugins::{self, possible_usernames};
use mozdef_alerts::{AlertContext, AlertPlugin, ConfigSource};
use mozdef_model::Document;
use mozdef_model::indices::{alerts_index, events_index};
use serde_json::{Value, json};

use super::common::*;

/// Settings from `MOZDEF_ALERT_*` variables only.
fn config(env: &[(&str, &str)]) -> ConfigSource {
    ConfigSource { dir: None, env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect() }
}

/// The plugin `name` as `ALERT_PLUGINS` enables it.
fn plugin(name: &str, env: &[(&str, &str)]) -> Arc<dyn AlertPlugin> {
    let mut loaded = plugins::load(&[name.to_owned()], &config(env)).expect("plugin loads");
    assert_eq!(loaded.len(), 1);
    loaded.remove(0)
}

/// A fixture event `minutes` old in today's events index.
fn today(minutes: i64, changes: Value) -> (String, Value) {
    (events_index(now()), aged(&event(changes), minutes))
}

/// A fixture event `minutes` old in yesterday's events index.
fn yesterday(minutes: i64, changes: Value) -> (String, Value) {
    (events_index(now() - Duration::days(1)), aged(&event(changes), minutes))
}

fn document(value: &Value) -> Document {
    value.as_object().cloned().expect("alerts are objects")
}

async fn enrich_on(
    plugin: &dyn AlertPlugin,
    store: &dyn TestStore,
    fixtures: &[(String, Value)],
    alert: &Value,
) -> Value {
    let docs = fixtures.iter().enumerate().map(|(n, (index, source))| (index.clone(), format!("f{n}"), source.clone()));
    store.index(docs.collect()).await;
    let backend = store.backend();
    let enriched = plugin.on_message(document(alert), backend.as_ref(), &AlertContext::at(now())).await;
    Value::Object(enriched.unwrap_or_else(|e| panic!("{} failed: {e}", plugin.name())))
}

/// `alert` enriched by `plugin` on fresh stores holding `fixtures` (every store of the test
/// root); each result named by its store.
async fn enriched(plugin: &dyn AlertPlugin, fixtures: &[(String, Value)], alert: &Value) -> Vec<(&'static str, Value)> {
    let mut results = Vec::new();
    for store in stores().await {
        results.push((store.label(), enrich_on(plugin, store.as_ref(), fixtures, alert).await));
    }
    results
}

/// Checks that `plugin` turns `alert` into `expected` on every store.
async fn expect(
    plugin: &dyn AlertPlugin,
    fixtures: &[(String, Value)],
    description: &str,
    alert: Value,
    expected: Value,
) {
    for (store, got) in enriched(plugin, fixtures, &alert).await {
        assert_eq!(got, expected, "[{store}] {}: {description}", plugin.name());
    }
}

/// An alert whose first event has `details`.
fn alert_from(summary: &str, event_details: Value) -> Value {
    json!({
        "summary": summary,
        "events": [{"documentindex": events_index(now()), "documentid": "e0", "documentsource": {"details": event_details}}],
        "details": {"something": "original"},
    })
}

#[tokio::test]
async fn plugins_load_by_name() {
    assert!(plugins::load(&[], &ConfigSource::defaults()).expect("empty list").is_empty(), "none enabled");
    let error = plugins::load(&["ipaddr".into(), "nosuchplugin".into()], &ConfigSource::defaults())
        .err()
        .expect("an unknown name is refused")
        .to_string();
    assert!(error.contains("nosuchplugin"), "{error}");
    let error = plugins::load(&["geomodel_ipintel_enrichment".into()], &ConfigSource::defaults())
        .err()
        .expect("the intel file is required")
        .to_string();
    assert!(error.contains("intel_file_path"), "{error}");
    let bad_cidr = config(&[("MOZDEF_ALERT_VPN_ASSIGNMENT__VPN_IP_CIDRS", r#"["10.48.0.0/33"]"#)]);
    let error = plugins::load(&["vpn_assignment".into()], &bad_cidr).err().expect("a bad range is refused").to_string();
    assert!(error.contains("10.48.0.0/33"), "{error}");

    let all: Vec<String> = plugins::NAMES.iter().map(|n| (*n).to_owned()).collect();
    let env = config(&[("MOZDEF_ALERT_GEOMODEL_IPINTEL_ENRICHMENT__INTEL_FILE_PATH", "/nonexistent/intel.json")]);
    let loaded = plugins::load(&all, &env).expect("every plugin loads");
    let names: Vec<&str> = loaded.iter().map(|p| p.name()).collect();
    assert_eq!(names, plugins::NAMES);
    let registrations: Vec<(&str, Vec<String>, i64)> =
        loaded.iter().map(|p| (p.name(), p.registration(), p.priority())).collect();
    assert_eq!(
        registrations,
        vec![
            ("ipaddr", vec!["*".to_owned()], 1),
            ("auth_sourceip_username", vec!["*".to_owned()], 100),
            ("dhcp_assignment", vec!["portscan".to_owned()], 100),
            ("geomodel_ipintel_enrichment", vec!["geomodel".to_owned()], 100),
            ("ip_source_enrichment", vec!["*".to_owned()], 100),
            ("port_scan_enrichment", vec!["portscan".to_owned()], 100),
            ("possible_usernames", vec!["promisckernel".to_owned()], 100),
            ("vpn_assignment", vec!["*".to_owned()], 100),
        ]
    );
}

#[tokio::test]
async fn ipaddr() {
    let plugin = plugin("ipaddr", &[]);
    let plugin = plugin.as_ref();
    let alert = alert_from("test", json!({"sourceipaddress": "1.2.3.4", "destinationipaddress": "5.6.7.8"}));
    let expected = merge(
        &alert,
        &json!({"details": {
            "sourceipaddress": "1.2.3.4", "sourceipv4address": "1.2.3.4",
            "destinationipaddress": "5.6.7.8", "destinationipv4address": "5.6.7.8",
        }}),
    );
    expect(plugin, &[], "IPv4 addresses copied", alert, expected).await;

    let alert = alert_from("test", json!({"sourceipaddress": "2001:db8::1"}));
    let expected = merge(
        &alert,
        &json!({
            "details": {"sourceipv6address": "2001:db8::1", "sourceipaddress": "0.0.0.0"},
            "errors": ["plugin: ipFixUp.py error: sourceipaddress is ipv6, moved"],
        }),
    );
    expect(plugin, &[], "IPv6 source moved", alert, expected).await;

    let alert = alert_from("test", json!({"destinationipaddress": "host.example.com"}));
    let mut expected = merge(&alert, &json!({"details": {"destination": "host.example.com"}}));
    expected["details"]["destinationipaddress"] = Value::Null;
    expect(plugin, &[], "a hostname moves to details.destination", alert, expected).await;

    let alert =
        alert_from("test", json!({"http_x_forwarded_for": "9.8.7.6, 10.0.0.1", "cluster_client_ip": "4.4.4.4"}));
    let expected = merge(&alert, &json!({"details": {"sourceipaddress": "4.4.4.4", "sourceipv4address": "9.8.7.6"}}));
    expect(plugin, &[], "forwarded-for first, cluster_client_ip overrides", alert, expected).await;

    let alert = json!({"summary": "no events", "events": [], "details": {"something": "original"}});
    expect(plugin, &[], "no events: unchanged", alert.clone(), alert).await;
}

#[tokio::test]
async fn ipaddr_runs_with_the_alert() {
    let default_event = event(json!({
        "summary": "login invalid ldap_count_entries failed by 1.2.3.4",
        "details": {"program": "sshd", "hostname": "exhostname", "sourceipaddress": "1.2.3.4"}
    }));
    let expected = json!({
        "summary": "10 ssh bruteforce attempts by 1.2.3.4 exhostname (10 hits)",
        "details": {"sourceipaddress": "1.2.3.4", "sourceipv4address": "1.2.3.4"},
    });
    let mut subject = Subject::defaults(bruteforce_ssh::entry);
    subject.plugins = plugins::load(&["ipaddr".into()], &ConfigSource::defaults()).expect("ipaddr");
    check(subject, vec![positive("stored alert enriched by ipaddr", vec![default_event; 10], expected)]).await;
}

fn auth0_login(minutes: i64, username: &str, success: bool) -> (String, Value) {
    today(
        minutes,
        json!({
            "tags": ["auth0"],
            "details": {"success": success, "sourceipaddress": "10.48.123.13", "username": username},
        }),
    )
}

#[tokio::test]
async fn auth_sourceip_username() {
    let plugin = plugin("auth_sourceip_username", &[]);
    let fixtures = vec![
        auth0_login(60, "tester@mozilla.com", true),
        auth0_login(180, "earlier@mozilla.com", true),
        auth0_login(10, "failed@mozilla.com", false),
        auth0_login(7 * 60, "too.old@mozilla.com", true),
        today(
            5,
            json!({"tags": ["auth0"], "details": {"success": true, "sourceipaddress": "10.48.123.14", "username": "other@mozilla.com"}}),
        ),
        today(
            5,
            json!({"tags": ["duo"], "details": {"success": true, "sourceipaddress": "10.48.123.13", "username": "duo@mozilla.com"}}),
        ),
    ];
    let alert =
        json!({"summary": "test summary", "details": {"something": "original", "sourceipaddress": "10.48.123.13"}});
    let expected = merge(&alert, &json!({"details": {"username": "tester@mozilla.com"}}));
    expect(plugin.as_ref(), &fixtures, "latest successful auth0 login", alert, expected).await;

    let alert = json!({"summary": "test summary", "details": {"something": "original"}});
    expect(plugin.as_ref(), &fixtures, "no source address: unchanged", alert.clone(), alert).await;
    let alert = json!({"summary": "test summary", "details": {"sourceipaddress": "10.9.9.9"}});
    expect(plugin.as_ref(), &fixtures, "nobody logged in from there: unchanged", alert.clone(), alert).await;
}

fn lease(ip: &str, mac: &str, ts: i64) -> Value {
    json!({"source": "dhcp", "details": {"assigned_addr": ip, "mac": mac, "ts": ts}, "summary": format!("DHCPACK {ip}")})
}

fn owner(summary: &str) -> Value {
    json!({"source": "local1", "summary": summary})
}

#[tokio::test]
async fn dhcp_assignment() {
    let plugin = plugin("dhcp_assignment", &[]);
    let fixtures = vec![
        today(30, lease("1.2.3.4", "aaaabbbb0001", 1)),
        yesterday(20 * 60, lease("1.2.3.4", "deadbeef0002", 2)),
        today(10, lease("1.2.3.5", "cafecafe0003", 3)),
        yesterday(50 * 60, lease("1.2.3.4", "0bad0bad0004", 9)),
        today(10, owner("test=a string,user_name=tester@mozilla.com,o=32,mac=deadbeef0002")),
        today(60, owner("user_name=earlier@mozilla.com,mac=deadbeef0002")),
        today(5, owner("user_name=wrong@mozilla.com,mac=aaaabbbb0001")),
        today(5, json!({"source": "local2", "summary": "user_name=local2@mozilla.com,mac=deadbeef0002"})),
        today(5, lease("1.2.3.6", "feedface0006", 1)),
        today(5, owner("mac=feedface0006,o=1")),
    ];
    let alert = alert_from("prefix", json!({"sourceipaddress": "1.2.3.4"}));
    let expected = merge(
        &alert,
        &json!({
            "summary": "prefix; IP assigned to tester@mozilla.com (deadbeef0002)",
            "details": {"ipassignment": {"mac": "deadbeef0002", "user": "tester@mozilla.com"}, "username": "tester@mozilla.com"},
        }),
    );
    expect(plugin.as_ref(), &fixtures, "latest lease, latest owner event", alert, expected).await;

    let alert = alert_from("prefix", json!({"sourceipaddress": "1.2.3.6"}));
    let expected = merge(
        &alert,
        &json!({
            "summary": "prefix; IP assigned to (no user found) (feedface0006)",
            "details": {"ipassignment": {"mac": "feedface0006", "user": "(no user found)"}, "username": "(no user found)"},
        }),
    );
    expect(plugin.as_ref(), &fixtures, "owner event without user_name", alert, expected).await;

    let alert = alert_from("prefix", json!({"sourceipaddress": "9.9.9.9"}));
    expect(plugin.as_ref(), &fixtures, "no lease: unchanged", alert.clone(), alert).await;
}

#[tokio::test]
async fn geomodel_ipintel_enrichment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let intel_path = dir.path().join("ipintel.json");
    let intel = json!({"1.2.3.4": {"TorNode": 127}, "4.3.2.1": {"Spam": 32, "VPN": 80}});
    std::fs::write(&intel_path, intel.to_string()).expect("write intel");
    let path = intel_path.to_str().expect("utf-8 path");
    let plugin =
        plugin("geomodel_ipintel_enrichment", &[("MOZDEF_ALERT_GEOMODEL_IPINTEL_ENRICHMENT__INTEL_FILE_PATH", path)]);
    let hop = |from: &str, to: &str| json!({"origin": {"ip": from}, "destination": {"ip": to}});
    let alert = json!({
        "summary": "test alert",
        "tags": ["geomodel"],
        "details": {"hops": [hop("1.2.3.4", "4.3.2.1"), hop("4.3.2.1", "1.4.2.3"), hop("1.4.2.3", "1.2.3.4")]},
    });
    let expected = merge(
        &alert,
        &json!({
            "summary": "test alert; Tor nodes detected: 1.2.3.4; VPNs detected: 4.3.2.1",
            "details": {"ipintel": [
                {"ip": "1.2.3.4", "classification": "TorNode", "threatscore": 127},
                {"ip": "4.3.2.1", "classification": "Spam", "threatscore": 32},
                {"ip": "4.3.2.1", "classification": "VPN", "threatscore": 80},
            ]},
        }),
    );
    expect(plugin.as_ref(), &[], "hop addresses classified", alert.clone(), expected).await;

    let untagged = merge(&alert, &json!({"tags": ["other"]}));
    expect(plugin.as_ref(), &[], "not a geomodel alert: unchanged", untagged.clone(), untagged).await;
}

#[tokio::test]
async fn ip_source_enrichment() {
    let (good_ipv4, good_ipv6, bad_ipv4, bad_ipv6) =
        ("255.0.1.2", "3001:4d9c:b29:12f0::", "192.168.0.1", "2001:db8:a0b:12f0::");
    let known = json!([
        {"range": format!("{good_ipv4}/8"), "site": "office1", "format": "{0} known"},
        {"range": format!("{good_ipv6}/64"), "site": "office2", "format": "{0} known"},
    ]);
    let plugin = plugin("ip_source_enrichment", &[("MOZDEF_ALERT_IP_SOURCE_ENRICHMENT__KNOWN", &known.to_string())]);
    let plugin = plugin.as_ref();
    let sites = |ip: &str, site: &str| json!({"details": {"sites": [{"ip": ip, "site": site}]}});

    let alert = json!({
        "category": "bro", "tags": ["portscan"], "summary": "this is a test alert",
        "details": {"sourceipaddress": good_ipv4, "destinationipaddress": bad_ipv4, "ports": [22, 9001, 25505, 65534]},
    });
    let expected = merge(
        &merge(&alert, &sites(good_ipv4, "office1")),
        &json!({"summary": "this is a test alert; 255.0.1.2 known"}),
    );
    expect(plugin, &[], "IPv4 addresses", alert, expected).await;

    let alert = json!({
        "category": "bro", "tags": ["test"], "summary": "Another test alert",
        "details": {"sourceipaddress": good_ipv6, "destinationipaddress": bad_ipv6, "port": [22, 9001, 24404, 65532]},
    });
    let expected = merge(
        &merge(&alert, &sites(good_ipv6, "office2")),
        &json!({"summary": "Another test alert; 3001:4d9c:b29:12f0:: known"}),
    );
    expect(plugin, &[], "IPv6 addresses", alert, expected).await;

    let summary = format!("Testing:{good_ipv4} is a random IP in a poorly formatted string");
    let alert = json!({"category": "test", "tags": ["ip", "in", "summary"], "summary": summary, "details": {}});
    let expected =
        merge(&merge(&alert, &sites(good_ipv4, "office1")), &json!({"summary": format!("{summary}; 255.0.1.2 known")}));
    expect(plugin, &[], "IPv4 in the summary", alert, expected).await;

    let summary = format!(r#"Found IPs ["{good_ipv6}"]"#);
    let alert = json!({"category": "test", "tags": ["ip", "in", "summary"], "summary": summary, "details": {}});
    let expected = merge(
        &merge(&alert, &sites(good_ipv6, "office2")),
        &json!({"summary": format!("{summary}; {good_ipv6} known")}),
    );
    expect(plugin, &[], "IPv6 in the summary", alert, expected).await;

    let alert =
        json!({"summary": "unknown", "details": {"sourceipaddress": bad_ipv4, "destinationipaddress": bad_ipv6}});
    let expected = merge(&alert, &json!({"details": {"sites": []}}));
    expect(plugin, &[], "unrecognised addresses: no note", alert, expected).await;
}

fn conn(minutes: i64, source_ip: &str, destination: &str, port: u16) -> Value {
    json!({
        "category": "bro", "source": "conn", "timestamp": ago(minutes),
        "details": {"sourceipaddress": source_ip, "destinationipaddress": destination, "destinationport": port},
    })
}

#[tokio::test]
async fn port_scan_enrichment() {
    let mut in_alerts = conn(5, "1.2.3.4", "6.6.6.6", 6666);
    in_alerts["utctimestamp"] = json!(ago(5));
    let fixtures = vec![
        today(10, conn(10, "1.2.3.4", "10.0.0.1", 80)),
        today(20, conn(20, "1.2.3.4", "10.0.0.2", 443)),
        yesterday(23 * 60, conn(23 * 60, "1.2.3.4", "10.0.0.3", 22)),
        yesterday(25 * 60, conn(25 * 60, "1.2.3.4", "10.0.0.4", 25)),
        today(5, conn(5, "1.2.3.5", "10.0.0.5", 80)),
        today(5, merge(&conn(5, "1.2.3.4", "10.0.0.6", 53), &json!({"source": "dns"}))),
        // MozDef searched `alerts` (§10): a connection-like alert document must not be listed.
        (alerts_index(now()), in_alerts),
    ];
    let alert = merge(
        &alert_from("Port scan from 1.2.3.4", json!({"sourceipaddress": "1.2.3.4"})),
        &json!({"tags": ["portscan"]}),
    );
    let connection = |ip: &str, port: u16, minutes: i64| json!({"destinationipaddress": ip, "destinationport": port, "timestamp": ago(minutes)});
    let all =
        json!([connection("10.0.0.1", 80, 10), connection("10.0.0.2", 443, 20), connection("10.0.0.3", 22, 23 * 60)]);
    let expected = merge(&alert, &json!({"details": {"recentconnections": all}}));
    let default = plugin("port_scan_enrichment", &[]);
    expect(default.as_ref(), &fixtures, "the day's connections, newest first", alert.clone(), expected).await;

    let one = plugin("port_scan_enrichment", &[("MOZDEF_ALERT_PORT_SCAN_ENRICHMENT__MAX_CONNECTIONS", "1")]);
    let expected = merge(&alert, &json!({"details": {"recentconnections": [connection("10.0.0.1", 80, 10)]}}));
    expect(one.as_ref(), &fixtures, "maxConnections 1", alert.clone(), expected).await;

    let untagged = merge(&alert, &json!({"tags": ["scan"]}));
    expect(default.as_ref(), &fixtures, "no portscan tag: unchanged", untagged.clone(), untagged).await;
}

fn ssh_login(minutes: i64, host: &str, username: Option<&str>) -> (String, Value) {
    let mut changes = json!({
        "category": "syslog", "hostname": host,
        "summary": format!("Accepted publickey for {} from 1.2.3.4 port 22 ssh2", username.unwrap_or("someone")),
        "details": {"program": "sshd"},
    });
    if let Some(user) = username {
        changes["details"]["username"] = json!(user);
    }
    if minutes > 60 { yesterday(minutes, changes) } else { today(minutes, changes) }
}

#[tokio::test]
async fn possible_usernames() {
    let plugin = plugin("possible_usernames", &[]);
    let fixtures = vec![
        ssh_login(30, "host1", Some("tester1")),
        ssh_login(10, "host1", Some("tester3")),
        ssh_login(60, "host1", Some("tester1")),
        ssh_login(20, "host1", None),
        ssh_login(5, "host2", Some("other")),
        ssh_login(25 * 60, "host1", Some("too_old")),
        today(
            5,
            json!({"category": "syslog", "hostname": "host1", "summary": "Failed password for tester9", "details": {"program": "sshd", "username": "tester9"}}),
        ),
    ];
    let events = json!([
        {"documentsource": {"hostname": "host1"}},
        {"notdocsource": {"hostname": "host1"}},
        {"documentsource": {"nothostname": "notahost"}},
        {"documentsource": {"hostname": "host1"}},
        {"documentsource": {"hostname": "host2"}},
    ]);
    let alert = json!({"summary": "promisc", "events": events, "details": {"username": "tester2"}});
    assert_eq!(possible_usernames::most_common_hostname(&document(&alert)).as_deref(), Some("host1"));
    let expected = merge(
        &alert,
        &json!({"summary": "promisc; Possible users: tester3, tester1", "details": {"possible_usernames": ["tester3", "tester1"]}}),
    );
    expect(plugin.as_ref(), &fixtures, "logins on the most common host", alert, expected).await;

    let tie =
        json!({"events": [{"documentsource": {"hostname": "host-a"}}, {"documentsource": {"hostname": "host-b"}}]});
    assert_eq!(
        possible_usernames::most_common_hostname(&document(&tie)).as_deref(),
        Some("host-b"),
        "a tie goes to the greatest name"
    );

    let alert = json!({"summary": "promisc", "events": [{"documentsource": {"hostname": "host3"}}], "details": {}});
    let expected = merge(&alert, &json!({"details": {"possible_usernames": []}}));
    expect(plugin.as_ref(), &fixtures, "nobody logged in: empty list, summary kept", alert, expected).await;
}

fn vpn_connection(minutes: i64, vpn_ip: &str, username: &str, source_ip: &str) -> (String, Value) {
    today(
        minutes,
        json!({
            "tags": ["vpn", "netfilter"],
            "summary": format!("{username} netfilter add upon connection {vpn_ip}"),
            "details": {"success": true, "vpnip": vpn_ip, "username": username, "sourceipaddress": source_ip},
        }),
    )
}

#[tokio::test]
async fn vpn_assignment() {
    let fixtures = vec![
        vpn_connection(60, "10.48.123.13", "tester@mozilla.com", "1.2.3.4"),
        vpn_connection(120, "10.48.123.13", "earlier@mozilla.com", "1.2.3.5"),
        vpn_connection(7 * 60, "10.48.123.13", "too.old@mozilla.com", "1.2.3.6"),
        vpn_connection(5, "10.48.123.14", "other@mozilla.com", "1.2.3.7"),
        today(
            5,
            json!({"tags": ["vpn", "netfilter"], "summary": "netfilter del upon disconnection", "details": {"success": true, "vpnip": "10.48.123.13", "username": "gone@mozilla.com", "sourceipaddress": "1.2.3.8"}}),
        ),
    ];
    let alert =
        json!({"summary": "test summary", "details": {"something": "original", "sourceipaddress": "10.48.123.13"}});
    let vpn = plugin(
        "vpn_assignment",
        &[("MOZDEF_ALERT_VPN_ASSIGNMENT__VPN_IP_CIDRS", r#"["123.11.0.0/16", "10.48.0.0/16"]"#)],
    );
    let expected = merge(
        &alert,
        &json!({"details": {"vpnassignment": {"username": "tester@mozilla.com", "originalip": "1.2.3.4"}}}),
    );
    expect(vpn.as_ref(), &fixtures, "latest assignment of the VPN address", alert.clone(), expected).await;

    let not_vpn = plugin("vpn_assignment", &[("MOZDEF_ALERT_VPN_ASSIGNMENT__VPN_IP_CIDRS", r#"["123.11.0.0/16"]"#)]);
    expect(not_vpn.as_ref(), &fixtures, "not a VPN address: unchanged", alert.clone(), alert).await;
}
