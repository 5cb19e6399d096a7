/// Errors of the MozDef event model.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    /// A value could not be read as a point in time by `toUTC`.
    #[error("cannot parse {value:?} as a timestamp: {reason}")]
    Timestamp {
        /// The offending value, as JSON text.
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A severity name that is not one of the RFC 5424 severities.
    #[error("unknown severity {0:?}: expected one of DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY")]
    Severity(String),
}

/// An error and its sources, `: `-separated: a client library's top error alone often says
/// little ("error sending request") without the cause under it ("connection refused").
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
