//! `sns`: publishes the whole alert message (`{_id, _index, _source}`, as JSON) to an SNS
//! topic, for whatever subscribes to it (a queue, a Lambda, e-mail). The publishing itself is
//! an [`SnsPublisher`], implemented on the AWS SDK by the `mozdef-aws` crate, so this crate
//! does not depend on AWS.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::config::keywords;
use super::{ActionError, AlertAction, AlertMessage};
use crate::plugin::registration_matches;

/// The longest subject SNS accepts, in characters.
const SUBJECT_MAX_CHARS: usize = 100;

/// Why a publish failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsError {
    /// Whether another attempt may succeed (a network error, throttling, a 5xx).
    pub transient: bool,
    /// What went wrong.
    pub message: String,
}

/// Publishes messages to SNS topics.
#[async_trait]
pub trait SnsPublisher: Send + Sync {
    /// Publishes `message` with `subject` to `topic_arn`; the message id on success.
    async fn publish(&self, topic_arn: &str, subject: &str, message: &str) -> Result<String, SnsError>;
}

/// `sns`'s settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnsConfig {
    /// The topic's ARN.
    pub topic_arn: String,
    /// Keywords matched against the message's tokens (`*`: every alert).
    #[serde(deserialize_with = "keywords::deserialize")]
    pub registration: Vec<String>,
}

impl Default for SnsConfig {
    fn default() -> Self {
        SnsConfig { topic_arn: String::new(), registration: vec!["*".into()] }
    }
}

/// The `sns` action.
#[derive(Clone)]
pub struct Sns {
    config: SnsConfig,
    publisher: Arc<dyn SnsPublisher>,
}

impl std::fmt::Debug for Sns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sns").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Sns {
    /// The action with `config`, publishing through `publisher`.
    pub fn new(config: SnsConfig, publisher: Arc<dyn SnsPublisher>) -> Self {
        Sns { config, publisher }
    }

    /// The subject of `message`: `MozDef <SEVERITY> alert: <summary>`, printable ASCII only
    /// (other characters become `?`), at most 100 characters, as SNS requires.
    pub fn subject(message: &AlertMessage) -> String {
        let text = format!("MozDef {} alert: {}", message.severity(), message.text("summary").unwrap_or(""));
        text.chars()
            .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
            .take(SUBJECT_MAX_CHARS)
            .collect::<String>()
            .trim_end()
            .to_owned()
    }
}

#[async_trait]
impl AlertAction for Sns {
    fn name(&self) -> &str {
        "sns"
    }

    fn applies_to(&self, message: &AlertMessage) -> bool {
        registration_matches(&self.config.registration, &message.to_document())
    }

    async fn run(&self, message: &AlertMessage) -> Result<(), ActionError> {
        let body = serde_json::to_string(message)
            .map_err(|e| ActionError::Permanent { action: self.name().into(), message: e.to_string() })?;
        match self.publisher.publish(&self.config.topic_arn, &Sns::subject(message), &body).await {
            Ok(message_id) => {
                tracing::debug!(alert = %message.id, %message_id, "published to SNS");
                Ok(())
            }
            Err(SnsError { transient: true, message }) => {
                Err(ActionError::Transient { action: self.name().into(), message })
            }
            Err(SnsError { transient: false, message }) => {
                Err(ActionError::Permanent { action: self.name().into(), message })
            }
        }
    }
}
