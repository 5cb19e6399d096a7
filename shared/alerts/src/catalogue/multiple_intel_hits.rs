//! `multiple_intel_hits.py` → `AlertMultipleIntelHits`: ten or more Bro intel matches of one
//! indicator on the NSM sensors within two minutes.

use chrono::Duration;
use mozdef_model::get_path;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// Where an intel match was seen when the interesting address is the event's source: someone
/// talking to, or resolving, the bad indicator.
const SOURCE_IS_INTERESTING: [&str; 3] = ["Conn::IN_RESP", "HTTP::IN_HOST_HEADER", "DNS::IN_REQUEST"];

/// Where an intel match was seen when the interesting address is the event's destination:
/// the bad indicator talking to someone.
const DESTINATION_IS_INTERESTING: [&str; 3] =
    ["Conn::IN_ORIG", "HTTP::IN_X_CLUSTER_CLIENT_IP_HEADER", "HTTP::IN_X_FORWARDED_FOR_HEADER"];

/// How many sample events the summary describes.
const DESCRIBED_SAMPLES: usize = 3;

/// The alert's settings (hard-coded in `multiple_intel_hits.py`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The NSM sensors (`hostname`) whose intel events count.
    pub sensors: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config { sensors: vec!["sensor1".into(), "sensor2".into(), "sensor3".into()] }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct AlertMultipleIntelHits {
    config: Config,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("multiple_intel_hits")?;
    Ok(CatalogueEntry::single("multiple_intel_hits", AlertMultipleIntelHits { config }))
}

impl AlertTask for AlertMultipleIntelHits {
    fn name(&self) -> &str {
        "AlertMultipleIntelHits"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(2)));
        query.add_must(Match::term("category", "bro"));
        query.add_must(Match::term("source", "intel"));
        query.add_must(Match::exists("details.seenindicator"));
        query.add_must(Match::terms("hostname", self.config.sensors.iter().map(String::as_str)));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.seenindicator".into(), samples: 10, threshold: 10 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let hostname = group.events.first().map(|e| text_at(e, "hostname")).unwrap_or_default();
        let mut summary =
            format!("{} {} {} on {}", group.count, hostname, " Bro intel match for indicator:", group.value_text());
        summary.push_str(" sample hosts that hit it: ");
        for event in group.events.iter().take(DESCRIBED_SAMPLES) {
            let source = Value::Object(event.source.clone());
            let (Some(_), Some(seenwhere)) =
                (get_path(&source, "details.sourceipaddress"), get_path(&source, "details.seenwhere"))
            else {
                continue;
            };
            let address = if SOURCE_IS_INTERESTING.iter().any(|w| seen_in(seenwhere, w)) {
                text_at(event, "details.sourceipaddress")
            } else if DESTINATION_IS_INTERESTING.iter().any(|w| seen_in(seenwhere, w)) {
                // MozDef failed the run when the destination address was missing.
                text_at(event, "details.destinationipaddress")
            } else {
                String::new()
            };
            summary.push_str(&format!("{address} in {} ", display(seenwhere)));
        }
        Some(Alert::new(summary, "bro", &["nsm,bro,intel"], group.events.clone()))
    }
}

/// Python's `where in seenwhere`: a substring of a string, an element of a list.
fn seen_in(seenwhere: &Value, place: &str) -> bool {
    match seenwhere {
        Value::String(text) => text.contains(place),
        Value::Array(items) => items.iter().any(|item| item.as_str() == Some(place)),
        _ => false,
    }
}

/// A value as Python's `str.format` printed it: strings bare, lists as `['a', 'b']`.
fn display(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| match item {
                    Value::String(text) => format!("'{text}'"),
                    other => display(other),
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        Value::Null => "None".to_owned(),
        other => other.to_string(),
    }
}

/// The value at `path` of `event` as text (empty when missing).
fn text_at(event: &Hit, path: &str) -> String {
    let source = Value::Object(event.source.clone());
    get_path(&source, path).filter(|v| !v.is_null()).map(display).unwrap_or_default()
}
