//! Index lifecycle on OpenSearch, as library functions for the maintenance Lambda and the
//! `mozdef` CLI: MozDef's mapping template (inventory §0.2) and, in [`rotation`], the
//! rotateIndexes / pruneIndexes / closeIndices crons (§5).

pub mod rotation;

pub use rotation::{Change, close_old, prune, rotate, run_maintenance};

use opensearch::http::Method;
use serde_json::{Value, json};

use crate::OpenSearchError;
use crate::client::Client;

/// Index settings and retention, validated once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleConfig {
    /// Primary shards per index (MozDef: 1).
    pub shards: u32,
    /// Replicas per index (MozDef: 1; 0 on a single node).
    pub replicas: u32,
    /// `mapping.total_fields.limit` (MozDef: 1000, 4000 on AWS).
    pub total_fields_limit: u32,
    /// Refresh interval (MozDef: `1s`).
    pub refresh_interval: String,
    /// Delete daily event indices older than this many days (`None`: keep; MozDef's
    /// `backup_pruning`, 180 in its sample configuration).
    pub events_prune_after_days: Option<u32>,
    /// Close daily event indices older than this many days (`None`: never; MozDef's
    /// closeIndices `index_age`, default 15).
    pub events_close_after_days: Option<u32>,
    /// Delete monthly alert indices older than this many months (`None`: keep).
    pub alerts_prune_after_months: Option<u32>,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        LifecycleConfig {
            shards: 1,
            replicas: 1,
            total_fields_limit: 1000,
            refresh_interval: "1s".into(),
            events_prune_after_days: None,
            events_close_after_days: None,
            alerts_prune_after_months: None,
        }
    }
}

/// The name of the index template that carries MozDef's mapping.
pub const TEMPLATE_NAME: &str = "mozdef";
/// The name of the quarantine index's template.
pub const QUARANTINE_TEMPLATE_NAME: &str = "mozdef-quarantine";

/// The MozDef indices the mapping template applies to (before the prefix).
pub const TEMPLATE_PATTERNS: [&str; 6] =
    ["events-*", "alerts-*", "vulnerabilities", "complianceitems", "mozdefstate", "localities"];

/// MozDef's `defaultMappingTemplate.json` in effect: no date detection; every dynamic
/// string, double, long and binary a `keyword`; `summary` text; the IP, geo-point, date and
/// boolean fields typed. Malformed IPs, points and dates are kept in `_source` and left out
/// of the index (`ignore_malformed`) rather than refusing the whole event; keyword values
/// longer than 8191 characters are stored but not indexed (Lucene's 32 KiB term limit).
pub fn mapping() -> Value {
    let date = json!({"type": "date", "format": "date_optional_time||epoch_millis"});
    let keyword = json!({"type": "keyword", "ignore_above": 8191});
    let raw_value = json!({"properties": {"raw_value": {"type": "keyword"}}});
    json!({
        "date_detection": false,
        "dynamic_templates": [
            {"string_fields": {"match_mapping_type": "string", "mapping": keyword}},
            {"double_fields": {"match_mapping_type": "double", "mapping": keyword}},
            {"long_fields": {"match_mapping_type": "long", "mapping": keyword}},
            {"binary_fields": {"match_mapping_type": "binary", "mapping": keyword}},
        ],
        "properties": {
            "summary": {"type": "text"},
            "utctimestamp": date,
            "timestamp": date,
            "receivedtimestamp": date,
            "details": {"properties": {
                "sourceipaddress": {"type": "ip"},
                "destinationipaddress": {"type": "ip"},
                "sourceipgeopoint": {"type": "geo_point"},
                "destinationipgeopoint": {"type": "geo_point"},
                "success": {"type": "boolean"},
                "sourceport": {"type": "keyword"},
                "destinationport": {"type": "keyword"},
                "apiversion": raw_value,
                "requestparameters": {"properties": {"logstreamname": raw_value}},
            }},
        },
    })
}

/// The index settings of every MozDef index.
pub fn settings(config: &LifecycleConfig) -> Value {
    json!({
        "number_of_shards": config.shards,
        "number_of_replicas": config.replicas,
        "refresh_interval": config.refresh_interval,
        "mapping.total_fields.limit": config.total_fields_limit,
        "mapping.ignore_malformed": true,
        "search.slowlog.threshold.query.warn": "5s",
        "search.slowlog.threshold.fetch.warn": "5s",
    })
}

/// Installs (or replaces) the mapping template and the quarantine template. Idempotent:
/// returns whether anything changed.
pub async fn install_templates(client: &Client, config: &LifecycleConfig) -> Result<bool, OpenSearchError> {
    let patterns: Vec<String> = TEMPLATE_PATTERNS.iter().map(|p| client.physical(p)).collect();
    let events = json!({
        "index_patterns": patterns,
        "priority": 100,
        "template": {"settings": {"index": settings(config)}, "mappings": mapping()},
        "_meta": {"managed_by": "mozdef"},
    });
    let quarantine = json!({
        "index_patterns": [client.physical(mozdef_store::indices::QUARANTINE_INDEX)],
        "priority": 100,
        "template": {
            "settings": {"index": settings(config)},
            "mappings": {
                "date_detection": false,
                "dynamic": false,
                "properties": {
                    "utctimestamp": {"type": "date"},
                    "receivedtimestamp": {"type": "date"},
                    "mozdefhostname": {"type": "keyword"},
                    "source": {"type": "keyword"},
                    "reason": {"type": "text"},
                    "payload": {"type": "text"},
                },
            },
        },
        "_meta": {"managed_by": "mozdef"},
    });
    let mut changed = false;
    for (name, body) in [(TEMPLATE_NAME, events), (QUARANTINE_TEMPLATE_NAME, quarantine)] {
        changed |= put_template(client, &client.physical(name), body).await?;
    }
    Ok(changed)
}

async fn put_template(client: &Client, name: &str, body: Value) -> Result<bool, OpenSearchError> {
    let path = format!("/_index_template/{name}");
    let current = client.send(Method::Get, &path, &[], None).await?;
    if current.status == 200 {
        let existing: Value = serde_json::from_slice(&current.body).unwrap_or(Value::Null);
        if existing["index_templates"][0]["index_template"]["_meta"] == body["_meta"]
            && same_template(&existing["index_templates"][0]["index_template"], &body)
        {
            return Ok(false);
        }
    }
    client.json(Method::Put, &path, &[], Some(body)).await?;
    tracing::info!(template = name, "index template installed");
    Ok(true)
}

/// Whether the template OpenSearch holds equals `wanted`. OpenSearch answers settings as
/// strings and nested under `index`, so the comparison normalises both sides.
fn same_template(existing: &Value, wanted: &Value) -> bool {
    normalise(existing) == normalise(wanted)
}

fn normalise(template: &Value) -> Value {
    let mut flat = serde_json::Map::new();
    flatten("", &template["template"]["settings"], &mut flat);
    json!({
        "patterns": template["index_patterns"],
        "settings": flat,
        "mappings": template["template"]["mappings"],
    })
}

fn flatten(prefix: &str, value: &Value, out: &mut serde_json::Map<String, Value>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        Value::Null => {}
        Value::String(s) => {
            out.insert(prefix.to_owned(), Value::String(s.clone()));
        }
        other => {
            out.insert(prefix.to_owned(), Value::String(other.to_string()));
        }
    }
}
