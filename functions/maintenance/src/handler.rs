//! The handler: an EventBridge scheduled event runs the index crons; a CloudFormation custom
//! resource request (told apart by its `RequestType` and `ResponseURL`) installs or keeps the
//! indices (`Custom::MozDefIndices`), writes or removes the web UI's `/config.json`
//! (`Custom::MozDefWebConfig`) or puts and deletes the pull collectors' EventBridge rules
//! (`Custom::MozDefCollectorSchedules`), and is answered at its `ResponseURL` on every path, by
//! the one `Handler::custom_resource`.

use std::time::Duration;

use anyhow::Context;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use mozdef_aws::cfn_response::{CfnResponder, CustomResourceRequest, CustomResourceResponse, ResponseTarget};
use serde_json::{Value, json};

use crate::collector_schedules::{self, EventRules};
use crate::web_config::{self, WebConfig, WebObjects};
use crate::{Maintenance, physical_id};

/// The resource type of the indices.
pub const RESOURCE_TYPE: &str = "Custom::MozDefIndices";

/// How much of an invocation is kept for answering CloudFormation: the answer is tried three
/// times with a ten-second timeout each.
pub const ANSWER_RESERVE: Duration = Duration::from_secs(35);

/// The time the work of an invocation may take: until `deadline_ms` (the invocation's
/// deadline, in milliseconds since the epoch) less [`ANSWER_RESERVE`], at least one second.
pub fn work_budget(deadline_ms: u64, now_ms: u64) -> Duration {
    let remaining = Duration::from_millis(deadline_ms.saturating_sub(now_ms));
    remaining.saturating_sub(ANSWER_RESERVE).max(Duration::from_secs(1))
}

/// What an invocation works with: the function's cluster and Dashboards, the web UI's
/// bucket, the collectors' EventBridge rules, and the way to answer CloudFormation.
#[derive(Debug, Clone)]
pub struct Handler {
    maintenance: Maintenance,
    responder: CfnResponder,
    web: Option<WebObjects>,
    rules: Option<EventRules>,
}

impl Handler {
    /// A handler over `maintenance`, answering custom resources through `responder` (and
    /// answering `Custom::MozDefWebConfig` as failed until [`Handler::with_web_objects`],
    /// `Custom::MozDefCollectorSchedules` until [`Handler::with_event_rules`]).
    pub fn new(maintenance: Maintenance, responder: CfnResponder) -> Self {
        Handler { maintenance, responder, web: None, rules: None }
    }

    /// The same handler writing the web UI's `/config.json` through `web`.
    pub fn with_web_objects(mut self, web: WebObjects) -> Self {
        self.web = Some(web);
        self
    }

    /// The same handler putting and deleting the collectors' schedules through `rules`.
    pub fn with_event_rules(mut self, rules: EventRules) -> Self {
        self.rules = Some(rules);
        self
    }

    /// Handles one invocation at `now`; a custom resource's work may take `budget` before it
    /// is answered as failed (so that CloudFormation is never left waiting).
    pub async fn handle(&self, payload: Value, now: DateTime<Utc>, budget: Duration) -> anyhow::Result<Value> {
        if payload.get("RequestType").is_some() || payload.get("ResponseURL").is_some() {
            return self.custom_resource(payload, now, budget).await;
        }
        if payload.get("detail-type").is_some() {
            let event: EventBridgeEvent<Value> =
                serde_json::from_value(payload).context("malformed EventBridge scheduled event")?;
            return self.scheduled(event, now).await;
        }
        anyhow::bail!(
            "unrecognised payload: neither an EventBridge scheduled event (detail-type) nor a CloudFormation custom resource request (RequestType, ResponseURL)"
        )
    }

    /// The index crons at the event's time (or `now`).
    async fn scheduled(&self, event: EventBridgeEvent<Value>, now: DateTime<Utc>) -> anyhow::Result<Value> {
        let at = event.time.unwrap_or(now);
        tracing::info!(source = %event.source, detail_type = %event.detail_type, at = %at, "index maintenance tick");
        let changes = self.maintenance.run_crons(at).await.context("index maintenance failed")?;
        let changes: Vec<String> = changes.iter().map(ToString::to_string).collect();
        tracing::info!(changes = changes.len(), "index maintenance done");
        Ok(json!({"changes": changes}))
    }

    /// A custom resource request, answered whatever happens; an error only when the answer
    /// did not reach CloudFormation (Lambda then retries the invocation) or cannot be sent at
    /// all.
    async fn custom_resource(&self, payload: Value, now: DateTime<Utc>, budget: Duration) -> anyhow::Result<Value> {
        let target = ResponseTarget::of(&payload)
            .context("CloudFormation custom resource request without a ResponseURL: there is nothing to answer")?;
        let service = match payload.get("ResourceType").and_then(Value::as_str) {
            Some(web_config::RESOURCE_TYPE) => "S3",
            Some(collector_schedules::RESOURCE_TYPE) => "EventBridge",
            _ => "OpenSearch",
        };
        let response = match serde_json::from_value::<CustomResourceRequest>(payload) {
            Err(e) => target.failure(&format!("malformed custom resource request: {e}")),
            Ok(request) => match tokio::time::timeout(budget, self.act(&request, &target, now)).await {
                Ok(response) => response,
                Err(_) => target.failure(&format!(
                    "{service} did not finish within {} s; nothing was answered in time",
                    budget.as_secs()
                )),
            },
        };
        tracing::info!(
            stack = %response.stack_id, resource = %response.logical_resource_id, status = ?response.status,
            reason = response.reason.as_deref().unwrap_or_default(), "custom resource handled"
        );
        self.responder.send(&target.response_url, &response).await?;
        Ok(
            json!({"Status": response.status, "Reason": response.reason, "PhysicalResourceId": response.physical_resource_id}),
        )
    }

    /// What a request does, and its answer.
    async fn act(
        &self,
        request: &CustomResourceRequest,
        target: &ResponseTarget,
        now: DateTime<Utc>,
    ) -> CustomResourceResponse {
        let resource_type = match request {
            CustomResourceRequest::Create(r) => &r.resource_type,
            CustomResourceRequest::Update(r) => &r.resource_type,
            CustomResourceRequest::Delete(r) => &r.resource_type,
            _ => return target.failure("unsupported custom resource request type"),
        };
        match resource_type.as_str() {
            RESOURCE_TYPE => self.indices(request, target, now).await,
            web_config::RESOURCE_TYPE => self.web_config(request, target).await,
            collector_schedules::RESOURCE_TYPE => match &self.rules {
                Some(rules) => rules.answer(request, target).await,
                None => target.failure(&format!(
                    "{}: this function has no EventBridge client",
                    collector_schedules::RESOURCE_TYPE
                )),
            },
            _ => match request {
                // Nothing of an unknown type was ever made here: its removal cannot fail.
                CustomResourceRequest::Delete(r) => target.success(&r.physical_resource_id, Default::default()),
                _ => target.failure(&format!(
                    "unsupported resource type {resource_type:?}: this function serves {RESOURCE_TYPE}, {} and {}",
                    web_config::RESOURCE_TYPE,
                    collector_schedules::RESOURCE_TYPE
                )),
            },
        }
    }

    /// `Custom::MozDefIndices`: Create and Update install the indices; Delete keeps them.
    async fn indices(
        &self,
        request: &CustomResourceRequest,
        target: &ResponseTarget,
        now: DateTime<Utc>,
    ) -> CustomResourceResponse {
        let physical = match request {
            CustomResourceRequest::Update(r) => r.physical_resource_id.clone(),
            CustomResourceRequest::Delete(r) => {
                tracing::info!(resource_type = %r.resource_type, "custom resource deleted: the indices and their data stay");
                return target.success(&r.physical_resource_id, Default::default());
            }
            _ => physical_id(self.maintenance.prefix()),
        };
        match self.maintenance.install(now).await {
            Ok(installed) => target.success(&physical, installed.data()),
            Err(e) => target.failure(&format!("installing the indices failed: {e}")),
        }
    }

    /// `Custom::MozDefWebConfig`: Create and Update put `/config.json` (a new bucket is a new
    /// physical id, so CloudFormation then deletes the old object); Delete removes it, and a
    /// Delete whose properties are unusable succeeds (nothing was written for them).
    async fn web_config(&self, request: &CustomResourceRequest, target: &ResponseTarget) -> CustomResourceResponse {
        let Some(web) = &self.web else {
            return target.failure(&format!("{}: this function has no S3 client", web_config::RESOURCE_TYPE));
        };
        let (properties, delete) = match request {
            CustomResourceRequest::Create(r) => (&r.resource_properties, None),
            CustomResourceRequest::Update(r) => (&r.resource_properties, None),
            CustomResourceRequest::Delete(r) => (&r.resource_properties, Some(&r.physical_resource_id)),
            _ => return target.failure("unsupported custom resource request type"),
        };
        let config = WebConfig::from_properties(properties);
        match (config, delete) {
            (Err(reason), None) => target.failure(&format!("{}: {reason}", web_config::RESOURCE_TYPE)),
            (Err(reason), Some(physical)) => {
                tracing::info!(%reason, "web configuration deleted: its properties named no object to remove");
                target.success(physical, Default::default())
            }
            (Ok(config), None) => match web.write(&config).await {
                Ok(()) => target.success(&config.physical_id(), config.data()),
                Err(reason) => target.failure(&reason),
            },
            (Ok(config), Some(physical)) => match web.remove(&config.bucket).await {
                Ok(()) => target.success(physical, Default::default()),
                Err(reason) => target.failure(&reason),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_keeps_time_to_answer() {
        assert_eq!(work_budget(1_000_000 + 300_000, 1_000_000), Duration::from_secs(265));
        assert_eq!(work_budget(1_000_000 + 10_000, 1_000_000), Duration::from_secs(1));
        assert_eq!(work_budget(0, 1_000_000), Duration::from_secs(1));
    }
}
