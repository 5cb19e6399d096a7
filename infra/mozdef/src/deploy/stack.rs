//! The stack itself: create or update through a change set, follow the events to the end,
//! report the failing resource; delete.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{Context, bail};
use aws_sdk_cloudformation::Client as CloudFormation;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, Parameter, StackResourceSummary, StackStatus,
};
use serde_json::Value;

use super::progress::Progress;

/// The SDK clients `mozdef deploy` uses.
#[derive(Debug, Clone)]
pub struct Clients {
    /// CloudFormation.
    pub cloudformation: CloudFormation,
    /// S3 (path-style addressing against an emulator).
    pub s3: aws_sdk_s3::Client,
    /// STS, for the account id.
    pub sts: aws_sdk_sts::Client,
    /// CloudFront, for the web UI's invalidations.
    pub cloudfront: aws_sdk_cloudfront::Client,
}

impl Clients {
    /// Clients on `sdk`; `emulator` selects S3 path-style addressing.
    pub fn new(sdk: &mozdef_aws::SdkConfig, emulator: bool) -> Self {
        let s3 = aws_sdk_s3::config::Builder::from(sdk).force_path_style(emulator).build();
        Clients {
            cloudformation: CloudFormation::new(sdk),
            s3: aws_sdk_s3::Client::from_conf(s3),
            sts: aws_sdk_sts::Client::new(sdk),
            cloudfront: aws_sdk_cloudfront::Client::new(sdk),
        }
    }
}

/// The account the credentials belong to.
pub async fn account_id(clients: &Clients) -> anyhow::Result<String> {
    let identity = clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{}", aws_sdk_sts::error::DisplayErrorContext(e)))
        .context("cannot tell the AWS account (sts:GetCallerIdentity)")?;
    identity.account().map(str::to_owned).context("sts:GetCallerIdentity named no account")
}

/// The parameters a JSON template declares, with their defaults as text (`None`: no default).
pub fn declared_parameters(template: &str) -> anyhow::Result<BTreeMap<String, Option<String>>> {
    let template: Value = serde_json::from_str(template)?;
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(template
        .get("Parameters")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.get("Default").map(text))).collect())
        .unwrap_or_default())
}

/// How often the stack is polled.
const POLL: Duration = Duration::from_secs(2);

/// Creates the stack, or updates it in place, through a change set; returns its outputs.
pub async fn create_or_update(
    clients: &Clients,
    stack: &str,
    template_url: &str,
    parameters: &BTreeMap<String, String>,
    declared: &BTreeMap<String, Option<String>>,
) -> anyhow::Result<BTreeMap<String, String>> {
    let cfn = &clients.cloudformation;
    let existing = current_status(cfn, stack).await?;
    let change_type = match &existing {
        Some(status) if *status != StackStatus::ReviewInProgress => ChangeSetType::Update,
        _ => ChangeSetType::Create,
    };
    if let Some(status) = &existing
        && status.as_str().ends_with("_IN_PROGRESS")
        && *status != StackStatus::ReviewInProgress
    {
        bail!("stack {stack} is busy ({}); wait for it to finish", status.as_str());
    }
    let name = format!("mozdef-{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let started = aws_smithy_now();
    let mut request = cfn
        .create_change_set()
        .stack_name(stack)
        .change_set_name(&name)
        .change_set_type(change_type.clone())
        .template_url(template_url)
        .capabilities(Capability::CapabilityIam)
        .capabilities(Capability::CapabilityNamedIam)
        .capabilities(Capability::CapabilityAutoExpand);
    for (key, value) in parameters {
        request = request.parameters(Parameter::builder().parameter_key(key).parameter_value(value).build());
    }
    // An update keeps the values the stack was given before for every parameter not given
    // now (not the template's defaults: an existing endpoint must not turn into a new domain).
    // A value equal to the template's default is left to the default.
    if change_type == ChangeSetType::Update {
        for (key, value) in previous_parameters(cfn, stack).await? {
            let Some(default) = declared.get(&key) else { continue };
            if parameters.contains_key(&key) || (value.is_some() && value == *default) {
                continue;
            }
            // A NoEcho value reads back masked: only CloudFormation can carry it over.
            let parameter = match value {
                Some(value) if value != "****" => Parameter::builder().parameter_key(key).parameter_value(value),
                _ => Parameter::builder().parameter_key(key).use_previous_value(true),
            };
            request = request.parameters(parameter.build());
        }
    }
    request.send().await.map_err(sdk_error).context("cannot create the change set")?;
    println!("change set {name} ({}) for stack {stack}", change_type.as_str());
    if !wait_for_change_set(cfn, stack, &name).await? {
        println!("no changes: stack {stack} is up to date");
        let _ = cfn.delete_change_set().stack_name(stack).change_set_name(&name).send().await;
        return outputs(cfn, stack).await;
    }
    cfn.execute_change_set()
        .stack_name(stack)
        .change_set_name(&name)
        .send()
        .await
        .map_err(sdk_error)
        .context("cannot execute the change set")?;
    let status = follow(cfn, stack, started, false).await?;
    if !matches!(status, StackStatus::CreateComplete | StackStatus::UpdateComplete) {
        let reason = first_failure(cfn, stack, started).await?;
        bail!("stack {stack} ended {}: {reason}", status.as_str());
    }
    println!("stack {stack}: {}", status.as_str());
    outputs(cfn, stack).await
}

/// Deletes the stack (and with `data`, empties and deletes its buckets and the artefacts
/// bucket first).
pub async fn delete(clients: &Clients, stack: &str, data: bool, artefacts_bucket: Option<&str>) -> anyhow::Result<()> {
    let cfn = &clients.cloudformation;
    if current_status(cfn, stack).await?.is_none() {
        println!("no stack {stack}");
        return Ok(());
    }
    let mut buckets = Vec::new();
    if data {
        for resource in &stack_resources(cfn, stack).await? {
            if resource.resource_type() == Some("AWS::S3::Bucket")
                && let Some(bucket) = resource.physical_resource_id()
            {
                buckets.push(bucket.to_owned());
            }
        }
        for bucket in &buckets {
            empty_bucket(&clients.s3, bucket).await?;
        }
    }
    let started = aws_smithy_now();
    cfn.delete_stack().stack_name(stack).send().await.map_err(sdk_error).context("cannot delete the stack")?;
    let status = follow(cfn, stack, started, true).await?;
    if status != StackStatus::DeleteComplete {
        let reason = first_failure(cfn, stack, started).await?;
        bail!("stack {stack} ended {}: {reason}", status.as_str());
    }
    println!("stack {stack} deleted");
    if data {
        for bucket in buckets.iter().cloned().chain(artefacts_bucket.map(str::to_owned)) {
            // Retained buckets outlive the stack: remove them as asked.
            empty_bucket(&clients.s3, &bucket).await?;
            match clients.s3.delete_bucket().bucket(&bucket).send().await {
                Ok(_) => println!("deleted bucket {bucket}"),
                Err(e) if e.code() == Some("NoSuchBucket") => {}
                Err(e) => {
                    let e = anyhow::anyhow!("{}", aws_sdk_s3::error::DisplayErrorContext(e));
                    return Err(e.context(format!("cannot delete the bucket {bucket}")));
                }
            }
        }
    } else {
        println!("buckets that hold data are kept (pass --delete-data to remove them)");
    }
    Ok(())
}

/// Every resource of the stack (all pages: a stack lists 100 a page, and MozDef's has more).
pub async fn stack_resources(cfn: &CloudFormation, stack: &str) -> anyhow::Result<Vec<StackResourceSummary>> {
    let mut pages = cfn.list_stack_resources().stack_name(stack).into_paginator().send();
    let mut resources = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(sdk_error).context("cannot list the stack's resources")?;
        resources.extend(page.stack_resource_summaries().iter().cloned());
    }
    Ok(resources)
}

/// Deletes every object version and delete marker of `bucket` (the stack's buckets are
/// versioned), so the bucket itself can go.
async fn empty_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> anyhow::Result<()> {
    let (mut key_marker, mut version_marker) = (None, None);
    loop {
        let listed = match s3
            .list_object_versions()
            .bucket(bucket)
            .set_key_marker(key_marker.clone())
            .set_version_id_marker(version_marker.clone())
            .send()
            .await
        {
            Ok(listed) => listed,
            Err(e) if e.code() == Some("NoSuchBucket") => return Ok(()),
            Err(e) => return Err(anyhow::anyhow!("{}", aws_sdk_s3::error::DisplayErrorContext(e))),
        };
        let versions = listed.versions().iter().map(|v| (v.key(), v.version_id()));
        let markers = listed.delete_markers().iter().map(|m| (m.key(), m.version_id()));
        for (key, version) in versions.chain(markers) {
            let Some(key) = key else { continue };
            s3.delete_object()
                .bucket(bucket)
                .key(key)
                .set_version_id(version.map(str::to_owned))
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("{}", aws_sdk_s3::error::DisplayErrorContext(e)))
                .with_context(|| format!("cannot delete s3://{bucket}/{key}"))?;
        }
        if listed.is_truncated() != Some(true) {
            return Ok(());
        }
        key_marker = listed.next_key_marker().map(str::to_owned);
        version_marker = listed.next_version_id_marker().map(str::to_owned);
    }
}

/// An SDK error as one readable line: the service's code and message when it answered,
/// the whole context otherwise.
pub fn sdk_error<E, R>(error: aws_sdk_cloudformation::error::SdkError<E, R>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => anyhow::anyhow!("{code}: {message}"),
        _ => anyhow::anyhow!("{}", DisplayErrorContext(error)),
    }
}

/// The stack's status, `None` when there is none (or only a deleted one).
async fn current_status(cfn: &CloudFormation, stack: &str) -> anyhow::Result<Option<StackStatus>> {
    match cfn.describe_stacks().stack_name(stack).send().await {
        Ok(out) => Ok(out
            .stacks()
            .first()
            .and_then(|s| s.stack_status().cloned())
            .filter(|status| *status != StackStatus::DeleteComplete)),
        Err(e) if e.code() == Some("ValidationError") => Ok(None),
        Err(e) => Err(sdk_error(e)).context("cannot describe the stack"),
    }
}

/// Waits until the change set is ready; `false` when it holds no change.
async fn wait_for_change_set(cfn: &CloudFormation, stack: &str, name: &str) -> anyhow::Result<bool> {
    loop {
        let out = cfn
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(sdk_error)
            .context("cannot describe the change set")?;
        match out.status() {
            Some(ChangeSetStatus::CreateComplete) => return Ok(true),
            Some(ChangeSetStatus::Failed) => {
                let reason = out.status_reason().unwrap_or("no reason given");
                if reason.contains("didn't contain changes") || reason.contains("No updates") {
                    return Ok(false);
                }
                bail!("the change set failed: {reason}");
            }
            _ => tokio::time::sleep(POLL).await,
        }
    }
}

/// Follows the stack's events from `since` until its status is no longer in progress, and
/// returns that status (`DELETE_COMPLETE` when a deleted stack is gone).
async fn follow(
    cfn: &CloudFormation,
    stack: &str,
    since: aws_sdk_cloudformation::primitives::DateTime,
    deleting: bool,
) -> anyhow::Result<StackStatus> {
    let mut progress = Progress::new(stack);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    loop {
        if let Ok(events) = cfn.describe_stack_events().stack_name(stack).send().await {
            let mut fresh: Vec<_> = events
                .stack_events()
                .iter()
                .filter(|e| e.timestamp().is_some_and(|t| t.secs() >= since.secs()))
                .filter(|e| seen.insert(e.event_id().unwrap_or_default().to_owned()))
                .collect();
            fresh.reverse();
            for event in fresh {
                progress.event(
                    event.resource_status().map(|s| s.as_str()).unwrap_or_default(),
                    event.resource_type().unwrap_or_default(),
                    event.logical_resource_id().unwrap_or_default(),
                    event.resource_status_reason(),
                );
            }
        }
        match current_status(cfn, stack).await? {
            None if deleting => {
                progress.finish();
                return Ok(StackStatus::DeleteComplete);
            }
            None => bail!("stack {stack} disappeared"),
            Some(status) if status.as_str().ends_with("_IN_PROGRESS") => tokio::time::sleep(POLL).await,
            Some(status) => {
                progress.finish();
                return Ok(status);
            }
        }
    }
}

/// The first resource that failed since `since`, with CloudFormation's reason.
async fn first_failure(
    cfn: &CloudFormation,
    stack: &str,
    since: aws_sdk_cloudformation::primitives::DateTime,
) -> anyhow::Result<String> {
    let events = cfn
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
        .map_err(sdk_error)
        .context("cannot read the stack's events")?;
    let failed = events.stack_events().iter().rev().find(|e| {
        e.timestamp().is_some_and(|t| t.secs() >= since.secs())
            && e.resource_status().is_some_and(|s| s.as_str().ends_with("_FAILED"))
            && e.logical_resource_id() != Some(stack)
    });
    Ok(match failed {
        Some(event) => format!(
            "{} ({}) {}: {}",
            event.logical_resource_id().unwrap_or_default(),
            event.resource_type().unwrap_or_default(),
            event.resource_status().map(|s| s.as_str()).unwrap_or_default(),
            event.resource_status_reason().unwrap_or("no reason given")
        ),
        None => "no resource reported a failure".to_owned(),
    })
}

/// The parameters the stack has now, with their values.
async fn previous_parameters(cfn: &CloudFormation, stack: &str) -> anyhow::Result<Vec<(String, Option<String>)>> {
    let out =
        cfn.describe_stacks().stack_name(stack).send().await.map_err(sdk_error).context("cannot read the stack")?;
    Ok(out
        .stacks()
        .first()
        .map(|s| {
            s.parameters()
                .iter()
                .filter_map(|p| Some((p.parameter_key()?.to_owned(), p.parameter_value().map(str::to_owned))))
                .collect()
        })
        .unwrap_or_default())
}

/// The stack's outputs.
async fn outputs(cfn: &CloudFormation, stack: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let out = cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(sdk_error)
        .context("cannot read the stack's outputs")?;
    Ok(out
        .stacks()
        .first()
        .map(|s| {
            s.outputs()
                .iter()
                .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value().unwrap_or_default().to_owned())))
                .collect()
        })
        .unwrap_or_default())
}

/// Now, a second back (events are stamped by the service's clock, to the second).
fn aws_smithy_now() -> aws_sdk_cloudformation::primitives::DateTime {
    let now = std::time::SystemTime::now() - Duration::from_secs(1);
    aws_sdk_cloudformation::primitives::DateTime::from(now)
}
