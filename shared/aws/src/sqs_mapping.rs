//! Test support (feature `testing`): a test playing Lambda's SQS event source mapping, since
//! the emulator cannot run Lambda code. It receives from a real (moto) queue, builds the
//! `SqsEvent` payload exactly as Lambda writes it (camelCase record fields, `eventSourceARN`,
//! system attributes, message attributes with `dataType`), and after the handler answered,
//! deletes the records that are not batch item failures — as `ReportBatchItemFailures` does.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashSet;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName, QueueAttributeName};
use serde_json::{Map, Value, json};

/// A queue and the mapping's view of it.
#[derive(Debug, Clone)]
pub struct EventSourceMapping {
    /// The client.
    pub sqs: aws_sdk_sqs::Client,
    /// The queue's URL.
    pub queue_url: String,
    /// The queue's ARN (each record's `eventSourceARN`).
    pub queue_arn: String,
}

impl EventSourceMapping {
    /// Creates the queue `name` (give each test its own: moto may be shared) with a
    /// visibility timeout of `visibility_seconds` (how soon a failed record comes back).
    pub async fn create(sqs: aws_sdk_sqs::Client, name: &str, visibility_seconds: u32) -> Self {
        let created = sqs
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::VisibilityTimeout, visibility_seconds.to_string())
            .send()
            .await
            .expect("create the queue");
        let queue_url = created.queue_url().expect("a queue URL").to_owned();
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes");
        let queue_arn =
            attributes.attributes().and_then(|a| a.get(&QueueAttributeName::QueueArn)).expect("ARN").clone();
        EventSourceMapping { sqs, queue_url, queue_arn }
    }

    /// Receives up to `max` messages (the mapping's batch size), in calls of ten, until the
    /// queue has no more visible ones.
    pub async fn receive(&self, max: usize) -> Vec<Message> {
        let mut messages = Vec::new();
        while messages.len() < max {
            let want = (max - messages.len()).min(10) as i32;
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(want)
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .message_attribute_names("All")
                .send()
                .await
                .expect("receive");
            let batch = received.messages().to_vec();
            if batch.is_empty() {
                break;
            }
            messages.extend(batch);
        }
        messages
    }

    /// The payload Lambda would hand the function for `messages`.
    pub fn event(&self, messages: &[Message]) -> SqsEvent {
        let records: Vec<Value> = messages.iter().map(|m| self.record(m)).collect();
        serde_json::from_value(json!({"Records": records})).expect("an SQS event")
    }

    /// One record as Lambda writes it.
    pub fn record(&self, message: &Message) -> Value {
        let attributes: Map<String, Value> = message
            .attributes()
            .into_iter()
            .flatten()
            .map(|(name, value)| (name.as_str().to_owned(), json!(value)))
            .collect();
        let message_attributes: Map<String, Value> = message
            .message_attributes()
            .into_iter()
            .flatten()
            .map(|(name, value)| {
                let attribute = json!({"stringValue": value.string_value(), "stringListValues": [],
                                       "binaryListValues": [], "dataType": value.data_type()});
                (name.clone(), attribute)
            })
            .collect();
        let region = self.queue_arn.split(':').nth(3).unwrap_or("us-east-1");
        json!({
            "messageId": message.message_id(),
            "receiptHandle": message.receipt_handle(),
            "body": message.body(),
            "attributes": attributes,
            "messageAttributes": message_attributes,
            "md5OfBody": message.md5_of_body(),
            "md5OfMessageAttributes": message.md5_of_message_attributes(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": region,
        })
    }

    /// Deletes what the handler did not report as failed; returns how many were deleted.
    pub async fn delete_succeeded(&self, messages: &[Message], response: &SqsBatchResponse) -> usize {
        let failed: HashSet<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
        let mut deleted = 0;
        for message in messages {
            if failed.contains(message.message_id().unwrap_or_default()) {
                continue;
            }
            let handle = message.receipt_handle().expect("a receipt handle");
            self.sqs.delete_message().queue_url(&self.queue_url).receipt_handle(handle).send().await.expect("delete");
            deleted += 1;
        }
        deleted
    }

    /// Makes `messages` visible again now (instead of waiting out the visibility timeout).
    pub async fn release(&self, messages: &[Message]) {
        for message in messages {
            let handle = message.receipt_handle().expect("a receipt handle");
            self.sqs
                .change_message_visibility()
                .queue_url(&self.queue_url)
                .receipt_handle(handle)
                .visibility_timeout(0)
                .send()
                .await
                .expect("change visibility");
        }
    }
}

/// An S3 client for moto (path-style addressing: the emulator has no bucket host names).
pub fn moto_s3(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).force_path_style(true).build())
}
