//! Load balancer access logs (stub: to be written).

use mozdef_model::Document;

use crate::NormalizeContext;

/// An Application Load Balancer log line.
///
/// # Errors
///
/// Why the line cannot be parsed.
pub fn alb_event(line: &str, ctx: &NormalizeContext) -> Result<Document, String> {
    let _ = ctx;
    Err(format!("not implemented: {line}"))
}

/// A Network Load Balancer log line.
///
/// # Errors
///
/// Why the line cannot be parsed.
pub fn nlb_event(line: &str, ctx: &NormalizeContext) -> Result<Document, String> {
    let _ = ctx;
    Err(format!("not implemented: {line}"))
}
