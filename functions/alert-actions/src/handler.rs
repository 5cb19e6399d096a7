//! The handler: each SQS record is one alert (`{_id, _index, _source}`); the records whose
//! actions failed transiently, whose outcomes could not be recorded, or that are not alerts
//! are reported as batch item failures, so SQS delivers them again (and, past the queue's
//! receive limit, moves them to its dead-letter queue: nothing is dropped).

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use mozdef_alerts::actions::AlertMessage;
use mozdef_service::ActionRunner;

/// Handles one batch.
pub async fn handle(event: SqsEvent, runner: &ActionRunner) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let failed = match record.body.as_deref().map(serde_json::from_str::<AlertMessage>) {
            None => {
                tracing::error!(message = %id, "SQS record without a body");
                true
            }
            Some(Err(error)) => {
                tracing::error!(message = %id, %error, "SQS record is not an alert message");
                true
            }
            Some(Ok(alert)) => match runner.handle(&alert).await {
                Ok(report) => {
                    tracing::info!(message = %id, alert = %alert.id, ran = report.outcomes.len(), retry = report.retry, "alert actions ran");
                    report.retry
                }
                Err(error) => {
                    tracing::error!(message = %id, alert = %alert.id, %error, "alert action outcomes not recorded");
                    true
                }
            },
        };
        if failed {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}
