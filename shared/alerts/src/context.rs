//! What an alert sees of the world while it runs: the frozen clock and reverse DNS.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};

/// Reverse DNS for summaries (`Address scan from 10.2.3.4 (host.example.org)`).
pub trait ReverseDns: Send + Sync + fmt::Debug {
    /// The name of `ip`, if it has one.
    fn reverse(&self, ip: IpAddr) -> Option<String>;
}

/// No reverse DNS: every lookup answers nothing (alerts then print what MozDef printed for
/// an address without a name).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoReverseDns;

impl ReverseDns for NoReverseDns {
    fn reverse(&self, _ip: IpAddr) -> Option<String> {
        None
    }
}

/// Fixed answers, with a fallback name for every other address (MozDef's tests mocked DNS
/// this way: `10.2.3.4` → `mock_hostname1.mozilla.org`, otherwise `mock.mozilla.org`).
#[derive(Debug, Clone, Default)]
pub struct StaticReverseDns {
    /// Known names.
    pub names: HashMap<IpAddr, String>,
    /// The name of every other address, if any.
    pub fallback: Option<String>,
}

impl ReverseDns for StaticReverseDns {
    fn reverse(&self, ip: IpAddr) -> Option<String> {
        self.names.get(&ip).cloned().or_else(|| self.fallback.clone())
    }
}

/// One run's context, handed to every [`crate::AlertTask`] method.
#[derive(Debug, Clone)]
pub struct AlertContext {
    /// The run's clock: windows, `utctimestamp` of the alerts, time-of-day rules.
    pub now: DateTime<Utc>,
    /// Reverse DNS.
    pub reverse_dns: Arc<dyn ReverseDns>,
    /// The active watchlist terms (MozDef's REST `/getwatchlist`), read by the runner before
    /// the run; `get_watchlist` searches for each.
    pub watchlist: Vec<String>,
}

impl AlertContext {
    /// A context at `now` without reverse DNS.
    pub fn at(now: DateTime<Utc>) -> Self {
        AlertContext { now, reverse_dns: Arc::new(NoReverseDns), watchlist: Vec::new() }
    }

    /// The reverse name of `ip` (text that is not an address has none).
    pub fn reverse(&self, ip: &str) -> Option<String> {
        ip.parse::<IpAddr>().ok().and_then(|ip| self.reverse_dns.reverse(ip))
    }
}
