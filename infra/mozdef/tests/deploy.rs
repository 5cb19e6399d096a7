//! `mozdef deploy` into moto (the AWS emulator from PyPI): the parent template of
//! `cloudformation/` deploys through a change set; the queues, DLQs, tables, roles and
//! policies, functions, event source mappings, rules and log groups are there as declared
//! (checked by `tests/deploy/check_stack.py` with boto3, a second SDK); the resource types
//! moto skips are named; an update changes what it should; a failing resource is reported
//! with its reason and a non-zero exit; `--delete` removes the stack.
//!
//! moto cannot run the functions, so the test plays the maintenance function for the custom
//! resources `Custom::MozDefIndices` and `Custom::MozDefWebConfig`: it answers moto's
//! `cfnresponse` address with SUCCESS (the function's own answers, and the `config.json` it
//! writes, are tested in `functions/maintenance`). moto also drops the outputs of stacks made
//! through change sets, so outputs are not checked here.
//!
//! The web UI: a stand-in `dist` (`--web-dist`, so no npm is needed) lands in the stack's web
//! bucket with its content types and cache control, without its `config.json` (the stack's).
//! moto's CloudFormation skips CloudFront distributions, so the stack has none to invalidate;
//! moto's CloudFront API does take invalidations, so the test makes a distribution there and
//! names it with `--web-distribution-id`, then finds the invalidation of `/index.html`.
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
    let functions = ["loginput", "ingest", "api", "maintenance", "alerts", "alert-actions", "collectors"];
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

/// A stand-in built web UI: what `npm run build` writes, and a `config.json` that must not be
/// uploaded (the stack writes its own).
fn web_dist(dir: &Path) {
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><script type=module src=/assets/index-0123abcd.js></script>",
    )
    .unwrap();
    std::fs::write(dir.join("assets/index-0123abcd.js"), "console.log('mozdef')").unwrap();
    std::fs::write(dir.join("assets/index-4567efab.css"), "body{margin:0}").unwrap();
    std::fs::write(dir.join("favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap();
    std::fs::write(dir.join("config.json"), r#"{"apiUrl": "http://127.0.0.1:8080", "oidc": null}"#).unwrap();
}

/// A CloudFront distribution in moto's CloudFront API (its CloudFormation makes none); its id.
fn moto_distribution(moto: &Moto) -> String {
    let script = r##"
import boto3, sys
cf = boto3.client("cloudfront", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
d = cf.create_distribution(DistributionConfig={
    "CallerReference": "mozdef-deploy-test", "Comment": "web", "Enabled": True,
    "Origins": {"Quantity": 1, "Items": [{"Id": "web", "DomainName": "web.s3.us-east-1.amazonaws.com",
                                          "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "redirect-to-https",
                             "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}})
print(d["Distribution"]["Id"])
"##;
    let output = Command::new("python3").arg("-c").arg(script).arg(&moto.url).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The paths of every invalidation of `distribution` in moto.
fn invalidated_paths(moto: &Moto, distribution: &str) -> Vec<String> {
    let script = r##"
import boto3, json, sys
cf = boto3.client("cloudfront", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
listed = cf.list_invalidations(DistributionId=sys.argv[2])["InvalidationList"].get("Items", [])
paths = [p for i in listed for p in
         cf.get_invalidation(DistributionId=sys.argv[2], Id=i["Id"])["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]]
print(json.dumps(paths))
"##;
    let output = Command::new("python3").arg("-c").arg(script).arg(&moto.url).arg(distribution).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
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

/// Waits for `child`, answering each custom resource (once) whenever moto waits for it.
async fn finish(cfn: &Client, moto: &Moto, stack: &str, mut child: std::process::Child) -> (bool, String) {
    let deadline = Instant::now() + Duration::from_secs(300);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let mut answered: Vec<String> = Vec::new();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let output = child.wait_with_output().unwrap();
            let text =
                format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
            return (status.success(), text);
        }
        assert!(Instant::now() < deadline, "mozdef deploy did not finish");
        if let Some((stack_id, waiting)) = waiting_custom_resources(cfn, stack).await {
            for logical in waiting {
                if answered.contains(&logical) {
                    continue;
                }
                let body = json!({
                    "Status": "SUCCESS", "Reason": "answered by the test", "PhysicalResourceId": format!("test-{logical}"),
                    "StackId": stack_id, "RequestId": "test", "LogicalResourceId": logical, "Data": {}
                });
                let url = format!("{}/cloudformation_us-east-1/cfnresponse?stack={stack_id}", moto.url);
                let answer = http.put(url).json(&body).send().await.unwrap();
                assert!(answer.status().is_success(), "moto took the answer: {}", answer.status());
                answered.push(logical);
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The stack's id and its custom resources being created (moto waits for their answers).
async fn waiting_custom_resources(cfn: &Client, stack: &str) -> Option<(String, Vec<String>)> {
    let resources = cfn.list_stack_resources().stack_name(stack).send().await.ok()?;
    let waiting: Vec<String> = resources
        .stack_resource_summaries()
        .iter()
        .filter(|r| r.resource_type().is_some_and(|t| t.starts_with("Custom::")))
        .filter(|r| r.resource_status().is_some_and(|s| s.as_str() == "CREATE_IN_PROGRESS"))
        .filter_map(|r| r.logical_resource_id().map(str::to_owned))
        .collect();
    let stacks = cfn.describe_stacks().stack_name(stack).send().await.ok()?;
    let id = stacks.stacks().first()?.stack_id()?.to_owned();
    (!waiting.is_empty()).then_some((id, waiting))
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
    let dist = tempfile::tempdir().unwrap();
    web_dist(dist.path());
    let distribution = moto_distribution(&moto);
    let web = ["--web-dist".to_owned(), dist.path().display().to_string()];
    let web: Vec<&str> = web.iter().map(String::as_str).collect();
    let stack = format!("mozdef-deploy-test-{}", std::process::id());

    // Create (with the UI; its invalidation goes to the distribution made in moto; and a pull
    // collector, so its function, role and schedules' custom resource are made too).
    let collectors = r#"{"sources": [{"name": "okta", "provider": "okta", "secret": "okta-api-token",
                          "settings": {"domain": "example.okta.com"}}]}"#;
    let params = parameters(&[("Collectors", collectors)]);
    let mut create = web.clone();
    create.extend(["--web-distribution-id", &distribution]);
    let (ok, log) = finish(&cfn, &moto, &stack, deploy(&moto, &stack, dir.path(), &params, &create)).await;
    assert!(ok, "mozdef deploy failed:\n{log}");
    assert!(log.contains("CREATE_COMPLETE"), "{log}");
    assert!(log.contains("uploaded lambda/ingest-0123456789abcdef.zip"), "{log}");

    // The UI's files in the web bucket, each with its type and caching; not config.json.
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&moto.sdk_config().await).force_path_style(true).build(),
    );
    // (moto answers DescribeStackResource with HTTP 500: the stack's resources are listed.)
    let resources = cfn.list_stack_resources().stack_name(&stack).send().await.unwrap();
    let web_bucket = resources
        .stack_resource_summaries()
        .iter()
        .find(|r| r.logical_resource_id() == Some("WebBucket"))
        .and_then(|r| r.physical_resource_id())
        .unwrap()
        .to_owned();
    assert!(
        log.contains(&format!("uploaded the web UI (4 files from {}) to s3://{web_bucket}", dist.path().display())),
        "{log}"
    );
    for (key, content_type, cache_control) in [
        ("index.html", "text/html; charset=utf-8", "no-cache"),
        ("assets/index-0123abcd.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        ("assets/index-4567efab.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"),
        ("favicon.svg", "image/svg+xml", "no-cache"),
    ] {
        let object = s3.head_object().bucket(&web_bucket).key(key).send().await;
        let object = object.unwrap_or_else(|e| panic!("{key} is not in {web_bucket}: {e:?}"));
        assert_eq!(object.content_type(), Some(content_type), "{key}");
        assert_eq!(object.cache_control(), Some(cache_control), "{key}");
    }
    assert!(
        s3.head_object().bucket(&web_bucket).key("config.json").send().await.is_err(),
        "the dist's config.json is not uploaded: the stack writes its own"
    );
    assert_eq!(invalidated_paths(&moto, &distribution), ["/", "/index.html"], "{log}");
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
    let (ok, log) = finish(&cfn, &moto, &stack, deploy(&moto, &stack, dir.path(), &given, &web)).await;
    assert!(ok, "the update failed:\n{log}");
    assert!(log.contains("UPDATE_COMPLETE"), "{log}");
    // Without --web-distribution-id the stack's own distribution is invalidated: moto has none.
    assert!(log.contains("lists no WebDistribution: no CloudFront invalidation"), "{log}");
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
    let mut templates: Vec<&str> = templates.iter().map(String::as_str).collect();
    templates.extend(&web);
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
    assert!(buckets.contains(&web_bucket), "{buckets:?}");
    let (ok, log) =
        finish(&cfn, &moto, &stack, deploy(&moto, &stack, dir.path(), &[], &["--delete", "--delete-data"])).await;
    assert!(ok, "{log}");
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
