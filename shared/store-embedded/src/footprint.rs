//! What the indices of the embedded store hold on disk, read without opening them: the bytes
//! of an index directory, and the documents of its last commit from tantivy's `meta.json`.

use std::path::Path;

use serde::Deserialize;

use crate::EmbeddedError;

/// The indices of the embedded store, in figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexFigures {
    /// MozDef indices (`events-YYYYMMDD`, `alerts-YYYYMM`, ...).
    pub count: usize,
    /// Of those, the ones opened since the store was (an index is opened on first use).
    pub open: usize,
    /// Committed documents in all of them (from the open indices' readers, and from the
    /// `meta.json` of the others).
    pub documents: u64,
    /// Bytes of their directories.
    pub bytes: u64,
}

/// The bytes of the files under `dir`; 0 when it is gone (deleted meanwhile).
pub(crate) fn dir_bytes(dir: &Path) -> Result<u64, EmbeddedError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(EmbeddedError::Io { action: "read directory", path: dir.to_owned(), source: e }),
    };
    let mut bytes = 0;
    for entry in entries {
        let entry = entry.map_err(EmbeddedError::io("read directory", dir))?;
        let path = entry.path();
        let metadata = match entry.metadata() {
            Ok(metadata) => metadata,
            // A file a merge or a deletion removed since the listing.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(EmbeddedError::Io { action: "stat", path, source: e }),
        };
        bytes += if metadata.is_dir() { dir_bytes(&path)? } else { metadata.len() };
    }
    Ok(bytes)
}

#[derive(Deserialize)]
struct Meta {
    segments: Vec<SegmentMeta>,
}

#[derive(Deserialize)]
struct SegmentMeta {
    max_doc: u64,
    deletes: Option<Deletes>,
}

#[derive(Deserialize)]
struct Deletes {
    num_deleted_docs: u64,
}

/// The documents of the last commit of the tantivy index in `dir` (its segments' documents
/// less their deletions, as `meta.json` lists them); 0 when it is gone.
pub(crate) fn committed_documents(dir: &Path) -> Result<u64, EmbeddedError> {
    let path = dir.join("meta.json");
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(EmbeddedError::Io { action: "read", path, source: e }),
    };
    let meta: Meta = serde_json::from_slice(&text).map_err(|e| EmbeddedError::Corrupt {
        path: path.clone(),
        offset: 0,
        reason: format!("unreadable index metadata: {e}"),
    })?;
    Ok(meta
        .segments
        .iter()
        .map(|s| s.max_doc.saturating_sub(s.deletes.as_ref().map_or(0, |d| d.num_deleted_docs)))
        .sum())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn documents_are_segments_less_deletions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("meta.json"),
            r#"{"index_settings":{},"segments":[
                {"segment_id":"a","max_doc":10,"deletes":null},
                {"segment_id":"b","max_doc":7,"deletes":{"num_deleted_docs":3,"opstamp":9}}
            ],"schema":[],"opstamp":12}"#,
        )
        .unwrap();
        assert_eq!(committed_documents(dir.path()).unwrap(), 14);
        assert_eq!(committed_documents(&dir.path().join("gone")).unwrap(), 0);
        std::fs::write(dir.path().join("meta.json"), "{").unwrap();
        assert!(matches!(committed_documents(dir.path()), Err(EmbeddedError::Corrupt { .. })));
    }

    #[test]
    fn bytes_add_up_the_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), [0u8; 100]).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b"), [0u8; 23]).unwrap();
        assert_eq!(dir_bytes(dir.path()).unwrap(), 123);
        assert_eq!(dir_bytes(&dir.path().join("gone")).unwrap(), 0);
    }
}
