//! Running the actions on one alert: transient failures retried with backoff, each action's
//! outcome recorded, one action's failure never stopping the others.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mozdef_model::isoformat;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{AlertAction, AlertMessage};

/// How transient failures are retried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub attempts: u32,
    /// The wait before the second attempt, in milliseconds; it doubles after each retry.
    pub backoff_ms: u64,
    /// The longest wait between two attempts, in milliseconds.
    pub max_backoff_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { attempts: 3, backoff_ms: 1_000, max_backoff_ms: 10_000 }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u64.saturating_pow(attempt.saturating_sub(1));
        Duration::from_millis(self.backoff_ms.saturating_mul(factor).min(self.max_backoff_ms))
    }
}

/// How an action ended for one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    /// The action did its work.
    Succeeded,
    /// The action failed permanently or ran out of attempts.
    Failed,
    /// The action does not apply to this alert.
    Skipped,
}

impl ActionStatus {
    /// `succeeded`, `failed` or `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Succeeded => "succeeded",
            ActionStatus::Failed => "failed",
            ActionStatus::Skipped => "skipped",
        }
    }
}

/// The outcome of one action on one alert, as recorded on the alert.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionOutcome {
    /// The action's name.
    pub action: String,
    /// How it ended.
    pub status: ActionStatus,
    /// Attempts made (0 when skipped).
    pub attempts: u32,
    /// The last error, when it failed.
    pub error: Option<String>,
    /// Whether that error may pass (the attempts ran out on a network error, a 429 or a 5xx):
    /// a consumer with a queue delivers the alert again later.
    pub transient: bool,
    /// When it ended.
    pub at: DateTime<Utc>,
}

impl ActionOutcome {
    /// The outcome as stored: `{action, status, attempts, error, at}`.
    pub fn to_value(&self) -> Value {
        json!({
            "action": self.action,
            "status": self.status.as_str(),
            "attempts": self.attempts,
            "error": self.error,
            "at": isoformat(&self.at),
        })
    }
}

/// The outcomes as they are stored under the alert's `actions` key (a list, in run order).
pub fn outcomes_to_value(outcomes: &[ActionOutcome]) -> Value {
    Value::Array(outcomes.iter().map(ActionOutcome::to_value).collect())
}

/// Runs every action on `message`, one after the other in the order given: an action that
/// does not apply is skipped, a transient failure is retried per `policy`, a permanent one is
/// not. Every action runs whatever the others did; the outcomes come back in the same order.
pub async fn run_actions(
    actions: &[Arc<dyn AlertAction>],
    message: &AlertMessage,
    policy: &RetryPolicy,
) -> Vec<ActionOutcome> {
    let mut outcomes = Vec::with_capacity(actions.len());
    for action in actions {
        outcomes.push(run_one(action.as_ref(), message, policy).await);
    }
    outcomes
}

async fn run_one(action: &dyn AlertAction, message: &AlertMessage, policy: &RetryPolicy) -> ActionOutcome {
    let name = action.name().to_owned();
    if !action.applies_to(message) {
        tracing::debug!(action = %name, alert = %message.id, "action does not apply");
        return ActionOutcome {
            action: name,
            status: ActionStatus::Skipped,
            attempts: 0,
            error: None,
            transient: false,
            at: Utc::now(),
        };
    }
    let max_attempts = policy.attempts.max(1);
    let mut attempt = 0;
    loop {
        attempt += 1;
        match action.run(message).await {
            Ok(()) => {
                tracing::info!(action = %name, alert = %message.id, attempts = attempt, "action succeeded");
                return ActionOutcome {
                    action: name,
                    status: ActionStatus::Succeeded,
                    attempts: attempt,
                    error: None,
                    transient: false,
                    at: Utc::now(),
                };
            }
            Err(error) if error.is_transient() && attempt < max_attempts => {
                let wait = policy.backoff(attempt);
                tracing::warn!(action = %name, alert = %message.id, attempt, %error, ?wait, "action failed, retrying");
                tokio::time::sleep(wait).await;
            }
            Err(error) => {
                tracing::error!(action = %name, alert = %message.id, attempts = attempt, %error, "action failed");
                return ActionOutcome {
                    action: name,
                    status: ActionStatus::Failed,
                    attempts: attempt,
                    transient: error.is_transient(),
                    error: Some(error.to_string()),
                    at: Utc::now(),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy { attempts: 5, backoff_ms: 100, max_backoff_ms: 350 };
        assert_eq!(policy.backoff(1), Duration::from_millis(100));
        assert_eq!(policy.backoff(2), Duration::from_millis(200));
        assert_eq!(policy.backoff(3), Duration::from_millis(350));
        assert_eq!(policy.backoff(40), Duration::from_millis(350));
    }
}
