//! Lambda `maintenance`: MozDef's index crons on OpenSearch, the CloudFormation custom
//! resource `Custom::MozDefIndices` that prepares a new deployment's cluster,
//! `Custom::MozDefWebConfig`, the web UI's `/config.json` ([`web_config`]), and
//! `Custom::MozDefCollectorSchedules`, the pull collectors' schedules ([`collector_schedules`]).
//!
//! * On an EventBridge schedule: rotation (today's indices, the aliases), closing and pruning
//!   (`mozdef_store_opensearch::lifecycle::run_maintenance`, as `mozdef dev --opensearch`
//!   runs it every ten minutes).
//! * As a custom resource: on Create and Update, the index templates, today's indices and
//!   aliases, and the OpenSearch Dashboards index patterns for `events*` and `alerts*`; on
//!   Delete nothing (the data stays). CloudFormation's `ResponseURL` is answered on every
//!   path, failures with their reason.
//! * As `Custom::MozDefWebConfig`: on Create and Update, `config.json` put into the web
//!   bucket (the REST API's URL, the sign-in client, Dashboards); on Delete, removed. Answered
//!   the same way.
//! * As `Custom::MozDefCollectorSchedules`: on Create and Update, one EventBridge rule per
//!   enabled source of the `Collectors` JSON (`<RulePrefix><source>`, `rate(N minutes)`,
//!   invoking `FunctionArn` with `{"source":"<name>"}`), then the rules of sources an Update
//!   dropped deleted; on Delete, the rules of every source deleted (an unreadable `Collectors`
//!   names none, and the Delete succeeds). Answered the same way.
//!
//! Configuration (environment, checked at cold start): `MOZDEF_OPENSEARCH_URL`,
//! `MOZDEF_OPENSEARCH_SIGV4` (`es` or `aoss`), `MOZDEF_OPENSEARCH_PREFIX`,
//! `MOZDEF_OPENSEARCH_REPLICAS`; `MOZDEF_EVENTS_PRUNE_DAYS`, `MOZDEF_EVENTS_CLOSE_DAYS`,
//! `MOZDEF_ALERTS_PRUNE_MONTHS` (as `mozdef dev`'s flags of the same names; unset keeps and
//! leaves open); `MOZDEF_DASHBOARDS_URL` (default `<MOZDEF_OPENSEARCH_URL>/_dashboards`, as on
//! Amazon OpenSearch Service; `none`: no index patterns; with `aoss` and no URL there are none
//! either, serverless collections have no saved-objects API).

pub mod collector_schedules;
pub mod handler;
mod resource;
mod settings;
pub mod web_config;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mozdef_store_opensearch::dashboards::Dashboards;
use mozdef_store_opensearch::lifecycle::{self, Change, LifecycleConfig};
use mozdef_store_opensearch::{OpenSearchError, OpenSearchStore};

pub use settings::maintenance_from_env;

/// The physical id of the custom resource (one per index prefix).
pub fn physical_id(prefix: &str) -> String {
    format!("{prefix}mozdef-indices")
}

/// What the function works on: the cluster, its index settings, and (where there is one)
/// the Dashboards server.
#[derive(Debug, Clone)]
pub struct Maintenance {
    store: OpenSearchStore,
    lifecycle: LifecycleConfig,
    dashboards: Option<Dashboards>,
}

/// What an install did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The changes to the cluster (templates, indices, aliases).
    pub changes: Vec<Change>,
    /// The Dashboards index patterns saved (titles), none without a Dashboards server.
    pub index_patterns: Vec<String>,
    /// The Dashboards server, if any.
    pub dashboards_url: Option<String>,
}

impl Installed {
    /// The custom resource's `Data` (readable with `Fn::GetAtt`): `Changes` (how many),
    /// `IndexPatterns` (comma-separated) and `DashboardsUrl` (empty without one).
    pub fn data(&self) -> HashMap<String, String> {
        HashMap::from([
            ("Changes".to_owned(), self.changes.len().to_string()),
            ("IndexPatterns".to_owned(), self.index_patterns.join(",")),
            ("DashboardsUrl".to_owned(), self.dashboards_url.clone().unwrap_or_default()),
        ])
    }
}

impl Maintenance {
    /// The function over `store` with `lifecycle`'s settings, saving index patterns in
    /// `dashboards` when given.
    pub fn new(store: OpenSearchStore, lifecycle: LifecycleConfig, dashboards: Option<Dashboards>) -> Self {
        Maintenance { store, lifecycle, dashboards }
    }

    /// The index prefix.
    pub fn prefix(&self) -> &str {
        self.store.client().prefix()
    }

    /// MozDef's index crons at `now`: rotation, closing, pruning.
    pub async fn run_crons(&self, now: DateTime<Utc>) -> Result<Vec<Change>, OpenSearchError> {
        lifecycle::run_maintenance(self.store.client(), &self.lifecycle, now).await
    }

    /// The custom resource's Create and Update at `now`: the crons (which install the
    /// templates, create today's indices and point the aliases), then the Dashboards index
    /// patterns.
    pub async fn install(&self, now: DateTime<Utc>) -> Result<Installed, OpenSearchError> {
        let changes = self.run_crons(now).await?;
        let (index_patterns, dashboards_url) = match &self.dashboards {
            Some(dashboards) => {
                let saved = dashboards.install_index_patterns(self.prefix()).await?;
                (saved.into_iter().map(|p| p.title).collect(), Some(dashboards.url().to_owned()))
            }
            None => (Vec::new(), None),
        };
        tracing::info!(changes = changes.len(), index_patterns = ?index_patterns, "indices installed");
        Ok(Installed { changes, index_patterns, dashboards_url })
    }
}
