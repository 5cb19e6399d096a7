//! Alert schedules in SQLite (`<data-dir>/mozdef.sqlite`, table `alertschedules`): one JSON
//! document per schedule, keyed by name.

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_alerts::{AlertSchedule, BackendError, ScheduleStore};
use rusqlite::{Connection, OptionalExtension, params};

use crate::EmbeddedError;
use crate::sqlite::{Sqlite, sql};

/// The SQLite schedule store.
#[derive(Debug)]
pub struct SqliteSchedules {
    db: Sqlite,
}

impl SqliteSchedules {
    /// Opens (creating) the database file `path`.
    pub fn open(path: &Path) -> Result<Self, EmbeddedError> {
        let schema = "CREATE TABLE IF NOT EXISTS alertschedules (name TEXT PRIMARY KEY, doc TEXT NOT NULL);";
        Ok(SqliteSchedules { db: Sqlite::open(path, schema)? })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, EmbeddedError>) -> Result<T, BackendError> {
        self.db.with(f)
    }
}

fn read(db: &Connection, name: &str) -> Result<Option<AlertSchedule>, EmbeddedError> {
    let doc: Option<String> = db
        .query_row("SELECT doc FROM alertschedules WHERE name = ?1", params![name], |row| row.get(0))
        .optional()
        .map_err(sql("read schedule"))?;
    doc.map(|d| decode(&d)).transpose()
}

fn decode(doc: &str) -> Result<AlertSchedule, EmbeddedError> {
    serde_json::from_str(doc).map_err(|e| EmbeddedError::Document(format!("stored schedule: {e}")))
}

fn write(db: &Connection, schedule: &AlertSchedule) -> Result<(), EmbeddedError> {
    let doc = serde_json::to_string(schedule).map_err(|e| EmbeddedError::Document(e.to_string()))?;
    db.execute("INSERT OR REPLACE INTO alertschedules (name, doc) VALUES (?1, ?2)", params![schedule.name, doc])
        .map_err(sql("write schedule"))?;
    Ok(())
}

/// Reads, changes and writes one schedule in a transaction; `false` when it is missing.
fn update(db: &mut Connection, name: &str, change: impl FnOnce(&mut AlertSchedule)) -> Result<bool, EmbeddedError> {
    let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql("begin"))?;
    let Some(mut schedule) = read(&tx, name)? else { return Ok(false) };
    change(&mut schedule);
    write(&tx, &schedule)?;
    tx.commit().map_err(sql("commit"))?;
    Ok(true)
}

#[async_trait]
impl ScheduleStore for SqliteSchedules {
    async fn list(&self) -> Result<Vec<AlertSchedule>, BackendError> {
        self.with(|db| {
            let mut statement = db.prepare("SELECT doc FROM alertschedules ORDER BY name").map_err(sql("list"))?;
            let docs = statement.query_map([], |row| row.get::<_, String>(0)).map_err(sql("list"))?;
            let mut schedules = Vec::new();
            for doc in docs {
                schedules.push(decode(&doc.map_err(sql("list"))?)?);
            }
            Ok(schedules)
        })
    }

    async fn replace_all(&self, schedules: &[AlertSchedule]) -> Result<(), BackendError> {
        self.with(|db| {
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql("begin"))?;
            tx.execute("DELETE FROM alertschedules", []).map_err(sql("clear schedules"))?;
            for schedule in schedules {
                write(&tx, schedule)?;
            }
            tx.commit().map_err(sql("commit"))
        })
    }

    async fn sync_runs(&self, runs: &[(String, Option<DateTime<Utc>>, u64)]) -> Result<usize, BackendError> {
        self.with(|db| {
            let mut updated = 0;
            for (name, last_run_at, count) in runs {
                if update(db, name, |s| {
                    s.last_run_at = *last_run_at;
                    s.total_run_count = *count;
                })? {
                    updated += 1;
                }
            }
            Ok(updated)
        })
    }

    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<bool, BackendError> {
        self.with(|db| update(db, name, |s| s.enabled = enabled))
    }

    async fn record_run(&self, name: &str, at: DateTime<Utc>) -> Result<(), BackendError> {
        self.with(|db| {
            update(db, name, |s| {
                s.last_run_at = Some(at);
                s.total_run_count += 1;
            })
            .map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn conforms() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteSchedules::open(&dir.path().join("mozdef.sqlite")).expect("open");
        mozdef_alerts::testing::check_schedule_store(&store).await;
        drop(store);
        let reopened = SqliteSchedules::open(&dir.path().join("mozdef.sqlite")).expect("reopen");
        assert_eq!(reopened.list().await.expect("list").len(), 1, "schedules survive a restart");
    }
}
