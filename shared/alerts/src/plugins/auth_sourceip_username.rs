//! `auth_sourceip_username.py`: names the user of an alert's source address from the most
//! recent successful auth0 login from that address.

use async_trait::async_trait;
use chrono::Duration;
use mozdef_model::{Document, get_path};
use mozdef_query::{Match, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::backend::AlertBackend;
use crate::context::AlertContext;
use crate::plugin::AlertPlugin;
use crate::plugins::{detail_str, details_mut, search_sources, sort_newest_first};

/// The plugin's name.
pub const NAME: &str = "auth_sourceip_username";

/// `auth_sourceip_username.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Where the logins are searched.
    pub indices_to_search: Vec<String>,
    /// How far back, in hours.
    pub search_window_hours: i64,
    /// The registration keyword (`*`: every alert).
    pub match_tag: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { indices_to_search: vec!["events".into()], search_window_hours: 6, match_tag: "*".into() }
    }
}

/// The plugin.
#[derive(Debug, Clone)]
pub struct AuthSourceIpUsername {
    config: Config,
}

impl AuthSourceIpUsername {
    /// The plugin with `config`.
    pub fn new(config: Config) -> Self {
        AuthSourceIpUsername { config }
    }

    /// The login search for `source_ip`.
    pub fn query(&self, source_ip: &str) -> SearchQuery {
        let mut query = SearchQuery::new(Some(Duration::hours(self.config.search_window_hours)));
        query.add_must(Match::term("tags", "auth0"));
        query.add_must(Match::term("details.success", "true"));
        query.add_must(Match::term("details.sourceipaddress", source_ip));
        query.add_must(Match::exists("details.username"));
        query
    }
}

#[async_trait]
impl AlertPlugin for AuthSourceIpUsername {
    fn name(&self) -> &str {
        NAME
    }

    fn registration(&self) -> Vec<String> {
        vec![self.config.match_tag.clone()]
    }

    async fn on_message(
        &self,
        mut alert: Document,
        backend: &dyn AlertBackend,
        ctx: &AlertContext,
    ) -> Result<Document, String> {
        // An address field holding something else (MozDef's ES query failed on it) is skipped.
        let source_ip = detail_str(&alert, "sourceipaddress").filter(|ip| ip.parse::<std::net::IpAddr>().is_ok());
        let Some(source_ip) = source_ip.map(str::to_owned) else {
            return Ok(alert);
        };
        let mut logins =
            search_sources(backend, &self.config.indices_to_search, &self.query(&source_ip), ctx.now).await?;
        sort_newest_first(&mut logins, "utctimestamp", ctx.now);
        let Some(username) = logins.first().and_then(|e| get_path(e, "details.username")).cloned() else {
            return Ok(alert);
        };
        details_mut(&mut alert).insert("username".into(), username);
        Ok(alert)
    }
}
