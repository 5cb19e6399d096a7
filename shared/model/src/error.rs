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
