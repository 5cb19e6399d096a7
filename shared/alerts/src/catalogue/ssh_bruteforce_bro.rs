//! `ssh_bruteforce_bro.py` → `AlertSSHManyConns`: a Bro notice of SSH password
//! guessing, one alert per notice (tagged `http`, as MozDef shipped it; the task is
//! `bro_notice::BroNotice`).

use chrono::Duration;
use mozdef_model::Severity;

use crate::catalogue::CatalogueEntry;
use crate::catalogue::bro_notice::{BroNotice, RunbookConfig};
use crate::config::ConfigSource;
use crate::error::AlertError;

/// The configuration module (and file) name.
const MODULE: &str = "ssh_bruteforce_bro";

/// MozDef's class name.
const NAME: &str = "AlertSSHManyConns";

/// The Bro notice reported.
const NOTE: &str = "SSH::Password_Guessing";

/// `ssh_bruteforce_bro.conf`: the runbook link (MozDef's default `https://www.mozilla.org`).
pub type Config = RunbookConfig;

/// The catalogue entry: notices of the last fifteen minutes, `NOTICE`, category `bruteforce`.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let task = BroNotice {
        name: NAME,
        note: NOTE,
        window: Duration::minutes(15),
        category: "bruteforce",
        tags: &["http"],
        severity: Severity::Notice,
        url: config.url,
    };
    Ok(CatalogueEntry::single(MODULE, task))
}
