//! What the custom resources share: reading a property as CloudFormation passes it, and an
//! AWS SDK error as one line.

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use serde_json::Value;

/// The string property `name` of `properties`, trimmed (absent or null: empty); the error
/// names the property.
pub(crate) fn text(properties: &Value, name: &str) -> Result<String, String> {
    match properties.get(name) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(value)) => Ok(value.trim().to_owned()),
        Some(other) => Err(format!("{name} must be a string, not {other}")),
    }
}

/// An SDK error (of any AWS service) as one line: the service's code and message when it
/// answered.
pub(crate) fn sdk_error<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => DisplayErrorContext(error).to_string(),
    }
}
