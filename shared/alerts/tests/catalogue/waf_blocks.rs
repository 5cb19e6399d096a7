//! `waf_blocks` (not a MozDef alert): fifty blocked requests from one address within ten
//! minutes, the summary naming the samples' hosts and rules; the negatives (below the
//! threshold, allowed or counted requests, other source, no address, window) and the
//! settings.

use mozdef_alerts::catalogue::waf_blocks;
use serde_json::{Value, json};

use super::common::*;
use super::settings::from_env;

const RULE: &str = "AWS-AWSManagedRulesCommonRuleSet";

fn default_event() -> Value {
    event(json!({
        "category": "waf",
        "source": "waf",
        "details": {
            "action": "BLOCK",
            "sourceipaddress": "1.2.3.4",
            "host": "www.example.com",
            "terminatingruleid": RULE,
            "uri": "/login"
        }
    }))
}

fn alert(summary: &str) -> Value {
    json!({"category": "waf", "tags": ["waf", "aws"], "severity": "WARNING", "summary": summary, "notify_mozdefbot": true})
}

fn default_alert() -> Value {
    alert("WAF blocked 50 requests from 1.2.3.4 to www.example.com rules: AWS-AWSManagedRulesCommonRuleSet")
}

fn with(changes: Value, n: usize) -> Vec<Value> {
    vec![merge(&default_event(), &changes); n]
}

/// `n` copies of the default event with `changes`, `minutes` old.
fn aged_with(changes: Value, n: usize, minutes: i64) -> Vec<Value> {
    vec![aged(&merge(&default_event(), &changes), minutes); n]
}

#[tokio::test]
async fn waf_blocks() {
    // The ten newest (the samples): five to api.example.com by the rate rule, five to
    // www.example.com by the common rule set; the forty older ones only count.
    let mut mixed = aged_with(json!({"details": {"host": "www.example.com"}}), 5, 0);
    mixed.extend(aged_with(json!({"details": {"host": "api.example.com", "terminatingruleid": "RateLimit"}}), 5, 1));
    mixed.extend(aged_with(json!({"details": {"host": "old.example.com", "terminatingruleid": "GeoBlock"}}), 40, 5));
    let mut two_sources = with(json!({}), 50);
    two_sources.extend(with(json!({"details": {"sourceipaddress": "5.6.7.8"}}), 49));
    let cases = vec![
        positive_attaching("fifty blocked requests", with(json!({}), 50), default_alert(), 10),
        positive_attaching(
            "hosts and rules of the samples, sorted",
            mixed,
            alert(
                "WAF blocked 50 requests from 1.2.3.4 to api.example.com, www.example.com rules: \
                 AWS-AWSManagedRulesCommonRuleSet, RateLimit",
            ),
            10,
        ),
        positive_attaching(
            "no host nor rule",
            with(json!({"details": {"host": null, "terminatingruleid": null}}), 50),
            alert("WAF blocked 50 requests from 1.2.3.4"),
            10,
        ),
        positive_attaching("nine minutes old", aged_with(json!({}), 50, 9), default_alert(), 10),
        positive_attaching("the address at the threshold beside one below it", two_sources, default_alert(), 10),
        negative("forty-nine blocked requests", with(json!({}), 49)),
        negative("allowed requests", with(json!({"details": {"action": "ALLOW"}}), 50)),
        negative("counted requests", with(json!({"details": {"action": "COUNT"}}), 50)),
        negative("other source", with(json!({"source": "cloudtrail"}), 50)),
        negative("no source address", with(json!({"details": {"sourceipaddress": null}}), 50)),
        negative("eleven minutes old", aged_with(json!({}), 50, 11)),
    ];
    check(Subject::defaults(waf_blocks::entry), cases).await;

    let config = from_env(&[
        ("MOZDEF_ALERT_WAF_BLOCKS__THRESHOLD_COUNT", "5"),
        ("MOZDEF_ALERT_WAF_BLOCKS__SEVERITY", "CRITICAL"),
        ("MOZDEF_ALERT_WAF_BLOCKS__SEARCH_DEPTH_MIN", "30"),
    ]);
    let configured = merge(
        &alert("WAF blocked 5 requests from 1.2.3.4 to www.example.com rules: AWS-AWSManagedRulesCommonRuleSet"),
        &json!({"severity": "CRITICAL"}),
    );
    let cases = vec![
        positive("configured: five requests, twenty-nine minutes old", aged_with(json!({}), 5, 29), configured),
        negative("configured: four requests", with(json!({}), 4)),
    ];
    check(Subject::with_config(waf_blocks::entry, &config), cases).await;
}

#[test]
fn a_bad_severity_is_refused() {
    let config = from_env(&[("MOZDEF_ALERT_WAF_BLOCKS__SEVERITY", "LOUD")]);
    let text = waf_blocks::entry(&config).expect_err("LOUD").to_string();
    assert!(text.contains("waf_blocks") && text.contains("\"LOUD\""), "{text}");
}
