//! (stub: to be written).

use mozdef_model::Document;

use crate::NormalizeContext;

/// The event of one record.
///
/// # Errors
///
/// Why the record cannot be mapped.
pub fn event(record: Document, ctx: &NormalizeContext) -> Result<Document, String> {
    let _ = (record, ctx);
    Err("not implemented".to_owned())
}
