//! Security Hub findings (stub: to be written).

use mozdef_model::Document;

use crate::NormalizeContext;
use crate::decode::DecodeError;

/// The events of one EventBridge event of Security Hub findings.
///
/// # Errors
///
/// When the body is not such an event.
pub fn decode(body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
    let _ = (body, queue, ctx);
    Err(DecodeError::Unrecognized { what: "the EventBridge event", expected: "not implemented" })
}
