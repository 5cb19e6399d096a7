//! The MozDef event document: the defaults applied at save time and the severities.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::{Document, ModelError, time::isoformat};

/// The fields that default to the string `UNKNOWN` when missing at save time.
const UNKNOWN_DEFAULTS: [&str; 7] =
    ["category", "hostname", "processid", "processname", "severity", "source", "summary"];

/// MozDef's `Event.add_required_fields`: fills in every schema field missing from `doc`
/// (inventory §0.1). `now` is the save time; `mozdefhostname` the worker's host name.
/// Present values, even empty ones, are left as they are.
pub fn add_required_fields(doc: &mut Document, now: DateTime<Utc>, mozdefhostname: &str) {
    // One pass over the keys finds the fields present (cheaper than hashing each name);
    // only the missing ones are allocated and inserted, in the order below.
    let mut present = [false; REQUIRED.len()];
    for key in doc.keys() {
        if let Some(i) = required_index(key) {
            present[i] = true;
        }
    }
    let mut now_text = None;
    for (i, key) in REQUIRED.iter().enumerate() {
        if present[i] {
            continue;
        }
        let value = match *key {
            "receivedtimestamp" | "utctimestamp" | "timestamp" => {
                Value::String(now_text.get_or_insert_with(|| isoformat(&now)).clone())
            }
            "mozdefhostname" => Value::String(mozdefhostname.to_owned()),
            "tags" => json!([]),
            "details" | "mozdef" => json!({}),
            "type" => Value::String("event".to_owned()),
            _ => Value::String("UNKNOWN".to_owned()),
        };
        doc.insert((*key).to_owned(), value);
    }
    if let Some(Value::Object(m)) = doc.get_mut("mozdef") {
        insert_missing(m, "plugins", || json!([]));
    }
}

/// The fields every event gets, in the order they are added when missing.
const REQUIRED: [&str; 15] = [
    "receivedtimestamp",
    "utctimestamp",
    "timestamp",
    "mozdefhostname",
    UNKNOWN_DEFAULTS[0],
    UNKNOWN_DEFAULTS[1],
    UNKNOWN_DEFAULTS[2],
    UNKNOWN_DEFAULTS[3],
    UNKNOWN_DEFAULTS[4],
    UNKNOWN_DEFAULTS[5],
    UNKNOWN_DEFAULTS[6],
    "tags",
    "details",
    "type",
    "mozdef",
];

/// The position of `key` in [`REQUIRED`], if it is one of them: a `match`, which the
/// compiler turns into a dispatch on the length, cheaper than comparing with each name.
fn required_index(key: &str) -> Option<usize> {
    let i = match key {
        "receivedtimestamp" => 0,
        "utctimestamp" => 1,
        "timestamp" => 2,
        "mozdefhostname" => 3,
        "category" => 4,
        "hostname" => 5,
        "processid" => 6,
        "processname" => 7,
        "severity" => 8,
        "source" => 9,
        "summary" => 10,
        "tags" => 11,
        "details" => 12,
        "type" => 13,
        "mozdef" => 14,
        _ => return None,
    };
    debug_assert_eq!(REQUIRED[i], key);
    Some(i)
}

fn insert_missing(doc: &mut Document, key: &str, value: impl FnOnce() -> Value) {
    if !doc.contains_key(key) {
        doc.insert(key.to_owned(), value());
    }
}

/// RFC 5424 severities, as MozDef documents them (upper case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Debug-level messages.
    Debug,
    /// Informational messages.
    Info,
    /// Normal but significant conditions.
    Notice,
    /// Warning conditions.
    Warning,
    /// Error conditions.
    Error,
    /// Critical conditions.
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// The system is unusable.
    Emergency,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 8] = [
        Severity::Debug,
        Severity::Info,
        Severity::Notice,
        Severity::Warning,
        Severity::Error,
        Severity::Critical,
        Severity::Alert,
        Severity::Emergency,
    ];

    /// The upper-case name MozDef stores.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Debug => "DEBUG",
            Severity::Info => "INFO",
            Severity::Notice => "NOTICE",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
            Severity::Critical => "CRITICAL",
            Severity::Alert => "ALERT",
            Severity::Emergency => "EMERGENCY",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = ModelError;

    /// Parses a severity name, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ModelError::Severity(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn defaults_fill_only_missing_fields() {
        let now = Utc.with_ymd_and_hms(2016, 7, 13, 20, 58, 43).single().unwrap_or_default();
        let mut doc = Document::new();
        doc.insert("category".into(), json!("syslog"));
        doc.insert("summary".into(), json!(""));
        add_required_fields(&mut doc, now, "mozdef1");
        assert_eq!(doc["category"], "syslog");
        assert_eq!(doc["summary"], "");
        assert_eq!(doc["hostname"], "UNKNOWN");
        assert_eq!(doc["utctimestamp"], "2016-07-13T20:58:43+00:00");
        assert_eq!(doc["receivedtimestamp"], "2016-07-13T20:58:43+00:00");
        assert_eq!(doc["mozdefhostname"], "mozdef1");
        assert_eq!(doc["tags"], json!([]));
        assert_eq!(doc["details"], json!({}));
        assert_eq!(doc["type"], "event");
        assert_eq!(doc["mozdef"], json!({"plugins": []}));
    }

    #[test]
    fn every_required_field_has_its_index() {
        for (i, name) in REQUIRED.iter().enumerate() {
            assert_eq!(required_index(name), Some(i), "{name}");
        }
        assert_eq!(required_index("Summary"), None);
        assert_eq!(required_index("summary "), None);
    }

    #[test]
    fn severities_round_trip() {
        for sev in Severity::ALL {
            assert_eq!(sev.as_str().to_lowercase().parse::<Severity>(), Ok(sev));
        }
        assert!("LOUD".parse::<Severity>().is_err());
    }
}
