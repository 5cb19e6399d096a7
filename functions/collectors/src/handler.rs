//! The handler: `{"source": "<name>"}` (the input of the source's EventBridge rule) → one run
//! of that source. A failed run fails the invocation, so Lambda's retries of asynchronous
//! invocations try again; the next scheduled run continues from the saved cursor anyway.

use mozdef_collectors::runner::RunReport;
use mozdef_service::collectors::Collectors;
use serde::Deserialize;
use serde_json::Value;

/// The payload of a scheduled invocation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectRequest {
    /// The source to run.
    pub source: String,
}

/// Runs the source `payload` names.
///
/// # Errors
///
/// A payload that is not `{"source": "<name>"}`, or the run's failure.
pub async fn handle(payload: Value, collectors: &Collectors) -> anyhow::Result<RunReport> {
    let request: CollectRequest = serde_json::from_value(payload)
        .map_err(|e| anyhow::anyhow!("the payload must be {{\"source\": \"<name>\"}}: {e}"))?;
    let report = collectors.run(&request.source).await?;
    tracing::info!(source = %report.source, pages = report.pages, events = report.events, more = report.more, "collected");
    Ok(report)
}
