//! The SQLite database of `mozdef dev` (`<data-dir>/mozdef.sqlite`): one connection per
//! table family, each behind a mutex, errors mapped to the alert domain's ports' (a busy or
//! locked database may pass; anything else will not).

use std::path::Path;
use std::sync::Mutex;

use mozdef_alerts::BackendError;
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
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, EmbeddedError>,
    ) -> Result<T, BackendError> {
        let mut db = self.db.lock().map_err(|_| BackendError::Failed("database lock poisoned".into()))?;
        f(&mut db).map_err(port_error)
    }
}

/// A database error as a port error: busy or locked may pass, the rest will not.
fn port_error(error: EmbeddedError) -> BackendError {
    let busy = matches!(
        &error,
        EmbeddedError::Sqlite { source, .. }
            if matches!(source.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    );
    if busy { BackendError::Unavailable(error.to_string()) } else { BackendError::Failed(error.to_string()) }
}
