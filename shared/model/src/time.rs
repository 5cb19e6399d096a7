//! MozDef's `toUTC` (inventory §0.4), reproduced exactly, and `.isoformat()` output.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::ModelError;

/// Reads `value` as a point in time the way MozDef's `toUTC` does. `now` supplies the
/// current year for syslog dates that carry none.
pub fn to_utc(value: &Value, now: DateTime<Utc>) -> Result<DateTime<Utc>, ModelError> {
    let _ = (value, now);
    Err(ModelError::Timestamp { value: value.to_string(), reason: "not implemented yet" })
}

/// Python's `datetime.isoformat()` of an aware UTC datetime: `2016-07-13T20:58:43+00:00`,
/// with six fractional digits when the microseconds are not zero.
pub fn isoformat(dt: &DateTime<Utc>) -> String {
    let micros = dt.timestamp_subsec_micros();
    let format = if micros == 0 { SecondsFormat::Secs } else { SecondsFormat::Micros };
    dt.to_rfc3339_opts(format, false)
}
