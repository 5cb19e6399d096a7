//! The messages the loginput Lambda puts on the events queue and the ingest Lambda reads: the
//! contract between the two, in one place.
//!
//! One request accepted by loginput becomes one or more SQS messages, each carrying as many
//! of its events as fit under the queue's message size, in order:
//!
//! ```json
//! {"mozdef": "loginput/1", "received": "2026-11-23T12:00:00.123+00:00",
//!  "identity": "<request id>:<part>", "events": [{...}, {...}]}
//! ```
//!
//! An event too large for a message on its own travels through S3: the object holds the same
//! JSON (with `"events": [event]`) and the message names it instead of carrying events:
//!
//! ```json
//! {"mozdef": "loginput/1", "received": "...", "identity": "...", "s3": {"bucket": "b", "key": "k"}}
//! ```
//!
//! Messages also carry the SQS message attribute [`KIND_ATTRIBUTE`] = [`KIND`], so the ingest
//! function tells them from the other sources of the queue (SNS envelopes, S3 notifications,
//! EventBridge events) without parsing the body. The `identity` is stable across SQS
//! redeliveries and loginput's own retries of a batch entry: the `n`th event's document id
//! derives from `<identity>:<n>`, so nothing is stored twice.

use chrono::{DateTime, Utc};
use mozdef_model::Document;
use serde::{Deserialize, Serialize};

/// The SQS message attribute that marks a loginput message.
pub const KIND_ATTRIBUTE: &str = "mozdef-kind";
/// Its value.
pub const KIND: &str = "loginput";
/// The body's format marker.
pub const FORMAT: &str = "loginput/1";

/// One message of a loginput request.
///
/// Read through [`WireMessage`]: `flatten` with an `untagged` enum would buffer every event
/// into serde's intermediate form and read it a second time, which cost the ingest function
/// a third of its CPU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "WireMessage")]
pub struct LoginputMessage {
    /// The format marker, [`FORMAT`].
    pub mozdef: String,
    /// When loginput accepted the request.
    #[serde(with = "received_format")]
    pub received: DateTime<Utc>,
    /// `<request id>:<part>`.
    pub identity: String,
    /// The events, or where they are.
    #[serde(flatten)]
    pub content: LoginputContent,
}

/// What a message carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LoginputContent {
    /// The events themselves, as loginput accepted them (`endpoint`, `customendpoint` set).
    Events {
        /// The events.
        events: Vec<Document>,
    },
    /// An S3 object holding a [`LoginputMessage`] with the events.
    Object {
        /// Where.
        s3: ObjectLocation,
    },
}

/// An S3 object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLocation {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
}

/// A message as it is read: either field may be there.
#[derive(Deserialize)]
struct WireMessage {
    mozdef: String,
    #[serde(with = "received_format")]
    received: DateTime<Utc>,
    identity: String,
    events: Option<Vec<Document>>,
    s3: Option<ObjectLocation>,
}

impl TryFrom<WireMessage> for LoginputMessage {
    type Error = &'static str;

    fn try_from(wire: WireMessage) -> Result<Self, Self::Error> {
        let content = match (wire.events, wire.s3) {
            (Some(events), None) => LoginputContent::Events { events },
            (None, Some(s3)) => LoginputContent::Object { s3 },
            (Some(_), Some(_)) => return Err("both `events` and `s3`"),
            (None, None) => return Err("neither `events` nor `s3`"),
        };
        Ok(LoginputMessage { mozdef: wire.mozdef, received: wire.received, identity: wire.identity, content })
    }
}

/// Why a body is not a loginput message.
#[derive(Debug, thiserror::Error)]
#[error("not a loginput message: {0}")]
pub struct MessageError(String);

impl LoginputMessage {
    /// A message carrying `events`.
    pub fn with_events(received: DateTime<Utc>, identity: String, events: Vec<Document>) -> Self {
        LoginputMessage { mozdef: FORMAT.to_owned(), received, identity, content: LoginputContent::Events { events } }
    }

    /// The message as its JSON body.
    pub fn to_body(&self) -> String {
        // A map of JSON values always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a body, checking the format marker.
    pub fn from_body(body: &[u8]) -> Result<Self, MessageError> {
        let message: LoginputMessage = serde_json::from_slice(body).map_err(|e| MessageError(e.to_string()))?;
        if message.mozdef != FORMAT {
            return Err(MessageError(format!("format {:?}, expected {FORMAT:?}", message.mozdef)));
        }
        Ok(message)
    }
}

/// `received` as MozDef writes times, with milliseconds (`2026-11-23T12:00:00.123+00:00`).
mod received_format {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, false))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn at() -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_763_899_200_123).single().unwrap_or_default()
    }

    #[test]
    fn events_and_object_messages_round_trip() {
        let event = json!({"summary": "s", "endpoint": "events"}).as_object().cloned().unwrap_or_default();
        let message = LoginputMessage::with_events(at(), "req-1:0".into(), vec![event]);
        let body = message.to_body();
        assert!(body.contains("\"received\":\"2025-11-23T12:00:00.123+00:00\""), "{body}");
        assert_eq!(LoginputMessage::from_body(body.as_bytes()).ok(), Some(message));

        let body = json!({"mozdef": FORMAT, "received": "2025-11-23T12:00:00.123+00:00", "identity": "r:1",
                          "s3": {"bucket": "b", "key": "k"}});
        let read = LoginputMessage::from_body(body.to_string().as_bytes()).ok();
        let location = ObjectLocation { bucket: "b".into(), key: "k".into() };
        assert_eq!(read.map(|m| m.content), Some(LoginputContent::Object { s3: location }));
    }

    #[test]
    fn other_bodies_are_refused_with_a_reason() {
        for body in [
            r#"{"Type": "Notification"}"#,
            "not json",
            r#"{"mozdef": "loginput/9", "received": "2025-11-23T12:00:00Z", "identity": "i", "events": []}"#,
            r#"{"mozdef": "loginput/1", "received": "2025-11-23T12:00:00Z", "identity": "i"}"#,
            r#"{"mozdef": "loginput/1", "received": "2025-11-23T12:00:00Z", "identity": "i", "events": [],
                "s3": {"bucket": "b", "key": "k"}}"#,
        ] {
            let error = LoginputMessage::from_body(body.as_bytes()).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(error.starts_with("not a loginput message: "), "{body}: {error}");
        }
    }
}
