//! Records, changes and presence entries as DynamoDB items and back. Times are RFC 3339
//! strings with every sub-second digit they have (so they come back exact); documents are
//! JSON text in `data` (so key order and number forms survive); versions and sequence
//! numbers are numbers.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use mozdef_store::{Change, ChangeKind, Presence, Record, StoreError};

/// One DynamoDB item.
pub(super) type Item = HashMap<String, AttributeValue>;

/// The `kind` of a feed item that stands for a sequence number no change took.
const VOID: &str = "void";

/// A string attribute.
pub(super) fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
pub(super) fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A time as stored: RFC 3339, UTC, exact.
pub(super) fn format_time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// An item the store cannot read, naming it.
fn corrupt(item: &Item, why: &str) -> StoreError {
    let key = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).map_or("?", String::as_str);
    StoreError::Backend(format!("record table item {:?}/{:?}: {why}", key("pk"), key("sk")))
}

fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        Some(_) => Err(corrupt(item, &format!("{name} is not a string"))),
        None => Err(corrupt(item, &format!("no {name}"))),
    }
}

/// A number attribute as a `u64`.
pub(super) fn unsigned(item: &Item, name: &str) -> Result<u64, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => {
            value.parse().map_err(|e| corrupt(item, &format!("{name} {value:?} is not a count: {e}")))
        }
        Some(_) => Err(corrupt(item, &format!("{name} is not a number"))),
        None => Err(corrupt(item, &format!("no {name}"))),
    }
}

fn time(item: &Item, name: &str) -> Result<DateTime<Utc>, StoreError> {
    let value = string(item, name)?;
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(item, &format!("{name} {value:?}: {e}")))
}

fn document(item: &Item) -> Result<Option<serde_json::Value>, StoreError> {
    if !item.contains_key("data") {
        return Ok(None);
    }
    let json = string(item, "data")?;
    serde_json::from_str(json).map(Some).map_err(|e| corrupt(item, &format!("data is not JSON: {e}")))
}

fn json_text(data: &serde_json::Value) -> Result<AttributeValue, StoreError> {
    serde_json::to_string(data).map(text).map_err(|e| StoreError::Backend(format!("record data as JSON: {e}")))
}

/// A record under the key `(pk, sk)`; `seq` is the feed sequence number of its last change
/// (the condition of the next one).
pub(super) fn record_item(record: &Record, seq: u64, pk: String, sk: String) -> Result<Item, StoreError> {
    Ok(HashMap::from([
        ("pk".to_owned(), text(pk)),
        ("sk".to_owned(), text(sk)),
        ("collection".to_owned(), text(&record.collection)),
        ("id".to_owned(), text(&record.id)),
        ("version".to_owned(), number(record.version)),
        ("sort".to_owned(), text(&record.sort)),
        ("data".to_owned(), json_text(&record.data)?),
        ("created".to_owned(), text(format_time(&record.created))),
        ("created_by".to_owned(), text(&record.created_by)),
        ("modified".to_owned(), text(format_time(&record.modified))),
        ("modified_by".to_owned(), text(&record.modified_by)),
        ("seq".to_owned(), number(seq)),
    ]))
}

/// The record an id or listing item holds.
pub(super) fn decode_record(item: &Item) -> Result<Record, StoreError> {
    Ok(Record {
        collection: string(item, "collection")?.to_owned(),
        id: string(item, "id")?.to_owned(),
        version: unsigned(item, "version")?,
        sort: string(item, "sort")?.to_owned(),
        data: document(item)?.ok_or_else(|| corrupt(item, "no data"))?,
        created: time(item, "created")?,
        created_by: string(item, "created_by")?.to_owned(),
        modified: time(item, "modified")?,
        modified_by: string(item, "modified_by")?.to_owned(),
    })
}

/// A change under the key `(pk, sk)`, written at `written` (epoch milliseconds, the store's
/// clock: how the feed tells a stalled writer).
pub(super) fn change_item(change: &Change, pk: String, sk: String, written: i64) -> Result<Item, StoreError> {
    let mut item = HashMap::from([
        ("pk".to_owned(), text(pk)),
        ("sk".to_owned(), text(sk)),
        ("seq".to_owned(), number(change.seq)),
        ("collection".to_owned(), text(&change.collection)),
        ("id".to_owned(), text(&change.id)),
        ("version".to_owned(), number(change.version)),
        ("kind".to_owned(), text(change.kind.as_str())),
        ("by".to_owned(), text(&change.by)),
        ("at".to_owned(), text(format_time(&change.at))),
        ("written".to_owned(), number(written)),
    ]);
    if let Some(data) = &change.data {
        item.insert("data".to_owned(), json_text(data)?);
    }
    Ok(item)
}

/// A feed item that stands for `seq` when no change took it.
pub(super) fn void_item(pk: String, sk: String, seq: u64, written: i64) -> Item {
    HashMap::from([
        ("pk".to_owned(), text(pk)),
        ("sk".to_owned(), text(sk)),
        ("seq".to_owned(), number(seq)),
        ("kind".to_owned(), text(VOID)),
        ("written".to_owned(), number(written)),
    ])
}

/// One feed item: its sequence number, when it was written, and its change (`None` when void).
#[derive(Debug)]
pub(super) struct FeedEntry {
    /// The sequence number.
    pub seq: u64,
    /// When it was written (epoch milliseconds).
    pub written: i64,
    /// The change, or `None` for a void.
    pub change: Option<Change>,
}

/// A feed item.
pub(super) fn decode_feed(item: &Item) -> Result<FeedEntry, StoreError> {
    let seq = unsigned(item, "seq")?;
    let written = match item.get("written") {
        Some(AttributeValue::N(value)) => {
            value.parse().map_err(|e| corrupt(item, &format!("written {value:?} is not a time: {e}")))?
        }
        _ => return Err(corrupt(item, "no written time")),
    };
    let change = if string(item, "kind")? == VOID { None } else { Some(decode_change(item)?) };
    Ok(FeedEntry { seq, written, change })
}

/// The change a history or feed item holds.
pub(super) fn decode_change(item: &Item) -> Result<Change, StoreError> {
    let kind = string(item, "kind")?;
    Ok(Change {
        seq: unsigned(item, "seq")?,
        collection: string(item, "collection")?.to_owned(),
        id: string(item, "id")?.to_owned(),
        version: unsigned(item, "version")?,
        kind: ChangeKind::parse(kind).ok_or_else(|| corrupt(item, &format!("unknown kind {kind:?}")))?,
        by: string(item, "by")?.to_owned(),
        at: time(item, "at")?,
        data: document(item)?,
    })
}

/// A presence entry under the key `(pk, sk)`; `expires` (epoch seconds, rounded up) is the
/// table's TTL attribute, `expires_at` the exact time.
pub(super) fn presence_item(presence: &Presence, pk: String, sk: String) -> Item {
    let ceiling = presence.expires.timestamp() + i64::from(presence.expires.timestamp_subsec_nanos() > 0);
    HashMap::from([
        ("pk".to_owned(), text(pk)),
        ("sk".to_owned(), text(sk)),
        ("collection".to_owned(), text(&presence.collection)),
        ("id".to_owned(), text(&presence.id)),
        ("user".to_owned(), text(&presence.user)),
        ("activity".to_owned(), text(&presence.activity)),
        ("expires".to_owned(), number(ceiling)),
        ("expires_at".to_owned(), text(format_time(&presence.expires))),
    ])
}

/// The presence entry an item holds.
pub(super) fn decode_presence(item: &Item) -> Result<Presence, StoreError> {
    Ok(Presence {
        collection: string(item, "collection")?.to_owned(),
        id: string(item, "id")?.to_owned(),
        user: string(item, "user")?.to_owned(),
        activity: string(item, "activity")?.to_owned(),
        expires: time(item, "expires_at")?,
    })
}
