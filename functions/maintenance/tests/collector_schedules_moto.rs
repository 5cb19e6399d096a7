//! The custom resource `Custom::MozDefCollectorSchedules` (one EventBridge rule per pull
//! collector source) on moto's EventBridge and CloudFormation (the AWS emulator from PyPI;
//! `MOZDEF_TEST_MOTO_URL` may name a running one). No OpenSearch is needed: the function's
//! cluster is a dead address, which this resource never calls.
//!
//! Through moto's CloudFormation, as `web_config_moto.rs` does: moto creates the stack's two
//! placeholder functions and waits for the custom resource; the test plays the maintenance
//! function with the request moto would send (its `cfnresponse` address, the stack's
//! parameter, the collectors function's ARN, `<stack>-collector-`) and the handler in
//! process. Create puts the rules and their target and completes the stack with the answer's
//! `Data`; Update changes a schedule, adds a source and removes one; Delete removes them all.
//! The exact answers of the failure paths go to a recording server: a bad configuration is
//! answered FAILED with the parser's message, and nothing is put.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_sdk_cloudformation::Client as CloudFormation;
use aws_sdk_cloudformation::types::Parameter;
use aws_sdk_eventbridge::Client as EventBridge;
use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use mozdef_aws::testing::Moto;
use mozdef_fn_maintenance::collector_schedules::EventRules;
use mozdef_fn_maintenance::handler::Handler;
use serde_json::{Value, json};
use support::{Recorder, assert_failed_create, dead_url, maintenance_at, now, request};

const TEMPLATE: &str = include_str!("fixtures/collectors-stack.json");
const CREATE: &str = include_str!("fixtures/collector-schedules-create.json");
const BUDGET: Duration = Duration::from_secs(60);

const OKTA: &str = r#"{"name": "okta", "provider": "okta", "secret": "okta-api-token", "settings": {"domain": "example.okta.com"}, "every_minutes": 5}"#;
const OKTA_EVERY_10: &str = r#"{"name": "okta", "provider": "okta", "secret": "okta-api-token", "settings": {"domain": "example.okta.com"}, "every_minutes": 10}"#;
const DUO: &str = r#"{"name": "duo", "provider": "duo", "secret": "duo-secret-key", "settings": {"api_host": "api-1a2b3c4d.duosecurity.com", "integration_key": "DIXXXXXXXXXXXXXXXXXX"}, "every_minutes": 1}"#;
const GOOGLE: &str = r#"{"name": "google", "provider": "google", "secret": "google-service-account", "settings": {"subject": "admin@example.com"}, "every_minutes": 15, "silence_minutes": 90}"#;
const AUTH0_OFF: &str = r#"{"name": "auth0", "provider": "auth0", "secret": "auth0-client-secret", "settings": {"domain": "example.auth0.com", "client_id": "abc"}, "enabled": false}"#;
const AUTH0_ON: &str = r#"{"name": "auth0", "provider": "auth0", "secret": "auth0-client-secret", "settings": {"domain": "example.auth0.com", "client_id": "abc"}, "every_minutes": 30}"#;

fn unique(what: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("mozdef-{what}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn collectors(sources: &[&str]) -> String {
    format!(r#"{{"sources": [{}]}}"#, sources.join(", "))
}

/// The function (its cluster unreachable: this resource never asks it) putting rules through
/// `events`.
fn handler(events: EventBridge) -> Handler {
    maintenance_at(&dead_url(), &dead_url()).with_event_rules(EventRules::new(events))
}

/// The resource's properties as CloudFormation passes them.
fn properties(collectors: &str, function_arn: &str, prefix: &str) -> Value {
    json!({
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:mozdef-maintenance",
        "Collectors": collectors,
        "FunctionArn": function_arn,
        "RulePrefix": prefix
    })
}

/// A request of `kind` (Create, Update, Delete) with `properties` (and, for Update, `old`),
/// answered at `response_url`; Update and Delete are for the resource `physical`.
fn schedules_request(kind: &str, response_url: &str, stack_id: Option<&str>, properties: &Value) -> Value {
    let mut payload = request(CREATE, response_url, stack_id);
    payload["RequestType"] = json!(kind);
    payload["ResourceProperties"] = properties.clone();
    if kind != "Create" {
        payload["PhysicalResourceId"] = properties["RulePrefix"].clone();
    }
    payload
}

fn update_request(response_url: &str, stack_id: Option<&str>, properties: &Value, old: &Value) -> Value {
    let mut payload = schedules_request("Update", response_url, stack_id, properties);
    payload["PhysicalResourceId"] = old["RulePrefix"].clone();
    payload["OldResourceProperties"] = old.clone();
    payload
}

async fn status(cfn: &CloudFormation, stack: &str) -> String {
    let described = cfn.describe_stacks().stack_name(stack).send().await.unwrap();
    described.stacks()[0].stack_status().unwrap().as_str().to_owned()
}

/// The rule `name`'s schedule, state and description; `None` when EventBridge has no such rule.
async fn rule(events: &EventBridge, name: &str) -> Option<(String, String, String)> {
    match events.describe_rule().name(name).send().await {
        Ok(rule) => Some((
            rule.schedule_expression().unwrap_or_default().to_owned(),
            rule.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
            rule.description().unwrap_or_default().to_owned(),
        )),
        Err(e) if e.code() == Some("ResourceNotFoundException") => None,
        Err(e) => panic!("describe_rule {name}: {e:?}"),
    }
}

/// The targets of the rule `name`: id, ARN, input.
async fn targets(events: &EventBridge, name: &str) -> Vec<(String, String, String)> {
    let listed = events.list_targets_by_rule().rule(name).send().await.unwrap();
    listed
        .targets()
        .iter()
        .map(|t| (t.id().to_owned(), t.arn().to_owned(), t.input().unwrap_or_default().to_owned()))
        .collect()
}

/// Checks that the rule of `source` runs every `rate` and invokes `function` for it alone.
async fn assert_schedule(events: &EventBridge, prefix: &str, source: &str, rate: &str, function: &str) {
    let name = format!("{prefix}{source}");
    let (schedule, state, description) = rule(events, &name).await.unwrap_or_else(|| panic!("no rule {name}"));
    assert_eq!(schedule, rate, "{name}");
    assert_eq!(state, "ENABLED", "{name}");
    assert!(description.contains(&format!("source {source}:")), "{name}: {description}");
    assert_eq!(
        targets(events, &name).await,
        [("collectors".to_owned(), function.to_owned(), format!(r#"{{"source":"{source}"}}"#))],
        "{name}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_update_and_delete_put_and_remove_the_rules() {
    let moto = Moto::start().await;
    let cfn = CloudFormation::new(&moto.sdk_config().await);
    let events = EventBridge::new(&moto.sdk_config().await);
    let function = handler(events.clone());

    let name = unique("schedules");
    let configured = collectors(&[OKTA, DUO, AUTH0_OFF, GOOGLE]);
    let created = cfn
        .create_stack()
        .stack_name(&name)
        .template_body(TEMPLATE)
        .parameters(Parameter::builder().parameter_key("FunctionName").parameter_value(format!("{name}-fn")).build())
        .parameters(Parameter::builder().parameter_key("Collectors").parameter_value(&configured).build())
        .send()
        .await
        .unwrap();
    let stack_id = created.stack_id().unwrap().to_owned();
    assert_eq!(status(&cfn, &stack_id).await, "CREATE_IN_PROGRESS", "moto waits for the custom resource");
    let response_url = format!("{}/cloudformation_us-east-1/cfnresponse?stack={stack_id}", moto.url);
    // What CloudFormation resolves the template's properties to.
    let prefix = format!("{name}-collector-");
    let collectors_arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{name}-fn-collectors");
    let resources = cfn.list_stack_resources().stack_name(&stack_id).send().await.unwrap();
    let collectors_fn = resources
        .stack_resource_summaries()
        .iter()
        .find(|r| r.logical_resource_id() == Some("CollectorsFunction"))
        .and_then(|r| r.physical_resource_id())
        .unwrap()
        .to_owned();
    assert!(collectors_arn.ends_with(&format!(":function:{collectors_fn}")), "{collectors_fn}");
    let first = properties(&configured, &collectors_arn, &prefix);

    // Create: a rule per enabled source, each with its one target; the disabled one has none.
    let answered = function
        .handle(schedules_request("Create", &response_url, Some(&stack_id), &first), now(), BUDGET)
        .await
        .unwrap();
    assert_eq!(answered["Status"], "SUCCESS", "{answered}");
    assert_eq!(answered["PhysicalResourceId"], prefix);
    assert_schedule(&events, &prefix, "okta", "rate(5 minutes)", &collectors_arn).await;
    assert_schedule(&events, &prefix, "duo", "rate(1 minute)", &collectors_arn).await;
    assert_schedule(&events, &prefix, "google", "rate(15 minutes)", &collectors_arn).await;
    assert_eq!(rule(&events, &format!("{prefix}auth0")).await, None, "a disabled source has no rule");
    assert_eq!(status(&cfn, &stack_id).await, "CREATE_COMPLETE");
    let described = cfn.describe_stacks().stack_name(&stack_id).send().await.unwrap();
    let rules = described.stacks()[0].outputs().iter().find(|o| o.output_key() == Some("Rules")).cloned();
    assert_eq!(
        rules.and_then(|o| o.output_value().map(str::to_owned)),
        Some(format!("{prefix}okta,{prefix}duo,{prefix}google"))
    );

    // Update: okta every 10 minutes, duo removed, auth0 enabled, google as it was.
    let second = properties(&collectors(&[OKTA_EVERY_10, AUTH0_ON, GOOGLE]), &collectors_arn, &prefix);
    let updated =
        function.handle(update_request(&response_url, Some(&stack_id), &second, &first), now(), BUDGET).await.unwrap();
    assert_eq!(updated["Status"], "SUCCESS", "{updated}");
    assert_eq!(updated["PhysicalResourceId"], prefix, "same prefix, same resource");
    assert_schedule(&events, &prefix, "okta", "rate(10 minutes)", &collectors_arn).await;
    assert_schedule(&events, &prefix, "auth0", "rate(30 minutes)", &collectors_arn).await;
    assert_schedule(&events, &prefix, "google", "rate(15 minutes)", &collectors_arn).await;
    assert_eq!(rule(&events, &format!("{prefix}duo")).await, None, "the removed source's rule is gone");

    // Delete: every rule goes; again (CloudFormation retries) still succeeds.
    for attempt in ["first", "again"] {
        let deleted = function
            .handle(schedules_request("Delete", &response_url, Some(&stack_id), &second), now(), BUDGET)
            .await
            .unwrap();
        assert_eq!(deleted["Status"], "SUCCESS", "{attempt}: {deleted}");
        assert_eq!(deleted["PhysicalResourceId"], prefix);
        for source in ["okta", "duo", "auth0", "google"] {
            assert_eq!(rule(&events, &format!("{prefix}{source}")).await, None, "{attempt}: {source}");
        }
    }
    cfn.delete_stack().stack_name(&stack_id).send().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_prefix_is_a_replacement_whose_delete_removes_the_old_rules() {
    let moto = Moto::start().await;
    let events = EventBridge::new(&moto.sdk_config().await);
    let function = handler(events.clone());
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:mozdef-collectors";
    let (old_prefix, new_prefix) = (format!("{}-a-", unique("replace")), format!("{}-b-", unique("replace")));
    let old = properties(&collectors(&[OKTA, DUO]), arn, &old_prefix);
    let new = properties(&collectors(&[OKTA, DUO]), arn, &new_prefix);
    let cloudformation = Recorder::start().await;
    let url = format!("{}/cfn-response/key?X-Amz-Signature=abc", cloudformation.url);

    let created = function.handle(schedules_request("Create", &url, None, &old), now(), BUDGET).await.unwrap();
    assert_eq!(created["Status"], "SUCCESS", "{created}");
    let updated = function.handle(update_request(&url, None, &new, &old), now(), BUDGET).await.unwrap();
    assert_eq!(updated["Status"], "SUCCESS", "{updated}");
    assert_eq!(updated["PhysicalResourceId"], new_prefix, "a new physical id: CloudFormation deletes the old one");
    for prefix in [&old_prefix, &new_prefix] {
        assert_schedule(&events, prefix, "okta", "rate(5 minutes)", arn).await;
        assert_schedule(&events, prefix, "duo", "rate(1 minute)", arn).await;
    }
    // CloudFormation's Delete of the replaced resource carries its own properties.
    let deleted = function.handle(schedules_request("Delete", &url, None, &old), now(), BUDGET).await.unwrap();
    assert_eq!(deleted["Status"], "SUCCESS", "{deleted}");
    assert_eq!(deleted["PhysicalResourceId"], old_prefix);
    assert_eq!(rule(&events, &format!("{old_prefix}okta")).await, None);
    assert_eq!(rule(&events, &format!("{old_prefix}duo")).await, None);
    assert_schedule(&events, &new_prefix, "okta", "rate(5 minutes)", arn).await;
    assert_eq!(cloudformation.seen().len(), 3, "every request answered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_properties_are_answered_as_failed_and_put_nothing() {
    let moto = Moto::start().await;
    let events = EventBridge::new(&moto.sdk_config().await);
    let function = handler(events.clone());
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:mozdef-collectors";
    let prefix = format!("{}-", unique("bad"));
    let bad_duo = DUO.replace(r#""every_minutes": 1"#, r#""every_minutes": 0"#);
    let long_prefix = format!("{prefix}{}", "x".repeat(60 - prefix.len()));

    for (props, reason) in [
        (
            properties(&collectors(&[OKTA, &bad_duo]), arn, &prefix),
            "Custom::MozDefCollectorSchedules: collector configuration: Collectors: sources[1] (\"duo\"): `every_minutes` must be 1–1440".to_owned(),
        ),
        (
            properties(&collectors(&[DUO, GOOGLE]), arn, &long_prefix),
            format!(
                "Custom::MozDefCollectorSchedules: source \"google\": its rule name \"{long_prefix}google\" is 66 characters, EventBridge takes at most 64 (shorten RulePrefix or the source's name)"
            ),
        ),
        (
            properties(&collectors(&[OKTA]), "", &prefix),
            "Custom::MozDefCollectorSchedules: FunctionArn is missing".to_owned(),
        ),
    ] {
        let payload = |url: &str| schedules_request("Create", url, None, &props);
        let physical = "3e9a1b2c-5d6e-4f70-8a91-b2c3d4e5f607";
        assert_failed_create(&function, payload, &reason, physical, "CollectorSchedules").await;
        let used = props["RulePrefix"].as_str().unwrap();
        for source in ["okta", "duo"] {
            assert_eq!(rule(&events, &format!("{used}{source}")).await, None, "nothing put before the check: {source}");
        }
    }

    // The rollback's Delete of a failed Create, and Deletes whose Collectors cannot be read:
    // nothing to remove, all succeed (a stack is never kept from going).
    for text in [collectors(&[OKTA, &bad_duo]), "{not json".to_owned(), String::new()] {
        let cloudformation = Recorder::start().await;
        let url = format!("{}/cfn-response/key?X-Amz-Signature=abc", cloudformation.url);
        let answered = function
            .handle(schedules_request("Delete", &url, None, &properties(&text, arn, &prefix)), now(), BUDGET)
            .await
            .unwrap();
        assert_eq!(answered["Status"], "SUCCESS", "{text:?}: {answered}");
        assert_eq!(cloudformation.seen().len(), 1);
    }

    // EventBridge refusing: a rule with another target cannot be deleted, and says so.
    let cloudformation = Recorder::start().await;
    let url = format!("{}/cfn-response/key?X-Amz-Signature=abc", cloudformation.url);
    let props = properties(&collectors(&[OKTA]), arn, &prefix);
    let created = function.handle(schedules_request("Create", &url, None, &props), now(), BUDGET).await.unwrap();
    assert_eq!(created["Status"], "SUCCESS", "{created}");
    let other = aws_sdk_eventbridge::types::Target::builder()
        .id("someone-else")
        .arn("arn:aws:sqs:us-east-1:123456789012:elsewhere")
        .build()
        .unwrap();
    events.put_targets().rule(format!("{prefix}okta")).targets(other).send().await.unwrap();
    let refused = function.handle(schedules_request("Delete", &url, None, &props), now(), BUDGET).await.unwrap();
    assert_eq!(refused["Status"], "FAILED", "{refused}");
    let reason = refused["Reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!("deleting the EventBridge rule \"{prefix}okta\" failed: ValidationException")),
        "{reason}"
    );

    // Without an EventBridge client (a handler built for the indices alone) the request still
    // gets its answer.
    let cloudformation = Recorder::start().await;
    let url = format!("{}/cfn-response/key?X-Amz-Signature=abc", cloudformation.url);
    let without = maintenance_at(&dead_url(), &dead_url());
    let answered = without.handle(schedules_request("Create", &url, None, &props), now(), BUDGET).await.unwrap();
    assert_eq!(answered["Status"], "FAILED");
    assert_eq!(answered["Reason"], "Custom::MozDefCollectorSchedules: this function has no EventBridge client");
    assert_eq!(cloudformation.seen().len(), 1);
}
