//! `securityhub_findings` (not a MozDef alert): findings of the configured severities, one
//! alert per finding as severe as it; suppressed, resolved and archived findings, other
//! severities and other sources raise nothing; the settings.

use mozdef_alerts::catalogue::securityhub_findings;
use serde_json::{Value, json};

use super::common::*;
use super::settings::from_env;

fn default_event() -> Value {
    event(json!({
        "category": "finding",
        "source": "securityhub",
        "severity": "CRITICAL",
        "details": {
            "severitylabel": "CRITICAL",
            "title": "S3 general purpose buckets should block public read access",
            "awsaccountid": "123456789012",
            "workflowstatus": "NEW",
            "recordstate": "ACTIVE",
            "productname": "Security Hub"
        }
    }))
}

fn alert(severity: &str, summary: &str) -> Value {
    json!({
        "category": "securityhub",
        "tags": ["securityhub", "aws"],
        "severity": severity,
        "summary": summary,
        "notify_mozdefbot": true,
    })
}

fn default_alert() -> Value {
    alert(
        "CRITICAL",
        "Security Hub CRITICAL finding in 123456789012: S3 general purpose buckets should block public read access",
    )
}

fn with(changes: Value) -> Vec<Value> {
    vec![merge(&default_event(), &changes)]
}

/// A HIGH finding, which the decoder stores with severity ERROR.
fn high() -> Value {
    json!({"severity": "ERROR", "details": {"severitylabel": "HIGH", "title": "Root user has active access keys"}})
}

#[tokio::test]
async fn securityhub_findings() {
    let cases = vec![
        positive("critical finding", with(json!({})), default_alert()),
        positive(
            "high finding: an ERROR alert",
            with(high()),
            alert("ERROR", "Security Hub HIGH finding in 123456789012: Root user has active access keys"),
        ),
        positive(
            "notified, not yet resolved",
            with(json!({"details": {"workflowstatus": "NOTIFIED"}})),
            default_alert(),
        ),
        positive(
            "no workflow status nor record state",
            with(json!({"details": {"workflowstatus": null, "recordstate": null}})),
            default_alert(),
        ),
        positive(
            "label, account and title missing",
            with(json!({"details": {"severitylabel": null, "awsaccountid": null, "title": null}})),
            alert("CRITICAL", "Security Hub unknown finding in unknown: unknown"),
        ),
        positive("fourteen minutes old", vec![aged(&default_event(), 14)], default_alert()),
        positive_attaching("one alert per finding", vec![default_event(); 2], default_alert(), 1),
        negative(
            "medium finding (WARNING)",
            with(json!({"severity": "WARNING", "details": {"severitylabel": "MEDIUM"}})),
        ),
        negative(
            "informational finding",
            with(json!({"severity": "INFO", "details": {"severitylabel": "INFORMATIONAL"}})),
        ),
        negative("other source", with(json!({"source": "guardduty"}))),
        negative("suppressed", with(json!({"details": {"workflowstatus": "SUPPRESSED"}}))),
        negative("resolved", with(json!({"details": {"workflowstatus": "RESOLVED"}}))),
        negative("archived", with(json!({"details": {"recordstate": "ARCHIVED"}}))),
        negative("sixteen minutes old", vec![aged(&default_event(), 16)]),
    ];
    check(Subject::defaults(securityhub_findings::entry), cases).await;

    let medium =
        json!({"severity": "WARNING", "details": {"severitylabel": "MEDIUM", "title": "Unused security group"}});
    let cases = vec![
        positive(
            "configured severities: a medium finding",
            with(medium),
            alert("WARNING", "Security Hub MEDIUM finding in 123456789012: Unused security group"),
        ),
        negative("configured severities: critical no longer listed", with(json!({}))),
    ];
    let config = from_env(&[("MOZDEF_ALERT_SECURITYHUB_FINDINGS__SEVERITIES", r#"["warning"]"#)]);
    check(Subject::with_config(securityhub_findings::entry, &config), cases).await;
}

#[test]
fn bad_severities_are_refused_by_name() {
    let config = from_env(&[("MOZDEF_ALERT_SECURITYHUB_FINDINGS__SEVERITIES", r#"["CRITICAL", "HIGH"]"#)]);
    let error = securityhub_findings::entry(&config).expect_err("HIGH is Security Hub's label, not a MozDef severity");
    let text = error.to_string();
    assert!(
        text.contains("securityhub_findings") && text.contains("severities") && text.contains("\"HIGH\""),
        "{text}"
    );

    let config = from_env(&[("MOZDEF_ALERT_SECURITYHUB_FINDINGS__SEVERITIES", "[]")]);
    let text = securityhub_findings::entry(&config).expect_err("no severities").to_string();
    assert!(text.contains("severities: empty"), "{text}");
}
