//! The alert catalogue's cases, one list for every test root that runs them:
//! `shared/alerts/tests/catalogue/main.rs` on the in-memory backend
//! (`mozdef_alerts::testing::MemoryBackend`), and `tests/parity/tests/catalogue/main.rs` on the
//! embedded store and on OpenSearch. Each root includes this file as a module
//! (`#[path = ".../cases.rs"] mod cases;`), so the modules below resolve beside it, and
//! defines `crate::stores::open()`: the fresh, empty stores ([`common::TestStore`]) every
//! case runs on.
//!
//! Each module is one alert's (or one family's) cases in MozDef's test style: a default
//! event merged with per-case changes, time frozen at 2017-01-01 01:00:00 UTC, positive cases
//! compared key by key with the stored alert, negative cases raising nothing.

pub mod common;
pub mod settings;
pub mod shapes;

mod auditd_sftp;
mod auth0_bruteforce_user;
mod auth0_vertical_password_guessing;
mod bruteforce_ssh;
mod bugzilla_auth_bruteforce;
mod cloudtrail_logging_disabled;
mod deadman;
mod deadman_generic;
mod dns_watchlist;
mod duo_authfail;
mod duo_fail_open;
mod generic_alert_loader;
mod geomodel;
mod get_watchlist;
mod guard_duty_probe;
mod http_auth_bruteforce;
mod http_errors;
mod ldap_add;
mod ldap_bruteforce_user;
mod ldap_delete;
mod ldap_group;
mod ldap_lockout;
mod multiple_intel_hits;
mod nsm_scan_address;
mod nsm_scan_port;
mod nsm_scan_random;
mod old_events;
mod plugins;
mod promisc_audit;
mod promisc_kernel;
mod proxy_drop_executable;
mod proxy_drop_ip;
mod proxy_drop_non_standard_port;
mod proxy_exfil_domains;
mod securityhub_findings;
mod session_opened_sensitive_user;
mod ssh_access;
mod ssh_access_signreleng;
mod ssh_bruteforce_bro;
mod ssh_lateral;
mod ssl_blacklist_hit;
mod trace_audit;
mod triagebot_escalation;
mod vpc_flow_reject_scan;
mod vpn_duo_auth_failures;
mod waf_blocks;
mod write_audit;
