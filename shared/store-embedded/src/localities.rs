//! GeoModel's state in SQLite: `localities` (one JSON document per user with a version for
//! conditional writes) and `executions` (the time each analysis last ran up to).

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_alerts::BackendError;
use mozdef_alerts::localities::{LocalityStore, Versioned};
use mozdef_model::{Document, isoformat};
use rusqlite::{OptionalExtension, params};

use crate::EmbeddedError;
use crate::sqlite::{Sqlite, sql};

/// The SQLite locality store.
#[derive(Debug)]
pub struct SqliteLocalities {
    db: Sqlite,
}

impl SqliteLocalities {
    /// Opens (creating) the database file `path`.
    pub fn open(path: &Path) -> Result<Self, EmbeddedError> {
        let schema = "CREATE TABLE IF NOT EXISTS localities (username TEXT PRIMARY KEY, doc TEXT NOT NULL, version INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS executions (name TEXT PRIMARY KEY, at TEXT NOT NULL);";
        Ok(SqliteLocalities { db: Sqlite::open(path, schema)? })
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> EmbeddedError {
    EmbeddedError::Document(format!("stored {what}: {e}"))
}

#[async_trait]
impl LocalityStore for SqliteLocalities {
    async fn get(&self, username: &str) -> Result<Option<Versioned>, BackendError> {
        self.db.with(|db| {
            let row: Option<(String, i64)> = db
                .query_row("SELECT doc, version FROM localities WHERE username = ?1", params![username], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(sql("read locality state"))?;
            let Some((doc, version)) = row else { return Ok(None) };
            let document: Document = serde_json::from_str(&doc).map_err(|e| corrupt("locality state", e))?;
            let version = u64::try_from(version).map_err(|e| corrupt("locality version", e))?;
            Ok(Some(Versioned { document, version }))
        })
    }

    async fn put(&self, username: &str, document: &Document, expected: Option<u64>) -> Result<bool, BackendError> {
        let doc = serde_json::to_string(document).map_err(|e| BackendError::Failed(e.to_string()))?;
        self.db.with(|db| {
            let changed = match expected {
                None => db
                    .execute(
                        "INSERT INTO localities (username, doc, version) VALUES (?1, ?2, 1) ON CONFLICT(username) DO NOTHING",
                        params![username, doc],
                    )
                    .map_err(sql("create locality state"))?,
                Some(version) => {
                    let version = i64::try_from(version).map_err(|e| corrupt("locality version", e))?;
                    db.execute(
                        "UPDATE localities SET doc = ?2, version = version + 1 WHERE username = ?1 AND version = ?3",
                        params![username, doc, version],
                    )
                    .map_err(sql("update locality state"))?
                }
            };
            Ok(changed == 1)
        })
    }

    async fn execution_time(&self, name: &str) -> Result<Option<DateTime<Utc>>, BackendError> {
        self.db.with(|db| {
            let at: Option<String> = db
                .query_row("SELECT at FROM executions WHERE name = ?1", params![name], |r| r.get(0))
                .optional()
                .map_err(sql("read execution time"))?;
            at.map(|t| {
                DateTime::parse_from_rfc3339(&t)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| corrupt("execution time", e))
            })
            .transpose()
        })
    }

    async fn set_execution_time(&self, name: &str, at: DateTime<Utc>) -> Result<(), BackendError> {
        self.db.with(|db| {
            db.execute("INSERT OR REPLACE INTO executions (name, at) VALUES (?1, ?2)", params![name, isoformat(&at)])
                .map_err(sql("write execution time"))?;
            Ok(())
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
        let store = SqliteLocalities::open(&path).expect("open");
        mozdef_alerts::testing::check_locality_store(&store).await;
        drop(store);
        let reopened = SqliteLocalities::open(&path).expect("reopen");
        assert_eq!(reopened.get("alice").await.expect("get").map(|v| v.version), Some(2));
        // The schedules share the file.
        let schedules = crate::SqliteSchedules::open(&path).expect("schedules in the same file");
        assert!(mozdef_alerts::ScheduleStore::list(&schedules).await.expect("list").is_empty());
    }
}
