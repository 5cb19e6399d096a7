//! `http_errors` (MozDef shipped no test for it; cases in its suites' style, inventory §8):
//! the Bro notice cases (`shapes::bro_notice_cases`) and a configured url and severity.

use mozdef_alerts::catalogue::http_errors;
use serde_json::json;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn http_errors() {
    let shape = bro_notice(
        "MozillaHTTPErrors::Excessive_HTTP_Errors_Attacker",
        "Excessive HTTP errors for requests from 10.0.0.5 1604 in 15.0 mins, eps: 0",
        json!({"category": "httperrors", "severity": "WARNING", "notify_mozdefbot": true}),
    );
    check(Subject::defaults(http_errors::entry), bro_notice_cases(&shape)).await;

    let url = "https://runbooks.example.com/http_errors";
    let config =
        settings(&[("MOZDEF_ALERT_HTTP_ERRORS__URL", url), ("MOZDEF_ALERT_HTTP_ERRORS__SEVERITY", "critical")]);
    let cases = vec![positive(
        "configured url and severity",
        shape.with(json!({})),
        shape.alert_with(json!({"url": url, "severity": "CRITICAL", "notify_mozdefbot": true})),
    )];
    check(Subject::with_config(http_errors::entry, &config), cases).await;
}
