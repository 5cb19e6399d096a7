//! The SQLite database of `mozdef dev` (`<data-dir>/mozdef.sqlite`): one connection per
//! table family, each behind a mutex, errors mapped to the storage layer's.

use std::path::Path;
use std::sync::Mutex;

use mozdef_store::StoreError;
use rusqlite::Connection;

use crate::EmbeddedError;

/// One connection to the database, with its tables created.
#[derive(Debug)]
pub(crate) struct Sqlite {
    db: Mutex<Connection>,
}

/// Maps a SQLite error, naming what was being done.
pub(crate) fn sql(action: &'static str) -> impl Fn(rusqlite::Error) -> EmbeddedError {
    move |source| EmbeddedError::Sqlite { action, source }
}

impl Sqlite {
    /// Opens (creating) `path` and runs `schema` (idempotent `CREATE ... IF NOT EXISTS`).
    pub(crate) fn open(path: &Path, schema: &str) -> Result<Self, EmbeddedError> {
        let db = Connection::open(path).map_err(sql("open database"))?;
        db.busy_timeout(std::time::Duration::from_secs(5)).map_err(sql("set busy timeout"))?;
        db.execute_batch(&format!("PRAGMA journal_mode = WAL;\n{schema}")).map_err(sql("create tables"))?;
        Ok(Sqlite { db: Mutex::new(db) })
    }

    /// Runs `f` on the connection.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, EmbeddedError>) -> Result<T, StoreError> {
        let mut db = self.db.lock().map_err(|_| StoreError::Backend("database lock poisoned".into()))?;
        f(&mut db).map_err(|e| StoreError::Backend(e.to_string()))
    }
}
