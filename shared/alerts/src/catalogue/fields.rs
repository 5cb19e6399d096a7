//! Event fields as the catalogue's summaries print them, and MozDef's severity names read
//! from an alert's settings: helpers several catalogue alerts share.

use std::collections::BTreeSet;

use mozdef_model::{Severity, get_path};
use mozdef_query::Hit;
use serde_json::Value;

use crate::error::AlertError;

/// A value as text: strings as they are, other values as JSON; null is missing.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The event's top-level `field` as text; missing or null is `None`.
pub(crate) fn top(event: &Hit, field: &str) -> Option<String> {
    event.source.get(field).and_then(text)
}

/// The event's `details.<path>` (a dotted path) as text; missing or null is `None`.
pub(crate) fn detail(event: &Hit, path: &str) -> Option<String> {
    event.source.get("details").and_then(|details| get_path(details, path)).and_then(text)
}

/// The distinct values of `details.<path>` over `events`, sorted (events without it are
/// skipped).
pub(crate) fn distinct_details(events: &[Hit], path: &str) -> BTreeSet<String> {
    events.iter().filter_map(|event| detail(event, path)).collect()
}

/// The configured severity `name` of the alert configured as `module`; a name that is not
/// one of MozDef's is a configuration error.
pub(crate) fn severity(module: &str, name: &str) -> Result<Severity, AlertError> {
    name.parse()
        .map_err(|e: mozdef_model::ModelError| AlertError::Config { alert: module.into(), message: e.to_string() })
}
