//! GuardDuty findings delivered by an EventBridge rule to SQS → the events MozDef's
//! `esworker_guardduty` handed to its plugins (inventory §1.3), ready for the `guardDuty`
//! plugin.
//!
//! MozDef never read GuardDuty's own format: an external normaliser ("gd2md") reshaped each
//! finding and published it over SNS, and `esworker_guardduty` split and wrapped it. This
//! decoder does both steps from the EventBridge event, so the plugin sees what it saw.
//!
//! # Input
//!
//! The EventBridge event as the SQS body — `{"version": "0", "id", "detail-type":
//! "GuardDuty Finding", "source": "aws.guardduty", "account", "time", "region",
//! "resources": [], "detail": {<finding>}}` — or the same event wrapped in an SNS envelope
//! (rule → SNS topic → SQS). `source` must be `aws.guardduty`, `detail-type`
//! `GuardDuty Finding`, `detail` an object with a non-empty string `type` and an object
//! `service`; anything else is a [`DecodeError`].
//!
//! # Output: the `guardDuty` plugin's input
//!
//! One event per finding, or per probe / API call (below), with these keys in this order:
//!
//! | key | value |
//! |---|---|
//! | `receivedtimestamp` | the receive time (ISO-8601) |
//! | `mozdefhostname` | the worker host |
//! | `tags` | `[<queue>]` (the plugin prepends `aws`, `guardduty`) |
//! | `severity` | `INFO` (GuardDuty's numeric severity stays in `details.severity`) |
//! | `source` | `guardduty` |
//! | `details` | the finding, reshaped (below) |
//! | `hostname` | `resource.instanceDetails.instanceId` when the finding has one, else `guardduty-<accountId>`; absent when neither exists |
//! | `summary` | the finding's `title` (else `description`, else `type`) |
//! | `utctimestamp`, `timestamp` | the finding's `updatedAt` (else `service.eventLastSeen`, else the event's `time`, else the receive time), through `toUTC` |
//!
//! `details` is the finding with its keys in order (`schemaVersion`, `accountId`, `region`,
//! `partition`, `id`, `arn`, `type`, `resource`, `severity`, `createdAt`, `updatedAt`,
//! `title`, `description`, ...) except that **`service` is renamed `finding`** (so
//! `details.finding.action.actionType`, `details.finding.resourceRole`,
//! `details.finding.detectorId`, `details.finding.eventFirstSeen`,
//! `details.finding.additionalInfo`, `details.finding.evidence`...), followed by
//! `details.category` = the finding `type` (e.g. `Recon:EC2/PortProbeUnprotectedPort`, the
//! key of `guardduty_mapping.yml`) and `details.tags` = `[<actionType>]` (`[]` without an
//! action type). Nested keys keep GuardDuty's camelCase.
//!
//! Splitting, by `details.finding.action.actionType`:
//! * `PORT_PROBE`: one event per `action.portProbeAction.portProbeDetails` entry, that entry
//!   in `details.finding.probeevent` (`localPortDetails`, `remoteIpDetails`, ...);
//! * `AWS_API_CALL`: `details.finding.additionalInfo.apiCalls` is set from
//!   `additionalInfo.recentApiCalls` when present, else (when absent) from
//!   `action.awsApiCallAction`; a list gives one event per call in
//!   `details.finding.apicalls` (e.g. `{"api"|"name", "count", ...}`), any other value one
//!   event with it there;
//! * anything else: one event.
//!
//! Decisions: an empty or missing probe / call list gives one event without
//! `probeevent` / `apicalls` (MozDef emitted none, or raised); `summary` is the `title`
//! (gd2md wrote the `description`; the plugin replaces it with `details.title` anyway).

mod split;

use mozdef_model::{Document, isoformat, to_utc};
use serde_json::Value;

use super::DecodeError;
use super::body::{into_object, is_sns_envelope, parse_object, sns_message};
use crate::NormalizeContext;
use crate::python::json_type;

/// The part named in errors.
const WHAT: &str = "the EventBridge event";
/// The finding, named in errors.
const DETAIL: &str = "the GuardDuty finding (detail)";

/// Decodes one GuardDuty record: one or more events (see the module documentation).
///
/// # Errors
///
/// [`DecodeError`] when the body is not a GuardDuty finding event: not a JSON object, the
/// wrong `source` or `detail-type`, no `detail` object, or a finding without `type` or
/// `service`.
pub fn decode(body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
    let mut event = parse_object(body, WHAT)?;
    if is_sns_envelope(&event) {
        const INNER: &str = "the SNS Message of the GuardDuty event";
        let message = sns_message(&event, "the SNS envelope")?;
        let inner = serde_json::from_str(message)
            .map_err(|e| DecodeError::InvalidJson { what: INNER, reason: e.to_string() })?;
        event = into_object(inner, INNER)?;
    }
    expect_str(&event, "source", "aws.guardduty")?;
    expect_str(&event, "detail-type", "GuardDuty Finding")?;
    let finding = match event.remove("detail") {
        Some(Value::Object(finding)) => finding,
        Some(other) => return Err(DecodeError::wrong_type(WHAT, "detail", "an object", json_type(&other))),
        None => return Err(DecodeError::MissingField { what: WHAT, field: "detail".to_owned() }),
    };
    let finding_type = match finding.get("type") {
        Some(Value::String(t)) if !t.is_empty() => t.clone(),
        Some(Value::String(_)) => {
            return Err(DecodeError::InvalidField {
                what: DETAIL,
                field: "type".to_owned(),
                problem: "is empty".into(),
            });
        }
        Some(other) => return Err(DecodeError::wrong_type(DETAIL, "type", "a string", json_type(other))),
        None => return Err(DecodeError::MissingField { what: DETAIL, field: "type".to_owned() }),
    };
    match finding.get("service") {
        Some(Value::Object(_)) => {}
        Some(other) => return Err(DecodeError::wrong_type(DETAIL, "service", "an object", json_type(other))),
        None => return Err(DecodeError::MissingField { what: DETAIL, field: "service".to_owned() }),
    }

    let common = Common::of(&finding, &finding_type, event.get("time"), ctx);
    let details = reshape(finding, finding_type);
    Ok(split::split(details).into_iter().map(|details| common.event(details, queue, ctx)).collect())
}

/// `event[key] == expected`, else an error naming the key.
fn expect_str(event: &Document, key: &str, expected: &str) -> Result<(), DecodeError> {
    match event.get(key) {
        Some(Value::String(s)) if s == expected => Ok(()),
        Some(other) => Err(DecodeError::InvalidField {
            what: WHAT,
            field: key.to_owned(),
            problem: format!("must be {expected:?}, got {other}"),
        }),
        None => Err(DecodeError::MissingField { what: WHAT, field: key.to_owned() }),
    }
}

/// gd2md's `details`: the finding with `service` renamed `finding`, then `category` (the
/// finding type) and `tags` (`[actionType]`).
fn reshape(finding: Document, finding_type: String) -> Document {
    let mut details = Document::with_capacity(finding.len() + 2);
    for (key, value) in finding {
        let key = if key == "service" { "finding".to_owned() } else { key };
        details.insert(key, value);
    }
    let action_type = details
        .get("finding")
        .and_then(|f| f.get("action"))
        .and_then(|a| a.get("actionType"))
        .filter(|t| t.is_string())
        .cloned();
    details.insert("category".to_owned(), Value::String(finding_type));
    details.insert("tags".to_owned(), Value::Array(action_type.into_iter().collect()));
    details
}

/// What every event of one finding shares.
struct Common {
    hostname: Option<String>,
    summary: String,
    timestamp: String,
}

impl Common {
    fn of(finding: &Document, finding_type: &str, envelope_time: Option<&Value>, ctx: &NormalizeContext) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        let resource = finding.get("resource");
        let instance = resource.and_then(|r| r.get("instanceDetails")).and_then(|i| i.get("instanceId"));
        let hostname = text(instance).or_else(|| text(finding.get("accountId")).map(|a| format!("guardduty-{a}")));
        let summary = text(finding.get("title"))
            .or_else(|| text(finding.get("description")))
            .unwrap_or_else(|| finding_type.to_owned());
        let last_seen = finding.get("service").and_then(|s| s.get("eventLastSeen"));
        let when = [finding.get("updatedAt"), last_seen, envelope_time]
            .into_iter()
            .flatten()
            .find_map(|v| match to_utc(v, ctx.received) {
                Ok(when) => Some(when),
                Err(err) => {
                    tracing::warn!(value = %v, error = %err, "guardduty: unreadable finding time, trying the next");
                    None
                }
            })
            .unwrap_or(ctx.received);
        Common { hostname, summary, timestamp: isoformat(&when) }
    }

    /// The event around one `details`.
    fn event(&self, details: Document, queue: &str, ctx: &NormalizeContext) -> Document {
        let mut event = Document::with_capacity(10);
        let mut put = |key: &str, value: Value| event.insert(key.to_owned(), value);
        put("receivedtimestamp", Value::String(isoformat(&ctx.received)));
        put("mozdefhostname", Value::String(ctx.mozdefhostname.clone()));
        put("tags", Value::Array(vec![Value::String(queue.to_owned())]));
        put("severity", Value::String("INFO".to_owned()));
        put("source", Value::String("guardduty".to_owned()));
        put("details", Value::Object(details));
        if let Some(hostname) = &self.hostname {
            put("hostname", Value::String(hostname.clone()));
        }
        put("summary", Value::String(self.summary.clone()));
        put("utctimestamp", Value::String(self.timestamp.clone()));
        put("timestamp", Value::String(self.timestamp.clone()));
        event
    }
}
