/// Errors of the application layer.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A requested alert is not a loaded one.
    #[error("unknown alert {0:?}")]
    UnknownAlert(String),
    /// The alert schedules could not be read or written.
    #[error("alert schedules: {0}")]
    Schedules(#[from] mozdef_alerts::BackendError),
    /// A setting is missing or malformed; the start stops, naming it.
    #[error("{setting}: {message}")]
    Config {
        /// The flag, variable, file or key.
        setting: String,
        /// What is wrong.
        message: String,
    },
    /// The alert configuration is unusable.
    #[error(transparent)]
    Alerts(#[from] mozdef_alerts::AlertError),
}

impl ServiceError {
    /// A configuration error naming `setting`.
    pub fn config(setting: impl Into<String>, message: impl std::fmt::Display) -> Self {
        ServiceError::Config { setting: setting.into(), message: message.to_string() }
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ServiceError::Schedules(e) if e.is_retryable())
    }
}
