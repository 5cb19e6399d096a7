//! `tests/alerts/test_trace_audit.py`.

use mozdef_alerts::ConfigSource;
use mozdef_alerts::catalogue::trace_audit;
use serde_json::{Value, json};

use super::common::*;

fn default_event() -> Value {
    event(json!({
        "category": "ptrace",
        "summary": "Ptrace",
        "hostname": "exhostname",
        "tags": ["audisp-json", "2.1.0", "audit"],
        "details": {"processname": "strace", "originaluser": "randomjoe", "auditkey": "strace"}
    }))
}

fn default_alert() -> Value {
    json!({
        "category": "trace",
        "severity": "WARNING",
        "summary": "5 instances of Strace or Ptrace executed by randomjoe on exhostname",
        "tags": ["audit"],
    })
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

fn summary(text: &str) -> Value {
    merge(&default_alert(), &json!({"summary": text}))
}

#[tokio::test]
async fn trace_audit() {
    let mut two_hosts = with(json!({}), 5);
    two_hosts[0] = merge(&two_hosts[0], &json!({"hostname": "b.example.com"}));
    two_hosts[1] = merge(&two_hosts[1], &json!({"hostname": "a.example.com"}));
    let cases = vec![
        positive("default events", with(json!({}), 5), default_alert()),
        positive("summary 'Unknown'", with(json!({"summary": "Unknown"}), 5), default_alert()),
        positive("events a minute earlier", vec![aged(&default_event(), 1); 5], default_alert()),
        positive(
            "one event",
            with(json!({}), 1),
            summary("1 instances of Strace or Ptrace executed by randomjoe on exhostname"),
        ),
        positive(
            "distinct hosts, sorted",
            two_hosts,
            summary("5 instances of Strace or Ptrace executed by randomjoe on a.example.com,b.example.com,exhostname"),
        ),
        positive_attaching(
            "more events than samples: 10 attached",
            with(json!({}), 12),
            summary("12 instances of Strace or Ptrace executed by randomjoe on exhostname"),
            10,
        ),
        negative("hostname excluded by 'hostfilter'", with(json!({"hostname": "example.hostname.com"}), 5)),
        negative("another process", with(json!({"details": {"processname": "gdb"}}), 5)),
        negative("aggregation key excluded", with(json!({"details": {"originaluser": null}}), 5)),
        negative("outside the 5 minute window", vec![aged(&default_event(), 6); 5]),
        negative("old timestamp", vec![aged(&default_event(), 15); 5]),
    ];
    check(Subject::defaults(trace_audit::entry), cases).await;

    let mut config = ConfigSource::defaults();
    config.env.insert("MOZDEF_ALERT_TRACE_AUDIT__HOSTFILTER".into(), "build1.example.com exhostname".into());
    let cases = vec![
        positive(
            "the shipped filter no longer applies",
            with(json!({"hostname": "example.hostname.com"}), 5),
            summary("5 instances of Strace or Ptrace executed by randomjoe on example.hostname.com"),
        ),
        negative("first configured host", with(json!({"hostname": "build1.example.com"}), 5)),
        negative("second configured host", with(json!({}), 5)),
    ];
    check(Subject::with_config(trace_audit::entry, &config), cases).await;
}
