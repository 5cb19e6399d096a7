//! The handler: an EventBridge scheduled event runs the due alerts at the event's time; a
//! run-now payload from the API function (`{"mozdef-run": {"names": [...], "at": "..."}}`,
//! [`RunNowRequest`]) runs the named alerts at the time it was asked for.

use anyhow::Context;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use mozdef_aws::alert_invoke::RunNowRequest;
use mozdef_service::{AlertRunner, RunReport};
use serde_json::{Value, json};

/// Handles one invocation's payload, told apart by its shape: a run-now payload (its one key
/// is `mozdef-run`) or an EventBridge scheduled event.
pub async fn handle_payload(payload: Value, runner: &AlertRunner, now: DateTime<Utc>) -> anyhow::Result<Value> {
    if let Some(request) = RunNowRequest::from_payload(&payload).map_err(anyhow::Error::msg)? {
        return handle_run_now(request, runner, now).await;
    }
    let event: EventBridgeEvent<Value> = serde_json::from_value(payload)
        .context("payload is neither a run-now request (mozdef-run) nor an EventBridge scheduled event")?;
    handle(event, runner, now).await
}

/// Runs the alerts a run-now request names (empty: every enabled one) at its `at` (or
/// `now`). Fails when a name is unknown or a run or publish failed, after running
/// everything else, as a scheduled run does.
pub async fn handle_run_now(request: RunNowRequest, runner: &AlertRunner, now: DateTime<Utc>) -> anyhow::Result<Value> {
    let at = request.run_at().map_err(anyhow::Error::msg)?.unwrap_or(now);
    tracing::info!(names = ?request.names, at = %at, "alerts run now");
    let reports = runner.run_named(&request.names, at).await?;
    summarize(&reports)
}

/// Runs the alerts due at the event's `time` (the invocation's clock, so a retried
/// invocation runs at the same instant and raises the same alert ids), or at `now` when the
/// event has no time. Fails when a run or a publish failed, after running everything else, so
/// Lambda retries the invocation (alerts already raised are not raised twice: their events are
/// tagged).
pub async fn handle(event: EventBridgeEvent<Value>, runner: &AlertRunner, now: DateTime<Utc>) -> anyhow::Result<Value> {
    let at = event.time.unwrap_or(now);
    tracing::info!(source = %event.source, detail_type = %event.detail_type, at = %at, "alert schedule tick");
    let reports = runner.run_due(at).await?;
    summarize(&reports)
}

/// What ran and what it raised; an error listing every failed run.
fn summarize(reports: &[RunReport]) -> anyhow::Result<Value> {
    let raised: usize = reports.iter().map(|r| r.raised.len()).sum();
    let ran: Vec<&str> = reports.iter().map(|r| r.name.as_str()).collect();
    let errors: Vec<String> =
        reports.iter().flat_map(|r| r.errors.iter().map(|e| format!("{}: {e}", r.name))).collect();
    tracing::info!(ran = ran.len(), raised, errors = errors.len(), "alerts ran");
    if !errors.is_empty() {
        anyhow::bail!("{} alert run error(s): {}", errors.len(), errors.join("; "));
    }
    Ok(json!({"ran": ran, "raised": raised}))
}
