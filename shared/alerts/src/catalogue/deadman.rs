//! `deadman.py` → `broNSM`: a deadman check per Bro sensor — an alert when a sensor sent no
//! `MozillaAlive::Bro_Is_Watching_You` healthcheck notice in twenty minutes. One task per
//! host of the `hosts` setting.

use std::sync::Arc;

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The configuration module (and file) name.
const MODULE: &str = "deadman";

/// MozDef's class name: the alert name of every host's task.
const CLASSNAME: &str = "broNSM";

/// `deadman.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The runbook link attached to each alert.
    pub url: String,
    /// The sensors watched, comma separated (`host1,host2`); blanks around names are ignored.
    pub hosts: String,
    /// The alert severity (`ERROR`).
    pub severity: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { url: "https://www.mozilla.org".into(), hosts: "host1".into(), severity: "ERROR".into() }
    }
}

/// The deadman check of one sensor.
#[derive(Debug, Clone)]
pub struct BroNsm {
    host: String,
    url: String,
    severity: Severity,
}

/// The catalogue entry `deadman.broNSM`, one task per host. A severity that is not one of
/// MozDef's names, or a host list without any host, is refused.
pub fn entry(source: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = source.load(MODULE)?;
    let config_error = |message: String| AlertError::Config { alert: MODULE.into(), message };
    let severity: Severity =
        config.severity.parse().map_err(|e: mozdef_model::ModelError| config_error(e.to_string()))?;
    let tasks: Vec<Arc<dyn AlertTask>> = config
        .hosts
        .split(',')
        .map(str::trim)
        .filter(|host| !host.is_empty())
        .map(|host| Arc::new(BroNsm { host: host.to_owned(), url: config.url.clone(), severity }) as Arc<dyn AlertTask>)
        .collect();
    if tasks.is_empty() {
        return Err(config_error(format!("hosts {:?} names no host", config.hosts)));
    }
    let enabled_by_default = source.is_configured(MODULE);
    Ok(CatalogueEntry { name: format!("{MODULE}.{CLASSNAME}"), tasks, stateful: Vec::new(), enabled_by_default })
}

impl BroNsm {
    /// The sensor this task watches.
    pub fn host(&self) -> &str {
        &self.host
    }
}

impl AlertTask for BroNsm {
    fn name(&self) -> &str {
        CLASSNAME
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(20)));
        query.add_must(Match::phrase("details.note", "MozillaAlive::Bro_Is_Watching_You"));
        query.add_must(Match::phrase("hostname", self.host.clone()));
        query.add_must(Match::term("category", "bro"));
        query.add_must(Match::term("source", "notice"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Deadman
    }

    fn on_no_event(&self, _ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("No {} bro healthcheck events found the past 20 minutes", self.host);
        let alert = Alert::new(summary, "deadman", &["bro", "bro_deadman"], Vec::new());
        Some(alert.severity(self.severity).url(self.url.clone()))
    }
}
