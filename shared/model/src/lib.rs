//! The MozDef event model: the event document and its defaults at save time
//! (`Event.add_required_fields`), RFC 5424 severities, MozDef's `toUTC` time parsing,
//! dotted field paths (`DotDict`, `key_exists`), MozDef's index names ([`indices`]) and its
//! rule for tagging an event with an alert ([`tag_alert_source`]).
//!
//! Events are dynamic JSON documents, as in MozDef: a [`Document`] is a JSON object whose
//! top-level keys follow the MozDef schema (`utctimestamp`, `category`, `details.*`, ...).

pub mod clock;
mod error;
pub mod event;
pub mod indices;
pub mod path;
pub mod rng;
mod tagging;
pub mod time;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ModelError, error_chain};
pub use event::{Severity, add_required_fields};
pub use path::{field_values, get_path, key_exists};
pub use tagging::tag_alert_source;
pub use time::{isoformat, to_utc};

/// A MozDef document: a JSON object (an event, or an alert).
pub type Document = serde_json::Map<String, serde_json::Value>;

/// Where a stored document is: its concrete index and its id (an alert's
/// `{documentindex, documentid}`, a tagged event).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventRef {
    /// The concrete index (e.g. `events-20261125`), never an alias.
    pub index: String,
    /// The document id.
    pub id: String,
}
