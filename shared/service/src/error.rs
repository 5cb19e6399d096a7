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
    /// A field of a request is invalid (the REST API answers 400 naming it).
    #[error("{field}: {message}")]
    Invalid {
        /// The field (a dotted path for nested ones).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The user may not do this (only an incident's creator deletes it, ...).
    #[error("{0}")]
    NotAllowed(String),
    /// The record store refused or failed (a conflict carries the current record).
    #[error(transparent)]
    Records(#[from] mozdef_store::StoreError),
}

impl ServiceError {
    /// A configuration error naming `setting`.
    pub fn config(setting: impl Into<String>, message: impl std::fmt::Display) -> Self {
        ServiceError::Config { setting: setting.into(), message: message.to_string() }
    }

    /// An invalid-field error naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        ServiceError::Invalid { field: field.into(), message: message.to_string() }
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            ServiceError::Schedules(e) => e.is_retryable(),
            ServiceError::Records(e) => e.is_retryable(),
            _ => false,
        }
    }
}
