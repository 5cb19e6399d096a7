//! `http_auth_bruteforce` (MozDef shipped no test for it; cases in its suites' style, inventory §8): the
//! Bro notice cases (`shapes::bro_notice_cases`) and a configured url.

use mozdef_alerts::catalogue::http_auth_bruteforce;
use serde_json::json;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn http_auth_bruteforce() {
    let shape = bro_notice(
        "AuthBruteforcing::HTTP_AuthBruteforcing_Attacker",
        "10.0.0.5 appears to be bruteforcing HTTP authentication",
        json!({"category": "httperrors", "severity": "WARNING", "notify_mozdefbot": true}),
    );
    check(Subject::defaults(http_auth_bruteforce::entry), bro_notice_cases(&shape)).await;

    let url = "https://runbooks.example.com/http_auth_bruteforce";
    let config = settings(&[("MOZDEF_ALERT_HTTP_AUTH_BRUTEFORCE__URL", url)]);
    let cases = vec![positive("configured url", shape.with(json!({})), shape.alert_with(json!({"url": url})))];
    check(Subject::with_config(http_auth_bruteforce::entry, &config), cases).await;
}
