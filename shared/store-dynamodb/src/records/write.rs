//! Changing records: each create, update or delete takes a feed sequence number from the
//! counter, then writes in one `TransactWriteItems` the id item (under its condition), the
//! listing item (moved when the sort key changes), a history item and a feed item. When the
//! transaction fails, a void feed item takes the number so feed readers need not wait on it.

use aws_sdk_dynamodb::types::{Delete, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem};
use chrono::Utc;
use mozdef_store::{Author, Change, ChangeKind, NewRecord, Record, StoreError};
use serde_json::Value;

use super::DynamoRecords;
use super::errors::{build_error, sdk_error};
use super::items::{Item, change_item, number, record_item, text, void_item};
use super::keys;

/// What the id item must be for a write to apply.
#[derive(Debug, Clone, Copy)]
pub(super) enum Expect {
    /// No record under the id.
    Absent,
    /// The record at `version`, last changed by feed sequence number `seq`.
    At { version: u64, seq: u64 },
}

/// One change to commit.
#[derive(Debug)]
pub(super) struct Write<'a> {
    /// The record's collection.
    pub collection: &'a str,
    /// The record's id.
    pub id: &'a str,
    /// What the id item must be.
    pub expect: Expect,
    /// The record after the change; `None` deletes it.
    after: Option<&'a Record>,
    /// The sort key before the change (its listing item goes when the record moves or goes).
    before_sort: Option<&'a str>,
    kind: ChangeKind,
    /// The version the change records (for a deletion: the version deleted).
    version: u64,
    author: Author<'a>,
}

/// A write condition: the expression, the attribute names and the number values it uses.
#[derive(Debug)]
struct Condition {
    expression: &'static str,
    names: Vec<(&'static str, &'static str)>,
    values: Vec<(&'static str, u64)>,
}

impl Condition {
    /// The item must not exist.
    fn absent() -> Self {
        Condition { expression: "attribute_not_exists(#pk)", names: vec![("#pk", "pk")], values: Vec::new() }
    }

    /// The id item's condition.
    fn of(expect: Expect) -> Self {
        match expect {
            Expect::Absent => Condition::absent(),
            Expect::At { version, seq } => Condition {
                expression: "#version = :version AND #seq = :seq",
                names: vec![("#version", "version"), ("#seq", "seq")],
                values: vec![(":version", version), (":seq", seq)],
            },
        }
    }
}

/// One put of a transaction, under `condition` when given (returning the item it found when
/// the condition fails).
fn put(table: &str, item: Item, condition: Option<Condition>) -> Result<TransactWriteItem, StoreError> {
    let mut put = Put::builder().table_name(table).set_item(Some(item));
    if let Some(condition) = condition {
        put = put
            .condition_expression(condition.expression)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (placeholder, name) in condition.names {
            put = put.expression_attribute_names(placeholder, name);
        }
        for (placeholder, value) in condition.values {
            put = put.expression_attribute_values(placeholder, number(value));
        }
    }
    Ok(TransactWriteItem::builder().put(put.build().map_err(build_error)?).build())
}

/// One delete of a transaction, under `condition` when given.
fn delete(table: &str, pk: String, sk: String, condition: Option<Condition>) -> Result<TransactWriteItem, StoreError> {
    let mut delete = Delete::builder().table_name(table).key("pk", text(pk)).key("sk", text(sk));
    if let Some(condition) = condition {
        delete = delete
            .condition_expression(condition.expression)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (placeholder, name) in condition.names {
            delete = delete.expression_attribute_names(placeholder, name);
        }
        for (placeholder, value) in condition.values {
            delete = delete.expression_attribute_values(placeholder, number(value));
        }
    }
    Ok(TransactWriteItem::builder().delete(delete.build().map_err(build_error)?).build())
}

/// No record under the id.
pub(super) fn not_found(collection: &str, id: &str) -> StoreError {
    StoreError::NotFound(format!("no record {id:?} in {collection}"))
}

impl DynamoRecords {
    /// Creates a record at version 1.
    pub(super) async fn create_record(&self, new: NewRecord<'_>, author: Author<'_>) -> Result<Record, StoreError> {
        let record = Record::created(new, author);
        let write = Write {
            collection: new.collection,
            id: new.id,
            expect: Expect::Absent,
            after: Some(&record),
            before_sort: None,
            kind: ChangeKind::Created,
            version: 1,
            author,
        };
        self.commit(&write).await?;
        Ok(record)
    }

    /// Replaces the document and sort key of the record at `version`.
    pub(super) async fn update_record(
        &self,
        collection: &str,
        id: &str,
        version: u64,
        sort: &str,
        data: &Value,
        author: Author<'_>,
    ) -> Result<Record, StoreError> {
        let (current, seq) = self.current(collection, id).await?.ok_or_else(|| not_found(collection, id))?;
        if current.version != version {
            return Err(StoreError::Conflict(Box::new(current)));
        }
        let record = current.updated(sort, data, author);
        let write = Write {
            collection,
            id,
            expect: Expect::At { version, seq },
            after: Some(&record),
            before_sort: Some(&current.sort),
            kind: ChangeKind::Updated,
            version: record.version,
            author,
        };
        self.commit(&write).await?;
        Ok(record)
    }

    /// Deletes the record at `version`, returning it as it was.
    pub(super) async fn delete_record(
        &self,
        collection: &str,
        id: &str,
        version: u64,
        author: Author<'_>,
    ) -> Result<Record, StoreError> {
        let (current, seq) = self.current(collection, id).await?.ok_or_else(|| not_found(collection, id))?;
        if current.version != version {
            return Err(StoreError::Conflict(Box::new(current)));
        }
        let write = Write {
            collection,
            id,
            expect: Expect::At { version, seq },
            after: None,
            before_sort: Some(&current.sort),
            kind: ChangeKind::Deleted,
            version,
            author,
        };
        self.commit(&write).await?;
        Ok(current)
    }

    /// Takes the next feed sequence number.
    async fn next_seq(&self) -> Result<u64, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", text(keys::COUNTER_PK))
            .key("sk", text(keys::COUNTER_SK))
            .update_expression("ADD #seq :one")
            .expression_attribute_names("#seq", "seq")
            .expression_attribute_values(":one", number(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| sdk_error(&self.table, "take a feed sequence number", e))?;
        let value = out.attributes().and_then(|a| a.get("seq")).and_then(|v| v.as_n().ok());
        value.and_then(|n| n.parse().ok()).ok_or_else(|| {
            StoreError::Backend(format!("record table {}: the feed counter answered {value:?}", self.table))
        })
    }

    /// Writes the change in one transaction; on failure, voids its sequence number.
    async fn commit(&self, write: &Write<'_>) -> Result<(), StoreError> {
        let seq = self.next_seq().await?;
        let items = match self.transaction(write, seq) {
            Ok(items) => items,
            Err(error) => {
                self.void_best_effort(seq).await;
                return Err(error);
            }
        };
        let feed_index = items.len() - 1;
        match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => {
                tracing::debug!(
                    table = %self.table,
                    collection = write.collection,
                    id = write.id,
                    seq,
                    kind = write.kind.as_str(),
                    "record change committed"
                );
                Ok(())
            }
            Err(error) => {
                self.void_best_effort(seq).await;
                Err(self.failed(write, seq, feed_index, error).await)
            }
        }
    }

    /// The items of the change's transaction: the id item first, the feed item last.
    fn transaction(&self, write: &Write<'_>, seq: u64) -> Result<Vec<TransactWriteItem>, StoreError> {
        let change = Change {
            seq,
            collection: write.collection.to_owned(),
            id: write.id.to_owned(),
            version: write.version,
            kind: write.kind,
            by: write.author.by.to_owned(),
            at: write.author.at,
            data: write.after.map(|r| r.data.clone()),
        };
        let written = Utc::now().timestamp_millis();
        let id_pk = keys::id_pk(write.collection, write.id);
        let condition = Some(Condition::of(write.expect));
        let mut items = vec![match write.after {
            Some(record) => put(&self.table, record_item(record, seq, id_pk, keys::RECORD_SK.to_owned())?, condition)?,
            None => delete(&self.table, id_pk, keys::RECORD_SK.to_owned(), condition)?,
        }];
        let list_pk = keys::list_pk(write.collection);
        let new_sk = write.after.map(|r| keys::list_sk(&r.sort, write.id));
        if let Some(old_sk) = write.before_sort.map(|sort| keys::list_sk(sort, write.id))
            && new_sk.as_ref() != Some(&old_sk)
        {
            items.push(delete(&self.table, list_pk.clone(), old_sk, None)?);
        }
        if let (Some(record), Some(sk)) = (write.after, new_sk) {
            items.push(put(&self.table, record_item(record, seq, list_pk, sk)?, None)?);
        }
        let history = change_item(&change, keys::history_pk(write.collection, write.id), keys::seq_sk(seq), written)?;
        items.push(put(&self.table, history, None)?);
        let feed = change_item(&change, keys::FEED_PK.to_owned(), keys::seq_sk(seq), written)?;
        items.push(put(&self.table, feed, Some(Condition::absent()))?);
        Ok(items)
    }

    /// Writes a void feed item for `seq` unless the number is taken already.
    async fn void_best_effort(&self, seq: u64) {
        if let Err(error) = self.void(seq).await {
            tracing::warn!(
                table = %self.table,
                seq,
                %error,
                "could not void the feed sequence number of a failed write; readers wait out the stall"
            );
        }
    }

    /// Writes a void feed item for `seq`; `false` when a feed item holds it already.
    pub(super) async fn void(&self, seq: u64) -> Result<bool, StoreError> {
        let item = void_item(keys::FEED_PK.to_owned(), keys::seq_sk(seq), seq, Utc::now().timestamp_millis());
        let sent = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", "pk")
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(e) if crate::error::is_condition_failure(&e) => Ok(false),
            Err(e) => Err(sdk_error(&self.table, "void a feed sequence number", e)),
        }
    }
}
