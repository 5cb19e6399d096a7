//! What a deployment configures about alerts, in one place for `mozdef dev` and the Lambdas:
//! per-alert settings, generic rule files and the enabled alert plugins.

use std::path::PathBuf;
use std::sync::Arc;

use crate::catalogue::{self, Catalogue};
use crate::config::ConfigSource;
use crate::error::AlertError;
use crate::localities::LocalityStore;
use crate::plugin::AlertPlugin;

/// The alert configuration of a deployment.
#[derive(Debug, Clone, Default)]
pub struct AlertSetup {
    /// `<module>.json` settings over MozDef's defaults.
    pub config_dir: Option<PathBuf>,
    /// Generic rule files (`*.json`, JSON or hjson).
    pub rules_dir: Option<PathBuf>,
    /// Enabled alert plugins (MozDef's `ALERT_PLUGINS`; empty: none).
    pub plugins: Vec<String>,
    /// GeoModel's state store; when set, the catalogue includes
    /// `geomodel_location.AlertGeoModel` (it needs somewhere to keep localities).
    pub localities: Option<Arc<dyn LocalityStore>>,
    /// The pull collectors' sources and their silence (minutes without a successful run)
    /// before an alert: `collector_silence.AlertDeadmanGeneric` runs when there are any.
    pub collector_silences: Vec<(String, u32)>,
}

/// The loaded catalogue and plugins.
#[derive(Default)]
pub struct LoadedAlerts {
    /// Built-in alerts and generic rules; broken ones are in `catalogue.errors`.
    pub catalogue: Catalogue,
    /// The enabled plugins.
    pub plugins: Vec<Arc<dyn AlertPlugin>>,
}

impl AlertSetup {
    /// Loads everything. A broken alert or rule is logged and reported in
    /// `catalogue.errors` without stopping the others; a bad plugin list is an error.
    pub fn load(&self) -> Result<LoadedAlerts, AlertError> {
        let config = ConfigSource::new(self.config_dir.as_deref());
        let mut catalogue = catalogue::load_with_rules(&config, self.rules_dir.as_deref());
        if let Some(store) = &self.localities {
            match crate::geomodel::entry(&config, store.clone()) {
                Ok(entry) => catalogue.entries.push(entry),
                Err(error) => {
                    tracing::error!(alert = crate::geomodel::MODULE, %error, "alert not loaded");
                    catalogue.errors.push(error);
                }
            }
        }
        if !self.collector_silences.is_empty() {
            match catalogue::deadman_generic::collector_silence(&self.collector_silences) {
                Ok(entry) => catalogue.entries.push(entry),
                Err(error) => {
                    tracing::error!(alert = catalogue::deadman_generic::COLLECTOR_SILENCE, %error, "alert not loaded");
                    catalogue.errors.push(error);
                }
            }
        }
        let plugins = crate::plugins::load(&self.plugins, &config)?;
        tracing::info!(
            alerts = catalogue.entries.len(),
            broken = catalogue.errors.len(),
            plugins = plugins.len(),
            "alerts loaded"
        );
        Ok(LoadedAlerts { catalogue, plugins })
    }
}
