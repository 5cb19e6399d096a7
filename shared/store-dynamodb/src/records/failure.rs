//! What a cancelled or failed record transaction means for the caller: a refused condition on
//! the id item is a conflict (with the current record) or a missing record; a feed number
//! voided by a reader, a concurrent transaction or throttling may pass; an oversized record
//! will not.

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use mozdef_store::StoreError;

use super::DynamoRecords;
use super::errors::{is_too_large, sdk_error};
use super::items::decode_record;
use super::write::{Expect, Write, not_found};

/// Cancellation reasons a later retry may get past.
const PASSING_REASONS: [&str; 3] = ["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"];

impl DynamoRecords {
    /// What a failed transaction means for the caller.
    pub(super) async fn failed<R: std::fmt::Debug>(
        &self,
        write: &Write<'_>,
        seq: u64,
        feed_index: usize,
        error: SdkError<TransactWriteItemsError, R>,
    ) -> StoreError {
        let (collection, id) = (write.collection, write.id);
        if is_too_large(&error) {
            return StoreError::Backend(format!(
                "record {id:?} in {collection} is too large for a DynamoDB item \
                 (400 KB with its keys and attributes): {}",
                DisplayErrorContext(&error)
            ));
        }
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) = error.as_service_error() else {
            return sdk_error(&self.table, "write a record change", error);
        };
        let reasons = cancelled.cancellation_reasons();
        let code = |index: usize| reasons.get(index).and_then(|r| r.code());
        tracing::debug!(table = %self.table, collection, id, seq, reasons = ?reasons, "record change cancelled");
        if let Some(reason) = reasons.iter().find(|r| r.code() == Some("ValidationError")) {
            return StoreError::Backend(format!(
                "record {id:?} in {collection}: DynamoDB refused the write: {}",
                reason.message().unwrap_or("validation error")
            ));
        }
        let refused = code(0) == Some("ConditionalCheckFailed");
        if refused || code(0) == Some("TransactionConflict") {
            let returned = reasons.first().and_then(|r| r.item()).filter(|item| !item.is_empty());
            let current = match returned {
                Some(item) => decode_record(item).map(Some),
                None => self.current(collection, id).await.map(|found| found.map(|(record, _)| record)),
            };
            return match (current, write.expect) {
                (Err(e), _) => e,
                (Ok(None), Expect::At { .. }) => not_found(collection, id),
                (Ok(Some(current)), Expect::Absent) => StoreError::Conflict(Box::new(current)),
                (Ok(Some(current)), Expect::At { version, .. }) if refused || current.version != version => {
                    StoreError::Conflict(Box::new(current))
                }
                (Ok(_), _) => StoreError::Unavailable(format!(
                    "record {id:?} in {collection}: another write of it was in flight; try again"
                )),
            };
        }
        if code(feed_index) == Some("ConditionalCheckFailed") {
            return StoreError::Unavailable(format!(
                "record {id:?} in {collection}: feed sequence number {seq} was given up as stalled before the write \
                 arrived; nothing was written, try again"
            ));
        }
        if reasons.iter().any(|r| r.code().is_some_and(|c| PASSING_REASONS.contains(&c))) {
            return StoreError::Unavailable(format!(
                "record {id:?} in {collection}: DynamoDB cancelled the write for now: {}",
                DisplayErrorContext(&error)
            ));
        }
        sdk_error(&self.table, "write a record change", error)
    }
}
