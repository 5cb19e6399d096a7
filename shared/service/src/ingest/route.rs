//! From a processed event to what the store gets: the daily index of its receive time, the
//! index and id a plugin chose, or a quarantine record with the reason.

use chrono::{DateTime, Utc};
use mozdef_model::{Document, isoformat};
use mozdef_pipeline::Processed;
use mozdef_store::IndexRequest;
use mozdef_store::indices::{QUARANTINE_INDEX, events_index};
use serde_json::{Value, json};

/// Where one processed record goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Routed {
    /// Index this (an event, or a quarantine record).
    Index(IndexRequest),
    /// A plugin dropped the record on purpose; nothing to store, count it.
    Dropped {
        /// The plugin that dropped it.
        plugin: &'static str,
    },
}

/// Facts about the record being routed.
#[derive(Debug, Clone, Copy)]
pub struct RecordInfo<'a> {
    /// The record's deterministic document id.
    pub id: &'a str,
    /// When it was received (decides the daily index).
    pub received: DateTime<Utc>,
    /// Where it came from (`loginput`, a queue name, an S3 object), for quarantine records.
    pub source: &'a str,
    /// The worker's host name.
    pub mozdefhostname: &'a str,
}

/// Routes a processed record: an event goes to the daily index of its receive time (or the
/// index a plugin chose, under the id it chose); a refusal becomes a quarantine record.
pub fn route(processed: Processed, record: RecordInfo<'_>) -> Routed {
    match processed {
        Processed::Event { event, metadata } => {
            let index = if metadata.index == "events" { events_index(record.received) } else { metadata.index };
            let id = metadata.id.unwrap_or_else(|| record.id.to_owned());
            Routed::Index(IndexRequest { index, id, source: event })
        }
        Processed::Dropped { plugin } => Routed::Dropped { plugin },
        Processed::Quarantined { reason, payload } => Routed::Index(quarantine(&reason.to_string(), &payload, record)),
    }
}

/// A quarantine record: the raw payload (as JSON text), the reason, the source and the time.
pub fn quarantine(reason: &str, payload: &Value, record: RecordInfo<'_>) -> IndexRequest {
    tracing::warn!(id = record.id, source = record.source, reason, "record quarantined");
    let received = isoformat(&record.received);
    let mut source = Document::new();
    source.insert("utctimestamp".into(), json!(received));
    source.insert("receivedtimestamp".into(), json!(received));
    source.insert("mozdefhostname".into(), json!(record.mozdefhostname));
    source.insert("source".into(), json!(record.source));
    source.insert("reason".into(), json!(reason));
    source.insert("payload".into(), json!(payload.to_string()));
    IndexRequest { index: QUARANTINE_INDEX.to_owned(), id: record.id.to_owned(), source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use mozdef_pipeline::{Metadata, PipelineError};

    fn info() -> RecordInfo<'static> {
        RecordInfo {
            id: "abc",
            received: Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).single().unwrap_or_default(),
            source: "loginput",
            mozdefhostname: "m1",
        }
    }

    #[test]
    fn events_go_to_the_daily_index_or_where_a_plugin_says() {
        let event = Processed::Event { event: Document::new(), metadata: Metadata::default() };
        let Routed::Index(r) = route(event, info()) else { panic!("indexed") };
        assert_eq!((r.index.as_str(), r.id.as_str()), ("events-20261123", "abc"));
        let metadata = Metadata { index: "vulnerabilities".into(), id: Some("fixed".into()) };
        let Routed::Index(r) = route(Processed::Event { event: Document::new(), metadata }, info()) else {
            panic!("indexed")
        };
        assert_eq!((r.index.as_str(), r.id.as_str()), ("vulnerabilities", "fixed"));
        assert_eq!(route(Processed::Dropped { plugin: "p" }, info()), Routed::Dropped { plugin: "p" });
    }

    #[test]
    fn refusals_become_quarantine_records() {
        let refused =
            Processed::Quarantined { reason: PipelineError::NotAnObject { found: "array" }, payload: json!([1, 2]) };
        let Routed::Index(r) = route(refused, info()) else { panic!("indexed") };
        assert_eq!(r.index, QUARANTINE_INDEX);
        assert_eq!(r.source["payload"], "[1,2]");
        assert_eq!(r.source["source"], "loginput");
        assert!(r.source["reason"].as_str().unwrap_or_default().contains("JSON object"));
    }
}
