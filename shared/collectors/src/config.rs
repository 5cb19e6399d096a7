//! The site's collectors: a JSON file (`--collectors FILE` / `MOZDEF_COLLECTORS_FILE` for
//! `mozdef dev`, default `<data-dir>/collectors.json` when it exists) or the same JSON as text
//! (`MOZDEF_COLLECTORS` for the `collectors` Lambda, which the stack sets from a parameter):
//!
//! ```json
//! {"sources": [
//!   {"name": "okta", "provider": "okta", "secret": "okta-api-token",
//!    "settings": {"domain": "example.okta.com"}, "every_minutes": 5, "silence_minutes": 60},
//!   {"name": "duo", "provider": "duo", "secret": "duo-secret-key",
//!    "settings": {"api_host": "api-1a2b3c4d.duosecurity.com", "integration_key": "DIXXXXXXXXXXXXXXXXXX"}},
//!   {"name": "auth0", "provider": "auth0", "secret": "auth0-client-secret",
//!    "settings": {"domain": "example.auth0.com", "client_id": "..."}},
//!   {"name": "google", "provider": "google", "secret": "google-service-account",
//!    "settings": {"subject": "admin@example.com"}}
//! ]}
//! ```
//!
//! `name` (letters, digits, `-`, `_`; unique) names the source in cursors, document ids,
//! heartbeats and alerts; `provider` picks the API (`okta`, `duo`, `auth0`, `google`);
//! `settings` are the provider's own (see each provider's `Settings` type; unknown keys are
//! refused); `secret` names the credential ([`crate::secrets`]); `every_minutes` (default 5)
//! is the schedule; `silence_minutes` (default 60) how long without a successful run before
//! the silence alert fires; `enabled` (default true). Everything is checked at start.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::secrets::SecretSource;
use crate::{CollectorError, Provider, auth0, duo, google, okta};

/// The list of sources.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CollectorsConfig {
    /// The sources.
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
}

/// One source.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The source's name.
    pub name: String,
    /// The provider: `okta`, `duo`, `auth0` or `google`.
    pub provider: String,
    /// The name of the secret holding the credential.
    pub secret: String,
    /// The provider's settings.
    #[serde(default)]
    pub settings: Value,
    /// Minutes between runs.
    #[serde(default = "default_every")]
    pub every_minutes: u32,
    /// Minutes without a successful run before the silence alert fires.
    #[serde(default = "default_silence")]
    pub silence_minutes: u32,
    /// Whether the source is pulled.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
}

fn default_every() -> u32 {
    5
}

fn default_silence() -> u32 {
    60
}

fn default_enabled() -> bool {
    true
}

/// The providers there are.
pub const PROVIDERS: [&str; 4] = ["okta", "duo", "auth0", "google"];

impl CollectorsConfig {
    /// The configuration in `text` (JSON), checked; `origin` names it in errors.
    ///
    /// # Errors
    ///
    /// [`CollectorError::Config`] naming the file and the problem.
    pub fn parse(text: &str, origin: &str) -> Result<Self, CollectorError> {
        let config: CollectorsConfig =
            serde_json::from_str(text).map_err(|e| CollectorError::Config(format!("{origin}: {e}")))?;
        config.check().map_err(|e| CollectorError::Config(format!("{origin}: {e}")))?;
        Ok(config)
    }

    /// The configuration of the file `path`.
    ///
    /// # Errors
    ///
    /// [`CollectorError::Config`] when it cannot be read or is wrong.
    pub fn read(path: &Path) -> Result<Self, CollectorError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CollectorError::Config(format!("{}: cannot read: {e}", path.display())))?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The enabled sources.
    pub fn enabled(&self) -> impl Iterator<Item = &SourceConfig> {
        self.sources.iter().filter(|s| s.enabled)
    }

    fn check(&self) -> Result<(), String> {
        let mut names = Vec::new();
        for (n, source) in self.sources.iter().enumerate() {
            let at = format!("sources[{n}] ({:?})", source.name);
            let valid_name = !source.name.is_empty()
                && source.name.len() <= 64
                && source.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid_name {
                return Err(format!("{at}: `name` must be 1–64 letters, digits, `-` or `_`"));
            }
            if names.contains(&source.name.as_str()) {
                return Err(format!("{at}: `name` repeats an earlier source"));
            }
            names.push(&source.name);
            if !PROVIDERS.contains(&source.provider.as_str()) {
                return Err(format!(
                    "{at}: `provider` must be one of {}, got {:?}",
                    PROVIDERS.join(", "),
                    source.provider
                ));
            }
            if source.secret.trim().is_empty() {
                return Err(format!("{at}: `secret` names no secret"));
            }
            if source.every_minutes == 0 || source.every_minutes > 24 * 60 {
                return Err(format!("{at}: `every_minutes` must be 1–1440"));
            }
            if source.silence_minutes < source.every_minutes {
                return Err(format!("{at}: `silence_minutes` must be at least `every_minutes`"));
            }
            // The settings are checked by the provider's own type (unknown keys refused).
            source.check_settings().map_err(|e| format!("{at}: `settings`: {e}"))?;
        }
        Ok(())
    }
}

impl SourceConfig {
    fn check_settings(&self) -> Result<(), String> {
        let settings = if self.settings.is_null() { Value::Object(Default::default()) } else { self.settings.clone() };
        let checked = match self.provider.as_str() {
            "okta" => serde_json::from_value::<okta::OktaSettings>(settings).map(drop),
            "duo" => serde_json::from_value::<duo::DuoSettings>(settings).map(drop),
            "auth0" => serde_json::from_value::<auth0::Auth0Settings>(settings).map(drop),
            _ => serde_json::from_value::<google::GoogleSettings>(settings).map(drop),
        };
        checked.map_err(|e| e.to_string())
    }

    /// The provider of this source, its credential read from `secrets`.
    ///
    /// # Errors
    ///
    /// The secret's [`CollectorError::Secret`], or the provider's refusal of its settings or
    /// credential ([`CollectorError::Config`]).
    pub async fn provider(&self, secrets: &dyn SecretSource) -> Result<Box<dyn Provider>, CollectorError> {
        let secret = secrets.secret(&self.secret).await?;
        let settings = if self.settings.is_null() { Value::Object(Default::default()) } else { self.settings.clone() };
        let bad = |e: serde_json::Error| CollectorError::Config(format!("{}: `settings`: {e}", self.name));
        Ok(match self.provider.as_str() {
            "okta" => Box::new(okta::Okta::new(serde_json::from_value(settings).map_err(bad)?, &secret)?),
            "duo" => Box::new(duo::Duo::new(serde_json::from_value(settings).map_err(bad)?, &secret)?),
            "auth0" => Box::new(auth0::Auth0::new(serde_json::from_value(settings).map_err(bad)?, &secret)?),
            "google" => Box::new(google::Google::new(serde_json::from_value(settings).map_err(bad)?, &secret)?),
            other => return Err(CollectorError::Config(format!("{}: unknown provider {other:?}", self.name))),
        })
    }
}
