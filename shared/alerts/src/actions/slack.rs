//! `slack`: MozDef's chat bot (`bot/slack/mozdefbot.py`, `slack_bot.py`) as an incoming
//! webhook. Alerts whose `notify_mozdefbot` is not false are posted as one attachment
//! coloured by severity (CRITICAL and ERROR red, WARNING yellow, INFO grey, NOTICE blue,
//! anything else black), text `<SEVERITY> _<category>_: <summary>`, the summary cut at 450
//! characters with ` truncated...`. The channel is the alert's `channel` when set (and, if
//! `channels` lists the bot's channels, one of them), else `default_channel`.

use async_trait::async_trait;
use reqwest::Client;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{ActionError, AlertAction, AlertMessage, http};

/// Summaries longer than this many characters are cut (the bot's flood guard).
const SUMMARY_MAX_CHARS: usize = 450;

/// `slack`'s settings (`mozdefbot.conf`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlackConfig {
    /// The incoming webhook URL.
    pub webhook_url: String,
    /// Where alerts without a (known) channel go (`default_alert_channel`); empty: the
    /// webhook's own channel.
    pub default_channel: String,
    /// The channels an alert may name (`channels`); empty: any.
    pub channels: Vec<String>,
    /// The name the messages are posted under; empty: the webhook's.
    pub username: String,
}

impl Default for SlackConfig {
    fn default() -> Self {
        SlackConfig {
            webhook_url: String::new(),
            default_channel: "mozdef".into(),
            channels: Vec::new(),
            username: String::new(),
        }
    }
}

/// The `slack` action.
#[derive(Debug, Clone)]
pub struct Slack {
    config: SlackConfig,
    client: Client,
}

impl Slack {
    /// The action with `config`, sending through `client`.
    pub fn new(config: SlackConfig, client: Client) -> Self {
        Slack { config, client }
    }

    /// The channel `message` is posted to, if any.
    pub fn channel<'a>(&'a self, message: &'a AlertMessage) -> Option<&'a str> {
        let wanted = message
            .text("channel")
            .filter(|c| self.config.channels.is_empty() || self.config.channels.iter().any(|known| known == c));
        wanted.or(Some(self.config.default_channel.as_str()).filter(|c| !c.is_empty()))
    }

    /// The webhook body for `message`.
    pub fn body(&self, message: &AlertMessage) -> Value {
        let text = format_alert(message);
        let mut body = Map::new();
        if let Some(channel) = self.channel(message) {
            body.insert("channel".into(), json!(channel));
        }
        if !self.config.username.is_empty() {
            body.insert("username".into(), json!(self.config.username));
        }
        body.insert(
            "attachments".into(),
            json!([{"fallback": text, "text": text, "color": colour(&message.severity())}]),
        );
        Value::Object(body)
    }
}

/// The bot's `format_alert`: `<SEVERITY> _<category>_: <summary>` (the summary alone without
/// a category), the summary cut at 450 characters.
fn format_alert(message: &AlertMessage) -> String {
    let summary = message.text("summary").unwrap_or("");
    let summary = if summary.chars().count() > SUMMARY_MAX_CHARS {
        format!("{} truncated...", summary.chars().take(SUMMARY_MAX_CHARS).collect::<String>())
    } else {
        summary.to_owned()
    };
    match message.source.get("category").and_then(Value::as_str) {
        Some(category) => format!("{} _{category}_: {summary}", message.text("severity").unwrap_or("NOTICE")),
        None => summary,
    }
}

/// The attachment colour of a severity, as the bot had them.
fn colour(severity: &str) -> &'static str {
    match severity {
        "CRITICAL" | "ERROR" => "#d04437",
        "WARNING" => "#ffd351",
        "INFO" => "#cccccc",
        "NOTICE" => "#4a6785",
        _ => "#000000",
    }
}

#[async_trait]
impl AlertAction for Slack {
    fn name(&self) -> &str {
        "slack"
    }

    fn applies_to(&self, message: &AlertMessage) -> bool {
        message.source.get("notify_mozdefbot") != Some(&Value::Bool(false))
    }

    async fn run(&self, message: &AlertMessage) -> Result<(), ActionError> {
        let request = self.client.post(&self.config.webhook_url).json(&self.body(message));
        http::send(self.name(), request).await
    }
}
