//! `mozdef token create|list|revoke` as a process, on SQLite and on DynamoDB (moto), and
//! `mozdef dev --shipper-tokens required` refusing events without a valid token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use mozdef_aws::testing::Moto;
use mozdef_service::shipper_tokens::hash_secret;
use mozdef_store::ShipperTokenStore;
use mozdef_store_dynamodb::DynamoShipperTokens;
use serde_json::json;

fn mozdef(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mozdef"))
        .args(args)
        .env_remove("MOZDEF_DATA_DIR")
        .env_remove("MOZDEF_SHIPPER_TOKENS_TABLE")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a command that must succeed; its standard output.
fn ok(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = mozdef(args, env);
    assert!(output.status.success(), "{args:?} failed: {}", text(&output.stderr));
    text(&output.stdout)
}

/// Runs a command that must fail; its standard error.
fn fails(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = mozdef(args, env);
    assert!(!output.status.success(), "{args:?} succeeded: {}", text(&output.stdout));
    text(&output.stderr)
}

/// `create` prints the secret alone on standard output, the hint on standard error.
fn create(name: &str, place: &[&str], env: &[(&str, &str)]) -> String {
    let output = mozdef(&[&["token", "create", name], place].concat(), env);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let secret = stdout.trim_end_matches('\n');
    assert!(!secret.contains('\n'), "one line: {stdout:?}");
    assert!(secret.starts_with("mzd_") && secret.len() == 47, "{secret}");
    let hint = text(&output.stderr);
    assert!(hint.contains("Authorization: Bearer <token>") && hint.contains("shown only now"), "{hint}");
    secret.to_owned()
}

fn data_dir(dir: &Path) -> [&str; 2] {
    ["--data-dir", dir.to_str().unwrap()]
}

#[test]
fn tokens_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let place = data_dir(dir.path());
    let missing = fails(&[&["token", "list"], &place[..]].concat(), &[]);
    assert!(missing.contains("no shipper tokens in") && missing.contains("mozdef.sqlite does not exist"), "{missing}");

    let web1 = create("web1", &place, &[]);
    let syslog = create("syslog-ng.dc1", &place, &[]);
    assert_ne!(web1, syslog);
    let again = fails(&[&["token", "create", "web1"], &place[..]].concat(), &[]);
    assert!(again.contains("shipper \"web1\" already has an active token"), "{again}");
    let bad = fails(&[&["token", "create", "web 1"], &place[..]].concat(), &[]);
    assert!(bad.contains("invalid shipper name \"web 1\""), "{bad}");

    let listed = ok(&[&["token", "list"], &place[..]].concat(), &[]);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "{listed}");
    assert!(lines[0].starts_with("NAME"), "{listed}");
    assert!(lines[1].starts_with("syslog-ng.dc1 ") && lines[2].starts_with("web1 "), "{listed}");
    assert!(lines[2].contains(&hash_secret(&web1)[..12]) && lines[2].trim_end().ends_with(" -"), "{listed}");
    for secret in [&web1, &syslog] {
        assert!(!listed.contains(&secret[4..]), "a secret was listed: {listed}");
    }

    // The environment names the data directory as well as the flag.
    let env = [("MOZDEF_DATA_DIR", dir.path().to_str().unwrap())];
    let output = mozdef(&["token", "revoke", "web1"], &env);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("revoked"), "{}", text(&output.stderr));
    let listed = ok(&["token", "list"], &env);
    let web1_line = listed.lines().find(|l| l.starts_with("web1 ")).unwrap();
    let revoked_at = web1_line.split_whitespace().last().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(revoked_at).is_ok(), "revoked at a time: {listed}");
    let twice = fails(&["token", "revoke", "web1"], &env);
    assert!(twice.contains("no active token for shipper \"web1\""), "{twice}");
    let renewed = create("web1", &place, &[]);
    assert_ne!(renewed, web1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_in_a_dynamodb_table() {
    let moto = Moto::start().await;
    let client = aws_sdk_dynamodb::Client::new(&moto.sdk_config().await);
    let table = format!("mozdef-token-cli-{}-{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let store = DynamoShipperTokens::new(client, &table);
    store.ensure_table().await.unwrap();
    let place = ["--dynamodb-table", &table, "--region", "us-east-1", "--endpoint-url", &moto.url];
    let credentials = [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")];

    let secret = create("cloudtrail-forwarder", &place, &credentials);
    let stored = store.find(&hash_secret(&secret)).await.unwrap().expect("the hash is the key");
    assert_eq!(stored.name, "cloudtrail-forwarder");
    assert!(stored.is_active());
    let listed = ok(&[&["token", "list"], &place[..]].concat(), &credentials);
    assert!(listed.lines().any(|l| l.starts_with("cloudtrail-forwarder ")), "{listed}");
    ok(&[&["token", "revoke", "cloudtrail-forwarder"], &place[..]].concat(), &credentials);
    assert!(!store.find(&hash_secret(&secret)).await.unwrap().unwrap().is_active());

    // A table that does not exist is named in the error.
    let wrong = ["--dynamodb-table", "no-such-table", "--region", "us-east-1", "--endpoint-url", &moto.url];
    let error = fails(&[&["token", "list"], &wrong[..]].concat(), &credentials);
    assert!(error.contains("ResourceNotFound"), "{error}");
    // --region and --endpoint-url belong to the DynamoDB table.
    let error = fails(&["token", "list", "--region", "us-east-1"], &[]);
    assert!(error.contains("--dynamodb-table"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mozdef_dev_can_require_shipper_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let place = data_dir(dir.path());
    let valid = create("web1", &place, &[]);
    let revoked = create("old", &place, &[]);
    ok(&[&["token", "revoke", "old"], &place[..]].concat(), &[]);
    let port = common::free_port();
    let server = common::start_with(dir.path(), port, &["--shipper-tokens", "required"]).await;
    let http = common::client();
    let events = format!("{}/events", server.base);
    let post = |authorization: Option<String>, summary: &str| {
        let mut request = http.post(&events).json(&json!({"summary": summary, "hostname": "web1"}));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        request.send()
    };
    for authorization in [None, Some(format!("Bearer {revoked}")), Some(format!("Bearer mzd_{}", "z".repeat(43)))] {
        let response = post(authorization.clone(), "refused").await.unwrap();
        assert_eq!(response.status(), 401, "{authorization:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["error"].as_str().is_some_and(|e| e.contains("shipper token")), "{body}");
    }
    assert_eq!(post(Some(format!("Bearer {valid}")), "welcome").await.unwrap().status(), 200);
    // The REST API is not behind shipper tokens.
    let hits = common::wait_for(&http, &server.base, "summary:welcome", 1).await;
    assert_eq!(hits.len(), 1);
    assert!(common::search(&http, &server.base, "summary:refused").await["hits"].as_array().unwrap().is_empty());
}
