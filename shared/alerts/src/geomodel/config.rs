//! GeoModel's configuration (`geomodel_location.json`, the v0.1 specification's data model):
//! the locality settings, the event sources, the whitelist, the optional ASN factor and the
//! severities, with MozDef's shipped defaults. [`GeoModelConfig::validate`] turns it into the
//! checked [`Settings`] a run uses.

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::TimeDelta;
use mozdef_model::Severity;
use mozdef_query::{IpNetwork, Match};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::AlertError;

/// The configuration module name (`<config dir>/geomodel_location.json`).
pub const MODULE: &str = "geomodel_location";

/// The top-level configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeoModelConfig {
    /// The alert's severity (MozDef: `INFO`).
    pub severity: String,
    /// The severity when the ASN factor sees a move between autonomous systems (`DEBUG`).
    pub asn_movement_severity: String,
    /// How localities are kept.
    pub localities: LocalitiesConfig,
    /// The event sources: one object (MozDef's file) or a list of them.
    #[serde(deserialize_with = "one_or_many")]
    pub events: Vec<EventsConfig>,
    /// Activity that raises no alert (its localities are still kept).
    pub whitelist: Whitelist,
    /// Optional enrichments of the alert.
    pub factors: Factors,
}

/// `localities`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalitiesConfig {
    /// MozDef's index of locality documents; accepted and ignored (the state lives in the
    /// deployment's [`crate::localities::LocalityStore`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub es_index: Option<String>,
    /// Days after which a locality not seen again is forgotten.
    pub valid_duration_days: i64,
    /// The radius of a locality.
    pub radius_kilometres: f64,
}

/// One source of authenticated actions (`events[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    /// How far back the first run looks (Python `timedelta` keywords).
    pub search_window: SearchWindow,
    /// The events to read, in Lucene syntax.
    pub lucene_query: String,
    /// The dotted path of the username in an event.
    #[serde(default = "default_username_path")]
    pub username_path: String,
}

/// Python `timedelta(**search_window)`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchWindow {
    /// Weeks.
    #[serde(skip_serializing_if = "is_zero")]
    pub weeks: f64,
    /// Days.
    #[serde(skip_serializing_if = "is_zero")]
    pub days: f64,
    /// Hours.
    #[serde(skip_serializing_if = "is_zero")]
    pub hours: f64,
    /// Minutes.
    #[serde(skip_serializing_if = "is_zero")]
    pub minutes: f64,
    /// Seconds.
    #[serde(skip_serializing_if = "is_zero")]
    pub seconds: f64,
    /// Milliseconds.
    #[serde(skip_serializing_if = "is_zero")]
    pub milliseconds: f64,
    /// Microseconds.
    #[serde(skip_serializing_if = "is_zero")]
    pub microseconds: f64,
}

/// `whitelist`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Whitelist {
    /// Usernames that raise no alert.
    pub users: Vec<String>,
    /// Networks whose addresses raise no alert.
    pub cidrs: Vec<String>,
}

/// `factors`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Factors {
    /// The ASN movement factor; `null` disables it.
    pub asn_movement: Option<AsnMovement>,
}

/// `factors.asn_movement`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsnMovement {
    /// A MaxMind ASN database (`GeoLite2-ASN.mmdb`).
    pub maxmind_db_path: PathBuf,
}

fn default_username_path() -> String {
    "details.username".to_owned()
}

fn is_zero(value: &f64) -> bool {
    *value == 0.0
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<EventsConfig>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<EventsConfig>),
        One(EventsConfig),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::Many(list) => list,
        OneOrMany::One(one) => vec![one],
    })
}

impl Default for GeoModelConfig {
    fn default() -> Self {
        GeoModelConfig {
            severity: "INFO".to_owned(),
            asn_movement_severity: "DEBUG".to_owned(),
            localities: LocalitiesConfig {
                es_index: Some("localities".to_owned()),
                valid_duration_days: 1,
                radius_kilometres: 50.0,
            },
            events: vec![EventsConfig {
                search_window: SearchWindow { minutes: 5.0, ..SearchWindow::default() },
                lucene_query: "tags:auth0".to_owned(),
                username_path: default_username_path(),
            }],
            whitelist: Whitelist::default(),
            factors: Factors::default(),
        }
    }
}

impl SearchWindow {
    /// The window as a duration (`None` when out of range).
    pub fn duration(&self) -> Option<TimeDelta> {
        let micros = self.weeks * 604_800e6
            + self.days * 86_400e6
            + self.hours * 3_600e6
            + self.minutes * 60e6
            + self.seconds * 1e6
            + self.milliseconds * 1e3
            + self.microseconds;
        (micros.is_finite() && micros.abs() < 1e17).then(|| TimeDelta::microseconds(micros.round() as i64))
    }
}

/// One checked event source.
#[derive(Debug, Clone)]
pub struct EventSource {
    /// The window of a first run.
    pub window: TimeDelta,
    /// The parsed query string.
    pub query: Match,
    /// The query as configured (for logs).
    pub lucene_query: String,
    /// Where the username is.
    pub username_path: String,
}

/// The checked configuration a run uses.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The alert's severity.
    pub severity: Severity,
    /// The severity on ASN movement.
    pub asn_movement_severity: Severity,
    /// Days a locality stays valid.
    pub valid_duration_days: i64,
    /// The radius of new localities.
    pub radius_km: f64,
    /// The event sources.
    pub sources: Vec<EventSource>,
    /// Whitelisted usernames.
    pub whitelisted_users: Vec<String>,
    /// Whitelisted networks.
    pub whitelisted_cidrs: Vec<IpNetwork>,
}

impl Settings {
    /// Whether `ip` (text) is in a whitelisted network.
    pub fn ip_whitelisted(&self, ip: &str) -> bool {
        IpAddr::from_str(ip).is_ok_and(|ip| self.whitelisted_cidrs.iter().any(|net| net.contains(ip)))
    }
}

impl GeoModelConfig {
    /// Checks every value, naming the key of the first bad one.
    pub fn validate(&self, alert: &str) -> Result<Settings, AlertError> {
        let error = |key: &str, message: String| AlertError::Config {
            alert: alert.to_owned(),
            message: format!("{MODULE}: {key}: {message}"),
        };
        let severity =
            |key: &str, value: &str| Severity::from_str(value).map_err(|e| error(key, format!("{value:?}: {e}")));
        if self.localities.valid_duration_days < 0 {
            return Err(error("localities.valid_duration_days", "must not be negative".into()));
        }
        let radius = self.localities.radius_kilometres;
        if !(radius.is_finite() && radius >= 0.0) {
            return Err(error("localities.radius_kilometres", format!("{radius} is not a distance")));
        }
        if self.events.is_empty() {
            return Err(error("events", "no event source".into()));
        }
        let mut sources = Vec::new();
        for (n, source) in self.events.iter().enumerate() {
            let window =
                source.search_window.duration().filter(|w| *w > TimeDelta::zero()).ok_or_else(|| {
                    error(&format!("events[{n}].search_window"), "must be a positive duration".into())
                })?;
            let query = Match::query_string(&source.lucene_query)
                .map_err(|e| error(&format!("events[{n}].lucene_query"), format!("{:?}: {e}", source.lucene_query)))?;
            if source.username_path.trim().is_empty() {
                return Err(error(&format!("events[{n}].username_path"), "is empty".into()));
            }
            sources.push(EventSource {
                window,
                query,
                lucene_query: source.lucene_query.clone(),
                username_path: source.username_path.clone(),
            });
        }
        let whitelisted_cidrs = self
            .whitelist
            .cidrs
            .iter()
            .map(|cidr| IpNetwork::parse(cidr).map_err(|e| error("whitelist.cidrs", format!("{cidr:?}: {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Settings {
            severity: severity("severity", &self.severity)?,
            asn_movement_severity: severity("asn_movement_severity", &self.asn_movement_severity)?,
            valid_duration_days: self.localities.valid_duration_days,
            radius_km: radius,
            sources,
            whitelisted_users: self.whitelist.users.clone(),
            whitelisted_cidrs,
        })
    }
}
