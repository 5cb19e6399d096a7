//! `mozdef deploy` into moto (the AWS emulator from PyPI): the parent template of
//! `cloudformation/` deploys through a change set; the queues, DLQs, tables, roles and
//! policies, functions, event source mappings, rules and log groups are there as declared
//! (checked by `tests/deploy/check_stack.py` with boto3, a second SDK); the resource types
//! moto skips are named; an update changes what it should; a failing resource is reported
//! with its reason and a non-zero exit; `--delete` removes the stack.
//!
//! moto cannot run the functions, so the test plays the maintenance function for the
//! `Custom::MozDefIndices` resource: it answers moto's `cfnresponse` address with SUCCESS (the
//! function's own answers are tested in `functions/maintenance`). moto also drops the outputs
//! of stacks made through change sets, so outputs are not checked here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::Client;
use mozdef_aws::testing::Moto;
use serde_json::{Value, json};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Stand-in artefacts: a zip holding a `bootstrap` per function, and the build manifest.
fn artefacts(dir: &Path) {
    let functions = ["loginput", "ingest", "api", "maintenance", "alerts", "alert-actions"];
    let script = r##"
import json, sys, zipfile
out, names = sys.argv[1], sys.argv[2:]
manifest = {}
for name in names:
    file = f"{name}-0123456789abcdef.zip"
    with zipfile.ZipFile(f"{out}/{file}", "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\necho stand-in\n")
    manifest[name] = file
json.dump({"functions": manifest}, open(f"{out}/manifest.json", "w"))
"##;
    let status = Command::new("python3").arg("-c").arg(script).arg(dir).args(functions).status().unwrap();
    assert!(status.success());
}

/// The parameters of a deployment into moto: an existing OpenSearch endpoint (moto skips
/// domains) and an OIDC issuer (moto skips Cognito).
fn parameters(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = [
        ("OpenSearchEndpoint", "https://search-mozdef-test.us-east-1.es.amazonaws.com"),
        ("OidcIssuer", "https://issuer.example.com"),
        ("OidcAudience", "mozdef"),
        ("TableDeletionProtection", "false"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in extra {
        params.retain(|(key, _)| key != k);
        params.push(((*k).to_owned(), (*v).to_owned()));
    }
    params
}

fn deploy(
    moto: &Moto,
    stack: &str,
    artefacts: &Path,
    params: &[(String, String)],
    extra: &[&str],
) -> std::process::Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mozdef"));
    command
        .current_dir(repo())
        .args(["deploy", "--stack", stack, "--region", "us-east-1", "--endpoint-url", &moto.url, "--artefacts"])
        .arg(artefacts)
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in params {
        command.arg("--parameter").arg(format!("{k}={v}"));
    }
    command.spawn().expect("run mozdef deploy")
}

/// Waits for `child`, answering the custom resource whenever moto waits for it.
async fn finish(cfn: &Client, moto: &Moto, stack: &str, mut child: std::process::Child) -> (bool, String) {
    let deadline = Instant::now() + Duration::from_secs(300);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let mut answered = false;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let output = child.wait_with_output().unwrap();
            let text =
                format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
            return (status.success(), text);
        }
        assert!(Instant::now() < deadline, "mozdef deploy did not finish");
        if !answered && let Some(stack_id) = waiting_custom_resource(cfn, stack).await {
            let body = json!({
                "Status": "SUCCESS", "Reason": "answered by the test", "PhysicalResourceId": "mozdef-indices",
                "StackId": stack_id, "RequestId": "test", "LogicalResourceId": "OpenSearchIndices", "Data": {}
            });
            let url = format!("{}/cloudformation_us-east-1/cfnresponse?stack={stack_id}", moto.url);
            let answer = http.put(url).json(&body).send().await.unwrap();
            assert!(answer.status().is_success(), "moto took the answer: {}", answer.status());
            answered = true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The stack's id when its custom resource is being created (moto waits for an answer).
async fn waiting_custom_resource(cfn: &Client, stack: &str) -> Option<String> {
    let resources = cfn.list_stack_resources().stack_name(stack).send().await.ok()?;
    let waiting = resources.stack_resource_summaries().iter().any(|r| {
        r.logical_resource_id() == Some("OpenSearchIndices")
            && r.resource_status().is_some_and(|s| s.as_str() == "CREATE_IN_PROGRESS")
    });
    let stacks = cfn.describe_stacks().stack_name(stack).send().await.ok()?;
    let id = stacks.stacks().first()?.stack_id()?.to_owned();
    waiting.then_some(id)
}

/// Runs the boto3 check of the deployed stack against the template.
fn check(moto: &Moto, stack: &str, params: &[(String, String)]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let params_file = dir.path().join("params.json");
    let map: serde_json::Map<String, Value> = params.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    std::fs::write(&params_file, Value::Object(map).to_string()).unwrap();
    let output = Command::new("python3")
        .arg(repo().join("infra/mozdef/tests/deploy/check_stack.py"))
        .args([&moto.url, stack])
        .arg(repo().join("cloudformation/mozdef.json"))
        .arg(&params_file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("check_stack.py: {e}\n{}", String::from_utf8_lossy(&output.stderr)));
    assert!(output.status.success(), "the deployed stack differs from its template: {report:#}");
    report
}

#[tokio::test]
async fn deploy_update_fail_and_delete_in_moto() {
    let moto = Moto::start().await;
    let cfn = Client::new(&moto.sdk_config().await);
    let dir = tempfile::tempdir().unwrap();
    artefacts(dir.path());
    let stack = format!("mozdef-deploy-test-{}", std::process::id());

    // Create.
    let params = parameters(&[]);
    let (ok, log) = finish(&cfn, &moto, &stack, deploy(&moto, &stack, dir.path(), &params, &[])).await;
    assert!(ok, "mozdef deploy failed:\n{log}");
    assert!(log.contains("CREATE_COMPLETE"), "{log}");
    assert!(log.contains("uploaded lambda/ingest-0123456789abcdef.zip"), "{log}");
    let report = check(&moto, &stack, &params);
    for kind in [
        "AWS::SQS::Queue",
        "AWS::DynamoDB::Table",
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Events::Rule",
        "AWS::Logs::LogGroup",
    ] {
        assert!(report["checked"][kind].as_u64().unwrap_or(0) > 0, "no {kind} checked: {report:#}");
    }
    // What moto skips, said where a reader of the test run sees it.
    eprintln!("resource types moto skipped: {}", report["skipped_types"]);
    assert!(report["skipped_types"].as_array().unwrap().contains(&json!("AWS::ApiGatewayV2::Api")), "{report:#}");

    // Update in place: what changed changes.
    // Only the changed parameters are given: the others keep their earlier values (were the
    // template's defaults used, the stack would set out to create an OpenSearch domain).
    // (Not the log retention: moto 5.2 loses a log group from the stack when it updates one.)
    let changed = [("IngestMemorySize", "2048"), ("AlertsMemorySize", "1536")];
    let given: Vec<(String, String)> = changed.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let (ok, log) = finish(&cfn, &moto, &stack, deploy(&moto, &stack, dir.path(), &given, &[])).await;
    assert!(ok, "the update failed:\n{log}");
    assert!(log.contains("UPDATE_COMPLETE"), "{log}");
    check(&moto, &stack, &parameters(&changed));
    // A resource that fails: a copy of the template whose events queue has a name SQS
    // refuses. (moto refuses it at once, with SQS's reason, where AWS would report the
    // resource CREATE_FAILED; either way the deploy fails and says why.)
    let broken = tempfile::tempdir().unwrap();
    let mut template: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("cloudformation/mozdef.json")).unwrap()).unwrap();
    template["Resources"]["EventsQueue"]["Properties"]["QueueName"] = json!("bad name!");
    std::fs::write(broken.path().join("mozdef.json"), template.to_string()).unwrap();
    let failing = format!("{stack}-failing");
    let templates = ["--templates".to_owned(), broken.path().display().to_string()];
    let templates: Vec<&str> = templates.iter().map(String::as_str).collect();
    let (ok, log) =
        finish(&cfn, &moto, &failing, deploy(&moto, &failing, dir.path(), &parameters(&[]), &templates)).await;
    assert!(!ok, "a failing resource fails the deploy:\n{log}");
    assert!(log.contains("alphanumeric characters"), "SQS's reason is reported:\n{log}");
    eprintln!("the failing deploy said:\n{log}");

    // Tear down, data too.
    let resources = cfn.list_stack_resources().stack_name(&stack).send().await.unwrap();
    let buckets: Vec<String> = resources
        .stack_resource_summaries()
        .iter()
        .filter(|r| r.resource_type() == Some("AWS::S3::Bucket"))
        .filter_map(|r| r.physical_resource_id().map(str::to_owned))
        .collect();
    assert!(!buckets.is_empty());
    let (ok, log) =
        finish(&cfn, &moto, &stack, deploy(&moto, &stack, dir.path(), &[], &["--delete", "--delete-data"])).await;
    assert!(ok, "{log}");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&moto.sdk_config().await).force_path_style(true).build(),
    );
    let left: Vec<String> =
        s3.list_buckets().send().await.unwrap().buckets().iter().filter_map(|b| b.name().map(str::to_owned)).collect();
    for bucket in &buckets {
        assert!(!left.contains(bucket), "{bucket} was deleted with --delete-data: {left:?}");
    }
    assert!(!left.iter().any(|b| b.starts_with("mozdef-artefacts-")), "the artefacts bucket too: {left:?}");
    let gone = cfn.describe_stacks().stack_name(&stack).send().await;
    let status =
        gone.ok().and_then(|s| s.stacks().first().and_then(|s| s.stack_status().map(|s| s.as_str().to_owned())));
    assert!(status.is_none() || status.as_deref() == Some("DELETE_COMPLETE"), "{status:?}");
}
