//! Trigger-independent ingest for MozDef in Rust: MozDef's normalisation of shipper events
//! (`esworker_eventtask`'s `keyMapping`, inventory §1.2), the event-task path that turns one
//! received JSON record into a stored-ready event, and deterministic document ids.
//!
//! Whatever delivers the record (HTTP `loginput`, SQS, a write-ahead log replay...), the
//! caller builds a [`NormalizeContext`] from the record's receive time and the configured
//! `mozdefhostname` (default: the machine host name; the caller looks it up, not this crate),
//! calls [`normalize`] and stores the result under [`document_id`] of the record's identity.
//! Everything here is a pure function of its inputs, so replaying a record yields the same
//! document under the same id.

pub mod decode;
mod error;
pub mod geoip;
mod keymapping;
pub mod plugins;
mod python;
pub mod user_plugins;

use chrono::{DateTime, Utc};
use mozdef_model::{Document, add_required_fields};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use error::PipelineError;
pub use keymapping::{key_mapping, key_mapping_owned};
pub use plugins::{ChainOutcome, Effect, Metadata, PluginAction, PluginChain};

/// The key of a pulled record's provider id on an event a collector queued
/// (`mozdef-collectors`): the ingest path removes it and derives the document id from
/// `collected:<value>` instead of the queue position, so a collector's overlapping re-read
/// replaces what it stored before. loginput removes it from every event a shipper sends, so
/// only a collector (writing to the queue directly) can choose an id.
pub const COLLECTED_ID_KEY: &str = "_mozdef_collected_id";

/// Context of one normalisation: the record's receive time (also "now" for every default)
/// and the worker host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizeContext {
    /// When the record was received. It is the event's `receivedtimestamp`, the default
    /// `utctimestamp`/`timestamp`, and the "current year" of year-less syslog dates, so a
    /// replayed record normalises identically.
    pub received: DateTime<Utc>,
    /// The `mozdefhostname` written on every event (config `mozdefhostname`, by default the
    /// machine host name).
    pub mozdefhostname: String,
}

/// The event-task path (`esworker_eventtask`): one received JSON value → a stored-ready
/// MozDef event.
///
/// * A value that is not a JSON object is refused with [`PipelineError::NotAnObject`]
///   (MozDef acks and drops such bodies).
/// * A document whose `customendpoint` is truthy (Python truthiness; `loginput`'s
///   `/custom/<app>` sets `true`) is kept as sent: key mapping is skipped, as in MozDef,
///   and only plugins act on it.
/// * Any other document goes through [`key_mapping`] (values moved, not cloned).
///
/// Then MozDef's save-time defaults are applied ([`add_required_fields`], inventory §0.1)
/// with `ctx.received` as "now" and `ctx.mozdefhostname`.
pub fn normalize(raw: Value, ctx: &NormalizeContext) -> Result<Document, PipelineError> {
    let mut event = map_keys(raw, ctx).map_err(|(error, _)| error)?;
    add_required_fields(&mut event, ctx.received, &ctx.mozdefhostname);
    Ok(event)
}

/// The object check and key mapping (skipped for custom endpoints) shared by [`normalize`]
/// and [`process`]; a refusal hands the value back for quarantine.
fn map_keys(raw: Value, ctx: &NormalizeContext) -> Result<Document, (PipelineError, Value)> {
    let doc = match raw {
        Value::Object(doc) => doc,
        other => return Err((PipelineError::NotAnObject { found: python::json_type(&other) }, other)),
    };
    let custom = doc.get("customendpoint").is_some_and(python::py_truthy);
    Ok(if custom { doc } else { key_mapping_owned(doc, ctx) })
}

/// What became of one record on the event-task path.
#[derive(Debug, Clone, PartialEq)]
pub enum Processed {
    /// Store this event as `metadata` says.
    Event {
        /// The event, with MozDef's defaults.
        event: Document,
        /// Its target index and fixed id, if a plugin chose them.
        metadata: Metadata,
    },
    /// A plugin dropped the event on purpose (MozDef's `None`); count it.
    Dropped {
        /// The plugin.
        plugin: &'static str,
    },
    /// The record cannot become an event: quarantine `payload` with `reason`.
    Quarantined {
        /// Why.
        reason: PipelineError,
        /// The record, or the event as far as the chain got with it.
        payload: Value,
    },
}

/// The whole event-task path: [`normalize`]'s key mapping, then the plugin `chain`, then
/// MozDef's save-time defaults.
pub fn process(raw: Value, ctx: &NormalizeContext, chain: &PluginChain) -> Processed {
    match map_keys(raw, ctx) {
        Ok(doc) => finish(chain.run(doc, Metadata::default()), ctx),
        Err((reason, payload)) => Processed::Quarantined { reason, payload },
    }
}

/// [`process`], also saying what each plugin the event was offered to did with it.
pub fn process_explained(raw: Value, ctx: &NormalizeContext, chain: &PluginChain) -> (Processed, Vec<PluginAction>) {
    match map_keys(raw, ctx) {
        Ok(doc) => {
            let (outcome, actions) = chain.run_explained(doc, Metadata::default());
            (finish(outcome, ctx), actions)
        }
        Err((reason, payload)) => (Processed::Quarantined { reason, payload }, Vec::new()),
    }
}

/// The rest of the path for an event a source decoder built ([`decode`]: CloudTrail,
/// GuardDuty, SNS...): the decoders already did their worker's normalisation, so, as
/// MozDef's SQS workers handed their events to `sendEventToPlugins`, only the plugin `chain`
/// and the save-time defaults follow.
pub fn process_decoded(event: Document, ctx: &NormalizeContext, chain: &PluginChain) -> Processed {
    finish(chain.run(event, Metadata::default()), ctx)
}

/// The plugin chain's outcome with MozDef's save-time defaults on a kept event.
fn finish(outcome: ChainOutcome, ctx: &NormalizeContext) -> Processed {
    match outcome {
        ChainOutcome::Event { mut event, metadata } => {
            add_required_fields(&mut event, ctx.received, &ctx.mozdefhostname);
            Processed::Event { event, metadata }
        }
        ChainOutcome::Dropped { plugin } => Processed::Dropped { plugin },
        ChainOutcome::Failed { event, error } => {
            Processed::Quarantined { reason: error, payload: Value::Object(event) }
        }
    }
}

/// [`normalize`] of a raw record body (UTF-8 JSON text). A body that is not JSON is refused
/// with [`PipelineError::InvalidJson`] (MozDef acks and drops it).
pub fn normalize_slice(body: &[u8], ctx: &NormalizeContext) -> Result<Document, PipelineError> {
    normalize(serde_json::from_slice(body)?, ctx)
}

/// Deterministic document id of a record: the first 128 bits of the SHA-256 of its
/// `identity` (e.g. `wal:<segment>:<offset>` or an SQS message id), as 32 lowercase hex
/// characters. The same record always gets the same id, so a redelivered or replayed record
/// overwrites its earlier copy instead of duplicating it.
pub fn document_id(identity: &str) -> String {
    lower_hex(&Sha256::digest(identity.as_bytes())[..16])
}

/// Lower-case hex of `bytes`, as Python's `hexdigest()` writes it.
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// The context of the crate's unit tests: received 2026-11-23T10:00:00Z by `mozdef.test`.
#[cfg(test)]
pub(crate) fn test_context() -> NormalizeContext {
    use chrono::TimeZone;
    NormalizeContext {
        received: Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).single().unwrap_or_default(),
        mozdefhostname: "mozdef.test".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::test_context as ctx;

    #[test]
    fn document_id_is_stable_128_bit_hex() {
        let id = document_id("wal:00000001:4096");
        assert_eq!(id, document_id("wal:00000001:4096"));
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223 b00361a396177a9cb410ff61f20015ad
        assert_eq!(document_id("abc"), "ba7816bf8f01cfea414140de5dae2223");
        assert_eq!(document_id(""), "e3b0c44298fc1c149afbf4c8996fb924");
    }

    #[test]
    fn document_ids_of_different_identities_differ() {
        let ids: std::collections::HashSet<String> = (0..10_000)
            .map(|offset| document_id(&format!("wal:00000001:{offset}")))
            .chain(["sqs:0f6c6c5e-1", "sqs:0f6c6c5e-2"].map(document_id))
            .collect();
        assert_eq!(ids.len(), 10_002);
    }

    #[test]
    fn non_objects_are_refused_permanently() {
        for (value, found) in [
            (json!([{"a": 1}]), "array"),
            (json!("text"), "string"),
            (json!(1), "number"),
            (json!(null), "null"),
            (json!(true), "boolean"),
        ] {
            let err = normalize(value, &ctx()).err();
            assert_eq!(err, Some(PipelineError::NotAnObject { found }));
            assert!(err.is_some_and(|e| e.is_permanent() && !e.is_retryable()));
        }
        let err = normalize_slice(b"{not json", &ctx()).err();
        assert!(matches!(err, Some(PipelineError::InvalidJson { .. })));
        assert!(err.is_some_and(|e| e.to_string().contains("valid JSON")));
    }

    #[test]
    fn custom_endpoint_skips_key_mapping() {
        let raw = json!({"customendpoint": true, "endpoint": "squid", "MESSAGE": "m"});
        let out = normalize(raw, &ctx()).unwrap_or_default();
        assert_eq!(out["MESSAGE"], "m");
        assert_eq!(out["summary"], "UNKNOWN");
        assert_eq!(out["endpoint"], "squid");
        // A falsy marker means an ordinary event.
        let raw = json!({"customendpoint": "", "endpoint": "events", "MESSAGE": "m"});
        let out = normalize(raw, &ctx()).unwrap_or_default();
        assert_eq!(out["summary"], "m");
        assert!(!out.contains_key("endpoint"));
    }

    #[test]
    fn normalize_slice_parses_then_normalizes() {
        let out = normalize_slice(br#"{"summary": "s"}"#, &ctx()).unwrap_or_default();
        assert_eq!(out["summary"], "s");
        assert_eq!(out["receivedtimestamp"], "2026-11-23T10:00:00+00:00");
        assert_eq!(out["mozdefhostname"], "mozdef.test");
        assert_eq!(out["mozdef"], json!({"plugins": []}));
    }
}
