//! Records in SQLite (`<data-dir>/mozdef.sqlite`): the incidents, investigations, triage
//! copies of alerts, lists and preferences of the REST API ([`RecordStore`]).
//!
//! Tables:
//! * `records (collection, id)` → version, sort key, the document as JSON text, who created
//!   and last changed it and when; an index on `(collection, sort, id)` serves the keyset
//!   scans, newest first.
//! * `record_changes (seq)` → every create, update and delete with the document after it
//!   (the feed's sequence is SQLite's `AUTOINCREMENT` rowid: writes are serialised, so a change
//!   is visible in sequence order); an index on `(collection, id, seq)` serves the history.
//! * `record_presence (collection, id, user, activity)` → when the entry lapses (epoch
//!   microseconds).
//!
//! A change and its feed entry are written in one transaction.

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_alerts::BackendError;
use mozdef_model::isoformat;
use mozdef_store::{Author, Change, ChangeKind, NewRecord, Presence, Record, RecordStore, Scan, StoreError};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde_json::Value;

use crate::EmbeddedError;
use crate::sqlite::{Sqlite, sql};

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS records (
    collection TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, sort TEXT NOT NULL,
    data TEXT NOT NULL, created TEXT NOT NULL, created_by TEXT NOT NULL, modified TEXT NOT NULL,
    modified_by TEXT NOT NULL, PRIMARY KEY (collection, id));
CREATE INDEX IF NOT EXISTS records_sort ON records (collection, sort, id);
CREATE TABLE IF NOT EXISTS record_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, id TEXT NOT NULL,
    version INTEGER NOT NULL, kind TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL, data TEXT);
CREATE INDEX IF NOT EXISTS record_changes_record ON record_changes (collection, id, seq);
CREATE TABLE IF NOT EXISTS record_presence (
    collection TEXT NOT NULL, id TEXT NOT NULL, user TEXT NOT NULL, activity TEXT NOT NULL,
    expires INTEGER NOT NULL, PRIMARY KEY (collection, id, user, activity));";

/// The SQLite record store.
#[derive(Debug)]
pub struct SqliteRecords {
    db: Sqlite,
}

/// What a write closure answers: a database failure, or the record store's own refusal.
type Outcome<T> = Result<Result<T, StoreError>, EmbeddedError>;

impl SqliteRecords {
    /// Opens (creating) the database file `path`.
    pub fn open(path: &Path) -> Result<Self, EmbeddedError> {
        Ok(SqliteRecords { db: Sqlite::open(path, SCHEMA)? })
    }

    /// Writes `records` as they are (each row and its `created` change, as
    /// [`RecordStore::create`] writes them) in one transaction, for bulk loads (benchmarks,
    /// migrations); answers how many. An id already there, or twice in `records`, is a
    /// [`StoreError::Conflict`] for the whole batch, and nothing of it is written.
    pub fn import(&self, records: &[Record]) -> Result<usize, StoreError> {
        self.write(|tx| {
            for record in records {
                if let Err(refusal) = insert_new(tx, record)? {
                    return Ok(Err(refusal));
                }
            }
            Ok(Ok(records.len()))
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, EmbeddedError>) -> Result<T, StoreError> {
        self.db.with(f).map_err(|e| match e {
            BackendError::Unavailable(m) => StoreError::Unavailable(m),
            BackendError::Failed(m) => StoreError::Backend(m),
        })
    }

    /// Runs `f` in one immediate transaction, committed only when it succeeds.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Outcome<T>) -> Result<T, StoreError> {
        self.with(|db| {
            let tx = db
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(sql("begin record write"))?;
            let outcome = f(&tx)?;
            if outcome.is_ok() {
                tx.commit().map_err(sql("commit record write"))?;
            }
            Ok(outcome)
        })?
    }
}

fn time(text: &str) -> Result<DateTime<Utc>, EmbeddedError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| EmbeddedError::Document(format!("stored record time {text:?}: {e}")))
}

fn json(text: &str) -> Result<Value, EmbeddedError> {
    serde_json::from_str(text).map_err(|e| EmbeddedError::Document(format!("stored record document: {e}")))
}

fn count(value: i64) -> Result<u64, EmbeddedError> {
    u64::try_from(value).map_err(|_| EmbeddedError::Document(format!("stored record number {value} is negative")))
}

fn stored_number(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

const RECORD_COLUMNS: &str =
    "SELECT collection, id, version, sort, data, created, created_by, modified, modified_by FROM records";

type RecordRow = (String, String, i64, String, String, String, String, String, String);

fn record_row(row: &Row<'_>) -> rusqlite::Result<RecordRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
    ))
}

fn decode_record(row: RecordRow) -> Result<Record, EmbeddedError> {
    let (collection, id, version, sort, data, created, created_by, modified, modified_by) = row;
    Ok(Record {
        collection,
        id,
        version: count(version)?,
        sort,
        data: json(&data)?,
        created: time(&created)?,
        created_by,
        modified: time(&modified)?,
        modified_by,
    })
}

const CHANGE_COLUMNS: &str = "SELECT seq, collection, id, version, kind, by, at, data FROM record_changes";

type ChangeRow = (i64, String, String, i64, String, String, String, Option<String>);

fn change_row(row: &Row<'_>) -> rusqlite::Result<ChangeRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?))
}

fn decode_change(row: ChangeRow) -> Result<Change, EmbeddedError> {
    let (seq, collection, id, version, kind, by, at, data) = row;
    Ok(Change {
        seq: count(seq)?,
        collection,
        id,
        version: count(version)?,
        kind: ChangeKind::parse(&kind)
            .ok_or_else(|| EmbeddedError::Document(format!("stored change kind {kind:?} is unknown")))?,
        by,
        at: time(&at)?,
        data: data.as_deref().map(json).transpose()?,
    })
}

fn read(db: &Connection, collection: &str, id: &str) -> Result<Option<Record>, EmbeddedError> {
    db.prepare_cached(&format!("{RECORD_COLUMNS} WHERE collection = ?1 AND id = ?2"))
        .and_then(|mut statement| statement.query_row(params![collection, id], record_row).optional())
        .map_err(sql("read record"))?
        .map(decode_record)
        .transpose()
}

fn record_change(
    tx: &Transaction<'_>,
    record: &Record,
    kind: ChangeKind,
    author: Author<'_>,
) -> Result<(), EmbeddedError> {
    let data = match kind {
        ChangeKind::Deleted => None,
        _ => Some(record.data.to_string()),
    };
    tx.execute(
        "INSERT INTO record_changes (collection, id, version, kind, by, at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            record.collection,
            record.id,
            stored_number(record.version),
            kind.as_str(),
            author.by,
            isoformat(&author.at),
            data
        ],
    )
    .map_err(sql("record change"))?;
    Ok(())
}

/// Writes a record not there yet: its row and its `created` change (by its creator, at its
/// creation), or the refusal: a conflict with the record already under its id.
fn insert_new(tx: &Transaction<'_>, record: &Record) -> Outcome<()> {
    if let Some(existing) = read(tx, &record.collection, &record.id)? {
        return Ok(Err(StoreError::Conflict(Box::new(existing))));
    }
    tx.prepare_cached(
        "INSERT INTO records (collection, id, version, sort, data, created, created_by, modified, modified_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            record.collection,
            record.id,
            stored_number(record.version),
            record.sort,
            record.data.to_string(),
            isoformat(&record.created),
            record.created_by,
            isoformat(&record.modified),
            record.modified_by
        ])
    })
    .map_err(sql("create record"))?;
    record_change(tx, record, ChangeKind::Created, Author { by: &record.created_by, at: record.created })?;
    Ok(Ok(()))
}

/// The current record at `version`, or the refusal: not found, or a conflict with it.
fn current_at(tx: &Transaction<'_>, collection: &str, id: &str, version: u64) -> Outcome<Record> {
    Ok(match read(tx, collection, id)? {
        None => Err(StoreError::NotFound(format!("no {collection} record {id:?}"))),
        Some(current) if current.version != version => Err(StoreError::Conflict(Box::new(current))),
        Some(current) => Ok(current),
    })
}

#[async_trait]
impl RecordStore for SqliteRecords {
    async fn create(&self, new: NewRecord<'_>, author: Author<'_>) -> Result<Record, StoreError> {
        let record = Record::created(new, author);
        self.write(|tx| insert_new(tx, &record))?;
        Ok(record)
    }

    async fn get(&self, collection: &str, id: &str) -> Result<Option<Record>, StoreError> {
        self.with(|db| read(db, collection, id))
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
        self.write(|tx| {
            let current = match current_at(tx, collection, id, version)? {
                Ok(current) => current,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let record = current.updated(sort, data, author);
            tx.execute(
                "UPDATE records SET version = ?3, sort = ?4, data = ?5, modified = ?6, modified_by = ?7
                 WHERE collection = ?1 AND id = ?2",
                params![
                    collection,
                    id,
                    stored_number(record.version),
                    sort,
                    data.to_string(),
                    isoformat(&author.at),
                    author.by
                ],
            )
            .map_err(sql("update record"))?;
            record_change(tx, &record, ChangeKind::Updated, author)?;
            Ok(Ok(record))
        })
    }

    async fn delete(&self, collection: &str, id: &str, version: u64, author: Author<'_>) -> Result<Record, StoreError> {
        self.write(|tx| {
            let current = match current_at(tx, collection, id, version)? {
                Ok(current) => current,
                Err(refusal) => return Ok(Err(refusal)),
            };
            tx.execute("DELETE FROM records WHERE collection = ?1 AND id = ?2", params![collection, id])
                .map_err(sql("delete record"))?;
            record_change(tx, &current, ChangeKind::Deleted, author)?;
            Ok(Ok(current))
        })
    }

    async fn scan(&self, scan: Scan<'_>) -> Result<Vec<Record>, StoreError> {
        let limit = i64::try_from(scan.limit).unwrap_or(i64::MAX);
        // Only the bounds given are in the statement, as plain range constraints on
        // `records_sort`, so that each page is one index range (an `?N IS NULL OR` would
        // hide them from the planner and walk from the newest record down every time).
        let mut text = format!("{RECORD_COLUMNS} WHERE collection = ?");
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&scan.collection];
        if let Some(from) = &scan.sort_from {
            text.push_str(" AND sort >= ?");
            values.push(from);
        }
        if let Some(to) = &scan.sort_to {
            text.push_str(" AND sort <= ?");
            values.push(to);
        }
        if let Some((sort, id)) = &scan.after {
            text.push_str(" AND sort <= ? AND (sort, id) < (?, ?)");
            values.extend([sort as &dyn rusqlite::ToSql, sort, id]);
        }
        text.push_str(" ORDER BY sort DESC, id DESC LIMIT ?");
        values.push(&limit);
        self.with(|db| {
            let mut statement = db.prepare_cached(&text).map_err(sql("scan records"))?;
            let rows = statement.query_map(values.as_slice(), record_row).map_err(sql("scan records"))?;
            let mut records = Vec::new();
            for row in rows {
                records.push(decode_record(row.map_err(sql("scan records"))?)?);
            }
            Ok(records)
        })
    }

    async fn history(&self, collection: &str, id: &str, limit: usize) -> Result<Vec<Change>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(|db| {
            let mut statement = db
                .prepare_cached(&format!(
                    "{CHANGE_COLUMNS} WHERE collection = ?1 AND id = ?2 ORDER BY seq DESC LIMIT ?3"
                ))
                .map_err(sql("read record history"))?;
            let rows =
                statement.query_map(params![collection, id, limit], change_row).map_err(sql("read record history"))?;
            let mut changes = Vec::new();
            for row in rows {
                changes.push(decode_change(row.map_err(sql("read record history"))?)?);
            }
            changes.reverse();
            Ok(changes)
        })
    }

    async fn changes(&self, after: u64, limit: usize) -> Result<Vec<Change>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(|db| {
            let mut statement = db
                .prepare_cached(&format!("{CHANGE_COLUMNS} WHERE seq > ?1 ORDER BY seq LIMIT ?2"))
                .map_err(sql("read record changes"))?;
            let rows = statement
                .query_map(params![stored_number(after), limit], change_row)
                .map_err(sql("read record changes"))?;
            let mut changes = Vec::new();
            for row in rows {
                changes.push(decode_change(row.map_err(sql("read record changes"))?)?);
            }
            Ok(changes)
        })
    }

    async fn head(&self) -> Result<u64, StoreError> {
        self.with(|db| {
            let seq: Option<i64> = db
                .query_row("SELECT MAX(seq) FROM record_changes", [], |row| row.get(0))
                .map_err(sql("read record feed head"))?;
            count(seq.unwrap_or(0))
        })
    }

    async fn touch_presence(&self, presence: &Presence) -> Result<(), StoreError> {
        self.with(|db| {
            db.execute(
                "INSERT INTO record_presence (collection, id, user, activity, expires) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (collection, id, user, activity) DO UPDATE SET expires = excluded.expires",
                params![
                    presence.collection,
                    presence.id,
                    presence.user,
                    presence.activity,
                    presence.expires.timestamp_micros()
                ],
            )
            .map_err(sql("record presence"))?;
            Ok(())
        })
    }

    async fn presence(&self, collection: &str, id: &str, now: DateTime<Utc>) -> Result<Vec<Presence>, StoreError> {
        self.with(|db| {
            // Lapsed entries of this record go as they are read; the rest expire likewise.
            db.execute(
                "DELETE FROM record_presence WHERE collection = ?1 AND id = ?2 AND expires <= ?3",
                params![collection, id, now.timestamp_micros()],
            )
            .map_err(sql("expire presence"))?;
            let mut statement = db
                .prepare_cached(
                    "SELECT user, activity, expires FROM record_presence WHERE collection = ?1 AND id = ?2
                     ORDER BY user, activity",
                )
                .map_err(sql("read presence"))?;
            let rows = statement
                .query_map(params![collection, id], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?))
                })
                .map_err(sql("read presence"))?;
            let mut entries = Vec::new();
            for row in rows {
                let (user, activity, expires) = row.map_err(sql("read presence"))?;
                entries.push(Presence {
                    collection: collection.to_owned(),
                    id: id.to_owned(),
                    user,
                    activity,
                    expires: DateTime::from_timestamp_micros(expires).ok_or_else(|| {
                        EmbeddedError::Document(format!("stored presence expiry {expires} is out of range"))
                    })?,
                });
            }
            Ok(entries)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn conforms_and_survives_a_restart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mozdef.sqlite");
        let store = SqliteRecords::open(&path).expect("open");
        mozdef_store::records::check_record_store(&store).await;
        let head = store.head().await.expect("head");
        let all = Scan { collection: "incidents", sort_from: None, sort_to: None, after: None, limit: 100 };
        let before = store.scan(all).await.expect("scan");
        drop(store);
        let reopened = SqliteRecords::open(&path).expect("reopen");
        assert_eq!(reopened.scan(all).await.expect("scan"), before, "records survive a restart");
        assert_eq!(reopened.head().await.expect("head"), head, "so does the feed");
    }

    fn record(id: &str, sort: &str) -> Record {
        let at = DateTime::parse_from_rfc3339(sort).expect("time").with_timezone(&Utc);
        Record {
            collection: "alerts".into(),
            id: id.into(),
            version: 1,
            sort: sort.into(),
            data: serde_json::json!({"summary": format!("alert {id}"), "utctimestamp": sort}),
            created: at,
            created_by: "mozdef".into(),
            modified: at,
            modified_by: "mozdef".into(),
        }
    }

    #[tokio::test]
    async fn imports_in_bulk_all_or_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteRecords::open(&dir.path().join("mozdef.sqlite")).expect("open");
        let batch = [
            record("a", "2026-12-01T10:00:00.000000Z"),
            record("b", "2026-12-03T10:00:00.000000Z"),
            record("c", "2026-12-02T10:00:00.000000Z"),
        ];
        assert_eq!(store.import(&batch).expect("import"), 3);
        let all = Scan { collection: "alerts", sort_from: None, sort_to: None, after: None, limit: 10 };
        let listed = store.scan(all).await.expect("scan");
        let ids: Vec<&str> = listed.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "a"], "newest first");
        assert_eq!(listed[1], batch[2], "read back as written");
        let history = store.history("alerts", "c", 10).await.expect("history");
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].kind, ChangeKind::Created);
        assert_eq!((history[0].version, history[0].by.as_str(), history[0].at), (1, "mozdef", batch[2].created));
        assert_eq!(history[0].data.as_ref(), Some(&batch[2].data));
        let head = store.head().await.expect("head");
        assert_eq!(head, 3, "one change each");

        // A batch with one id already there is refused whole: its new records are not written.
        let again = [record("d", "2026-12-04T10:00:00.000000Z"), record("b", "2026-12-05T10:00:00.000000Z")];
        match store.import(&again) {
            Err(StoreError::Conflict(existing)) => assert_eq!(*existing, batch[1]),
            other => panic!("expected a conflict, got {other:?}"),
        }
        // So is one with an id twice.
        let twice = [record("e", "2026-12-04T10:00:00.000000Z"), record("e", "2026-12-05T10:00:00.000000Z")];
        assert!(matches!(store.import(&twice), Err(StoreError::Conflict(_))));
        assert_eq!(store.get("alerts", "d").await.expect("get"), None);
        assert_eq!(store.get("alerts", "e").await.expect("get"), None);
        assert_eq!(store.scan(all).await.expect("scan"), listed, "nothing half-written");
        assert_eq!(store.head().await.expect("head"), head, "and no change either");
    }
}
