//! `geomodel_ipintel_enrichment.py`: for GeoModel alerts, the IP reputation of every hop
//! address from the intel file (`{ip: {classification: threatscore}}`, refreshed by the
//! `update_ipintel` cron), with Tor exit nodes and VPNs named in the summary.

use std::path::PathBuf;

use async_trait::async_trait;
use mozdef_model::Document;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::backend::AlertBackend;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::plugin::AlertPlugin;
use crate::plugins::{append_summary, config_error, details_mut};

/// The plugin's name.
pub const NAME: &str = "geomodel_ipintel_enrichment";

/// The classification of Tor exit nodes in the intel file.
pub const TOR_CLASS: &str = "TorNode";

/// The classification of VPN addresses in the intel file.
pub const VPN_CLASS: &str = "VPN";

/// `geomodel_ipintel_enrichment.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The intel JSON file (required: MozDef failed to start without it).
    pub intel_file_path: String,
    /// The alert tag enriched.
    pub match_tag: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { intel_file_path: String::new(), match_tag: "geomodel".into() }
    }
}

/// The plugin. The intel file is read for each alert, so the cron's refreshes are seen.
#[derive(Debug, Clone)]
pub struct GeomodelIpIntelEnrichment {
    config: Config,
    intel_file: PathBuf,
}

impl GeomodelIpIntelEnrichment {
    /// The plugin with `config`; the intel file path must be set.
    pub fn new(config: Config) -> Result<Self, AlertError> {
        if config.intel_file_path.trim().is_empty() {
            return Err(config_error(NAME, "intel_file_path is not set"));
        }
        let intel_file = PathBuf::from(&config.intel_file_path);
        Ok(GeomodelIpIntelEnrichment { config, intel_file })
    }

    fn read_intel(&self) -> Result<Map<String, Value>, String> {
        let bytes = std::fs::read(&self.intel_file).map_err(|e| format!("{}: {e}", self.intel_file.display()))?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(intel)) => Ok(intel),
            Ok(_) => Err(format!("{}: not a JSON object", self.intel_file.display())),
            Err(e) => Err(format!("{}: {e}", self.intel_file.display())),
        }
    }
}

/// The hop addresses: every hop's origin, then the last hop's destination.
fn hop_ips(alert: &Document) -> Vec<String> {
    let hops = alert.get("details").and_then(|d| d.get("hops")).and_then(Value::as_array);
    let Some(hops) = hops else { return Vec::new() };
    let ip = |hop: &Value, end: &str| hop.get(end).and_then(|e| e.get("ip")).and_then(Value::as_str).map(str::to_owned);
    let mut ips: Vec<String> = hops.iter().filter_map(|hop| ip(hop, "origin")).collect();
    ips.extend(hops.last().and_then(|hop| ip(hop, "destination")));
    ips
}

/// MozDef's `enrich(alert, intel)`: `details.ipintel = [{ip, classification, threatscore}]`
/// (no duplicates) and `; Tor nodes detected: ...` / `; VPNs detected: ...` in the summary.
pub fn enrich(mut alert: Document, intel: &Map<String, Value>) -> Document {
    let mut ip_intel: Vec<Value> = Vec::new();
    for ip in hop_ips(&alert) {
        let Some(classes) = intel.get(&ip).and_then(Value::as_object) else { continue };
        for (class, score) in classes {
            let entry = json!({"ip": ip, "classification": class, "threatscore": score});
            if !ip_intel.contains(&entry) {
                ip_intel.push(entry);
            }
        }
    }
    let of_class = |class: &str| -> Vec<String> {
        ip_intel
            .iter()
            .filter(|e| e["classification"] == class)
            .filter_map(|e| e["ip"].as_str().map(str::to_owned))
            .collect()
    };
    let (tor_nodes, vpn_nodes) = (of_class(TOR_CLASS), of_class(VPN_CLASS));
    if !tor_nodes.is_empty() {
        append_summary(&mut alert, &format!("; Tor nodes detected: {}", tor_nodes.join(", ")));
    }
    if !vpn_nodes.is_empty() {
        append_summary(&mut alert, &format!("; VPNs detected: {}", vpn_nodes.join(", ")));
    }
    details_mut(&mut alert).insert("ipintel".into(), Value::Array(ip_intel));
    alert
}

#[async_trait]
impl AlertPlugin for GeomodelIpIntelEnrichment {
    fn name(&self) -> &str {
        NAME
    }

    fn registration(&self) -> Vec<String> {
        vec![self.config.match_tag.clone()]
    }

    async fn on_message(
        &self,
        alert: Document,
        _backend: &dyn AlertBackend,
        _ctx: &AlertContext,
    ) -> Result<Document, String> {
        let tagged = alert
            .get("tags")
            .and_then(Value::as_array)
            .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some(self.config.match_tag.as_str())));
        if !tagged {
            return Ok(alert);
        }
        let intel = self.read_intel()?;
        Ok(enrich(alert, &intel))
    }
}
