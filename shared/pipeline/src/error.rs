//! The one error type of the crate.

/// Why a record could not be turned into a MozDef event.
///
/// Every current variant is *permanent*: the record itself is at fault, so retrying it can
/// never succeed; the caller should drop it (MozDef acks and drops such messages) and count
/// or log it. Use [`PipelineError::is_retryable`] rather than matching variants, so that
/// callers keep working when transient variants are added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The record is valid JSON but not a JSON object (MozDef drops non-dict bodies).
    #[error("an event must be a JSON object, got {found}")]
    NotAnObject {
        /// The JSON type that was found instead: `array`, `string`, `number`, `boolean` or
        /// `null`.
        found: &'static str,
    },
    /// The record is not valid JSON.
    #[error("an event must be valid JSON: {reason}")]
    InvalidJson {
        /// The parser's message (line and column included).
        reason: String,
    },
    /// A source decoder could not parse one record of a log (a line of a log file, a log
    /// event of a CloudWatch Logs payload).
    #[error("{reason}")]
    Unparsed {
        /// Where the record is and what is wrong with it.
        reason: String,
    },
    /// A plugin failed on the event.
    #[error("plugin {plugin} failed: {reason}")]
    Plugin {
        /// The plugin's name.
        plugin: &'static str,
        /// What went wrong, naming the field.
        reason: String,
    },
}

impl PipelineError {
    /// Whether processing the same record again could succeed. `false` for every current
    /// variant: they are all properties of the record itself.
    pub fn is_retryable(&self) -> bool {
        match self {
            PipelineError::NotAnObject { .. }
            | PipelineError::InvalidJson { .. }
            | PipelineError::Unparsed { .. }
            | PipelineError::Plugin { .. } => false,
        }
    }

    /// The opposite of [`PipelineError::is_retryable`]: the record should be dropped.
    pub fn is_permanent(&self) -> bool {
        !self.is_retryable()
    }
}

impl From<serde_json::Error> for PipelineError {
    fn from(err: serde_json::Error) -> Self {
        PipelineError::InvalidJson { reason: err.to_string() }
    }
}
