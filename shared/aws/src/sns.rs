//! [`SnsTopics`]: the alert actions' [`SnsPublisher`] on aws-sdk-sns. A failure is transient
//! (worth the action's retries) when nothing answered, the answer was cut, or SNS throttled
//! or failed on its side; a refusal (no such topic, not authorised, a bad parameter) is not.

use async_trait::async_trait;
use aws_sdk_sns::Client;
use aws_sdk_sns::config::http::HttpResponse;
use aws_sdk_sns::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sns::operation::publish::PublishError;
use mozdef_alerts::actions::{SnsError, SnsPublisher};

/// Error codes SNS uses for a refusal that may pass later.
const TRANSIENT_CODES: [&str; 5] =
    ["Throttled", "Throttling", "ThrottlingException", "InternalError", "ServiceUnavailable"];

/// SNS topics through the SDK.
#[derive(Debug, Clone)]
pub struct SnsTopics {
    client: Client,
}

impl SnsTopics {
    /// Topics reached through `client`.
    pub fn new(client: Client) -> Self {
        SnsTopics { client }
    }
}

#[async_trait]
impl SnsPublisher for SnsTopics {
    async fn publish(&self, topic_arn: &str, subject: &str, message: &str) -> Result<String, SnsError> {
        let sent = self.client.publish().topic_arn(topic_arn).subject(subject).message(message).send().await;
        match sent {
            Ok(output) => Ok(output.message_id().unwrap_or_default().to_owned()),
            Err(error) => {
                let transient = is_transient(&error);
                let message = format!("SNS publish to {topic_arn}: {}", DisplayErrorContext(&error));
                Err(SnsError { transient, message })
            }
        }
    }
}

fn is_transient(error: &SdkError<PublishError, HttpResponse>) -> bool {
    match error {
        SdkError::ConstructionFailure(_) => false,
        SdkError::ServiceError(service) => {
            let code = service.err().code();
            let status = service.raw().status().as_u16();
            code.is_some_and(|code| TRANSIENT_CODES.contains(&code)) || status == 429 || status >= 500
        }
        // Timeouts, dispatch failures, unreadable responses and whatever comes next.
        _ => true,
    }
}
