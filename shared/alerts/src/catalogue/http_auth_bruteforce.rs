//! `http_auth_bruteforce.py` → `AlertHTTPBruteforce`: a Bro notice of an attacker
//! bruteforcing HTTP authentication, one alert per notice (the task is `bro_notice::BroNotice`).

use chrono::Duration;
use mozdef_model::Severity;

use crate::catalogue::CatalogueEntry;
use crate::catalogue::bro_notice::{BroNotice, RunbookConfig};
use crate::config::ConfigSource;
use crate::error::AlertError;

/// The configuration module (and file) name.
const MODULE: &str = "http_auth_bruteforce";

/// MozDef's class name.
const NAME: &str = "AlertHTTPBruteforce";

/// The Bro notice reported.
const NOTE: &str = "AuthBruteforcing::HTTP_AuthBruteforcing_Attacker";

/// `http_auth_bruteforce.conf`: the runbook link (MozDef's default `https://www.mozilla.org`).
pub type Config = RunbookConfig;

/// The catalogue entry: notices of the last fifteen minutes, `WARNING`, category `httperrors`.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let task = BroNotice {
        name: NAME,
        note: NOTE,
        window: Duration::minutes(15),
        category: "httperrors",
        tags: &["http"],
        severity: Severity::Warning,
        url: config.url,
    };
    Ok(CatalogueEntry::single(MODULE, task))
}
