//! The custom resource `Custom::MozDefWebConfig` (the web UI's `/config.json`) on moto's S3
//! and CloudFormation (the AWS emulator from PyPI; `MOZDEF_TEST_MOTO_URL` may name a running
//! one). No OpenSearch is needed: the function's cluster is a dead address, which this
//! resource never calls.
//!
//! Through moto's CloudFormation, as `custom_resource_moto.rs` does for the indices: moto
//! creates the stack's bucket and waits for the custom resource; the test plays the function
//! with the request moto would send (its `cfnresponse` address, the bucket's name) and the
//! handler in process. Create writes the object (JSON, `Cache-Control: no-store`) and
//! completes the stack with the answer's `Data`; Update rewrites it; Delete removes it. The
//! exact answers of the failure paths go to a recording server: a bad property is answered
//! FAILED naming it, and nothing is written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_sdk_cloudformation::Client as CloudFormation;
use aws_sdk_cloudformation::types::Parameter;
use mozdef_aws::testing::Moto;
use mozdef_fn_maintenance::handler::Handler;
use mozdef_fn_maintenance::web_config::WebObjects;
use serde_json::{Value, json};
use support::{Recorder, assert_failed_create, dead_url, maintenance_at, now, request};

const TEMPLATE: &str = include_str!("fixtures/web-stack.json");
const CREATE: &str = include_str!("fixtures/web-config-create.json");
const BUDGET: Duration = Duration::from_secs(60);

fn unique(what: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("mozdef-{what}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

async fn s3(moto: &Moto) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(&moto.sdk_config().await).force_path_style(true).build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The function (its cluster unreachable: this resource never asks it) writing through `s3`.
fn handler(s3: aws_sdk_s3::Client) -> Handler {
    maintenance_at(&dead_url(), &dead_url()).with_web_objects(WebObjects::new(s3))
}

/// A request of `kind` (Create, Update, Delete) for `bucket`, answered at `response_url`.
fn web_request(kind: &str, response_url: &str, bucket: &str, stack_id: Option<&str>) -> Value {
    let mut payload = request(CREATE, response_url, stack_id);
    payload["RequestType"] = json!(kind);
    payload["ResourceProperties"]["Bucket"] = json!(bucket);
    if kind != "Create" {
        payload["PhysicalResourceId"] = json!(format!("{bucket}/config.json"));
    }
    if kind == "Update" {
        payload["OldResourceProperties"] = payload["ResourceProperties"].clone();
    }
    payload
}

async fn status(cfn: &CloudFormation, stack: &str) -> String {
    let described = cfn.describe_stacks().stack_name(stack).send().await.unwrap();
    described.stacks()[0].stack_status().unwrap().as_str().to_owned()
}

/// The object `config.json` of `bucket`: its JSON, content type and cache control.
async fn config_json(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<(Value, String, String)> {
    let object = s3.get_object().bucket(bucket).key("config.json").send().await.ok()?;
    let content_type = object.content_type().unwrap_or_default().to_owned();
    let cache_control = object.cache_control().unwrap_or_default().to_owned();
    let bytes = object.body.collect().await.unwrap().into_bytes();
    Some((serde_json::from_slice(&bytes).unwrap(), content_type, cache_control))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_update_and_delete_write_and_remove_config_json() {
    let moto = Moto::start().await;
    let cfn = CloudFormation::new(&moto.sdk_config().await);
    let s3 = s3(&moto).await;
    let function = handler(s3.clone());

    let name = unique("web-config");
    let created = cfn
        .create_stack()
        .stack_name(&name)
        .template_body(TEMPLATE)
        .parameters(Parameter::builder().parameter_key("FunctionName").parameter_value(format!("{name}-fn")).build())
        .send()
        .await
        .unwrap();
    let stack_id = created.stack_id().unwrap().to_owned();
    assert_eq!(status(&cfn, &stack_id).await, "CREATE_IN_PROGRESS", "moto waits for the custom resource");
    let resources = cfn.list_stack_resources().stack_name(&stack_id).send().await.unwrap();
    let bucket = resources
        .stack_resource_summaries()
        .iter()
        .find(|r| r.logical_resource_id() == Some("WebBucket"))
        .and_then(|r| r.physical_resource_id())
        .unwrap()
        .to_owned();
    let response_url = format!("{}/cloudformation_us-east-1/cfnresponse?stack={stack_id}", moto.url);

    // Create: the object, as the UI reads it, and the stack completes with the answer's Data.
    let answered =
        function.handle(web_request("Create", &response_url, &bucket, Some(&stack_id)), now(), BUDGET).await.unwrap();
    assert_eq!(answered["Status"], "SUCCESS", "{answered}");
    assert_eq!(answered["PhysicalResourceId"], format!("{bucket}/config.json"));
    let (document, content_type, cache_control) = config_json(&s3, &bucket).await.expect("config.json written");
    assert_eq!(
        document,
        json!({
            "apiUrl": "https://abc123defg.execute-api.us-east-1.amazonaws.com",
            "oidc": {
                "authority": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
                "clientId": "5k2b7q9d1e3f4g6h8j0l2n4p6r",
                "scope": "openid email profile",
                "bearer": "id_token"
            },
            "dashboardsUrl": "https://search-mozdef-abc.us-east-1.es.amazonaws.com/_dashboards"
        })
    );
    assert_eq!(content_type, "application/json");
    assert_eq!(cache_control, "no-store");
    assert_eq!(status(&cfn, &stack_id).await, "CREATE_COMPLETE");
    let described = cfn.describe_stacks().stack_name(&stack_id).send().await.unwrap();
    let key = described.stacks()[0].outputs().iter().find(|o| o.output_key() == Some("ConfigKey")).cloned();
    assert_eq!(key.and_then(|o| o.output_value().map(str::to_owned)).as_deref(), Some("config.json"));

    // Update: new settings rewrite the object (an external issuer, no Dashboards).
    let mut update = web_request("Update", &response_url, &bucket, Some(&stack_id));
    update["ResourceProperties"]["OidcAuthority"] = json!("https://idp.example.com/realms/soc/");
    update["ResourceProperties"]["OidcClientId"] = json!("mozdef-web");
    update["ResourceProperties"]["DashboardsUrl"] = json!("");
    let updated = function.handle(update, now(), BUDGET).await.unwrap();
    assert_eq!(updated["Status"], "SUCCESS", "{updated}");
    assert_eq!(updated["PhysicalResourceId"], answered["PhysicalResourceId"], "same bucket, same resource");
    let (document, _, _) = config_json(&s3, &bucket).await.expect("config.json rewritten");
    assert_eq!(document["oidc"]["authority"], "https://idp.example.com/realms/soc");
    assert_eq!(document["oidc"]["clientId"], "mozdef-web");
    assert_eq!(document["dashboardsUrl"], Value::Null);

    // Delete: the object goes (the bucket, versioned, keeps its history).
    let deleted =
        function.handle(web_request("Delete", &response_url, &bucket, Some(&stack_id)), now(), BUDGET).await.unwrap();
    assert_eq!(deleted["Status"], "SUCCESS", "{deleted}");
    assert!(config_json(&s3, &bucket).await.is_none(), "config.json removed");
    // Deleting again (CloudFormation retries) still succeeds.
    let again =
        function.handle(web_request("Delete", &response_url, &bucket, Some(&stack_id)), now(), BUDGET).await.unwrap();
    assert_eq!(again["Status"], "SUCCESS", "{again}");
    cfn.delete_stack().stack_name(&stack_id).send().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_properties_and_missing_buckets_are_answered_as_failed() {
    let moto = Moto::start().await;
    let s3 = s3(&moto).await;
    let bucket = unique("web-config-bad");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let function = handler(s3.clone());

    for (property, value, reason) in [
        ("Bucket", json!(""), "Custom::MozDefWebConfig: Bucket is missing"),
        (
            "ApiUrl",
            json!("ftp://api.example.com"),
            "Custom::MozDefWebConfig: ApiUrl \"ftp://api.example.com\" is not an http(s):// URL",
        ),
        ("OidcClientId", json!(""), "Custom::MozDefWebConfig: OidcAuthority is given without OidcClientId"),
    ] {
        let payload = |url: &str| {
            let mut payload = web_request("Create", url, &bucket, None);
            payload["ResourceProperties"][property] = value;
            payload
        };
        assert_failed_create(&function, payload, reason, "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "WebConfig").await;
        assert!(config_json(&s3, &bucket).await.is_none(), "nothing written for {property}");
    }

    // A bucket that does not exist: S3's refusal is the reason.
    let cloudformation = Recorder::start().await;
    let url = format!("{}/cfn-response/key?X-Amz-Signature=abc", cloudformation.url);
    let answered =
        function.handle(web_request("Create", &url, "mozdef-no-such-bucket", None), now(), BUDGET).await.unwrap();
    assert_eq!(answered["Status"], "FAILED", "{answered}");
    let reason = answered["Reason"].as_str().unwrap();
    assert!(reason.starts_with("writing s3://mozdef-no-such-bucket/config.json failed: NoSuchBucket"), "{reason}");

    // The rollback's Delete of that failed Create, and a Delete whose properties name no
    // bucket: nothing to remove, both succeed (a stack is never kept from going).
    for bucket in ["mozdef-no-such-bucket", ""] {
        let cloudformation = Recorder::start().await;
        let url = format!("{}/cfn-response/key?X-Amz-Signature=abc", cloudformation.url);
        let answered = function.handle(web_request("Delete", &url, bucket, None), now(), BUDGET).await.unwrap();
        assert_eq!(answered["Status"], "SUCCESS", "{bucket:?}: {answered}");
        assert_eq!(cloudformation.seen().len(), 1);
    }

    // Without an S3 client (a handler built for the indices alone) the request still gets
    // its answer.
    let cloudformation = Recorder::start().await;
    let url = format!("{}/cfn-response/key?X-Amz-Signature=abc", cloudformation.url);
    let without = maintenance_at(&dead_url(), &dead_url());
    let answered = without.handle(web_request("Create", &url, &bucket, None), now(), BUDGET).await.unwrap();
    assert_eq!(answered["Status"], "FAILED");
    assert_eq!(answered["Reason"], "Custom::MozDefWebConfig: this function has no S3 client");
}
