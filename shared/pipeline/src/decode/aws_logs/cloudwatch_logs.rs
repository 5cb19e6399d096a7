//! CloudWatch Logs subscription payloads (stub: to be written).

use crate::NormalizeContext;
use crate::decode::DecodeError;

use super::Entry;

/// Which parser reads the messages of which log groups.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogGroupParsers {}

impl LogGroupParsers {
    /// Parsers from `pattern=parser,...`.
    ///
    /// # Errors
    ///
    /// A bad entry.
    pub fn parse(spec: &str) -> Result<Self, String> {
        Err(format!("not implemented: {spec}"))
    }
}

/// A decoded payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// The log group.
    pub log_group: String,
    /// The log stream.
    pub log_stream: String,
    /// `(log event id, entry)` in order.
    pub entries: Vec<(String, Entry)>,
}

/// Decodes a subscription payload.
///
/// # Errors
///
/// When the body is not a payload.
pub fn decode(body: &[u8], parsers: &LogGroupParsers, ctx: &NormalizeContext) -> Result<Payload, DecodeError> {
    let _ = (body, parsers, ctx);
    Err(DecodeError::Unrecognized { what: "the CloudWatch Logs payload", expected: "not implemented" })
}
