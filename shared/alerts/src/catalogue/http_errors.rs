//! `http_errors.py` → `AlertHTTPErrors`: a Bro notice of a client causing excessive HTTP
//! errors, one alert per notice (the task is `bro_notice::BroNotice`).

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::catalogue::CatalogueEntry;
use crate::catalogue::bro_notice::BroNotice;
use crate::catalogue::fields;
use crate::config::ConfigSource;
use crate::error::AlertError;

/// The configuration module (and file) name.
const MODULE: &str = "http_errors";

/// MozDef's class name.
const NAME: &str = "AlertHTTPErrors";

/// The Bro notice reported.
const NOTE: &str = "MozillaHTTPErrors::Excessive_HTTP_Errors_Attacker";

/// `http_errors.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The runbook link attached to each alert.
    pub url: String,
    /// The alert severity (`WARNING`).
    pub severity: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { url: "https://www.mozilla.org".into(), severity: "WARNING".into() }
    }
}

/// The catalogue entry: notices of the last fifteen minutes, category `httperrors`; a
/// severity that is not one of MozDef's names is refused.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let task = BroNotice {
        name: NAME,
        note: NOTE,
        window: Duration::minutes(15),
        category: "httperrors",
        tags: &["http"],
        severity: fields::severity(MODULE, &config.severity)?,
        url: config.url,
    };
    Ok(CatalogueEntry::single(MODULE, task))
}
