use std::path::PathBuf;

/// Errors of the embedded store and its write-ahead log.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// A file-system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("{action}: {source}")]
    Sqlite {
        /// What was being done.
        action: &'static str,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// tantivy failed.
    #[error("index {index}: {source}")]
    Index {
        /// The MozDef index name.
        index: String,
        /// The underlying error.
        source: tantivy::TantivyError,
    },
    /// A write-ahead-log record is damaged somewhere other than at the tail.
    #[error("write-ahead log {path} is damaged at byte {offset}: {reason}")]
    Corrupt {
        /// The segment file.
        path: PathBuf,
        /// Where.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// A stored document does not decode (or a document does not encode).
    #[error("document: {0}")]
    Document(String),
}

impl EmbeddedError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| EmbeddedError::Io { action, path, source }
    }

    pub(crate) fn index(index: &str) -> impl FnOnce(tantivy::TantivyError) -> Self + '_ {
        move |source| EmbeddedError::Index { index: index.to_owned(), source }
    }
}

impl From<EmbeddedError> for mozdef_store::StoreError {
    fn from(e: EmbeddedError) -> Self {
        match e {
            EmbeddedError::Corrupt { .. } => mozdef_store::StoreError::Backend(e.to_string()),
            _ => mozdef_store::StoreError::Unavailable(e.to_string()),
        }
    }
}
