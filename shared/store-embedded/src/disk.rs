//! Free disk space in front of the write-ahead log: a probe of the data directory's file
//! system ([`DiskSpace`]: [`SystemDisk`] asks `statvfs`, [`ManualDisk`] is set by tests), the
//! room to keep free ([`MinFreeDisk`]), and the [`DiskGuard`] that refuses events while free
//! space is under it. [`GuardedQueue`] puts the guard in front of a queue: a refused request
//! is [`QueueError::Refused`] (loginput answers 503 with `Retry-After`), and events are taken
//! again by themselves once space returns.
//!
//! The guard asks the probe at most once per interval (a second in `mozdef dev`), not once
//! per request, and logs one line when it starts refusing and one when it stops.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use mozdef_model::Document;
use mozdef_store::{EventQueue, QueueError};

/// How long a refused client is told to wait (`Retry-After`).
pub const RETRY_AFTER: Duration = Duration::from_secs(30);

const MIB: u64 = 1024 * 1024;

/// The size and free room of a file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskFigures {
    /// Bytes this process may still write (`statvfs`'s `f_bavail` blocks: what is left to
    /// unprivileged users).
    pub available: u64,
    /// The file system's size, in bytes.
    pub total: u64,
}

/// Reads the free room of the file system a path is on.
pub trait DiskSpace: Send + Sync + fmt::Debug {
    /// The figures of the file system holding `path`.
    fn figures(&self, path: &Path) -> std::io::Result<DiskFigures>;
}

/// The operating system's figures (`statvfs` on Unix).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemDisk;

impl DiskSpace for SystemDisk {
    fn figures(&self, path: &Path) -> std::io::Result<DiskFigures> {
        let stats = fs4::statvfs(path)?;
        Ok(DiskFigures { available: stats.available_space(), total: stats.total_space() })
    }
}

/// Figures set by hand, for tests: counts how often it is asked.
#[derive(Debug)]
pub struct ManualDisk {
    available: AtomicU64,
    total: u64,
    asked: AtomicU64,
}

impl ManualDisk {
    /// A file system of `total` bytes with `available` free.
    pub fn new(available: u64, total: u64) -> Self {
        ManualDisk { available: AtomicU64::new(available), total, asked: AtomicU64::new(0) }
    }

    /// Sets the free bytes.
    pub fn set_available(&self, bytes: u64) {
        self.available.store(bytes, Ordering::SeqCst);
    }

    /// How many times the figures were read.
    pub fn asked(&self) -> u64 {
        self.asked.load(Ordering::SeqCst)
    }
}

impl DiskSpace for ManualDisk {
    fn figures(&self, _path: &Path) -> std::io::Result<DiskFigures> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Ok(DiskFigures { available: self.available.load(Ordering::SeqCst), total: self.total })
    }
}

/// The free room to keep on the data directory's file system: a size (`1GiB`, `500MiB`,
/// `2048`: bytes) or a share of the file system (`5%`). `0` never refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinFreeDisk {
    /// At least this many bytes.
    Bytes(u64),
    /// At least this percentage of the file system (0 to 99).
    Percent(u8),
}

impl MinFreeDisk {
    /// `mozdef dev`'s default: 1 GiB.
    pub const DEFAULT: MinFreeDisk = MinFreeDisk::Bytes(1024 * MIB);

    /// The minimum in bytes on a file system of `total` bytes.
    pub fn bytes(&self, total: u64) -> u64 {
        match *self {
            MinFreeDisk::Bytes(bytes) => bytes,
            MinFreeDisk::Percent(percent) => {
                let share = u128::from(total) * u128::from(percent) / 100;
                u64::try_from(share).unwrap_or(u64::MAX)
            }
        }
    }
}

impl Default for MinFreeDisk {
    fn default() -> Self {
        MinFreeDisk::DEFAULT
    }
}

impl FromStr for MinFreeDisk {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let invalid = || {
            format!(
                "invalid minimum free disk space {text:?}: give a size (bytes, or with KiB, MiB, GiB or TiB, e.g. 1GiB) or a percentage of the file system below 100 (e.g. 5%)"
            )
        };
        if let Some(number) = text.strip_suffix('%') {
            let percent: u8 = number.trim().parse().map_err(|_| invalid())?;
            if percent >= 100 {
                return Err(invalid());
            }
            return Ok(MinFreeDisk::Percent(percent));
        }
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: u64 = number.parse().map_err(|_| invalid())?;
        let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kib" => 1024,
            "m" | "mib" => MIB,
            "g" | "gib" => 1024 * MIB,
            "t" | "tib" => 1024 * 1024 * MIB,
            _ => return Err(invalid()),
        };
        number.checked_mul(scale).map(MinFreeDisk::Bytes).ok_or_else(invalid)
    }
}

impl fmt::Display for MinFreeDisk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MinFreeDisk::Percent(percent) => write!(f, "{percent}%"),
            MinFreeDisk::Bytes(bytes) if bytes > 0 && bytes % MIB == 0 => write!(f, "{}MiB", bytes / MIB),
            MinFreeDisk::Bytes(bytes) => write!(f, "{bytes}"),
        }
    }
}

/// The guard's view of the disk, for the status page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskStatus {
    /// The directory whose file system is watched.
    pub path: String,
    /// Free bytes at the last reading (`None`: the file system could not be read).
    pub available_bytes: Option<u64>,
    /// The file system's size at the last reading.
    pub total_bytes: Option<u64>,
    /// The minimum free bytes (`None` until the size is known, for a percentage).
    pub min_free_bytes: Option<u64>,
    /// Whether events are being refused.
    pub refusing: bool,
}

/// Refuses events while the free space on a directory's file system is under a minimum.
#[derive(Debug)]
pub struct DiskGuard {
    dir: PathBuf,
    probe: Arc<dyn DiskSpace>,
    min: MinFreeDisk,
    every: Duration,
    state: Mutex<GuardState>,
}

#[derive(Debug, Default)]
struct GuardState {
    checked: Option<Instant>,
    figures: Option<DiskFigures>,
    refusing: bool,
    unreadable: bool,
}

impl DiskGuard {
    /// Watches the file system of `dir` through `probe`, reading it at most once per `every`,
    /// and refuses events while fewer than `min` bytes are free.
    pub fn new(dir: &Path, probe: Arc<dyn DiskSpace>, min: MinFreeDisk, every: Duration) -> Self {
        DiskGuard { dir: dir.to_owned(), probe, min, every, state: Mutex::new(GuardState::default()) }
    }

    /// `Ok` when events may be taken; [`QueueError::Refused`] naming the free and the minimum
    /// space while they may not.
    pub fn check(&self) -> Result<(), QueueError> {
        let state = self.current();
        match state.figures {
            Some(figures) if state.refusing => Err(QueueError::Refused {
                reason: format!(
                    "free disk space on {} is {} MiB, below the minimum {} MiB; events are refused until space returns",
                    self.dir.display(),
                    figures.available / MIB,
                    self.min.bytes(figures.total).div_ceil(MIB),
                ),
                retry_after: RETRY_AFTER,
            }),
            _ => Ok(()),
        }
    }

    /// The disk's figures and whether events are refused (read again if they are older than
    /// the interval).
    pub fn status(&self) -> DiskStatus {
        let state = self.current();
        DiskStatus {
            path: self.dir.display().to_string(),
            available_bytes: state.figures.map(|f| f.available),
            total_bytes: state.figures.map(|f| f.total),
            min_free_bytes: match (self.min, state.figures) {
                (MinFreeDisk::Bytes(bytes), _) => Some(bytes),
                (min, Some(figures)) => Some(min.bytes(figures.total)),
                (_, None) => None,
            },
            refusing: state.refusing,
        }
    }

    /// The state, read from the probe first when the last reading is older than the interval.
    /// A probe that fails refuses nothing (the log's own writes still fail on a full disk).
    fn current(&self) -> MutexGuard<'_, GuardState> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.checked.is_some_and(|at| at.elapsed() < self.every) {
            return state;
        }
        state.checked = Some(Instant::now());
        let dir = self.dir.display().to_string();
        match self.probe.figures(&self.dir) {
            Ok(figures) => {
                state.unreadable = false;
                state.figures = Some(figures);
                let min = self.min.bytes(figures.total);
                let refusing = figures.available < min;
                if refusing && !state.refusing {
                    tracing::warn!(
                        dir,
                        available = figures.available,
                        minimum = min,
                        "free disk space is below the minimum: refusing events until space returns"
                    );
                } else if !refusing && state.refusing {
                    tracing::info!(
                        dir,
                        available = figures.available,
                        minimum = min,
                        "free disk space is back above the minimum: taking events again"
                    );
                }
                state.refusing = refusing;
            }
            Err(error) => {
                if !state.unreadable {
                    tracing::warn!(dir, %error, "cannot read the free disk space; events are taken without the check");
                }
                if state.refusing {
                    tracing::info!(dir, "taking events again: the free disk space cannot be read");
                }
                state.unreadable = true;
                state.figures = None;
                state.refusing = false;
            }
        }
        state
    }
}

/// A queue behind a [`DiskGuard`]: refuses events while the disk is short of room, hands
/// them to the inner queue otherwise.
#[derive(Debug)]
pub struct GuardedQueue<Q> {
    inner: Q,
    guard: Arc<DiskGuard>,
}

impl<Q> GuardedQueue<Q> {
    /// `inner` behind `guard`.
    pub fn new(inner: Q, guard: Arc<DiskGuard>) -> Self {
        GuardedQueue { inner, guard }
    }
}

#[async_trait]
impl<Q: EventQueue> EventQueue for GuardedQueue<Q> {
    async fn accept(&self, events: Vec<Document>) -> Result<(), QueueError> {
        self.guard.check()?;
        self.inner.accept(events).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const GIB: u64 = 1024 * MIB;

    #[test]
    fn minimum_parses_sizes_and_percentages() {
        assert_eq!("1GiB".parse(), Ok(MinFreeDisk::Bytes(GIB)));
        assert_eq!("500 MiB".parse(), Ok(MinFreeDisk::Bytes(500 * MIB)));
        assert_eq!("2g".parse(), Ok(MinFreeDisk::Bytes(2 * GIB)));
        assert_eq!("4096".parse(), Ok(MinFreeDisk::Bytes(4096)));
        assert_eq!("0".parse(), Ok(MinFreeDisk::Bytes(0)));
        assert_eq!("5%".parse(), Ok(MinFreeDisk::Percent(5)));
        for bad in ["", "GiB", "1.5GiB", "10 parsecs", "100%", "-1", "99999999999TiB"] {
            let error = bad.parse::<MinFreeDisk>().unwrap_err();
            assert!(error.contains("invalid minimum free disk space"), "{bad}: {error}");
        }
        assert_eq!(MinFreeDisk::default().to_string(), "1024MiB");
        assert_eq!(MinFreeDisk::Percent(5).to_string(), "5%");
        assert_eq!(MinFreeDisk::Percent(5).bytes(200 * GIB), 10 * GIB);
    }

    fn guard(disk: &Arc<ManualDisk>, min: MinFreeDisk, every: Duration) -> DiskGuard {
        DiskGuard::new(Path::new("/data"), disk.clone(), min, every)
    }

    #[test]
    fn refuses_below_the_minimum_and_recovers() {
        let disk = Arc::new(ManualDisk::new(2 * GIB, 100 * GIB));
        let guard = guard(&disk, MinFreeDisk::Bytes(GIB), Duration::ZERO);
        assert!(guard.check().is_ok());
        disk.set_available(GIB - 1);
        match guard.check() {
            Err(QueueError::Refused { reason, retry_after }) => {
                assert_eq!(
                    reason,
                    "free disk space on /data is 1023 MiB, below the minimum 1024 MiB; events are refused until space returns"
                );
                assert_eq!(retry_after, RETRY_AFTER);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let status = guard.status();
        assert_eq!(
            status,
            DiskStatus {
                path: "/data".into(),
                available_bytes: Some(GIB - 1),
                total_bytes: Some(100 * GIB),
                min_free_bytes: Some(GIB),
                refusing: true,
            }
        );
        disk.set_available(GIB);
        assert!(guard.check().is_ok());
        assert!(!guard.status().refusing);
    }

    #[test]
    fn a_percentage_is_of_the_file_system() {
        let disk = Arc::new(ManualDisk::new(6 * GIB, 100 * GIB));
        let guard = guard(&disk, MinFreeDisk::Percent(5), Duration::ZERO);
        assert!(guard.check().is_ok());
        disk.set_available(4 * GIB);
        assert!(matches!(guard.check(), Err(QueueError::Refused { .. })));
        assert_eq!(guard.status().min_free_bytes, Some(5 * GIB));
    }

    #[test]
    fn zero_never_refuses() {
        let disk = Arc::new(ManualDisk::new(0, 100 * GIB));
        assert!(guard(&disk, MinFreeDisk::Bytes(0), Duration::ZERO).check().is_ok());
    }

    #[test]
    fn the_disk_is_read_once_per_interval() {
        let disk = Arc::new(ManualDisk::new(2 * GIB, 100 * GIB));
        let guard = guard(&disk, MinFreeDisk::Bytes(GIB), Duration::from_secs(3600));
        for _ in 0..100 {
            assert!(guard.check().is_ok());
        }
        assert_eq!(disk.asked(), 1);
        // Within the interval the last reading stands, even though the disk filled up.
        disk.set_available(0);
        assert!(guard.check().is_ok());
        assert_eq!(disk.asked(), 1);
    }

    #[derive(Debug)]
    struct BrokenDisk;

    impl DiskSpace for BrokenDisk {
        fn figures(&self, _path: &Path) -> std::io::Result<DiskFigures> {
            Err(std::io::Error::other("no statvfs here"))
        }
    }

    #[test]
    fn an_unreadable_disk_refuses_nothing() {
        let guard = DiskGuard::new(Path::new("/data"), Arc::new(BrokenDisk), MinFreeDisk::DEFAULT, Duration::ZERO);
        assert!(guard.check().is_ok());
        let status = guard.status();
        assert_eq!((status.available_bytes, status.min_free_bytes, status.refusing), (None, Some(GIB), false));
    }

    #[test]
    fn the_system_probe_reads_a_real_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let figures = SystemDisk.figures(dir.path()).unwrap();
        assert!(figures.total > 0);
        assert!(figures.available <= figures.total);
    }
}
