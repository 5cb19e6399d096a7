//! One loginput request → the messages that carry it on the events queue (the contract of
//! [`crate::loginput_message`]): its events in order, as many per message as fit under the
//! queue's message size (the `mozdef-kind` attribute counted), and each event too large for a
//! message alone as an S3 object named by a message of its own. Pure: no I/O, so the sizes at
//! and around the limit are tested exactly.

use chrono::{DateTime, Utc};
use mozdef_model::Document;
use mozdef_store::QueueError;

use crate::loginput_message::{KIND, KIND_ATTRIBUTE, LoginputContent, LoginputMessage, ObjectLocation};

/// SQS's largest message (and `SendMessageBatch` payload), the default limit: 256 KiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// S3's largest single `PutObject`, the default limit on one event sent through the bucket.
pub const DEFAULT_MAX_OBJECT_BYTES: usize = 5 * 1024 * 1024 * 1024;

/// The data type of the kind attribute, counted in a message's size as SQS counts it.
pub(crate) const ATTRIBUTE_TYPE: &str = "String";

/// How large messages and objects may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitLimits {
    /// The queue's message size limit: body plus message attributes (names, types, values).
    pub max_message_bytes: usize,
    /// The largest event (as the object's JSON) the large-events bucket takes.
    pub max_object_bytes: usize,
}

impl Default for SplitLimits {
    fn default() -> Self {
        SplitLimits { max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES, max_object_bytes: DEFAULT_MAX_OBJECT_BYTES }
    }
}

/// One message of a request, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Its part number in the request (0, 1, ...), also its batch entry id.
    pub part: usize,
    /// `<request id>:<part>`.
    pub identity: String,
    /// The SQS message body.
    pub body: String,
    /// For an event too large for a message: the object to put first (bucket, key, JSON).
    pub object: Option<OutgoingObject>,
}

/// An S3 object holding one large event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingObject {
    /// Where it goes.
    pub location: ObjectLocation,
    /// The object: a [`LoginputMessage`] with that one event.
    pub body: String,
}

impl OutgoingMessage {
    /// Its size as SQS counts it: the body and the kind attribute.
    pub fn size(&self) -> usize {
        self.body.len() + attribute_bytes()
    }
}

/// The bytes the `mozdef-kind` attribute adds to every message.
pub fn attribute_bytes() -> usize {
    KIND_ATTRIBUTE.len() + ATTRIBUTE_TYPE.len() + KIND.len()
}

/// The S3 key of a large event: `loginput/<yyyy>/<mm>/<dd>/<identity>.json`.
pub fn object_key(received: DateTime<Utc>, identity: &str) -> String {
    format!("loginput/{}/{identity}.json", received.format("%Y/%m/%d"))
}

/// The messages of one request received at `received` under `request_id`, in order. Events
/// are serialized once; a message's body is its envelope followed by the events' JSON.
///
/// # Errors
///
/// [`QueueError::TooLarge`] when an event is larger than [`SplitLimits::max_object_bytes`],
/// or when the limits leave no room for a message naming an object.
pub fn split_request(
    events: &[Document],
    request_id: &str,
    received: DateTime<Utc>,
    bucket: &str,
    limits: SplitLimits,
) -> Result<Vec<OutgoingMessage>, QueueError> {
    let mut builder = Builder { request_id, received, bucket, limits, messages: Vec::new(), open: None };
    for event in events {
        let json = serde_json::to_string(event)
            .map_err(|e| QueueError::Unavailable(format!("an event could not be serialized: {e}")))?;
        builder.push(json)?;
    }
    builder.close();
    Ok(builder.messages)
}

/// The message being filled: its envelope (everything up to and including `"events":[`) and
/// the events' JSON joined by commas.
struct Open {
    identity: String,
    body: String,
    events: usize,
}

struct Builder<'a> {
    request_id: &'a str,
    received: DateTime<Utc>,
    bucket: &'a str,
    limits: SplitLimits,
    messages: Vec<OutgoingMessage>,
    open: Option<Open>,
}

/// What closes every events message after the events.
const CLOSING: &str = "]}";

impl Builder<'_> {
    fn next_part(&self) -> usize {
        self.messages.len() + usize::from(self.open.is_some())
    }

    fn identity(&self, part: usize) -> String {
        format!("{}:{part}", self.request_id)
    }

    /// The envelope of an events message, up to the opening `[` of its events.
    fn envelope(&self, identity: &str) -> String {
        let empty = LoginputMessage::with_events(self.received, identity.to_owned(), Vec::new()).to_body();
        // `to_body` ends an events message with `"events":[]}`: keep everything before `]}`.
        empty.strip_suffix(CLOSING).map(str::to_owned).unwrap_or(empty)
    }

    /// Whether a body of `body_bytes` before its closing fits in a message.
    fn fits(&self, body_bytes: usize) -> bool {
        body_bytes + CLOSING.len() + attribute_bytes() <= self.limits.max_message_bytes
    }

    fn push(&mut self, json: String) -> Result<(), QueueError> {
        if let Some(open_bytes) = self.open.as_ref().map(|open| open.body.len()) {
            if self.fits(open_bytes + 1 + json.len())
                && let Some(open) = &mut self.open
            {
                open.body.push(',');
                open.body.push_str(&json);
                open.events += 1;
                return Ok(());
            }
            self.close();
        }
        let identity = self.identity(self.next_part());
        let mut body = self.envelope(&identity);
        if self.fits(body.len() + json.len()) {
            body.push_str(&json);
            self.open = Some(Open { identity, body, events: 1 });
            return Ok(());
        }
        self.push_object(identity, body, json)
    }

    /// An event too large for a message alone: an object, and a message naming it.
    fn push_object(&mut self, identity: String, envelope: String, json: String) -> Result<(), QueueError> {
        let mut object = envelope;
        object.push_str(&json);
        object.push_str(CLOSING);
        if object.len() > self.limits.max_object_bytes {
            return Err(QueueError::TooLarge { size: object.len(), limit: self.limits.max_object_bytes });
        }
        let location = ObjectLocation { bucket: self.bucket.to_owned(), key: object_key(self.received, &identity) };
        let reference = LoginputMessage {
            content: LoginputContent::Object { s3: location.clone() },
            ..LoginputMessage::with_events(self.received, identity.clone(), Vec::new())
        };
        let body = reference.to_body();
        if body.len() + attribute_bytes() > self.limits.max_message_bytes {
            return Err(QueueError::TooLarge {
                size: body.len() + attribute_bytes(),
                limit: self.limits.max_message_bytes,
            });
        }
        let part = self.next_part();
        self.messages.push(OutgoingMessage {
            part,
            identity,
            body,
            object: Some(OutgoingObject { location, body: object }),
        });
        Ok(())
    }

    fn close(&mut self) {
        if let Some(mut open) = self.open.take() {
            debug_assert!(open.events > 0);
            open.body.push_str(CLOSING);
            let part = self.messages.len();
            self.messages.push(OutgoingMessage { part, identity: open.identity, body: open.body, object: None });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::{Value, json};

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).single().unwrap_or_default()
    }

    /// An event whose JSON is exactly `bytes` long.
    fn event_of(bytes: usize, n: usize) -> Document {
        let base = json!({"n": n, "summary": ""}).to_string().len();
        let mut event = Document::new();
        event.insert("n".into(), json!(n));
        event.insert("summary".into(), Value::String("x".repeat(bytes - base)));
        assert_eq!(serde_json::to_string(&event).unwrap_or_default().len(), bytes);
        event
    }

    fn events_of(message: &OutgoingMessage) -> Vec<Document> {
        let body = message.object.as_ref().map_or(&message.body, |o| &o.body);
        match LoginputMessage::from_body(body.as_bytes()).map(|m| m.content) {
            Ok(LoginputContent::Events { events }) => events,
            other => panic!("not an events message: {other:?}"),
        }
    }

    fn limits(max_message_bytes: usize) -> SplitLimits {
        SplitLimits { max_message_bytes, max_object_bytes: 10_000 }
    }

    /// The size of a message carrying events of these JSON sizes, as part `part` of "req".
    fn size_with(sizes: &[usize], part: usize) -> usize {
        let events: Vec<Document> = sizes.iter().enumerate().map(|(n, &b)| event_of(b, n)).collect();
        LoginputMessage::with_events(at(), format!("req:{part}"), events).to_body().len() + attribute_bytes()
    }

    #[test]
    fn bodies_are_the_contract_and_order_is_kept() {
        let events: Vec<Document> = (0..50).map(|n| event_of(100 + n, n)).collect();
        let messages = split_request(&events, "req", at(), "b", limits(1_000)).unwrap_or_default();
        assert!(messages.len() > 5, "{} messages", messages.len());
        let mut seen = Vec::new();
        for (part, message) in messages.iter().enumerate() {
            assert_eq!(message.part, part);
            assert_eq!(message.identity, format!("req:{part}"));
            assert!(message.size() <= 1_000, "part {part}: {} bytes", message.size());
            let read = LoginputMessage::from_body(message.body.as_bytes()).ok();
            assert_eq!(read.as_ref().map(|m| m.identity.as_str()), Some(message.identity.as_str()));
            assert_eq!(read.map(|m| m.received), Some(at()));
            seen.extend(events_of(message));
        }
        assert_eq!(seen, events, "every event once, in order");
    }

    #[test]
    fn a_message_fills_up_to_the_limit_exactly_and_not_one_byte_more() {
        let limit = size_with(&[300, 400], 0);
        let split = |second: usize| {
            let events = [event_of(300, 0), event_of(second, 1)];
            split_request(&events, "req", at(), "b", limits(limit)).unwrap_or_default()
        };
        let exact = split(400);
        assert_eq!(exact.len(), 1, "two events exactly at the limit share a message");
        assert_eq!(exact[0].size(), limit);
        let over = split(401);
        assert_eq!(over.len(), 2, "one byte over: the second event starts a message");
        assert!(over.iter().all(|m| m.object.is_none()));
        assert_eq!(over.iter().map(events_of).map(|e| e.len()).collect::<Vec<_>>(), [1, 1]);
    }

    #[test]
    fn an_event_alone_at_the_limit_is_inline_and_one_byte_more_goes_to_s3() {
        let limit = size_with(&[600], 0);
        let at_limit = split_request(&[event_of(600, 0)], "req", at(), "b", limits(limit)).unwrap_or_default();
        assert_eq!(at_limit.len(), 1);
        assert_eq!((at_limit[0].object.is_none(), at_limit[0].size()), (true, limit));

        let over = [event_of(100, 0), event_of(601, 1), event_of(100, 2)];
        let messages = split_request(&over, "req", at(), "bucket", limits(limit)).unwrap_or_default();
        assert_eq!(messages.len(), 3, "before, the large event alone, after");
        let object = messages[1].object.clone().unwrap_or_else(|| panic!("the large event goes to S3"));
        assert_eq!(object.location.bucket, "bucket");
        assert_eq!(object.location.key, "loginput/2026/11/23/req:1.json");
        let reference = LoginputMessage::from_body(messages[1].body.as_bytes()).ok().map(|m| m.content);
        assert_eq!(reference, Some(LoginputContent::Object { s3: object.location.clone() }));
        let stored = LoginputMessage::from_body(object.body.as_bytes()).ok();
        assert_eq!(stored.as_ref().map(|m| m.identity.as_str()), Some("req:1"));
        let seen: Vec<Document> = messages.iter().flat_map(events_of).collect();
        assert_eq!(seen, over, "order kept across the object");
    }

    #[test]
    fn a_request_that_does_not_fit_is_too_large() {
        let tight = SplitLimits { max_message_bytes: 1_000, max_object_bytes: 2_000 };
        let events = [event_of(100, 0), event_of(2_000, 1)];
        match split_request(&events, "req", at(), "b", tight) {
            Err(QueueError::TooLarge { size, limit }) => assert_eq!((size > 2_000, limit), (true, 2_000)),
            other => panic!("expected TooLarge, got {other:?}"),
        }
        // A limit so small that even a message naming an object does not fit.
        let tiny = SplitLimits { max_message_bytes: 50, max_object_bytes: 10_000 };
        assert!(matches!(split_request(&events, "req", at(), "b", tiny), Err(QueueError::TooLarge { limit: 50, .. })));
    }

    #[test]
    fn part_numbers_growing_a_digit_still_fit() {
        // Parts 0..=9 have one digit, 10.. two: the envelope grows by one byte at part 10.
        let limit = size_with(&[200], 9);
        let events: Vec<Document> = (0..12).map(|n| event_of(200, n)).collect();
        let messages = split_request(&events, "req", at(), "b", limits(limit)).unwrap_or_default();
        assert!(messages[..10].iter().all(|m| m.object.is_none() && m.size() == limit));
        assert!(messages[10..].iter().all(|m| m.object.is_some()), "one byte over from part 10 on");
        assert!(messages.iter().all(|m| m.size() <= limit));
    }

    #[test]
    fn no_events_no_messages() {
        assert_eq!(split_request(&[], "req", at(), "b", SplitLimits::default()).ok(), Some(Vec::new()));
    }
}
