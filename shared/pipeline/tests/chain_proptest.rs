//! Property tests (proptest) of the whole event-task path and of every decoder: arbitrary JSON
//! (events built from MozDef's field names and every plugin keyword, plus raw bytes) never
//! makes them panic, and every record ends as an event, a drop, a quarantine or a decode error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use mozdef_pipeline::decode::{guardduty, sns, sqs};
use mozdef_pipeline::plugins::{PluginConfig, builtin};
use mozdef_pipeline::{NormalizeContext, PluginChain, Processed, process};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Field names and values that reach plugins: MozDef keys and every registration keyword.
const WORDS: &[&str] = &[
    "category",
    "summary",
    "details",
    "tags",
    "hostname",
    "processname",
    "sourceipaddress",
    "destinationipaddress",
    "customendpoint",
    "endpoint",
    "SOURCE",
    "MESSAGE",
    "message",
    "type",
    "utctimestamp",
    "timestamp",
    "auditd",
    "command",
    "audisp-json",
    "zoom_host",
    "guardduty",
    "cloudtrail",
    "suricata",
    "bro",
    "squid",
    "sshd",
    "fail2ban",
    "ldap",
    "google",
    "netflow",
    "network",
    "nagios_hostname",
    "observium",
    "snmptt",
    "rt_flow",
    "pubsub",
    "triagebot",
    "filterlog",
    "githubeventsqs",
    "stackdriver",
    "vulnerability",
    "complianceitems",
    "proxy",
    "10.1.2.3",
    "8.8.8.8",
    "2001:db8::1",
    "Accepted publickey for root from 10.0.0.1 port 22 ssh2",
    "",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![proptest::sample::select(WORDS).prop_map(str::to_owned), ".{0,12}"]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((word(), inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn event() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((word(), json()), 0..10).prop_map(|kv| kv.into_iter().collect())
}

fn ctx() -> NormalizeContext {
    NormalizeContext { received: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(), mozdefhostname: "p".into() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_chain_never_panics(mut event in event(), custom in any::<bool>(), keyword in proptest::sample::select(WORDS)) {
        event.insert("category".into(), Value::String(keyword.to_owned()));
        if custom {
            event.insert("customendpoint".into(), Value::Bool(true));
        }
        let chain = PluginChain::new(builtin(&PluginConfig::default()));
        match process(Value::Object(event), &ctx(), &chain) {
            Processed::Event { event, .. } => prop_assert!(event.contains_key("receivedtimestamp")),
            Processed::Dropped { plugin } => prop_assert!(chain.names().contains(&plugin)),
            Processed::Quarantined { reason, .. } => prop_assert!(!reason.to_string().is_empty()),
        }
    }

    #[test]
    fn decoders_never_panic(value in json(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = value.to_string();
        for body in [text.as_bytes(), bytes.as_slice()] {
            let _ = sqs::decode(body, "q", &ctx());
            let _ = sns::decode(body, "q", &ctx());
            let _ = guardduty::decode(body, "q", &ctx());
        }
    }
}
