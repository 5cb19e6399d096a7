//! The custom resource `Custom::MozDefIndices` through moto's CloudFormation (the AWS
//! emulator from PyPI) and a real OpenSearch node.
//!
//! moto creates the stack's role and function, then calls the function (which it cannot run:
//! no Docker here) and waits in CREATE_IN_PROGRESS until something PUTs an answer to its
//! `cfnresponse` address. The request moto sends carries
//! `ResponseURL = <MOTO_HOST>:<MOTO_PORT>/cloudformation_<region>/cfnresponse?stack=<stack id>`
//! (moto/cloudformation/custom_model.py; the host defaults to `http://host.docker.internal`
//! and the port to 5000, for a function running in a container), so the test plays the
//! function: it builds the request with that URL on the moto it talks to and calls the
//! handler in process. What moto 5.2 does with the answers (moto/cloudformation/responses.py
//! `process_cfn_response`): a SUCCESS stores `Data` (readable with `Fn::GetAtt`) and completes
//! the stack; a FAILED is accepted (200) and otherwise ignored, so the stack stays in
//! CREATE_IN_PROGRESS instead of reaching CREATE_FAILED. On update and delete moto calls no
//! function and waits for nothing: UPDATE_COMPLETE and DELETE_COMPLETE come from moto alone
//! (and a SUCCESS answer after an update puts its status back to CREATE_COMPLETE). The
//! answers' exact bodies on every path are checked against a recording server in
//! `custom_resource_answers.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::Parameter;
use mozdef_aws::testing::Moto;
use mozdef_fn_maintenance::handler::Handler;
use mozdef_store_opensearch::client::Client as OpenSearchClient;
use opensearch::http::Method;
use serde_json::Value;
use support::{Recorder, dead_url, maintenance, maintenance_at, now, request};

const TEMPLATE: &str = include_str!("fixtures/stack.json");
const CREATE: &str = include_str!("fixtures/custom-resource-create.json");
const UPDATE: &str = include_str!("fixtures/custom-resource-update.json");
const DELETE: &str = include_str!("fixtures/custom-resource-delete.json");
const BUDGET: Duration = Duration::from_secs(120);

/// A stack and function name no other test (sharing one moto) uses.
fn unique(what: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("mozdef-{what}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn parameter(key: &str, value: &str) -> Parameter {
    Parameter::builder().parameter_key(key).parameter_value(value).build()
}

/// Creates the test stack; returns its id. moto leaves it waiting for the custom resource.
async fn create_stack(cfn: &Client, name: &str) -> String {
    let created = cfn
        .create_stack()
        .stack_name(name)
        .template_body(TEMPLATE)
        .parameters(parameter("FunctionName", &format!("{name}-fn")))
        .send()
        .await
        .unwrap();
    created.stack_id().unwrap().to_owned()
}

async fn status(cfn: &Client, stack: &str) -> String {
    let described = cfn.describe_stacks().stack_name(stack).send().await.unwrap();
    described.stacks()[0].stack_status().unwrap().as_str().to_owned()
}

async fn output(cfn: &Client, stack: &str, key: &str) -> Option<String> {
    let described = cfn.describe_stacks().stack_name(stack).send().await.unwrap();
    described.stacks()[0]
        .outputs()
        .iter()
        .find(|o| o.output_key() == Some(key))
        .and_then(|o| o.output_value())
        .map(str::to_owned)
}

/// moto's `cfnresponse` address for `stack`, on the moto the test talks to.
fn moto_response_url(moto: &Moto, stack_id: &str) -> String {
    format!("{}/cloudformation_us-east-1/cfnresponse?stack={stack_id}", moto.url)
}

/// Plays the function for `stack`: the `fixture` request (for the resource `physical` when
/// given) with moto's response URL, through the handler; returns what the handler answered.
async fn play(handler: &Handler, moto: &Moto, stack_id: &str, fixture: &str, physical: Option<&Value>) -> Value {
    let mut payload = request(fixture, &moto_response_url(moto, stack_id), Some(stack_id));
    if let Some(physical) = physical {
        payload["PhysicalResourceId"] = physical.clone();
    }
    handler.handle(payload, now(), BUDGET).await.unwrap()
}

async fn exists(client: &OpenSearchClient, path: &str) -> bool {
    client.send(Method::Head, path, &[], None).await.unwrap().status == 200
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_update_and_delete_answer_moto_and_keep_the_data() {
    let moto = Moto::start().await;
    let cfn = Client::new(&moto.sdk_config().await);
    let dashboards = Recorder::start().await;
    let (maintenance, store, _cleanup) = maintenance(&format!("{}/_dashboards", dashboards.url)).await;
    let client = store.client();
    // The isolated prefix comes with MozDef's template: remove it, so that the install is
    // seen to put it back.
    let template = format!("/_index_template/{}", client.physical("mozdef"));
    client.send(Method::Delete, &template, &[], None).await.unwrap();
    assert!(!exists(client, &template).await);

    let name = unique("indices");
    let stack_id = create_stack(&cfn, &name).await;
    assert_eq!(status(&cfn, &stack_id).await, "CREATE_IN_PROGRESS", "moto waits for the custom resource");

    let answered = play(&maintenance, &moto, &stack_id, CREATE, None).await;
    assert_eq!(answered["Status"], "SUCCESS", "{answered}");
    assert_eq!(answered["PhysicalResourceId"], mozdef_fn_maintenance::physical_id(client.prefix()));
    assert_eq!(status(&cfn, &stack_id).await, "CREATE_COMPLETE");
    let prefix = client.prefix();
    assert_eq!(
        output(&cfn, &stack_id, "IndexPatterns").await.as_deref(),
        Some(format!("{prefix}events*,{prefix}alerts*").as_str()),
        "the answer's Data reached CloudFormation (Fn::GetAtt)"
    );
    // What the install did on OpenSearch: the template, today's indices and their aliases.
    assert!(exists(client, &template).await, "template installed again");
    let indices: Vec<String> =
        mozdef_store_opensearch::list(client).await.unwrap().into_iter().map(|i| i.name).collect();
    assert_eq!(indices, ["alerts-202611", "events-20261123"]);
    let events_alias: Value =
        client.json(Method::Get, &format!("/_alias/{}", client.physical("events")), &[], None).await.unwrap();
    assert_eq!(events_alias.as_object().unwrap().keys().collect::<Vec<_>>(), [&client.physical("events-20261123")]);
    // And on Dashboards: one saved object per pattern.
    let saved: Vec<String> = dashboards.seen().iter().map(|s| s.uri.path().to_owned()).collect();
    assert_eq!(
        saved,
        [
            format!("/_dashboards/api/saved_objects/index-pattern/mozdef-{prefix}events"),
            format!("/_dashboards/api/saved_objects/index-pattern/mozdef-{prefix}alerts")
        ]
    );

    // Update: a new property value. moto marks UPDATE_COMPLETE by itself (its custom
    // resources have no update); the function is answered all the same, as CloudFormation
    // would ask it. The outputs go: moto cannot read an updated custom resource's attributes.
    let mut template_v2: Value = serde_json::from_str(TEMPLATE).unwrap();
    template_v2.as_object_mut().unwrap().remove("Outputs");
    cfn.update_stack()
        .stack_name(&stack_id)
        .template_body(template_v2.to_string())
        .parameters(parameter("FunctionName", &format!("{name}-fn")))
        .parameters(parameter("Version", "2"))
        .send()
        .await
        .unwrap();
    assert_eq!(status(&cfn, &stack_id).await, "UPDATE_COMPLETE");
    let updated = play(&maintenance, &moto, &stack_id, UPDATE, Some(&answered["PhysicalResourceId"])).await;
    assert_eq!(updated["Status"], "SUCCESS", "{updated}");
    assert_eq!(updated["PhysicalResourceId"], answered["PhysicalResourceId"], "an update replaces nothing");
    assert_eq!(dashboards.seen().len(), 4, "the patterns are saved again (overwrite)");

    // Delete: answered, nothing removed.
    let deleted = play(&maintenance, &moto, &stack_id, DELETE, Some(&answered["PhysicalResourceId"])).await;
    assert_eq!(deleted["Status"], "SUCCESS", "{deleted}");
    cfn.delete_stack().stack_name(&stack_id).send().await.unwrap();
    assert_eq!(status(&cfn, &stack_id).await, "DELETE_COMPLETE");
    let after: Vec<String> = mozdef_store_opensearch::list(client).await.unwrap().into_iter().map(|i| i.name).collect();
    assert_eq!(after, indices, "deleting the resource keeps the indices");
    assert!(exists(client, &template).await);
    assert_eq!(dashboards.seen().len(), 4, "a delete touches no Dashboards object");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_opensearch_is_answered_as_failed_and_the_stack_does_not_complete() {
    let moto = Moto::start().await;
    let cfn = Client::new(&moto.sdk_config().await);
    let dashboards = Recorder::start().await;
    let maintenance = maintenance_at(&dead_url(), &dashboards.url);
    let stack_id = create_stack(&cfn, &unique("indices-down")).await;

    let answered = play(&maintenance, &moto, &stack_id, CREATE, None).await;
    assert_eq!(answered["Status"], "FAILED", "{answered}");
    let reason = answered["Reason"].as_str().unwrap();
    assert!(reason.starts_with("installing the indices failed: OpenSearch unreachable:"), "{reason}");
    // moto took the answer (the handler saw a 2xx) and, as it drops FAILED answers, keeps
    // waiting: the stack is not complete.
    assert_eq!(status(&cfn, &stack_id).await, "CREATE_IN_PROGRESS");
    assert!(dashboards.seen().is_empty(), "no index pattern without the indices");
    cfn.delete_stack().stack_name(&stack_id).send().await.unwrap();
}
