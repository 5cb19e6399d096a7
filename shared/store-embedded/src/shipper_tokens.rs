//! Shipper tokens in SQLite (`<data-dir>/mozdef.sqlite`, table `shipper_tokens`): one row per
//! token keyed by the secret's hash, with the shipper's name (indexed, for revocation), the
//! creation time and the revocation time (NULL while active), as RFC 3339 text.

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_alerts::BackendError;
use mozdef_model::isoformat;
use mozdef_store::{ShipperToken, ShipperTokenStore, StoreError};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::EmbeddedError;
use crate::sqlite::{Sqlite, sql};

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS shipper_tokens (
    hash TEXT PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL, revoked_at TEXT);
CREATE INDEX IF NOT EXISTS shipper_tokens_name ON shipper_tokens (name);";

/// The SQLite shipper token store.
#[derive(Debug)]
pub struct SqliteShipperTokens {
    db: Sqlite,
}

impl SqliteShipperTokens {
    /// Opens (creating) the database file `path`.
    pub fn open(path: &Path) -> Result<Self, EmbeddedError> {
        Ok(SqliteShipperTokens { db: Sqlite::open(path, SCHEMA)? })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, EmbeddedError>) -> Result<T, StoreError> {
        self.db.with(f).map_err(|e| match e {
            BackendError::Unavailable(m) => StoreError::Unavailable(m),
            BackendError::Failed(m) => StoreError::Backend(m),
        })
    }
}

fn time(text: &str) -> Result<DateTime<Utc>, EmbeddedError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| EmbeddedError::Document(format!("stored shipper token time {text:?}: {e}")))
}

/// The columns of a row, as selected by [`COLUMNS`].
type Columns = (String, String, String, Option<String>);
const COLUMNS: &str = "SELECT name, hash, created, revoked_at FROM shipper_tokens";

fn columns(row: &Row<'_>) -> rusqlite::Result<Columns> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn decode((name, hash, created, revoked_at): Columns) -> Result<ShipperToken, EmbeddedError> {
    Ok(ShipperToken { name, hash, created: time(&created)?, revoked_at: revoked_at.as_deref().map(time).transpose()? })
}

#[async_trait]
impl ShipperTokenStore for SqliteShipperTokens {
    async fn insert(&self, token: &ShipperToken) -> Result<(), StoreError> {
        let inserted = self.with(|db| {
            db.execute(
                "INSERT OR IGNORE INTO shipper_tokens (hash, name, created, revoked_at) VALUES (?1, ?2, ?3, ?4)",
                params![token.hash, token.name, isoformat(&token.created), token.revoked_at.as_ref().map(isoformat)],
            )
            .map_err(sql("insert shipper token"))
        })?;
        if inserted == 0 {
            return Err(StoreError::Backend(format!("a shipper token with hash {} already exists", token.hash)));
        }
        Ok(())
    }

    async fn find(&self, hash: &str) -> Result<Option<ShipperToken>, StoreError> {
        self.with(|db| {
            let row = db
                .query_row(&format!("{COLUMNS} WHERE hash = ?1"), params![hash], columns)
                .optional()
                .map_err(sql("read shipper token"))?;
            row.map(decode).transpose()
        })
    }

    async fn list(&self) -> Result<Vec<ShipperToken>, StoreError> {
        self.with(|db| {
            let mut statement =
                db.prepare(&format!("{COLUMNS} ORDER BY name, created")).map_err(sql("list shipper tokens"))?;
            let rows = statement.query_map([], columns).map_err(sql("list shipper tokens"))?;
            let mut tokens = Vec::new();
            for row in rows {
                tokens.push(decode(row.map_err(sql("list shipper tokens"))?)?);
            }
            Ok(tokens)
        })
    }

    async fn revoke(&self, name: &str, at: DateTime<Utc>) -> Result<usize, StoreError> {
        self.with(|db| {
            db.execute(
                "UPDATE shipper_tokens SET revoked_at = ?1 WHERE name = ?2 AND revoked_at IS NULL",
                params![isoformat(&at), name],
            )
            .map_err(sql("revoke shipper token"))
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
        let store = SqliteShipperTokens::open(&path).expect("open");
        mozdef_store::shipper_tokens::check_shipper_token_store(&store).await;
        let before = store.list().await.expect("list");
        drop(store);
        // The same file as the schedules and localities: each opens its own tables.
        let _schedules = crate::SqliteSchedules::open(&path).expect("schedules beside the tokens");
        let reopened = SqliteShipperTokens::open(&path).expect("reopen");
        assert_eq!(reopened.list().await.expect("list"), before, "tokens survive a restart");
    }
}
