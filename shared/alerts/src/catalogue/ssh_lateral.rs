//! `ssh_lateral.py` → `SshLateral`: sshd public-key logins on in-scope hosts from internal
//! sources the policy (`ssh_lateral.json`) does not allow, one alert per host.
//!
//! The policy: a host is in scope when it matches a `hostmustmatch` regex and no
//! `hostmustnotmatch` one; a login on it is reported when its source address is in an
//! `alertifsource` network and in no `notalertifsource` one, its user matches no
//! `ignoreusers` regex, and no `exceptions` rule `[user regex, host regex, network]` covers
//! it. Regexes match from the start of the text, as Python's `re.match`.

use std::net::IpAddr;

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{IpNetwork, Match, QueryError, SearchQuery};
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// The user and source address of a login line (from the start of the summary).
const ACCEPTED_LOGIN: &str = r"^Accepted publickey for (\S+) from (\S+)";

/// `ssh_lateral.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Regexes of the hosts in scope.
    pub hostmustmatch: Vec<String>,
    /// Regexes of hosts never in scope.
    pub hostmustnotmatch: Vec<String>,
    /// Source networks (CIDR) whose logins are reported.
    pub alertifsource: Vec<String>,
    /// Source networks (CIDR) never reported.
    pub notalertifsource: Vec<String>,
    /// Regexes of users never reported.
    pub ignoreusers: Vec<String>,
    /// Allowed logins: `[user regex, host regex, source network]`.
    pub exceptions: Vec<[String; 3]>,
}

impl Default for Config {
    fn default() -> Self {
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
        let exception = |user: &str, host: &str, cidr: &str| [user.to_owned(), host.to_owned(), cidr.to_owned()];
        let spock_host = "sciencestation.enterprise.mozilla.com";
        Config {
            hostmustmatch: strings(&[r".*\.enterprise\.mozilla.com"]),
            hostmustnotmatch: strings(&[r"ten-forward\.enterprise\.mozilla\.com"]),
            alertifsource: strings(&["10.0.0.0/8"]),
            notalertifsource: strings(&["10.0.22.0/24", "10.0.23.0/24"]),
            ignoreusers: strings(&[r".*@\S+.*"]),
            exceptions: vec![
                exception("kirk", ".*", "10.1.1.1/32"),
                exception("kirk", ".*", "10.1.1.2/32"),
                exception("kirk", ".*", "10.1.1.3/32"),
                exception("spock", spock_host, "10.0.50.0/24"),
                exception("spock", spock_host, "10.0.51.0/24"),
                exception("spock", spock_host, "10.0.52.0/24"),
                exception("spock", spock_host, "10.0.53.0/24"),
            ],
        }
    }
}

/// One compiled `exceptions` rule.
#[derive(Debug, Clone)]
struct Exception {
    user: Regex,
    host: Regex,
    source: IpNetwork,
}

/// The compiled policy.
#[derive(Debug, Clone)]
struct Policy {
    host_must_match: Vec<Regex>,
    host_must_not_match: Vec<Regex>,
    alert_if_source: Vec<IpNetwork>,
    not_alert_if_source: Vec<IpNetwork>,
    ignore_users: Vec<Regex>,
    exceptions: Vec<Exception>,
}

impl Policy {
    /// Compiles `config`, naming the first bad regex or network.
    fn compile(config: &Config) -> Result<Self, String> {
        let regexes =
            |key: &str, patterns: &[String]| patterns.iter().map(|p| anchored(key, p)).collect::<Result<Vec<_>, _>>();
        let networks =
            |key: &str, cidrs: &[String]| cidrs.iter().map(|c| network(key, c)).collect::<Result<Vec<_>, _>>();
        let exceptions = config
            .exceptions
            .iter()
            .map(|[user, host, cidr]| {
                Ok(Exception {
                    user: anchored("exceptions", user)?,
                    host: anchored("exceptions", host)?,
                    source: network("exceptions", cidr)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Policy {
            host_must_match: regexes("hostmustmatch", &config.hostmustmatch)?,
            host_must_not_match: regexes("hostmustnotmatch", &config.hostmustnotmatch)?,
            alert_if_source: networks("alertifsource", &config.alertifsource)?,
            not_alert_if_source: networks("notalertifsource", &config.notalertifsource)?,
            ignore_users: regexes("ignoreusers", &config.ignoreusers)?,
            exceptions,
        })
    }

    /// Whether logins on `host` are in scope.
    fn host_in_scope(&self, host: &str) -> bool {
        self.host_must_match.iter().any(|r| r.is_match(host))
            && !self.host_must_not_match.iter().any(|r| r.is_match(host))
    }

    /// Whether a login of `user` on `host` from `source` is outside the policy.
    fn reported(&self, user: &str, host: &str, source: IpAddr) -> bool {
        self.alert_if_source.iter().any(|n| n.contains(source))
            && !self.not_alert_if_source.iter().any(|n| n.contains(source))
            && !self.ignore_users.iter().any(|r| r.is_match(user))
            && !self
                .exceptions
                .iter()
                .any(|e| e.user.is_match(user) && e.host.is_match(host) && e.source.contains(source))
    }
}

/// A regex matching from the start of the text, as Python's `re.match`.
fn anchored(key: &str, pattern: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{pattern})")).map_err(|e| format!("{key}: bad regex {pattern:?}: {e}"))
}

/// A CIDR block.
fn network(key: &str, cidr: &str) -> Result<IpNetwork, String> {
    IpNetwork::parse(cidr).map_err(|e| format!("{key}: {e}"))
}

/// The alert.
#[derive(Debug, Clone)]
pub struct SshLateral {
    policy: Policy,
    /// [`ACCEPTED_LOGIN`], compiled.
    accepted_login: Regex,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("ssh_lateral")?;
    let config_error = |message: String| AlertError::Config { alert: "ssh_lateral".into(), message };
    let policy = Policy::compile(&config).map_err(config_error)?;
    let accepted_login = Regex::new(ACCEPTED_LOGIN).map_err(|e| config_error(e.to_string()))?;
    Ok(CatalogueEntry::single("ssh_lateral", SshLateral { policy, accepted_login }))
}

impl AlertTask for SshLateral {
    fn name(&self) -> &str {
        "SshLateral"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "syslog"));
        query.add_must(Match::term("details.program", "sshd"));
        query.add_must(Match::phrase("summary", "Accepted publickey"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "hostname".into(), samples: 10, threshold: 1 }
    }

    /// Checks the sampled logins against the policy; the alert lists the samples.
    fn on_aggregation(&self, group: &AggregationGroup, ctx: &AlertContext) -> Option<Alert> {
        let host = group.events.first()?.source.get("hostname").and_then(Value::as_str)?;
        if !self.policy.host_in_scope(host) {
            return None;
        }
        let mut sources = Vec::new();
        let mut users = Vec::new();
        for event in &group.events {
            let Some(summary) = event.source.get("summary").and_then(Value::as_str) else { continue };
            let Some(login) = self.accepted_login.captures(summary) else { continue };
            let (Some(user), Some(source)) = (login.get(1), login.get(2)) else { continue };
            // MozDef failed the whole run on a source that is not an address; it is skipped.
            let Ok(address) = source.as_str().parse::<IpAddr>() else { continue };
            // MozDef listed a login once per `alertifsource` network holding it; once here.
            if self.policy.reported(user.as_str(), host, address) {
                sources.push(with_hostname(source.as_str(), address, ctx));
                users.push(user.as_str());
            }
        }
        if sources.is_empty() {
            return None;
        }
        let summary = format!(
            "SSH lateral movement outside policy: access to {host} from {} as {}",
            sources.join(","),
            users.join(",")
        );
        Some(Alert::new(summary, "session", &["sshd", "syslog"], group.events.clone()).severity(Severity::Warning))
    }
}

/// MozDef's `add_hostname_to_ip(ip, '{0} ({1})')`: `ip (name)` for a private address with a
/// reverse name, the address alone otherwise.
fn with_hostname(text: &str, address: IpAddr, ctx: &AlertContext) -> String {
    if !is_private(address) {
        return text.to_owned();
    }
    match ctx.reverse(text) {
        Some(name) => format!("{text} ({name})"),
        None => text.to_owned(),
    }
}

/// `netaddr`'s `is_private`: the IPv4 private and special-use blocks, the IPv6 unique-local
/// and site-local blocks, and link-local addresses.
fn is_private(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            a == 10
                || (a == 100 && (64..128).contains(&b))
                || (a == 172 && (16..32).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 192 && b == 168)
                || (a == 198 && (18..20).contains(&b))
                || a == 239
                || (a == 169 && b == 254)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfec0 || (first & 0xffc0) == 0xfe80
        }
    }
}
