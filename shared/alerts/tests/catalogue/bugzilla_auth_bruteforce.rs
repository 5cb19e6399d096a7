//! `bugzilla_auth_bruteforce` (MozDef shipped no test for it; cases in its suites' style, inventory §8): the
//! Bro notice cases (`shapes::bro_notice_cases`) and a configured url.

use mozdef_alerts::catalogue::bugzilla_auth_bruteforce;
use serde_json::json;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn bugzilla_auth_bruteforce() {
    let shape = bro_notice(
        "BugzBruteforcing::HTTP_BugzBruteforcing_Attacker",
        "10.0.0.5 appears to be bruteforcing Bugzilla logins",
        json!({"category": "httperrors", "severity": "NOTICE", "notify_mozdefbot": false}),
    );
    check(Subject::defaults(bugzilla_auth_bruteforce::entry), bro_notice_cases(&shape)).await;

    let url = "https://runbooks.example.com/bugzilla_auth_bruteforce";
    let config = settings(&[("MOZDEF_ALERT_BUGZILLA_AUTH_BRUTEFORCE__URL", url)]);
    let cases = vec![positive("configured url", shape.with(json!({})), shape.alert_with(json!({"url": url})))];
    check(Subject::with_config(bugzilla_auth_bruteforce::entry, &config), cases).await;
}
