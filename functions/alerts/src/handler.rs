//! The handler: an EventBridge scheduled event runs the due alerts at the event's time.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use mozdef_service::AlertRunner;
use serde_json::{Value, json};

/// Runs the alerts due at the event's `time` (the invocation's clock, so a retried
/// invocation runs at the same instant and raises the same alert ids), or at `now` when the
/// event has no time. Fails when a run or a publish failed, after running everything else, so
/// Lambda retries the invocation (alerts already raised are not raised twice: their events are
/// tagged).
pub async fn handle(event: EventBridgeEvent<Value>, runner: &AlertRunner, now: DateTime<Utc>) -> anyhow::Result<Value> {
    let at = event.time.unwrap_or(now);
    tracing::info!(source = %event.source, detail_type = %event.detail_type, at = %at, "alert schedule tick");
    let reports = runner.run_due(at).await?;
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
