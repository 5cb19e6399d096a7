//! `ssh_bruteforce_bro` (MozDef shipped no test for it; cases in its suites' style, inventory §8): the
//! Bro notice cases (`shapes::bro_notice_cases`) and a configured url.

use mozdef_alerts::catalogue::ssh_bruteforce_bro;
use serde_json::json;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn ssh_bruteforce_bro() {
    let shape = bro_notice(
        "SSH::Password_Guessing",
        "10.0.0.5 appears to be guessing SSH passwords (seen in 30 connections).",
        json!({"category": "bruteforce", "severity": "NOTICE", "notify_mozdefbot": false}),
    );
    check(Subject::defaults(ssh_bruteforce_bro::entry), bro_notice_cases(&shape)).await;

    let url = "https://runbooks.example.com/ssh_bruteforce_bro";
    let config = settings(&[("MOZDEF_ALERT_SSH_BRUTEFORCE_BRO__URL", url)]);
    let cases = vec![positive("configured url", shape.with(json!({})), shape.alert_with(json!({"url": url})))];
    check(Subject::with_config(ssh_bruteforce_bro::entry, &config), cases).await;
}
