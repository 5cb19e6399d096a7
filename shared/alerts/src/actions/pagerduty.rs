//! `pagerduty` (MozDef `alerts/actions/pagerduty.py`): triggers a PagerDuty alert for alerts
//! carrying an integration's tag, through the Events API v2 (MozDef used v1's
//! `create_event.json`, which PagerDuty retired).
//!
//! The first integration whose `tag` is among the alert's tags gives the routing key. The
//! event: `event_action: trigger`, `dedup_key` = the alert id (a re-sent alert updates the
//! same PagerDuty alert), `payload {summary, source, severity, timestamp, class, component,
//! custom_details}`, `client: MozDef`, `client_url` and a link to `{web_url}/alert/{_id}`,
//! plus the integration's runbook link. MozDef fixes: an alert whose registration matched
//! but whose tags name no integration is skipped (MozDef crashed on it); `web_url` and `doc`
//! are used as given (MozDef prefixed `https://` to values that already had it); the response
//! status is checked (MozDef ignored it).

use async_trait::async_trait;
use reqwest::Client;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{ActionError, AlertAction, AlertMessage, http};

/// PagerDuty's Events API v2 endpoint.
pub const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// The longest `payload.summary` PagerDuty accepts, in characters.
const SUMMARY_MAX_CHARS: usize = 1024;

/// One PagerDuty integration: alerts tagged `tag` go to the service of `routing_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyIntegration {
    /// The Events API v2 integration key (MozDef's `service_key` is read too).
    #[serde(alias = "service_key")]
    pub routing_key: String,
    /// The alert tag that selects this integration.
    pub tag: String,
    /// A runbook URL linked from the PagerDuty alert.
    #[serde(default)]
    pub doc: Option<String>,
}

/// `pagerduty`'s settings (`pagerduty.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PagerDutyConfig {
    /// The integrations, the first match winning.
    pub integrations: Vec<PagerDutyIntegration>,
    /// MozDef's web UI base URL (the alert link is `{web_url}/alert/{_id}`).
    pub web_url: String,
    /// The Events API endpoint (tests point it at a loopback server).
    pub events_url: String,
    /// `payload.source` when the alert has no `details.hostname`.
    pub source: String,
}

impl Default for PagerDutyConfig {
    fn default() -> Self {
        PagerDutyConfig {
            integrations: Vec::new(),
            web_url: "http://localhost".into(),
            events_url: PAGERDUTY_EVENTS_URL.into(),
            source: "mozdef".into(),
        }
    }
}

/// The `pagerduty` action.
#[derive(Debug, Clone)]
pub struct PagerDuty {
    config: PagerDutyConfig,
    client: Client,
}

impl PagerDuty {
    /// The action with `config`, sending through `client`.
    pub fn new(config: PagerDutyConfig, client: Client) -> Self {
        PagerDuty { config, client }
    }

    /// The first integration whose tag the alert carries (MozDef's `identify_option`).
    pub fn integration(&self, message: &AlertMessage) -> Option<&PagerDutyIntegration> {
        let tags = message.tags();
        self.config.integrations.iter().find(|integration| tags.contains(&integration.tag.as_str()))
    }

    /// The Events API v2 trigger event for `message` through `integration`.
    pub fn event(&self, message: &AlertMessage, integration: &PagerDutyIntegration) -> Value {
        let alert_url = format!("{}/alert/{}", self.config.web_url.trim_end_matches('/'), message.id);
        let mut links = vec![json!({"href": alert_url, "text": "View alert in MozDef"})];
        if let Some(doc) = integration.doc.as_deref().filter(|d| !d.is_empty()) {
            links.push(json!({"href": doc, "text": "View runbook"}));
        }
        let mut payload = Map::new();
        payload.insert("summary".into(), json!(truncate(message.text("summary").unwrap_or(""), SUMMARY_MAX_CHARS)));
        payload.insert("source".into(), json!(message.text("details.hostname").unwrap_or(self.config.source.as_str())));
        payload.insert("severity".into(), json!(severity(&message.severity())));
        if let Some(timestamp) = message.text("utctimestamp") {
            payload.insert("timestamp".into(), json!(timestamp));
        }
        if let Some(category) = message.text("category") {
            payload.insert("class".into(), json!(category));
        }
        if let Some(classname) = message.text("classname") {
            payload.insert("component".into(), json!(classname));
        }
        payload.insert("custom_details".into(), custom_details(message));
        json!({
            "routing_key": integration.routing_key,
            "event_action": "trigger",
            "dedup_key": message.id,
            "payload": payload,
            "client": "MozDef",
            "client_url": alert_url,
            "links": links,
        })
    }
}

/// PagerDuty's severity for a MozDef severity: critical, error, warning or info.
fn severity(mozdef: &str) -> &'static str {
    match mozdef {
        "CRITICAL" | "ALERT" | "EMERGENCY" => "critical",
        "ERROR" => "error",
        "WARNING" => "warning",
        _ => "info",
    }
}

/// What a responder needs beyond the summary: the alert's id, index, category, class name,
/// severity, tags, URL and details.
fn custom_details(message: &AlertMessage) -> Value {
    let mut details = Map::new();
    details.insert("alert_id".into(), json!(message.id));
    details.insert("alert_index".into(), json!(message.index));
    for key in ["category", "classname", "severity", "tags", "url", "details"] {
        if let Some(value) = message.source.get(key).filter(|v| !v.is_null()) {
            details.insert(key.into(), value.clone());
        }
    }
    Value::Object(details)
}

/// `text` cut to `max` characters, the cut marked with `...`.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(3)).collect();
    cut.push_str("...");
    cut
}

#[async_trait]
impl AlertAction for PagerDuty {
    fn name(&self) -> &str {
        "pagerduty"
    }

    fn applies_to(&self, message: &AlertMessage) -> bool {
        self.integration(message).is_some()
    }

    async fn run(&self, message: &AlertMessage) -> Result<(), ActionError> {
        let Some(integration) = self.integration(message) else {
            return Err(ActionError::Permanent {
                action: self.name().into(),
                message: format!("no integration for the alert's tags {:?}", message.tags()),
            });
        };
        let request = self.client.post(&self.config.events_url).json(&self.event(message, integration));
        http::send(self.name(), request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities() {
        assert_eq!(severity("CRITICAL"), "critical");
        assert_eq!(severity("EMERGENCY"), "critical");
        assert_eq!(severity("ERROR"), "error");
        assert_eq!(severity("WARNING"), "warning");
        assert_eq!(severity("NOTICE"), "info");
        assert_eq!(severity("INFO"), "info");
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("ééééé", 4), "é...");
    }
}
