//! Serde for the timestamps GeoModel stores (`lastaction`, `observed`): written as Python's
//! `isoformat()` (what MozDef's Elasticsearch client wrote), read back with `toUTC`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

/// Serializes `dt` as `2017-01-01T01:00:00+00:00` (microseconds when not zero).
pub(crate) fn serialize<S: Serializer>(dt: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&mozdef_model::isoformat(dt))
}

/// Reads any value MozDef's `toUTC` reads (ISO strings, epochs). A string without a date
/// takes its date from 1970-01-01, as there is no clock here; GeoModel only reads back
/// what it wrote, so this never happens in practice.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    mozdef_model::to_utc(&value, DateTime::UNIX_EPOCH).map_err(serde::de::Error::custom)
}
