//! One alert as an alert module returns it, and the document MozDef stored for it
//! (`createAlertDict` + `tagBotNotify`).

use chrono::{DateTime, Utc};
use mozdef_model::{Document, Severity, isoformat};
use mozdef_query::Hit;
use serde_json::{Value, json};

/// MozDef's default alert status.
pub const DEFAULT_STATUS: &str = "manual";

pub use mozdef_model::EventRef;

/// The reference of a search hit.
pub fn event_ref(hit: &Hit) -> EventRef {
    EventRef { index: hit.index.clone(), id: hit.id.clone() }
}

/// What an alert module returns from `onEvent` / `onAggregation` / `onNoEvent`: the
/// arguments of MozDef's `createAlertDict`, plus `details` where alerts add them.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The summary, to the character.
    pub summary: String,
    /// The category.
    pub category: String,
    /// The tags (a single comma-joined string where MozDef had one).
    pub tags: Vec<String>,
    /// The events listed in the alert document (MozDef: the samples).
    pub events: Vec<Hit>,
    /// The severity (MozDef's default: NOTICE).
    pub severity: Severity,
    /// A runbook or documentation link.
    pub url: Option<String>,
    /// The chat channel; a non-empty one forces a bot notification.
    pub channel: Option<String>,
    /// Whether the chat bot posts it; `None` lets [`Alert::to_document`] decide by severity.
    pub notify_mozdefbot: Option<bool>,
    /// Extra facts (`details`), when the alert adds any.
    pub details: Option<Document>,
}

impl Alert {
    /// An alert with MozDef's defaults: severity NOTICE, no url, channel or details.
    pub fn new(summary: impl Into<String>, category: &str, tags: &[&str], events: Vec<Hit>) -> Self {
        Alert {
            summary: summary.into(),
            category: category.to_owned(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            events,
            severity: Severity::Notice,
            url: None,
            channel: None,
            notify_mozdefbot: None,
            details: None,
        }
    }

    /// Sets the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the url.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets the channel.
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// Sets `details`.
    pub fn details(mut self, details: Document) -> Self {
        self.details = Some(details);
        self
    }

    /// MozDef's `tagBotNotify`: unset means notify, except for NOTICE and INFO; a non-empty
    /// channel always notifies.
    pub fn notifies_bot(&self) -> bool {
        let by_severity = self.notify_mozdefbot.unwrap_or(!matches!(self.severity, Severity::Notice | Severity::Info));
        by_severity || self.channel.as_deref().is_some_and(|c| !c.is_empty())
    }

    /// The stored document, as `createAlertDict` then `tagBotNotify` built it, for the alert
    /// class `classname` raised at `now`.
    pub fn to_document(&self, classname: &str, now: DateTime<Utc>) -> Document {
        let events: Vec<Value> = self
            .events
            .iter()
            .map(|e| json!({"documentindex": e.index, "documentsource": e.source, "documentid": e.id}))
            .collect();
        let mut doc = Document::new();
        doc.insert("utctimestamp".into(), json!(isoformat(&now)));
        doc.insert("severity".into(), json!(self.severity.as_str()));
        doc.insert("summary".into(), json!(self.summary));
        doc.insert("category".into(), json!(self.category));
        doc.insert("tags".into(), json!(self.tags));
        doc.insert("events".into(), Value::Array(events));
        doc.insert("channel".into(), self.channel.as_ref().map_or(Value::Null, |c| json!(c)));
        doc.insert("notify_mozdefbot".into(), json!(self.notifies_bot()));
        doc.insert("status".into(), json!(DEFAULT_STATUS));
        if let Some(url) = &self.url {
            doc.insert("url".into(), json!(url));
        }
        doc.insert("classname".into(), json!(classname));
        if let Some(details) = &self.details {
            doc.insert("details".into(), Value::Object(details.clone()));
        }
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hit() -> Hit {
        let source = json!({"summary": "x"}).as_object().cloned().unwrap_or_default();
        Hit { id: "e1".into(), index: "events-20261123".into(), score: 1.0, source }
    }

    #[test]
    fn create_alert_dict_shape() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let doc = Alert::new("s", "bruteforce", &["ssh"], vec![hit()]).to_document("AlertBruteforceSsh", now);
        let keys: Vec<&str> = doc.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "utctimestamp",
                "severity",
                "summary",
                "category",
                "tags",
                "events",
                "channel",
                "notify_mozdefbot",
                "status",
                "classname"
            ]
        );
        assert_eq!(doc["utctimestamp"], "2026-11-23T12:00:00+00:00");
        assert_eq!(doc["severity"], "NOTICE");
        assert_eq!(doc["notify_mozdefbot"], false, "NOTICE does not notify");
        assert_eq!(doc["status"], "manual");
        assert_eq!(
            doc["events"],
            json!([{"documentindex": "events-20261123", "documentsource": {"summary": "x"}, "documentid": "e1"}])
        );
    }

    #[test]
    fn tag_bot_notify() {
        let a = Alert::new("s", "c", &[], vec![]);
        assert!(!a.clone().severity(Severity::Info).notifies_bot());
        assert!(a.clone().severity(Severity::Warning).notifies_bot());
        assert!(a.clone().severity(Severity::Info).channel("#sec").notifies_bot(), "a channel forces it");
        assert!(!a.clone().severity(Severity::Info).channel("").notifies_bot());
        let mut explicit = a.severity(Severity::Critical);
        explicit.notify_mozdefbot = Some(false);
        assert!(!explicit.notifies_bot());
    }
}
