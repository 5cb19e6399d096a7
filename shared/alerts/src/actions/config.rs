//! The actions' configuration and the building of the enabled actions.
//!
//! Like MozDef (`ALERT_ACTIONS` in `alerts/lib/config.py`, then `block_ip.conf`,
//! `pagerduty.json`, `mozdefbot.conf` beside each action), the list of enabled actions and
//! what they share (retries, HTTP timeouts) are one module, `actions`, and each action's own
//! settings its own module named after the action (`block_ip`, `pagerduty`, `slack`,
//! `webhook`, `sns`), all read through [`ConfigSource`]: `<dir>/actions.json`,
//! `<dir>/slack.json`..., with flat environment overrides such as
//! `MOZDEF_ALERT_SLACK__WEBHOOK_URL` or `MOZDEF_ALERT_BLOCK_IP__JWT_TOKEN`, so a secret never
//! has to sit in a file. Only the enabled actions' modules are read.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    AlertAction, BlockIp, BlockIpConfig, PagerDuty, PagerDutyConfig, RetryPolicy, Slack, SlackConfig, Sns, SnsConfig,
    SnsPublisher, Webhook, WebhookConfig, http,
};
use crate::config::ConfigSource;
use crate::error::AlertError;

/// The module name the general settings are read under (and the errors are named after).
const MODULE: &str = "actions";

/// The action names [`build_actions`] knows.
const KNOWN: [&str; 5] = ["block_ip", "pagerduty", "slack", "webhook", "sns"];

/// HTTP timeouts of the actions that speak HTTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// The longest a whole request may take, in milliseconds.
    pub timeout_ms: u64,
    /// The longest connecting may take, in milliseconds.
    pub connect_timeout_ms: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings { timeout_ms: 10_000, connect_timeout_ms: 5_000 }
    }
}

/// The general settings (module `actions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct GeneralSettings {
    enabled: Vec<String>,
    retry: RetryPolicy,
    http: HttpSettings,
}

/// Which actions run and how each is set up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActionsConfig {
    /// The enabled actions, in run order (MozDef's `ALERT_ACTIONS`); empty: none.
    pub enabled: Vec<String>,
    /// How transient failures are retried.
    pub retry: RetryPolicy,
    /// HTTP timeouts.
    pub http: HttpSettings,
    /// `block_ip`'s settings.
    pub block_ip: BlockIpConfig,
    /// `pagerduty`'s settings.
    pub pagerduty: PagerDutyConfig,
    /// `slack`'s settings.
    pub slack: SlackConfig,
    /// `webhook`'s settings.
    pub webhook: WebhookConfig,
    /// `sns`'s settings.
    pub sns: SnsConfig,
}

impl ActionsConfig {
    /// Reads module `actions`, then the module of each enabled action, from `source`.
    pub fn load(source: &ConfigSource) -> Result<Self, AlertError> {
        let general: GeneralSettings = source.load(MODULE)?;
        let mut config =
            ActionsConfig { enabled: general.enabled, retry: general.retry, http: general.http, ..Default::default() };
        for name in config.enabled.clone() {
            match name.as_str() {
                "block_ip" => config.block_ip = source.load(&name)?,
                "pagerduty" => config.pagerduty = source.load(&name)?,
                "slack" => config.slack = source.load(&name)?,
                "webhook" => config.webhook = source.load(&name)?,
                "sns" => config.sns = source.load(&name)?,
                other => return Err(unknown_action(other)),
            }
        }
        Ok(config)
    }
}

/// What some actions need from outside: the SNS publisher (built on the AWS SDK by
/// `mozdef-aws`).
#[derive(Clone, Default)]
pub struct ActionServices {
    /// Publishes to SNS; required when `sns` is enabled.
    pub sns: Option<Arc<dyn SnsPublisher>>,
}

/// The enabled actions of `config`, in its order. A name that is not an action, an action
/// enabled twice, a missing or malformed URL, a bad header, an `sns` without a topic or a
/// publisher: each is refused with a message naming the action and the setting.
pub fn build_actions(
    config: &ActionsConfig,
    services: &ActionServices,
) -> Result<Vec<Arc<dyn AlertAction>>, AlertError> {
    if config.enabled.is_empty() {
        return Ok(Vec::new());
    }
    let client = http::client(
        Duration::from_millis(config.http.timeout_ms),
        Duration::from_millis(config.http.connect_timeout_ms),
    )
    .map_err(config_error)?;
    let mut actions: Vec<Arc<dyn AlertAction>> = Vec::with_capacity(config.enabled.len());
    for (position, name) in config.enabled.iter().enumerate() {
        if config.enabled[..position].contains(name) {
            return Err(config_error(format!("{name}: enabled twice")));
        }
        let action: Arc<dyn AlertAction> = match name.as_str() {
            "block_ip" => {
                check_url(name, "restapi_url", &config.block_ip.restapi_url)?;
                Arc::new(BlockIp::new(config.block_ip.clone(), client.clone()))
            }
            "pagerduty" => {
                let settings = &config.pagerduty;
                check_url(name, "events_url", &settings.events_url)?;
                if settings.integrations.is_empty() {
                    return Err(config_error(format!("{name}: no integrations")));
                }
                if let Some(bad) = settings.integrations.iter().find(|i| i.routing_key.is_empty() || i.tag.is_empty()) {
                    return Err(config_error(format!("{name}: integration {bad:?} needs a routing_key and a tag")));
                }
                Arc::new(PagerDuty::new(settings.clone(), client.clone()))
            }
            "slack" => {
                check_url(name, "webhook_url", &config.slack.webhook_url)?;
                Arc::new(Slack::new(config.slack.clone(), client.clone()))
            }
            "webhook" => {
                check_url(name, "url", &config.webhook.url)?;
                let webhook = Webhook::new(config.webhook.clone(), client.clone())
                    .map_err(|e| config_error(format!("{name}: {e}")))?;
                Arc::new(webhook)
            }
            "sns" => {
                if config.sns.topic_arn.is_empty() {
                    return Err(config_error(format!("{name}: topic_arn is not set")));
                }
                let Some(publisher) = services.sns.clone() else {
                    return Err(config_error(format!("{name}: no SNS publisher was provided")));
                };
                Arc::new(Sns::new(config.sns.clone(), publisher))
            }
            other => return Err(unknown_action(other)),
        };
        actions.push(action);
    }
    Ok(actions)
}

/// `url` must be an absolute http(s) URL.
fn check_url(action: &str, setting: &str, url: &str) -> Result<(), AlertError> {
    if url.is_empty() {
        return Err(config_error(format!("{action}: {setting} is not set")));
    }
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(()),
        Ok(parsed) => {
            Err(config_error(format!("{action}: {setting} {url:?}: scheme {:?} is not http(s)", parsed.scheme())))
        }
        Err(e) => Err(config_error(format!("{action}: {setting} {url:?}: {e}"))),
    }
}

fn unknown_action(name: &str) -> AlertError {
    config_error(format!("unknown action {name:?} (known: {})", KNOWN.join(", ")))
}

fn config_error(message: String) -> AlertError {
    AlertError::Config { alert: MODULE.into(), message }
}

/// Registration keywords as a list or, as MozDef's `.conf` files have them, one
/// space-separated string.
pub(super) mod keywords {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Keywords {
        Text(String),
        List(Vec<String>),
    }

    /// Deserializes either form into a list.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
        Ok(match Keywords::deserialize(deserializer)? {
            Keywords::Text(text) => text.split_whitespace().map(str::to_owned).collect(),
            Keywords::List(list) => list,
        })
    }
}
