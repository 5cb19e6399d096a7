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
pub mod bro_notice;
pub mod bruteforce_ssh;
pub mod bugzilla_auth_bruteforce;
pub mod cloudtrail_logging_disabled;
pub mod deadman;
pub mod deadman_generic;
pub mod dns_watchlist;
pub mod duo_authfail;
pub mod duo_fail_open;
mod fields;
pub mod generic_alert_loader;
pub mod get_watchlist;
pub mod guard_duty_probe;
pub mod http_auth_bruteforce;
pub mod http_errors;
pub mod ldap_add;
pub mod ldap_bruteforce_user;
mod ldap_change;
pub mod ldap_delete;
pub mod ldap_group;
pub mod ldap_lockout;
pub mod multiple_intel_hits;
mod nsm_scan;
pub mod nsm_scan_address;
pub mod nsm_scan_port;
pub mod nsm_scan_random;
pub mod old_events;
pub mod promisc_audit;
pub mod promisc_kernel;
mod proxy;
pub mod proxy_drop_executable;
pub mod proxy_drop_ip;
pub mod proxy_drop_non_standard_port;
pub mod proxy_exfil_domains;
pub mod securityhub_findings;
pub mod session_opened_sensitive_user;
pub mod ssh_access;
pub mod ssh_access_signreleng;
pub mod ssh_bruteforce_bro;
pub mod ssh_lateral;
pub mod ssl_blacklist_hit;
pub mod trace_audit;
pub mod triagebot_escalation;
pub mod vpc_flow_reject_scan;
pub mod vpn_duo_auth_failures;
pub mod waf_blocks;
pub mod write_audit;

/// One schedulable alert.
#[derive(Clone)]
pub struct CatalogueEntry {
    /// MozDef's schedule key, `file.Class` (`bruteforce_ssh.AlertBruteforceSsh`).
    pub name: String,
    /// What one run runs.
    pub tasks: Vec<Arc<dyn AlertTask>>,
    /// Alerts of the entry that run themselves (GeoModel), after the tasks.
    pub stateful: Vec<Arc<dyn crate::StatefulAlert>>,
    /// Whether a new schedule of it starts enabled: false for the deadman checks until the
    /// site configures them (their shipped settings name sample hosts and searches, which
    /// would raise an alert every minute on a fresh install).
    pub enabled_by_default: bool,
}

impl std::fmt::Debug for CatalogueEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tasks: Vec<&str> =
            self.tasks.iter().map(|t| t.name()).chain(self.stateful.iter().map(|t| t.name())).collect();
        f.debug_struct("CatalogueEntry")
            .field("name", &self.name)
            .field("tasks", &tasks)
            .field("enabled_by_default", &self.enabled_by_default)
            .finish()
    }
}

impl CatalogueEntry {
    /// An entry running one task, named `file.<task name>`.
    pub fn single(file: &str, task: impl AlertTask + 'static) -> Self {
        CatalogueEntry {
            name: format!("{file}.{}", task.name()),
            tasks: vec![Arc::new(task)],
            stateful: Vec::new(),
            enabled_by_default: true,
        }
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
pub const MODULES: &[(&str, EntryBuilder)] = &[
    ("auditd_sftp", auditd_sftp::entry),
    ("auth0_bruteforce_user", auth0_bruteforce_user::entry),
    ("auth0_vertical_password_guessing", auth0_vertical_password_guessing::entry),
    ("bruteforce_ssh", bruteforce_ssh::entry),
    ("bugzilla_auth_bruteforce", bugzilla_auth_bruteforce::entry),
    ("cloudtrail_logging_disabled", cloudtrail_logging_disabled::entry),
    ("deadman", deadman::entry),
    ("deadman_generic", deadman_generic::entry),
    ("dns_watchlist", dns_watchlist::entry),
    ("duo_authfail", duo_authfail::entry),
    ("duo_fail_open", duo_fail_open::entry),
    ("get_watchlist", get_watchlist::entry),
    ("guard_duty_probe", guard_duty_probe::entry),
    ("http_auth_bruteforce", http_auth_bruteforce::entry),
    ("http_errors", http_errors::entry),
    ("ldap_add", ldap_add::entry),
    ("ldap_bruteforce_user", ldap_bruteforce_user::entry),
    ("ldap_delete", ldap_delete::entry),
    ("ldap_group", ldap_group::entry),
    ("ldap_lockout", ldap_lockout::entry),
    ("multiple_intel_hits", multiple_intel_hits::entry),
    ("nsm_scan_address", nsm_scan_address::entry),
    ("nsm_scan_port", nsm_scan_port::entry),
    ("nsm_scan_random", nsm_scan_random::entry),
    ("old_events", old_events::entry),
    ("promisc_audit", promisc_audit::entry),
    ("promisc_kernel", promisc_kernel::entry),
    ("proxy_drop_executable", proxy_drop_executable::entry),
    ("proxy_drop_ip", proxy_drop_ip::entry),
    ("proxy_drop_non_standard_port", proxy_drop_non_standard_port::entry),
    ("proxy_exfil_domains", proxy_exfil_domains::entry),
    ("securityhub_findings", securityhub_findings::entry),
    ("session_opened_sensitive_user", session_opened_sensitive_user::entry),
    ("ssh_access", ssh_access::entry),
    ("ssh_access_signreleng", ssh_access_signreleng::entry),
    ("ssh_bruteforce_bro", ssh_bruteforce_bro::entry),
    ("ssh_lateral", ssh_lateral::entry),
    ("ssl_blacklist_hit", ssl_blacklist_hit::entry),
    ("trace_audit", trace_audit::entry),
    ("triagebot_escalation", triagebot_escalation::entry),
    ("vpc_flow_reject_scan", vpc_flow_reject_scan::entry),
    ("vpn_duo_auth_failures", vpn_duo_auth_failures::entry),
    ("waf_blocks", waf_blocks::entry),
    ("write_audit", write_audit::entry),
];

/// The modules whose runs read the watchlist ([`crate::AlertContext::watchlist`]): a runner
/// fetches it only for a run of one of them.
pub const WATCHLIST_MODULES: &[&str] = &["get_watchlist", "dns_watchlist"];

/// Builds every built-in alert from `config`, and the generic rules of `rules_dir` (MozDef's
/// `alert_data_location/rules`) as one more entry when there are any.
pub fn load_with_rules(config: &ConfigSource, rules_dir: Option<&std::path::Path>) -> Catalogue {
    let mut catalogue = load(config);
    if let Some(dir) = rules_dir {
        let (entry, errors) = generic_alert_loader::load_rules(dir);
        for error in &errors {
            tracing::error!(%error, "generic rule not loaded");
        }
        catalogue.entries.extend(entry);
        catalogue.errors.extend(errors);
    }
    catalogue
}

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
