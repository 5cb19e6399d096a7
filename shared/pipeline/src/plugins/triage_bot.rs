//! MozDef's `triage_bot` mq plugin (registration `triagebot`; priority 5).
//!
//! Handles the Slack triage bot's relayed user replies (`category=triagebot`, with
//! `details.identifier` (the alert id), `details.user.{email,slack}`,
//! `details.identityConfidence` (`highest`, `high`, `moderate`, `low`, `lowest`; default
//! `lowest`) and `details.response` (`yes`, `no`, `wrongUser`; default `wrongUser`)). MozDef
//! POSTed `{alert, status, user: {email, slack}, identityConfidence, response}` to its REST
//! API's `/alertstatus` (status: yes → `acknowledged`, no → `escalated`, wrongUser →
//! `manual`) and, when that succeeded, rewrote the event: `details.user` and
//! `details.response` removed, `details.email`, `details.slack`, `details.userresponse` (the
//! response) added, `summary` = `TriageBot Response: <response> from: <email>`. A reply
//! without identifier, email or slack, or whose update failed, was dropped.
//!
//! Deviations from MozDef:
//! * no HTTP call is made from the ingest pipeline (a blocking call per event is not
//!   acceptable there). Without [`PluginConfig::triage_bot_rest_api_url`](super::PluginConfig)
//!   (the default: no REST API) replies are left unchanged and kept (MozDef, with its
//!   unconfigured placeholder URL, failed every request and dropped every reply). With it,
//!   the update is recorded on the event as `details.alertstatus_update` = the `/alertstatus`
//!   request body, for an alert-status consumer to apply, and the event is rewritten as
//!   MozDef did after a successful update; invalid replies are dropped as in MozDef. The JWT
//!   is the consumer's business: no token is configured here or written on events;
//! * an `identityConfidence` or `response` outside the values above fails the event
//!   (quarantine; MozDef: a `ValueError`, the event lost); a missing `category`, `details`
//!   or `details.user` that is not an object is handled like an absent one (MozDef: a
//!   `KeyError`/`AttributeError`); a reply without `details.response` is rewritten without
//!   error (MozDef deleted the key unconditionally and raised a `KeyError`);
//! * the email is formatted into the summary with Python's `str()` (see `python::py_str`).

use mozdef_model::Document;
use serde_json::{Value, json};

use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::py_str;

/// MozDef's `Confidence` values.
const CONFIDENCES: [&str; 5] = ["highest", "high", "moderate", "low", "lowest"];

/// MozDef's `new_status`: the alert status a user's response leads to.
fn new_status(response: &str) -> Option<&'static str> {
    match response {
        "yes" => Some("acknowledged"),
        "no" => Some("escalated"),
        "wrongUser" => Some("manual"),
        _ => None,
    }
}

/// MozDef's `triage_bot`.
#[derive(Debug, Default)]
pub struct TriageBot {
    /// MozDef's `rest_api_url` (`triage_bot.json`); `None`: no REST API, replies are left as
    /// they are.
    rest_api_url: Option<String>,
}

impl TriageBot {
    /// The plugin, recording alert-status updates when the site has a REST API at
    /// `rest_api_url` (a blank URL counts as none).
    pub fn new(rest_api_url: Option<String>) -> Self {
        TriageBot { rest_api_url: rest_api_url.filter(|url| !url.trim().is_empty()) }
    }
}

impl Plugin for TriageBot {
    fn name(&self) -> &'static str {
        "triage_bot"
    }

    fn registration(&self) -> &[&str] {
        &["triagebot"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if event.get("category").and_then(Value::as_str) != Some("triagebot") || self.rest_api_url.is_none() {
            return Ok(Verdict::Keep);
        }
        process(event)
    }
}

/// MozDef's `process`, with the REST call replaced by `details.alertstatus_update`.
fn process(event: &mut Document) -> Result<Verdict, PluginError> {
    let Some(Value::Object(details)) = event.get_mut("details") else { return Ok(Verdict::Drop) };
    let enum_value = |key: &str, default: &'static str, allowed: &[&str]| -> Result<Value, PluginError> {
        match details.get(key) {
            None => Ok(Value::from(default)),
            Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Value::from(s.as_str())),
            Some(other) => {
                Err(PluginError::new(format!("details.{key} is {other}, not one of {}", allowed.join(", "))))
            }
        }
    };
    let confidence = enum_value("identityConfidence", "lowest", &CONFIDENCES)?;
    let response = enum_value("response", "wrongUser", &["yes", "no", "wrongUser"])?;
    let status = response.as_str().and_then(new_status).unwrap_or("manual");

    let present = |value: Option<&Value>| value.filter(|v| !v.is_null()).cloned();
    let user = details.get("user").and_then(Value::as_object);
    let (Some(identifier), Some(email), Some(slack)) = (
        present(details.get("identifier")),
        present(user.and_then(|u| u.get("email"))),
        present(user.and_then(|u| u.get("slack"))),
    ) else {
        return Ok(Verdict::Drop);
    };

    let summary = format!("TriageBot Response: {} from: {}", py_str(&response), py_str(&email));
    let update = json!({
        "alert": identifier,
        "status": status,
        "user": {"email": email, "slack": slack},
        "identityConfidence": confidence,
        "response": response,
    });
    details.shift_remove("user");
    details.shift_remove("response");
    details.insert("email".to_owned(), email);
    details.insert("slack".to_owned(), slack);
    details.insert("userresponse".to_owned(), response);
    details.insert("alertstatus_update".to_owned(), update);
    event.insert("category".to_owned(), Value::from("triagebot"));
    event.insert("summary".to_owned(), Value::from(summary));
    Ok(Verdict::Keep)
}

#[cfg(test)]
mod tests {
    //! MozDef's `process` tests (`tests/mq/plugins/test_triage_bot.py`), with a REST API
    //! configured: the fixtures run with the default configuration.

    use super::*;
    use serde_json::Map;

    fn run(plugin: &TriageBot, event: Value) -> (Result<Verdict, PluginError>, Value) {
        let mut event: Map<String, Value> = event.as_object().cloned().unwrap_or_default();
        let verdict = plugin.on_message(&mut event, &mut Metadata::default());
        (verdict, Value::Object(event))
    }

    fn configured() -> TriageBot {
        TriageBot::new(Some("http://mock.site".to_owned()))
    }

    fn good_reply() -> Value {
        json!({
            "category": "triagebot",
            "details": {
                "identifier": "id",
                "user": {"email": "tester@site.com", "slack": "tester"},
                "identityConfidence": "high",
                "response": "yes",
            }
        })
    }

    #[test]
    fn process_rejects_bad_messages() {
        let (verdict, _) = run(&configured(), json!({"category": "triagebot", "details": {"identifier": "test"}}));
        assert_eq!(verdict, Ok(Verdict::Drop));
        for details in [
            json!({"user": {"email": "a@b.c", "slack": "a"}}),
            json!({"identifier": "x", "user": {"email": "a@b.c", "slack": null}}),
            json!({"identifier": "x", "user": "a@b.c"}),
        ] {
            let (verdict, _) = run(&configured(), json!({"category": "triagebot", "details": details}));
            assert_eq!(verdict, Ok(Verdict::Drop), "{details}");
        }
        let (verdict, _) = run(&configured(), json!({"category": "triagebot"}));
        assert_eq!(verdict, Ok(Verdict::Drop));
    }

    #[test]
    fn process_records_the_update_of_good_messages() {
        // MozDef: test_process_invokes_update_for_good_messages (the request body).
        let (verdict, event) = run(&configured(), good_reply());
        assert_eq!(verdict, Ok(Verdict::Keep));
        assert_eq!(
            event["details"]["alertstatus_update"],
            json!({
                "alert": "id",
                "status": "acknowledged",
                "user": {"email": "tester@site.com", "slack": "tester"},
                "identityConfidence": "high",
                "response": "yes",
            })
        );
    }

    #[test]
    fn process_reformats_messages_for_elasticsearch() {
        let (verdict, event) = run(&configured(), good_reply());
        assert_eq!(verdict, Ok(Verdict::Keep));
        assert_eq!(event["category"], "triagebot");
        assert_eq!(event["summary"], "TriageBot Response: yes from: tester@site.com");
        let mut details = event["details"].clone();
        if let Some(d) = details.as_object_mut() {
            d.remove("alertstatus_update");
        }
        assert_eq!(
            details,
            json!({
                "identifier": "id",
                "email": "tester@site.com",
                "slack": "tester",
                "identityConfidence": "high",
                "userresponse": "yes",
            })
        );
    }

    #[test]
    fn statuses_and_defaults() {
        for (response, status) in [("yes", "acknowledged"), ("no", "escalated"), ("wrongUser", "manual")] {
            let mut reply = good_reply();
            reply["details"]["response"] = json!(response);
            let (_, event) = run(&configured(), reply);
            assert_eq!(event["details"]["alertstatus_update"]["status"], status);
            assert_eq!(event["details"]["userresponse"], response);
        }
        let mut reply = good_reply();
        if let Some(d) = reply["details"].as_object_mut() {
            d.remove("response");
            d.remove("identityConfidence");
        }
        let (verdict, event) = run(&configured(), reply);
        assert_eq!(verdict, Ok(Verdict::Keep));
        assert_eq!(event["details"]["alertstatus_update"]["status"], "manual");
        assert_eq!(event["details"]["alertstatus_update"]["response"], "wrongUser");
        assert_eq!(event["details"]["alertstatus_update"]["identityConfidence"], "lowest");
        assert_eq!(event["summary"], "TriageBot Response: wrongUser from: tester@site.com");
    }

    #[test]
    fn invalid_enumerations_fail_the_event() {
        for (key, value) in
            [("response", json!("maybe")), ("identityConfidence", json!("certain")), ("response", json!(null))]
        {
            let mut reply = good_reply();
            reply["details"][key] = value;
            let (verdict, _) = run(&configured(), reply);
            assert!(verdict.is_err_and(|e| e.0.contains(key)), "{key}");
        }
    }

    #[test]
    fn without_a_rest_api_replies_are_kept_unchanged() {
        for plugin in [TriageBot::default(), TriageBot::new(Some(" ".to_owned()))] {
            let (verdict, event) = run(&plugin, good_reply());
            assert_eq!(verdict, Ok(Verdict::Keep));
            assert_eq!(event, good_reply());
        }
    }

    #[test]
    fn other_categories_are_left_alone() {
        let (verdict, event) = run(&configured(), json!({"category": "alert", "details": {"x": "triagebot"}}));
        assert_eq!(verdict, Ok(Verdict::Keep));
        assert_eq!(event, json!({"category": "alert", "details": {"x": "triagebot"}}));
        let (verdict, _) = run(&configured(), json!({"details": {"x": "triagebot"}}));
        assert_eq!(verdict, Ok(Verdict::Keep));
    }
}
