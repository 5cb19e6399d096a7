//! MozDef's alert plugins (`alerts/plugins/`, inventory §3.4), enabled by name as MozDef's
//! `ALERT_PLUGINS` did: each enriches matching alerts before they are saved.
//!
//! Every plugin's settings load through [`ConfigSource`] under the plugin's name, over the
//! defaults of MozDef's sidecar `.conf`/`.json` file. The plugins that look up events do so
//! through the [`AlertBackend`], with the windows MozDef used.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use mozdef_model::{Document, get_path, to_utc};
use mozdef_query::SearchQuery;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::backend::AlertBackend;
use crate::config::ConfigSource;
use crate::error::AlertError;
use crate::plugin::AlertPlugin;
use crate::task::SEARCH_SIZE;

pub mod auth_sourceip_username;
pub mod dhcp_assignment;
pub mod geomodel_ipintel_enrichment;
pub mod ip_source_enrichment;
pub mod ipaddr;
pub mod port_scan_enrichment;
pub mod possible_usernames;
pub mod vpn_assignment;

/// The names [`load`] knows, as MozDef's plugin module names.
pub const NAMES: &[&str] = &[
    ipaddr::NAME,
    auth_sourceip_username::NAME,
    dhcp_assignment::NAME,
    geomodel_ipintel_enrichment::NAME,
    ip_source_enrichment::NAME,
    port_scan_enrichment::NAME,
    possible_usernames::NAME,
    vpn_assignment::NAME,
];

/// MozDef's `ALERT_PLUGINS`: the plugins named in `names`, configured from `config`. An empty
/// list enables none; an unknown name, or a plugin whose settings are wrong, is an error
/// naming it.
pub fn load(names: &[String], config: &ConfigSource) -> Result<Vec<Arc<dyn AlertPlugin>>, AlertError> {
    names.iter().map(|name| load_one(name.trim(), config)).collect()
}

fn load_one(name: &str, config: &ConfigSource) -> Result<Arc<dyn AlertPlugin>, AlertError> {
    Ok(match name {
        ipaddr::NAME => Arc::new(ipaddr::Ipaddr::new(config.load(name)?)),
        auth_sourceip_username::NAME => Arc::new(auth_sourceip_username::AuthSourceIpUsername::new(config.load(name)?)),
        dhcp_assignment::NAME => Arc::new(dhcp_assignment::DhcpAssignment::new(config.load(name)?)),
        geomodel_ipintel_enrichment::NAME => {
            Arc::new(geomodel_ipintel_enrichment::GeomodelIpIntelEnrichment::new(config.load(name)?)?)
        }
        ip_source_enrichment::NAME => Arc::new(ip_source_enrichment::IpSourceEnrichment::new(config.load(name)?)?),
        port_scan_enrichment::NAME => Arc::new(port_scan_enrichment::PortScanEnrichment::new(config.load(name)?)),
        possible_usernames::NAME => Arc::new(possible_usernames::PossibleUsernames::new(config.load(name)?)),
        vpn_assignment::NAME => Arc::new(vpn_assignment::VpnAssignment::new(config.load(name)?)?),
        unknown => {
            return Err(AlertError::Config {
                alert: "ALERT_PLUGINS".into(),
                message: format!("unknown alert plugin {unknown:?} (known: {})", NAMES.join(", ")),
            });
        }
    })
}

/// The `_source` of the alert's first event (`events[0].documentsource`), if any.
pub(crate) fn first_event_source(alert: &Document) -> Option<&Map<String, Value>> {
    alert.get("events")?.as_array()?.first()?.get("documentsource")?.as_object()
}

/// The first event's `details.sourceipaddress` when it is an IP address (the address the
/// enrichment plugins search for).
pub(crate) fn first_event_source_ip(alert: &Document) -> Option<String> {
    first_event_source(alert)?
        .get("details")?
        .get("sourceipaddress")?
        .as_str()
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
        .map(str::to_owned)
}

/// The alert's `details` object, created (or replacing a non-object) when needed.
pub(crate) fn details_mut(alert: &mut Document) -> &mut Map<String, Value> {
    let slot = alert.entry("details").or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(details) => details,
        _ => unreachable!("details was just made an object"),
    }
}

/// A string at `path` of the alert's `details`.
pub(crate) fn detail_str<'a>(alert: &'a Document, field: &str) -> Option<&'a str> {
    alert.get("details")?.get(field)?.as_str()
}

/// Appends `text` to the alert's summary (MozDef's `alert['summary'] += ...`).
pub(crate) fn append_summary(alert: &mut Document, text: &str) {
    let summary = alert.get("summary").and_then(Value::as_str).unwrap_or_default();
    let appended = format!("{summary}{text}");
    alert.insert("summary".into(), Value::String(appended));
}

/// Runs `query` over `indices` at `now` and returns the events' sources, newest first as the
/// store returns them (MozDef's `query.execute(...)` with its default size).
pub(crate) async fn search_sources(
    backend: &dyn AlertBackend,
    indices: &[String],
    query: &SearchQuery,
    now: DateTime<Utc>,
) -> Result<Vec<Value>, String> {
    let results = backend.search(indices, query, SEARCH_SIZE, now).await.map_err(|e| e.to_string())?;
    Ok(results.hits.into_iter().map(|hit| Value::Object(hit.source)).collect())
}

/// Sorts `events` newest first by the value at `path`: a number (epoch, as bro's `ts`) or a
/// date MozDef's `toUTC` reads. Events without a readable value sort last.
pub(crate) fn sort_newest_first(events: &mut [Value], path: &str, now: DateTime<Utc>) {
    let key = |event: &Value| -> Option<f64> {
        match get_path(event, path)? {
            Value::Number(n) => n.as_f64(),
            other => to_utc(other, now).ok().map(|d| d.timestamp_millis() as f64 / 1000.0),
        }
    };
    events.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        match (ka, kb) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    });
}

/// Reads a list of strings written either as a list or as one string (MozDef's
/// `dhcp_assignment.json` has `"indices_to_search": "events-*"`).
pub(crate) fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// The configuration error of plugin `plugin`.
pub(crate) fn config_error(plugin: &str, message: impl Into<String>) -> AlertError {
    AlertError::Config { alert: plugin.to_owned(), message: message.into() }
}
