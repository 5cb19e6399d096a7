//! [`SqsAlertQueue`]: the alerts queue (MozDef's `OPTIONS_ALERTSQSQUEUEURL`) as the alert
//! runner's [`AlertSink`]: each stored alert is sent as `{_id, _index, _source}` for the
//! alert-actions function.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::DisplayErrorContext;
use mozdef_alerts::actions::AlertMessage;
use mozdef_alerts::{AlertSink, BackendError, RaisedAlert};

/// The alerts SQS queue.
#[derive(Debug, Clone)]
pub struct SqsAlertQueue {
    client: Client,
    queue_url: String,
}

impl SqsAlertQueue {
    /// The queue at `queue_url`, reached through `client`.
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        SqsAlertQueue { client, queue_url: queue_url.into() }
    }
}

#[async_trait]
impl AlertSink for SqsAlertQueue {
    async fn publish(&self, alert: &RaisedAlert) -> Result<(), BackendError> {
        let body = AlertMessage::of_raised(alert).to_json().to_string();
        self.client.send_message().queue_url(&self.queue_url).message_body(body).send().await.map(|_| ()).map_err(|e| {
            let message = format!("SQS send to {}: {}", self.queue_url, DisplayErrorContext(&e));
            // Only a request the queue understood and refused (too large, access denied,
            // no such queue) fails the same way again.
            if matches!(e, aws_sdk_sqs::error::SdkError::ServiceError(_)) {
                BackendError::Failed(message)
            } else {
                BackendError::Unavailable(message)
            }
        })
    }
}
