//! "Run these alerts now" on AWS: the API function hands the run to the alerts function with
//! an asynchronous Lambda invoke ([`InvokeAlertsFunction`]), whose payload
//! ([`RunNowRequest`], `{"mozdef-run": {"names": [...], "at": "..."}}`) the alerts function
//! recognises beside its EventBridge schedule. The names are checked against the alert
//! schedules first, so a misspelt name is a 400 here instead of a failed invocation there.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::{DisplayErrorContext, SdkError};
use aws_sdk_lambda::operation::invoke::InvokeError;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use chrono::{DateTime, Utc};
use mozdef_alerts::{BackendError, ScheduleStore};
use mozdef_service::{RunAlertsNow, RunNow, ServiceError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The one key of a run-now payload.
pub const RUN_NOW_KEY: &str = "mozdef-run";

/// The variable that names the alerts function (the API function's setting).
pub const ALERTS_FUNCTION_VARIABLE: &str = "MOZDEF_ALERTS_FUNCTION";

/// What the alerts function is asked to run: `{"mozdef-run": {"names": [...], "at": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunNowRequest {
    /// Alert entries (`file.Class`, as the schedules name them); empty: every enabled one.
    #[serde(default)]
    pub names: Vec<String>,
    /// When the run was asked for (RFC 3339): the alerts run at this instant, so a retried
    /// invocation raises the same alert ids. Absent: when the alerts function runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl RunNowRequest {
    /// A request for `names` at `at`.
    pub fn new(names: Vec<String>, at: DateTime<Utc>) -> Self {
        RunNowRequest { names, at: Some(mozdef_model::isoformat(&at)) }
    }

    /// The invocation payload.
    pub fn to_payload(&self) -> Value {
        json!({ RUN_NOW_KEY: self })
    }

    /// The request in `payload`: `None` when the payload is not a run-now payload at all (it
    /// has no [`RUN_NOW_KEY`]), an error naming the problem when it is one but malformed.
    pub fn from_payload(payload: &Value) -> Result<Option<Self>, String> {
        let Some(object) = payload.as_object().filter(|o| o.contains_key(RUN_NOW_KEY)) else { return Ok(None) };
        if let Some(other) = object.keys().find(|k| *k != RUN_NOW_KEY) {
            return Err(format!("run-now payload: unexpected key {other:?} beside {RUN_NOW_KEY:?}"));
        }
        let request: RunNowRequest = serde_json::from_value(object[RUN_NOW_KEY].clone())
            .map_err(|e| format!("run-now payload {RUN_NOW_KEY:?}: {e}"))?;
        request.run_at()?;
        Ok(Some(request))
    }

    /// The instant to run at (`None`: not given).
    pub fn run_at(&self) -> Result<Option<DateTime<Utc>>, String> {
        self.at
            .as_deref()
            .map(|text| {
                DateTime::parse_from_rfc3339(text)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| format!("run-now payload \"at\" {text:?}: {e}"))
            })
            .transpose()
    }
}

/// [`RunAlertsNow`] on AWS: an asynchronous (`Event`) invoke of the alerts function, answered
/// as [`RunNow::Queued`] (the REST route's 202) once Lambda accepted it.
#[derive(Clone)]
pub struct InvokeAlertsFunction {
    client: Client,
    function: String,
    schedules: Arc<dyn ScheduleStore>,
}

impl std::fmt::Debug for InvokeAlertsFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvokeAlertsFunction").field("function", &self.function).finish_non_exhaustive()
    }
}

impl InvokeAlertsFunction {
    /// Invokes `function` (a name or ARN) through `client`; names are resolved against
    /// `schedules` (the table the alerts function keeps in step with its catalogue).
    pub fn new(client: Client, function: impl Into<String>, schedules: Arc<dyn ScheduleStore>) -> Self {
        InvokeAlertsFunction { client, function: function.into(), schedules }
    }

    /// The entries `names` stand for, by the rule of `AlertRunner::run_named`: an entry
    /// (`file.Class`), its file or its class; empty stays empty (every enabled one).
    async fn resolve(&self, names: &[String]) -> Result<Vec<String>, ServiceError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let known: Vec<String> = self.schedules.list().await?.into_iter().map(|s| s.name).collect();
        names
            .iter()
            .map(|name| {
                known
                    .iter()
                    .find(|entry| names_entry(entry, name))
                    .cloned()
                    .ok_or_else(|| ServiceError::UnknownAlert(name.clone()))
            })
            .collect()
    }
}

/// Whether `name` names the entry `entry` (`file.Class`, `file` or `Class`).
fn names_entry(entry: &str, name: &str) -> bool {
    entry == name || entry.split_once('.').is_some_and(|(file, class)| file == name || class == name)
}

#[async_trait]
impl RunAlertsNow for InvokeAlertsFunction {
    async fn run_now(&self, names: &[String], now: DateTime<Utc>) -> Result<RunNow, ServiceError> {
        let names = self.resolve(names).await?;
        let payload = RunNowRequest::new(names.clone(), now).to_payload().to_string();
        let answer = self
            .client
            .invoke()
            .function_name(&self.function)
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(payload))
            .send()
            .await
            .map_err(|e| invoke_error(&self.function, &e))?;
        if answer.status_code() != 202 {
            let message = format!("invoking {} answered {} instead of 202", self.function, answer.status_code());
            return Err(ServiceError::Schedules(BackendError::Unavailable(message)));
        }
        tracing::info!(function = %self.function, names = ?names, "alert run handed to the alerts function");
        Ok(RunNow::Queued { names })
    }
}

/// A failed invoke: refused by Lambda (no such function, access denied, bad request: the
/// setting is wrong, trying again will not help) or not answered, throttled (429), or a
/// Lambda fault (5xx): trying again may help.
fn invoke_error(function: &str, error: &SdkError<InvokeError, HttpResponse>) -> ServiceError {
    let message = format!("invoking the alerts function {function}: {}", DisplayErrorContext(error));
    tracing::warn!(function, error = %message, "alert run not handed on");
    let refused = matches!(error, SdkError::ServiceError(_))
        && error.raw_response().map(|r| r.status().as_u16()).is_some_and(|s| s != 429 && s < 500);
    if refused {
        ServiceError::config(ALERTS_FUNCTION_VARIABLE, message)
    } else {
        ServiceError::Schedules(BackendError::Unavailable(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn payload_round_trips_and_rejects_what_it_is_not() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 5).single().unwrap_or_default();
        let request = RunNowRequest::new(vec!["bruteforce_ssh.AlertBruteforceSsh".into()], at);
        let payload = request.to_payload();
        assert_eq!(
            payload,
            json!({"mozdef-run": {"names": ["bruteforce_ssh.AlertBruteforceSsh"], "at": "2026-11-23T12:00:05+00:00"}})
        );
        assert_eq!(RunNowRequest::from_payload(&payload), Ok(Some(request.clone())));
        assert_eq!(request.run_at(), Ok(Some(at)));

        let scheduled = json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}});
        assert_eq!(RunNowRequest::from_payload(&scheduled), Ok(None));
        let everything = RunNowRequest::from_payload(&json!({"mozdef-run": {}})).unwrap_or_default();
        assert_eq!(everything, Some(RunNowRequest { names: Vec::new(), at: None }));

        let typo = RunNowRequest::from_payload(&json!({"mozdef-run": {"name": ["x"]}})).unwrap_err();
        assert!(typo.contains("unknown field `name`"), "{typo}");
        let extra = RunNowRequest::from_payload(&json!({"mozdef-run": {}, "detail": {}})).unwrap_err();
        assert!(extra.contains("unexpected key \"detail\""), "{extra}");
        let bad_time = RunNowRequest::from_payload(&json!({"mozdef-run": {"at": "yesterday"}})).unwrap_err();
        assert!(bad_time.contains("\"at\" \"yesterday\""), "{bad_time}");
    }

    #[test]
    fn names_match_entry_file_or_class() {
        assert!(names_entry("bruteforce_ssh.AlertBruteforceSsh", "bruteforce_ssh"));
        assert!(names_entry("bruteforce_ssh.AlertBruteforceSsh", "AlertBruteforceSsh"));
        assert!(names_entry("bruteforce_ssh.AlertBruteforceSsh", "bruteforce_ssh.AlertBruteforceSsh"));
        assert!(!names_entry("bruteforce_ssh.AlertBruteforceSsh", "bruteforce"));
    }
}
