//! Alert actions (MozDef `alerts/actions/` run by `alert_actions_worker.py`, and the chat bots
//! of `bot/`; inventory §3.5): what happens to an alert once it is stored.
//!
//! The published alert document ([`AlertMessage`], `{_id, _index, _source}`, what the alerts
//! queue carries) goes through every enabled [`AlertAction`] that [applies to
//! it](AlertAction::applies_to). [`run_actions`] retries transient failures with backoff,
//! never lets one action's failure stop the others, and returns one [`ActionOutcome`] per
//! action for the caller to record under the alert's `actions` key
//! ([`outcomes_to_value`]). Actions run after the alert is stored: the caller runs them off
//! the alert's path (a spawned task or the alerts-queue consumer), so they never block it.
//!
//! The actions: [`BlockIp`] (the REST `/blockip` route), [`PagerDuty`] (Events API v2),
//! [`Slack`] (an incoming webhook, MozDef's chat-bot behaviour), [`Webhook`] (the whole message
//! as JSON) and [`Sns`] (an SNS topic, through an [`SnsPublisher`] that the AWS crate
//! implements). [`ActionsConfig`] says which are enabled and how each is set up;
//! [`build_actions`] turns it into actions.

mod block_ip;
mod config;
mod http;
mod pagerduty;
mod retry;
mod slack;
mod sns;
mod webhook;

use async_trait::async_trait;
use mozdef_model::Document;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use block_ip::{BlockIp, BlockIpConfig};
pub use config::{ActionServices, ActionsConfig, HttpSettings, build_actions};
pub use pagerduty::{PAGERDUTY_EVENTS_URL, PagerDuty, PagerDutyConfig, PagerDutyIntegration};
pub use retry::{ActionOutcome, ActionStatus, RetryPolicy, outcomes_to_value, run_actions};
pub use slack::{Slack, SlackConfig};
pub use sns::{Sns, SnsConfig, SnsError, SnsPublisher};
pub use webhook::{Webhook, WebhookConfig};

/// The published alert document: what MozDef put on the `alerts` exchange and what the alerts
/// queue carries (`{_id, _index, _source}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertMessage {
    /// The alert's document id.
    #[serde(rename = "_id")]
    pub id: String,
    /// The index the alert is stored in (`alerts-YYYYMM`).
    #[serde(rename = "_index")]
    pub index: String,
    /// The alert document (`createAlertDict`).
    #[serde(rename = "_source")]
    pub source: Document,
}

impl AlertMessage {
    /// The message of an alert stored as `id` in `index`.
    pub fn new(id: impl Into<String>, index: impl Into<String>, source: Document) -> Self {
        AlertMessage { id: id.into(), index: index.into(), source }
    }

    /// The message as JSON, `{_id, _index, _source}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"_id": self.id, "_index": self.index, "_source": self.source})
    }

    /// The message of an alert [`run_alert`](crate::run_alert) raised and stored.
    pub fn of_raised(raised: &crate::RaisedAlert) -> Self {
        AlertMessage::new(raised.stored.id.clone(), raised.stored.index.clone(), raised.document.clone())
    }

    /// The whole message as one document (what MozDef's registration matching walks).
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new();
        doc.insert("_id".into(), Value::String(self.id.clone()));
        doc.insert("_index".into(), Value::String(self.index.clone()));
        doc.insert("_source".into(), Value::Object(self.source.clone()));
        doc
    }

    /// A string field of `_source` at a dotted path (`details.sourceipaddress`); `None` when
    /// absent, not a string, or empty.
    pub fn text(&self, path: &str) -> Option<&str> {
        let mut parts = path.split('.');
        let mut value = self.source.get(parts.next()?)?;
        for part in parts {
            value = value.as_object()?.get(part)?;
        }
        value.as_str().filter(|s| !s.is_empty())
    }

    /// The alert's severity, upper-cased (`NOTICE` when absent, createAlertDict's default).
    pub fn severity(&self) -> String {
        self.text("severity").unwrap_or("NOTICE").to_uppercase()
    }

    /// The alert's tags (strings only).
    pub fn tags(&self) -> Vec<&str> {
        match self.source.get("tags") {
            Some(Value::Array(tags)) => tags.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(tag)) => vec![tag.as_str()],
            _ => Vec::new(),
        }
    }
}

/// Why an action failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// Worth retrying: a network error, a timeout, HTTP 408/429 or 5xx, a throttled service.
    #[error("action {action}: {message}")]
    Transient {
        /// The action's name.
        action: String,
        /// What went wrong (the HTTP status and body when there was a response).
        message: String,
    },
    /// Retrying will not help: HTTP 4xx, a refused request, bad configuration, bad input.
    #[error("action {action}: {message}")]
    Permanent {
        /// The action's name.
        action: String,
        /// What went wrong (the HTTP status and body when there was a response).
        message: String,
    },
}

impl ActionError {
    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, ActionError::Transient { .. })
    }
}

/// One alert action (a MozDef action plugin's `onMessage(alert)`).
#[async_trait]
pub trait AlertAction: Send + Sync {
    /// The action's name (`block_ip`, `pagerduty`, `slack`, `webhook`, `sns`), as recorded
    /// in the outcomes.
    fn name(&self) -> &str;

    /// Whether the action wants this alert (its registration, plus the action's own
    /// preconditions: a source IP to block, a PagerDuty integration for the alert's tags,
    /// `notify_mozdefbot` not false). An alert it does not want is recorded as skipped.
    fn applies_to(&self, message: &AlertMessage) -> bool;

    /// Acts on the alert once (the retries are [`run_actions`]'s).
    async fn run(&self, message: &AlertMessage) -> Result<(), ActionError>;
}
