//! Sorting the SDK's failures of the record table into storage errors: what a retry may fix
//! (network, timeouts, throttling, DynamoDB's own transient failures) is
//! [`StoreError::Unavailable`]; the rest (a missing table, validation) is
//! [`StoreError::Backend`].

use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use mozdef_store::StoreError;

/// Service error codes a later retry may get past.
const TRANSIENT: [&str; 8] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
    "TransactionConflictException",
    "LimitExceededException",
];

/// Whether a service error code names a passing condition.
fn is_transient(code: Option<&str>) -> bool {
    code.is_some_and(|c| TRANSIENT.contains(&c))
}

/// A failed call on `table`, saying what was being done.
pub(super) fn sdk_error<E, R>(table: &str, what: &str, error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let message = format!("DynamoDB {what} on table {table}: {}", DisplayErrorContext(&error));
    let transient = match &error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(e) => is_transient(e.err().code()),
        _ => false,
    };
    if transient { StoreError::Unavailable(message) } else { StoreError::Backend(message) }
}

/// A request the SDK would not build (a bug here, not a passing condition).
pub(super) fn build_error(error: BuildError) -> StoreError {
    StoreError::Backend(format!("DynamoDB request: {error}"))
}

/// Whether a failure is DynamoDB refusing an item over its size limit (400 KB).
pub(super) fn is_too_large<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.as_service_error().is_some_and(|e| {
        e.code() == Some("ValidationException") && e.message().is_some_and(|m| m.to_lowercase().contains("size"))
    })
}
