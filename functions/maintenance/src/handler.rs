//! The handler: an EventBridge scheduled event runs the index crons; a CloudFormation custom
//! resource request (told apart by its `RequestType` and `ResponseURL`) installs or keeps the
//! indices and is answered at its `ResponseURL` on every path.

use std::time::Duration;

use anyhow::Context;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use mozdef_aws::cfn_response::{CfnResponder, CustomResourceRequest, CustomResourceResponse, ResponseTarget};
use serde_json::{Value, json};

use crate::{Maintenance, physical_id};

/// The resource type this function serves.
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

/// What an invocation works with: the function's cluster and Dashboards, and the way to
/// answer CloudFormation.
#[derive(Debug, Clone)]
pub struct Handler {
    maintenance: Maintenance,
    responder: CfnResponder,
}

impl Handler {
    /// A handler over `maintenance`, answering custom resources through `responder`.
    pub fn new(maintenance: Maintenance, responder: CfnResponder) -> Self {
        Handler { maintenance, responder }
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
        let response = match serde_json::from_value::<CustomResourceRequest>(payload) {
            Err(e) => target.failure(&format!("malformed custom resource request: {e}")),
            Ok(request) => match tokio::time::timeout(budget, self.act(&request, &target, now)).await {
                Ok(response) => response,
                Err(_) => target.failure(&format!(
                    "OpenSearch did not finish within {} s; nothing was answered in time",
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
        let (resource_type, physical) = match request {
            CustomResourceRequest::Create(r) => (&r.resource_type, physical_id(self.maintenance.prefix())),
            CustomResourceRequest::Update(r) => (&r.resource_type, r.physical_resource_id.clone()),
            CustomResourceRequest::Delete(r) => {
                tracing::info!(resource_type = %r.resource_type, "custom resource deleted: the indices and their data stay");
                return target.success(&r.physical_resource_id, Default::default());
            }
            _ => return target.failure("unsupported custom resource request type"),
        };
        if resource_type != RESOURCE_TYPE {
            return target.failure(&format!(
                "unsupported resource type {resource_type:?}: this function serves {RESOURCE_TYPE}"
            ));
        }
        match self.maintenance.install(now).await {
            Ok(installed) => target.success(&physical, installed.data()),
            Err(e) => target.failure(&format!("installing the indices failed: {e}")),
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
