//! The [`RecordStore`] on DynamoDB: records (incidents, investigations, blocklists, ...),
//! their history, the change feed and presence, in one on-demand table.
//!
//! # Tables and keys
//!
//! One table, hash key `pk` and range key `sk` (both strings), TTL on `expires`. In keys,
//! `<collection>`, `<id>`, `<user>` and `<activity>` have `%` written `%25` and `#` written
//! `%23`, so values holding `#` cannot collide; `<seq>` is a feed sequence number in 20 digits.
//!
//! | Item | `pk` | `sk` | Holds |
//! |---|---|---|---|
//! | record (by id) | `id#<collection>#<id>` | `record` | the record, and `seq` of its last change (the write condition) |
//! | listing | `rec#<collection>` | escaped `<sort>`, U+0001 U+0001, `<id>` (below) | a copy of the record, for scans |
//! | history | `hist#<collection>#<id>` | `<seq>` | one change (kind, version, by, at, data) |
//! | feed | `feed` | `<seq>` | the same change and `written` (epoch ms); or `kind = void` |
//! | feed counter | `counter` | `feed` | `seq`, the last sequence number taken |
//! | presence | `presence#<collection>#<id>` | `<user>#<activity>` | `expires` (epoch s, TTL), `expires_at` (exact) |
//!
//! The listing range key orders as the pair `(sort, id)` does: the sort key with U+0000 and
//! U+0001 escaped (as U+0001 U+0002 and U+0001 U+0003), the terminator U+0001 U+0001, then the
//! id, so a scan is one descending `Query` with the sort range and the cursor as key bounds.
//!
//! # Writes
//!
//! An update or delete first reads the id item (one consistent `GetItem`: the old sort key,
//! and a stale version answered without further writes). A create, update or delete then takes
//! the next sequence number (`ADD` on the counter) and writes in one `TransactWriteItems`: the
//! id item (condition `attribute_not_exists` for a create; the version and `seq` read for an
//! update or delete, so a record deleted and created again in between is not mistaken for
//! the one read), the listing item (moved when the sort key changes), a history item and a
//! feed item (condition `attribute_not_exists`). A refused condition is a
//! [`StoreError::Conflict`] with the current record (returned by
//! `ReturnValuesOnConditionCheckFailure`) or [`StoreError::NotFound`]. A failed transaction
//! leaves a void feed item under its number.
//!
//! # The feed
//!
//! Numbers are taken before the transaction, so they can become visible out of order and a
//! writer that dies leaves a hole. [`RecordStore::changes`] hands out only the contiguous run
//! after its cursor, skipping voids; a hole stops the run until the item after it is older
//! than the stall time ([`DynamoRecords::DEFAULT_STALL`], measured on the writers' clocks by
//! the feed items' `written`), when the reader voids the hole itself (a conditional put: a
//! writer arriving later fails and says so, rather than slipping in behind readers that moved
//! on). [`RecordStore::head`] is the newest change of that run, found by looking back from the
//! newest feed item until items older than twice the stall time. All feed items share the
//! partition `feed`: ample for records people edit, not meant for machine-rate writes.
//!
//! Every item is at most 400 KB: the record data is stored in the id item, the listing item,
//! the history and the feed, each its own item; a record too large for that is a
//! [`StoreError::Backend`] naming it.

mod errors;
mod failure;
mod feed;
mod items;
mod keys;
mod query;
mod read;
mod write;

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use mozdef_alerts::BackendError;
use mozdef_store::{Author, Change, NewRecord, Presence, Record, RecordStore, Scan, StoreError};
use serde_json::Value;

/// The record table.
#[derive(Debug, Clone)]
pub struct DynamoRecords {
    client: Client,
    table: String,
    stall: Duration,
}

impl DynamoRecords {
    /// How long the feed waits on a hole (a sequence number taken but not written) before it
    /// takes the writer for dead, unless [`with_stall`](Self::with_stall) says otherwise.
    pub const DEFAULT_STALL: Duration = Duration::from_secs(5);

    /// The records in `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoRecords { client, table: table.into(), stall: Self::DEFAULT_STALL }
    }

    /// With the feed waiting `stall` on a hole before taking its writer for dead (instead of
    /// [`DEFAULT_STALL`](Self::DEFAULT_STALL)).
    #[must_use]
    pub fn with_stall(mut self, stall: Duration) -> Self {
        self.stall = stall;
        self
    }

    /// Creates the table (on-demand billing, hash key `pk`, range key `sk`, TTL on `expires`)
    /// if it does not exist: for emulators and tests; CloudFormation creates it on AWS.
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        crate::table::ensure_keyed_table(&self.client, &self.table, "pk", Some("sk"), Some("expires")).await.map_err(
            |e| match e {
                BackendError::Unavailable(m) => StoreError::Unavailable(m),
                BackendError::Failed(m) => StoreError::Backend(m),
            },
        )
    }
}

#[async_trait]
impl RecordStore for DynamoRecords {
    async fn create(&self, record: NewRecord<'_>, author: Author<'_>) -> Result<Record, StoreError> {
        self.create_record(record, author).await
    }

    async fn get(&self, collection: &str, id: &str) -> Result<Option<Record>, StoreError> {
        Ok(self.current(collection, id).await?.map(|(record, _)| record))
    }

    async fn update(
        &self,
        collection: &str,
        id: &str,
        version: u64,
        sort: &str,
        data: &Value,
        author: Author<'_>,
    ) -> Result<Record, StoreError> {
        self.update_record(collection, id, version, sort, data, author).await
    }

    async fn delete(&self, collection: &str, id: &str, version: u64, author: Author<'_>) -> Result<Record, StoreError> {
        self.delete_record(collection, id, version, author).await
    }

    async fn scan(&self, scan: Scan<'_>) -> Result<Vec<Record>, StoreError> {
        self.scan_records(scan).await
    }

    async fn history(&self, collection: &str, id: &str, limit: usize) -> Result<Vec<Change>, StoreError> {
        self.record_history(collection, id, limit).await
    }

    async fn changes(&self, after: u64, limit: usize) -> Result<Vec<Change>, StoreError> {
        self.feed_after(after, limit).await
    }

    async fn head(&self) -> Result<u64, StoreError> {
        self.feed_head().await
    }

    async fn touch_presence(&self, presence: &Presence) -> Result<(), StoreError> {
        self.put_presence(presence).await
    }

    async fn presence(&self, collection: &str, id: &str, now: DateTime<Utc>) -> Result<Vec<Presence>, StoreError> {
        self.read_presence(collection, id, now).await
    }
}
