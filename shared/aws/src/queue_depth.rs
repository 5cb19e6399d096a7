//! The SQS queues' depth for the REST API's health page (MozDef's `sqs_queue_status`):
//! ApproximateNumberOfMessages, ...NotVisible and ...Delayed of each queue, asked when the
//! page is read.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::QueueAttributeName;
use mozdef_store::{QueueDepth, QueueError, QueueStatus};

/// The depth of a fixed list of SQS queues.
#[derive(Debug, Clone)]
pub struct SqsQueueDepth {
    client: Client,
    urls: Vec<String>,
}

impl SqsQueueDepth {
    /// The queues at `urls`.
    pub fn new(client: Client, urls: Vec<String>) -> Self {
        SqsQueueDepth { client, urls }
    }
}

/// The queue's name: the last segment of its URL.
fn name(url: &str) -> String {
    url.rsplit('/').next().unwrap_or(url).to_owned()
}

#[async_trait]
impl QueueStatus for SqsQueueDepth {
    async fn depth(&self) -> Result<Vec<QueueDepth>, QueueError> {
        let mut depths = Vec::with_capacity(self.urls.len());
        for url in &self.urls {
            let answer = self
                .client
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
                .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
                .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
                .send()
                .await
                .map_err(|e| {
                    QueueError::Unavailable(format!("queue {}: {}", name(url), mozdef_model::error_chain(&e)))
                })?;
            let attribute = |key: QueueAttributeName| {
                answer.attributes().and_then(|a| a.get(&key)).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
            };
            depths.push(QueueDepth {
                name: name(url),
                ready: attribute(QueueAttributeName::ApproximateNumberOfMessages),
                in_flight: attribute(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
                delayed: attribute(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
                backlog_bytes: None,
            });
        }
        Ok(depths)
    }
}
