//! What `mozdef dev`'s data directory holds and how much room is left: the indices of the
//! embedded store (when it is the store), the write-ahead log and the disk guard's figures,
//! in one [`StorageReport`] for `/api/status` and the start line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use mozdef_store::{QueueError, StorageStatus};

use crate::disk::{DiskGuard, DiskStatus};
use crate::footprint::IndexFigures;
use crate::wal::WalStatus;
use crate::{EmbeddedError, EmbeddedStore};

/// The local storage of `mozdef dev`.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    data_dir: PathBuf,
    store: Option<EmbeddedStore>,
    log: WalStatus,
    disk: Arc<DiskGuard>,
}

/// The write-ahead log, in figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFigures {
    /// Bytes of its segment files.
    pub bytes: u64,
    /// Of those, the bytes not yet indexed (past the checkpoint).
    pub backlog_bytes: u64,
    /// Requests not yet indexed.
    pub backlog_frames: u64,
}

/// How much is stored and how much room is left.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageReport {
    /// The data directory.
    pub data_dir: String,
    /// The embedded store's indices (`None`: events go to OpenSearch).
    pub indices: Option<IndexFigures>,
    /// The write-ahead log.
    pub log: LogFigures,
    /// The free room on the data directory's file system, and whether events are refused.
    pub disk: DiskStatus,
}

impl LocalStorage {
    /// The storage of `data_dir`: the embedded `store` (`None` with OpenSearch), the log
    /// behind `log` and the `disk` guard.
    pub fn new(data_dir: &Path, store: Option<EmbeddedStore>, log: WalStatus, disk: Arc<DiskGuard>) -> Self {
        LocalStorage { data_dir: data_dir.to_owned(), store, log, disk }
    }

    /// The figures now (reads the index directories: blocking).
    pub fn report(&self) -> Result<StorageReport, EmbeddedError> {
        let indices = self.store.as_ref().map(EmbeddedStore::figures).transpose()?;
        let depth = self.log.depth_now();
        Ok(StorageReport {
            data_dir: self.data_dir.display().to_string(),
            indices,
            log: LogFigures {
                bytes: self.log.disk_bytes(),
                backlog_bytes: depth.backlog_bytes.unwrap_or(0),
                backlog_frames: depth.ready,
            },
            disk: self.disk.status(),
        })
    }
}

#[async_trait]
impl StorageStatus for LocalStorage {
    async fn storage(&self) -> Result<serde_json::Value, QueueError> {
        let storage = self.clone();
        let report = tokio::task::spawn_blocking(move || storage.report())
            .await
            .map_err(|e| QueueError::Unavailable(format!("storage figures task failed: {e}")))?
            .map_err(|e| QueueError::Unavailable(format!("storage figures: {e}")))?;
        serde_json::to_value(report).map_err(|e| QueueError::Unavailable(format!("storage figures: {e}")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::Wal;
    use crate::disk::{ManualDisk, MinFreeDisk};
    use chrono::{TimeZone, Utc};
    use mozdef_model::FixedClock;
    use mozdef_store::{EventStore, IndexRequest};
    use serde_json::json;
    use std::time::Duration;

    #[tokio::test]
    async fn reports_indices_log_and_disk() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let docs: Vec<IndexRequest> = ["events-20261123", "events-20261123", "alerts-202611"]
            .iter()
            .enumerate()
            .map(|(n, index)| IndexRequest {
                index: (*index).to_owned(),
                id: format!("id-{n}"),
                source: json!({"n": n}).as_object().unwrap().clone(),
            })
            .collect();
        store.index(&docs).await.unwrap();
        store.refresh().await.unwrap();
        let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()));
        let (wal, _reader) = Wal::open(&dir.path().join("wal"), clock, 1 << 20).unwrap();
        wal.append(&[json!({"a": 1}).as_object().unwrap().clone()]).await.unwrap();
        let log_bytes = std::fs::metadata(dir.path().join("wal/00000000000000000001.wal")).unwrap().len();
        let disk = Arc::new(ManualDisk::new(3 << 30, 100 << 30));
        let guard = Arc::new(DiskGuard::new(dir.path(), disk, MinFreeDisk::Bytes(1 << 30), Duration::ZERO));
        let storage = LocalStorage::new(dir.path(), Some(store), wal.status(), guard);

        let report = storage.storage().await.unwrap();
        let indices = &report["indices"];
        assert_eq!((indices["count"].as_u64(), indices["open"].as_u64()), (Some(2), Some(2)));
        assert_eq!(indices["documents"], 3);
        assert!(indices["bytes"].as_u64().unwrap() > 0);
        assert_eq!(report["log"], json!({"bytes": log_bytes, "backlogBytes": log_bytes, "backlogFrames": 1}));
        assert_eq!(
            report["disk"],
            json!({
                "path": dir.path().display().to_string(),
                "availableBytes": 3u64 << 30,
                "totalBytes": 100u64 << 30,
                "minFreeBytes": 1u64 << 30,
                "refusing": false,
            })
        );
        assert_eq!(report["dataDir"], dir.path().display().to_string());
    }
}
