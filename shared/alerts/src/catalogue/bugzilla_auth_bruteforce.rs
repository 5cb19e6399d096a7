//! `bugzilla_auth_bruteforce.py` → `AlertBugzillaPBruteforce`: a Bro notice of an attacker
//! bruteforcing Bugzilla logins, one alert per notice (the task is `bro_notice::BroNotice`).

use chrono::Duration;
use mozdef_model::Severity;

use crate::catalogue::CatalogueEntry;
use crate::catalogue::bro_notice::{BroNotice, RunbookConfig};
use crate::config::ConfigSource;
use crate::error::AlertError;

/// The configuration module (and file) name.
const MODULE: &str = "bugzilla_auth_bruteforce";

/// MozDef's class name.
const NAME: &str = "AlertBugzillaPBruteforce";

/// The Bro notice reported.
const NOTE: &str = "BugzBruteforcing::HTTP_BugzBruteforcing_Attacker";

/// `bugzilla_auth_bruteforce.conf`: the runbook link (MozDef's default `https://www.mozilla.org`).
pub type Config = RunbookConfig;

/// The catalogue entry: notices of the last fifteen minutes, `NOTICE`, category `httperrors`.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let task = BroNotice {
        name: NAME,
        note: NOTE,
        window: Duration::minutes(15),
        category: "httperrors",
        tags: &["http"],
        severity: Severity::Notice,
        url: config.url,
    };
    Ok(CatalogueEntry::single(MODULE, task))
}
