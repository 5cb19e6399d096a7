//! `vpn_assignment.py`: when an alert's source address is a VPN address, the user the VPN
//! gave it to and the address they connected from.

use std::net::IpAddr;

use async_trait::async_trait;
use chrono::Duration;
use mozdef_model::{Document, get_path};
use mozdef_query::{IpNetwork, Match, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::backend::AlertBackend;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::plugin::AlertPlugin;
use crate::plugins::{config_error, detail_str, details_mut, search_sources, sort_newest_first};

/// The plugin's name.
pub const NAME: &str = "vpn_assignment";

/// `vpn_assignment.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Where the assignments are searched.
    pub indices_to_search: Vec<String>,
    /// How far back, in hours.
    pub search_window_hours: i64,
    /// The VPN's address ranges (none: the plugin never enriches).
    pub vpn_ip_cidrs: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config { indices_to_search: vec!["events".into()], search_window_hours: 6, vpn_ip_cidrs: Vec::new() }
    }
}

/// The plugin.
#[derive(Debug, Clone)]
pub struct VpnAssignment {
    config: Config,
    networks: Vec<IpNetwork>,
}

impl VpnAssignment {
    /// The plugin with `config`; every range must be a CIDR block.
    pub fn new(config: Config) -> Result<Self, AlertError> {
        let networks = config
            .vpn_ip_cidrs
            .iter()
            .map(|cidr| IpNetwork::parse(cidr).map_err(|e| config_error(NAME, format!("vpn_ip_cidrs {cidr:?}: {e}"))))
            .collect::<Result<_, _>>()?;
        Ok(VpnAssignment { config, networks })
    }

    /// The assignment search for the VPN address `vpn_ip`.
    pub fn query(&self, vpn_ip: &str) -> SearchQuery {
        let mut query = SearchQuery::new(Some(Duration::hours(self.config.search_window_hours)));
        query.add_must(Match::term("tags", "vpn"));
        query.add_must(Match::term("tags", "netfilter"));
        query.add_must(Match::term("details.success", "true"));
        query.add_must(Match::term("details.vpnip", vpn_ip));
        query.add_must(Match::phrase("summary", "netfilter add upon connection"));
        query
    }
}

#[async_trait]
impl AlertPlugin for VpnAssignment {
    fn name(&self) -> &str {
        NAME
    }

    fn registration(&self) -> Vec<String> {
        vec!["*".into()]
    }

    async fn on_message(
        &self,
        mut alert: Document,
        backend: &dyn AlertBackend,
        ctx: &AlertContext,
    ) -> Result<Document, String> {
        let Some(source_ip) = detail_str(&alert, "sourceipaddress").map(str::to_owned) else { return Ok(alert) };
        let Ok(addr) = source_ip.parse::<IpAddr>() else { return Ok(alert) };
        if !self.networks.iter().any(|n| n.contains(addr)) {
            return Ok(alert);
        }
        let mut assignments =
            search_sources(backend, &self.config.indices_to_search, &self.query(&source_ip), ctx.now).await?;
        sort_newest_first(&mut assignments, "utctimestamp", ctx.now);
        let Some(event) = assignments.first() else { return Ok(alert) };
        let field = |path: &str| get_path(event, path).cloned().unwrap_or(Value::Null);
        let assignment = json!({"username": field("details.username"), "originalip": field("details.sourceipaddress")});
        details_mut(&mut alert).insert("vpnassignment".into(), assignment);
        Ok(alert)
    }
}
