//! Sorting the SDK's failures into the alert domain's port errors.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use mozdef_alerts::BackendError;

/// A failed call: network and throttling failures may pass, the rest will not.
pub(crate) fn call_error<E: std::error::Error + Send + Sync + 'static, R: std::fmt::Debug>(
    what: &str,
) -> impl Fn(SdkError<E, R>) -> BackendError + '_ {
    move |e| {
        let message = format!("DynamoDB {what}: {}", DisplayErrorContext(&e));
        match e {
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
                BackendError::Unavailable(message)
            }
            _ => BackendError::Failed(message),
        }
    }
}

/// Whether a conditional write was refused because its condition did not hold.
pub(crate) fn is_condition_failure<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}
