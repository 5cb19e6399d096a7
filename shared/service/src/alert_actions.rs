//! The consumer side of raised alerts (MozDef's `alert_actions_worker`): run the enabled
//! actions on an alert after it is stored, and record their outcomes on the alert under
//! `actions`. A delivery that comes again (a queue redelivering after a transient failure)
//! does not repeat the actions that already succeeded for that alert.

use std::sync::Arc;

use async_trait::async_trait;
use mozdef_alerts::actions::{ActionOutcome, ActionStatus, AlertAction, AlertMessage, RetryPolicy, run_actions};
use mozdef_alerts::{AlertSink, BackendError, RaisedAlert};
use mozdef_store::{EventStore, IndexRequest, StoreError};
use serde_json::Value;

use crate::alert_backend::put_alert;

/// What handling one alert did.
#[derive(Debug, Clone)]
pub struct ActionsReport {
    /// The outcomes of the actions run this time (already-succeeded ones are not run again).
    pub outcomes: Vec<ActionOutcome>,
    /// Whether an action failed in a way that may pass: deliver the alert again later.
    pub retry: bool,
}

/// The enabled actions bound to the store that holds the alerts.
pub struct ActionRunner {
    actions: Vec<Arc<dyn AlertAction>>,
    policy: RetryPolicy,
    store: Arc<dyn EventStore>,
}

impl std::fmt::Debug for ActionRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.actions.iter().map(|a| a.name()).collect();
        f.debug_struct("ActionRunner").field("actions", &names).field("policy", &self.policy).finish_non_exhaustive()
    }
}

impl ActionRunner {
    /// A runner of `actions` (in order) with `policy`, recording on alerts in `store`.
    pub fn new(actions: Vec<Arc<dyn AlertAction>>, policy: RetryPolicy, store: Arc<dyn EventStore>) -> Self {
        ActionRunner { actions, policy, store }
    }

    /// Whether any action is enabled.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Runs the actions on `message` that have not succeeded for it yet and records every
    /// outcome on the stored alert. An `Err` means the outcomes could not be recorded (the
    /// caller should deliver the alert again).
    pub async fn handle(&self, message: &AlertMessage) -> Result<ActionsReport, StoreError> {
        let indices = vec![message.index.clone()];
        let stored = self.store.get(&indices, &message.id, chrono::Utc::now()).await?;
        let mut document = stored.map_or_else(|| message.source.clone(), |hit| hit.source);
        let mut recorded: Vec<Value> = document.get("actions").and_then(Value::as_array).cloned().unwrap_or_default();
        let succeeded = |name: &str| {
            recorded.iter().any(|o| o["action"] == name && o["status"] == ActionStatus::Succeeded.as_str())
        };
        let pending: Vec<Arc<dyn AlertAction>> =
            self.actions.iter().filter(|a| !succeeded(a.name())).cloned().collect();
        if pending.is_empty() {
            return Ok(ActionsReport { outcomes: Vec::new(), retry: false });
        }
        let outcomes = run_actions(&pending, message, &self.policy).await;
        let retry = outcomes.iter().any(|o| o.status == ActionStatus::Failed && o.transient);
        // Each action keeps its latest outcome.
        for outcome in &outcomes {
            recorded.retain(|o| o["action"] != outcome.action.as_str());
            recorded.push(outcome.to_value());
        }
        document.insert("actions".into(), Value::Array(recorded));
        let request = IndexRequest { index: message.index.clone(), id: message.id.clone(), source: document };
        put_alert(self.store.as_ref(), request).await?;
        Ok(ActionsReport { outcomes, retry })
    }
}

/// Actions in the same process (`mozdef dev`): each stored alert is handed to a background
/// task, so a slow action never holds up the alert run. Without a queue, a transient failure
/// stays recorded on the alert as failed.
#[derive(Debug, Clone)]
pub struct InProcessActions {
    runner: Arc<ActionRunner>,
}

impl InProcessActions {
    /// Runs `runner`'s actions for every published alert.
    pub fn new(runner: Arc<ActionRunner>) -> Self {
        InProcessActions { runner }
    }
}

#[async_trait]
impl AlertSink for InProcessActions {
    async fn publish(&self, alert: &RaisedAlert) -> Result<(), BackendError> {
        if self.runner.is_empty() {
            return Ok(());
        }
        let runner = self.runner.clone();
        let message = AlertMessage::of_raised(alert);
        tokio::spawn(async move {
            match runner.handle(&message).await {
                Ok(report) => tracing::info!(alert = %message.id, actions = report.outcomes.len(), "alert actions ran"),
                Err(error) => tracing::error!(alert = %message.id, %error, "alert action outcomes not recorded"),
            }
        });
        Ok(())
    }
}
