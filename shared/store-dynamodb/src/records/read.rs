//! Reading the record table: one record, a collection's listing, a record's history and its
//! presence entries, every read strongly consistent.

use chrono::{DateTime, Utc};
use mozdef_store::{Change, Presence, Record, Scan, StoreError};

use super::DynamoRecords;
use super::errors::sdk_error;
use super::items::{Item, decode_change, decode_presence, decode_record, presence_item, text, unsigned};
use super::keys;
use super::query::{MAX_PAGE, Range};

impl DynamoRecords {
    /// The record and the feed sequence number of its last change (its write condition).
    pub(super) async fn current(&self, collection: &str, id: &str) -> Result<Option<(Record, u64)>, StoreError> {
        let found = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", text(keys::id_pk(collection, id)))
            .key("sk", text(keys::RECORD_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error(&self.table, "get record", e))?;
        match found.item() {
            Some(item) if !item.is_empty() => Ok(Some((decode_record(item)?, unsigned(item, "seq")?))),
            _ => Ok(None),
        }
    }

    /// A collection's records in descending `(sort, id)` order, as [`Scan`] bounds them.
    pub(super) async fn scan_records(&self, scan: Scan<'_>) -> Result<Vec<Record>, StoreError> {
        let mut records = Vec::new();
        if scan.limit == 0 {
            return Ok(records);
        }
        let lower = scan.sort_from.map(keys::sort_floor);
        let after = scan.after.map(|(sort, id)| keys::list_sk(sort, id));
        // The cursor is exclusive: query up to it included and drop it.
        let upper = match (scan.sort_to.map(keys::sort_ceiling), after.clone()) {
            (Some(ceiling), Some(cursor)) => Some(ceiling.min(cursor)),
            (ceiling, cursor) => ceiling.or(cursor),
        };
        let range = match (lower, upper) {
            (Some(low), Some(high)) if low > high => return Ok(records),
            (Some(low), Some(high)) => Range::Between(low, high),
            (Some(low), None) => Range::AtLeast(low),
            (None, Some(high)) => Range::AtMost(high),
            (None, None) => Range::All,
        };
        let mut start = None;
        loop {
            let wanted = scan.limit.saturating_sub(records.len()).saturating_add(1);
            let page = self.query("scan records", keys::list_pk(scan.collection), &range, false, wanted, start).await?;
            for item in &page.items {
                let at_cursor = after
                    .as_deref()
                    .is_some_and(|cursor| item.get("sk").and_then(|k| k.as_s().ok()).is_some_and(|k| k == cursor));
                if !at_cursor {
                    records.push(decode_record(item)?);
                    if records.len() == scan.limit {
                        return Ok(records);
                    }
                }
            }
            match page.next {
                Some(next) => start = Some(next),
                None => return Ok(records),
            }
        }
    }

    /// A record's newest `limit` changes, oldest first.
    pub(super) async fn record_history(
        &self,
        collection: &str,
        id: &str,
        limit: usize,
    ) -> Result<Vec<Change>, StoreError> {
        let mut changes = Vec::new();
        let mut start = None;
        while changes.len() < limit {
            let wanted = limit - changes.len();
            let page =
                self.query("read history", keys::history_pk(collection, id), &Range::All, false, wanted, start).await?;
            for item in page.items.iter().take(wanted) {
                changes.push(decode_change(item)?);
            }
            match page.next {
                Some(next) => start = Some(next),
                None => break,
            }
        }
        changes.reverse();
        Ok(changes)
    }

    /// Writes (or renews) a presence entry.
    pub(super) async fn put_presence(&self, presence: &Presence) -> Result<(), StoreError> {
        let pk = keys::presence_pk(&presence.collection, &presence.id);
        let sk = keys::presence_sk(&presence.user, &presence.activity);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(presence_item(presence, pk, sk)))
            .send()
            .await
            .map_err(|e| sdk_error(&self.table, "put presence", e))?;
        Ok(())
    }

    /// A record's presence entries alive at `now` (the table's TTL removes expired ones only
    /// eventually), ordered by user and activity.
    pub(super) async fn read_presence(
        &self,
        collection: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Presence>, StoreError> {
        let mut entries = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .query("read presence", keys::presence_pk(collection, id), &Range::All, true, MAX_PAGE, start)
                .await?;
            for item in &page.items {
                let entry = decode_presence(item)?;
                if entry.expires > now {
                    entries.push(entry);
                }
            }
            match page.next {
                Some(next) => start = Some(next),
                None => break,
            }
        }
        entries.sort_by(|a, b| (&a.user, &a.activity).cmp(&(&b.user, &b.activity)));
        Ok(entries)
    }
}
