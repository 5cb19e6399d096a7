//! `geomodel_location.AlertGeoModel` (inventory §3.3): GeoModel as a [`StatefulAlert`].
//!
//! A run reads the configured sources since the last run, and per user: builds the new
//! localities, loads the stored state, forgets outdated localities, finds the impossible
//! hops, merges the new localities and writes the state back conditionally (a conflict
//! reloads and redoes the user, so concurrent runs lose no update and alert once). Users
//! and addresses of the whitelist keep their state but raise nothing. The time of the run
//! is stored last, so a failed run is read again by the next one.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_query::Hit;
use serde_json::{Value, json};

use super::asn::AsnDatabase;
use super::config::{GeoModelConfig, MODULE, Settings};
use super::search::{UserEvents, events_by_user};
use super::{Hop, Locality, State, hops_for, remove_outdated, summary, update};
use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::{AlertError, BackendError};
use crate::localities::LocalityStore;
use crate::run::{AlertEnv, RaisedAlert, save_alert};
use crate::stateful::StatefulAlert;

/// The alert's class name (and the key of its execution time).
pub const NAME: &str = "AlertGeoModel";

/// Conditional writes tried per user and run before giving up.
pub const MAX_ATTEMPTS: usize = 8;

/// The GeoModel alert.
#[derive(Debug)]
pub struct AlertGeoModel {
    settings: Settings,
    store: Arc<dyn LocalityStore>,
    asn: Option<AsnDatabase>,
}

/// The catalogue entry `geomodel_location.AlertGeoModel`, keeping its state in `store`.
/// A missing ASN database named by `factors.asn_movement` is a configuration error.
pub fn entry(config: &ConfigSource, store: Arc<dyn LocalityStore>) -> Result<CatalogueEntry, AlertError> {
    let loaded: GeoModelConfig = config.load(MODULE)?;
    let asn = match &loaded.factors.asn_movement {
        Some(factor) => Some(AsnDatabase::open(&factor.maxmind_db_path).map_err(|message| AlertError::Config {
            alert: NAME.to_owned(),
            message: format!("{MODULE}: factors.asn_movement.maxmind_db_path: {message}"),
        })?),
        None => None,
    };
    let alert = AlertGeoModel::new(&loaded, store, asn)?;
    Ok(CatalogueEntry {
        name: format!("{MODULE}.{NAME}"),
        tasks: Vec::new(),
        stateful: vec![Arc::new(alert)],
        enabled_by_default: true,
    })
}

impl AlertGeoModel {
    /// The alert for a configuration (checked here), a state store and the optional ASN
    /// database of the `asn_movement` factor.
    pub fn new(
        config: &GeoModelConfig,
        store: Arc<dyn LocalityStore>,
        asn: Option<AsnDatabase>,
    ) -> Result<Self, AlertError> {
        Ok(AlertGeoModel { settings: config.validate(NAME)?, store, asn })
    }

    fn store_error(&self, source: BackendError) -> AlertError {
        AlertError::Store { alert: NAME.to_owned(), source }
    }

    /// Updates the state of one user with `new` localities; returns the hops their
    /// activity made (empty when the state changed under us and the retry saw them).
    async fn analyse(&self, username: &str, new: &[Locality], now: DateTime<Utc>) -> Result<Vec<Hop>, AlertError> {
        for _ in 0..MAX_ATTEMPTS {
            let stored = self.store.get(username).await.map_err(|e| self.store_error(e))?;
            let version = stored.as_ref().map(|s| s.version);
            let state = match stored {
                Some(stored) => parse_state(username, stored.document),
                None => State::new(username, Vec::new()),
            };
            let cleaned = remove_outdated(state, now, self.settings.valid_duration_days);
            let hops = hops_for(&cleaned.state.localities, new);
            let updated = update(cleaned.state, new);
            if !(cleaned.did_update || updated.did_update) {
                return Ok(hops);
            }
            let document = match serde_json::to_value(&updated.state) {
                Ok(Value::Object(document)) => document,
                Ok(_) | Err(_) => {
                    return Err(
                        self.store_error(BackendError::Failed(format!("state of {username} does not serialize")))
                    );
                }
            };
            if self.store.put(username, &document, version).await.map_err(|e| self.store_error(e))? {
                return Ok(hops);
            }
            tracing::debug!(alert = NAME, %username, "locality state changed concurrently; redoing");
        }
        Err(self.store_error(BackendError::Unavailable(format!(
            "state of {username} kept changing ({MAX_ATTEMPTS} attempts)"
        ))))
    }

    /// The alert for `hops` of `user`, after the whitelist; `None` when nothing is left.
    fn alert_for(&self, user: &UserEvents, hops: Vec<Hop>) -> Option<Alert> {
        if self.settings.whitelisted_users.iter().any(|u| u == &user.username) {
            return None;
        }
        let hops: Vec<Hop> = hops
            .into_iter()
            .filter(|h| !self.settings.ip_whitelisted(&h.origin.ip) && !self.settings.ip_whitelisted(&h.destination.ip))
            .collect();
        let last = hops.last()?;
        let mut severity = self.settings.severity;
        let mut factors = Vec::new();
        if let Some(asn) = &self.asn {
            let asn_hops = asn.asn_hops(&hops);
            if !asn_hops.is_empty() {
                severity = self.settings.asn_movement_severity;
            }
            factors.push(json!({"asn_hops": asn_hops}));
        }
        let mut details = Document::new();
        details.insert("username".into(), json!(user.username));
        details.insert("hops".into(), serde_json::to_value(&hops).unwrap_or(Value::Null));
        details.insert("sourceipaddress".into(), json!(last.destination.ip));
        details.insert("sourceipv4address".into(), json!(last.destination.ip));
        details.insert("factors".into(), Value::Array(factors));
        let alert = Alert::new(summary(&user.username, &hops), "geomodel", &["geomodel"], user.events.clone());
        Some(alert.severity(severity).details(details))
    }
}

/// The stored state, or a fresh one when it is unreadable (logged; the next write repairs it).
fn parse_state(username: &str, document: Document) -> State {
    match serde_json::from_value::<State>(Value::Object(document)) {
        Ok(state) => state,
        Err(error) => {
            tracing::error!(alert = NAME, %username, %error, "unreadable locality state; starting afresh");
            State::new(username, Vec::new())
        }
    }
}

/// The localities of `events` (newest first, as MozDef read them).
fn localities(events: &[Hit], now: DateTime<Utc>, radius_km: f64) -> Vec<Locality> {
    events.iter().filter_map(|hit| Locality::from_event(&hit.source, now, radius_km)).collect()
}

#[async_trait]
impl StatefulAlert for AlertGeoModel {
    fn name(&self) -> &str {
        NAME
    }

    async fn run(&self, env: AlertEnv<'_>, ctx: &AlertContext) -> Result<Vec<RaisedAlert>, AlertError> {
        let now = ctx.now;
        let since = self.store.execution_time(NAME).await.map_err(|e| self.store_error(e))?;
        let users = events_by_user(env.backend, &self.settings.sources, NAME, since, now)
            .await
            .map_err(|e| self.store_error(e))?;
        let mut raised = Vec::new();
        for user in &users {
            let new = localities(&user.events, now, self.settings.radius_km);
            if new.is_empty() {
                continue;
            }
            let hops = self.analyse(&user.username, &new, now).await?;
            if let Some(alert) = self.alert_for(user, hops) {
                raised.push(save_alert(NAME, env, alert, &user.events, ctx).await?);
            }
        }
        self.store.set_execution_time(NAME, now).await.map_err(|e| self.store_error(e))?;
        tracing::debug!(alert = NAME, users = users.len(), raised = raised.len(), "geomodel ran");
        Ok(raised)
    }
}
