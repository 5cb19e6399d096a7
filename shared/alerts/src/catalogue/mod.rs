//! MozDef's alert catalogue (inventory §3.2): one module per MozDef alert file, named after
//! it, each with its query, window, mode, severity, category, tags and summary format, and
//! its site-specific settings loaded through [`ConfigSource`] with MozDef's defaults.
//!
//! An [`CatalogueEntry`] is what is scheduled: MozDef's `file.Class`. Most entries run one
//! task; `deadman` runs one per watched host.

use std::sync::Arc;

use mozdef_model::get_path;
use mozdef_query::Hit;
use serde_json::Value;

use crate::config::ConfigSource;
use crate::error::AlertError;
use crate::task::AlertTask;

pub mod auditd_sftp;
pub mod auth0_bruteforce_user;
pub mod auth0_vertical_password_guessing;
pub mod bruteforce_ssh;
pub mod bugzilla_auth_bruteforce;
pub mod cloudtrail_logging_disabled;
pub mod deadman;
pub mod deadman_generic;
pub mod duo_authfail;
pub mod duo_fail_open;
pub mod generic_alert_loader;
pub mod get_watchlist;
pub mod guard_duty_probe;
pub mod http_auth_bruteforce;
pub mod http_errors;
pub mod ldap_add;
pub mod ldap_bruteforce_user;
pub mod ldap_delete;
pub mod ldap_group;
pub mod ldap_lockout;
pub mod multiple_intel_hits;
pub mod nsm_scan_address;
pub mod nsm_scan_port;
pub mod nsm_scan_random;
pub mod old_events;
pub mod promisc_audit;
pub mod promisc_kernel;
pub mod proxy_drop_executable;
pub mod proxy_drop_ip;
pub mod proxy_drop_non_standard_port;
pub mod proxy_exfil_domains;
pub mod session_opened_sensitive_user;
pub mod ssh_access;
pub mod ssh_access_signreleng;
pub mod ssh_bruteforce_bro;
pub mod ssh_lateral;
pub mod ssl_blacklist_hit;
pub mod trace_audit;
pub mod triagebot_escalation;
pub mod vpn_duo_auth_failures;
pub mod write_audit;

/// One schedulable alert.
#[derive(Clone)]
pub struct CatalogueEntry {
    /// MozDef's schedule key, `file.Class` (`bruteforce_ssh.AlertBruteforceSsh`).
    pub name: String,
    /// What one run runs.
    pub tasks: Vec<Arc<dyn AlertTask>>,
}

impl std::fmt::Debug for CatalogueEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tasks: Vec<&str> = self.tasks.iter().map(|t| t.name()).collect();
        f.debug_struct("CatalogueEntry").field("name", &self.name).field("tasks", &tasks).finish()
    }
}

impl CatalogueEntry {
    /// An entry running one task, named `file.<task name>`.
    pub fn single(file: &str, task: impl AlertTask + 'static) -> Self {
        CatalogueEntry { name: format!("{file}.{}", task.name()), tasks: vec![Arc::new(task)] }
    }
}

/// How a module builds its entry from the configuration.
pub type EntryBuilder = fn(&ConfigSource) -> Result<CatalogueEntry, AlertError>;

/// The catalogue as loaded: the entries that could be built, and why the others could not.
#[derive(Debug, Default)]
pub struct Catalogue {
    /// Loaded entries, in catalogue order.
    pub entries: Vec<CatalogueEntry>,
    /// One error per entry whose configuration is broken (the others still load).
    pub errors: Vec<AlertError>,
}

/// Every built-in alert module, by MozDef file name.
pub const MODULES: &[(&str, EntryBuilder)] = &[("bruteforce_ssh", bruteforce_ssh::entry)];

/// Builds every built-in alert from `config`.
pub fn load(config: &ConfigSource) -> Catalogue {
    let mut catalogue = Catalogue::default();
    for (file, build) in MODULES {
        match build(config) {
            Ok(entry) => catalogue.entries.push(entry),
            Err(error) => {
                tracing::error!(alert = file, %error, "alert not loaded");
                catalogue.errors.push(error);
            }
        }
    }
    catalogue
}

/// MozDef's `mostCommon(events, path)`: the values at the dotted `path` with their counts,
/// most frequent first (ties in order of first appearance); events without it are skipped.
pub fn most_common(events: &[Hit], path: &str) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = Vec::new();
    for event in events {
        let source = Value::Object(event.source.clone());
        let Some(value) = get_path(&source, path).filter(|v| !v.is_null()) else { continue };
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match counts.iter_mut().find(|(v, _)| *v == text) {
            Some((_, n)) => *n += 1,
            None => counts.push((text, 1)),
        }
    }
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    counts
}
