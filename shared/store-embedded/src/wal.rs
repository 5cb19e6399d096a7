//! The write-ahead log: `mozdef dev`'s durable queue between loginput and the pipeline (the
//! SQS queue of the AWS deployment).
//!
//! Each accepted request is one frame — `u32` length, `u32` CRC-32, then JSON
//! `{"received": <isoformat>, "events": [...]}` — appended to the newest segment file
//! (`<dir>/<20-digit sequence>.wal`) and `fsync`ed before [`Wal::accept`] returns, so an
//! acknowledged request survives `kill -9`. Concurrent requests share one `fsync` (group
//! commit). A request is one frame, so a bulk request is kept whole or not at all. On start
//! a torn frame at the tail (a write that was never acknowledged) is cut off.
//!
//! The [`WalReader`] reads frames from the checkpoint on, and [`WalReader::checkpoint`]
//! records how far the pipeline has durably indexed, deleting segments left behind. Replay
//! after a crash may hand out frames again; their documents get the same ids (derived from
//! the [`WalPosition`]), so they replace themselves.
//!
//! [`Wal::status`] hands out a [`WalStatus`], the log's depth for the health page: bytes and
//! frames appended but not yet checkpointed, from counters the writer, the reader and the
//! checkpointer keep (no scan of the log after it is opened).

use std::collections::{BTreeMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::{Clock, Document, isoformat};
use mozdef_store::{EventQueue, QueueDepth, QueueError, QueueStatus};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::EmbeddedError;

const HEADER: usize = 8;
/// A new segment is started once the current one is larger than this (see [`Wal::open_with`]).
pub const SEGMENT_BYTES: u64 = 64 * 1024 * 1024;
/// At most this many requests share one `fsync`.
const GROUP_COMMIT_MAX: usize = 512;

/// Where a frame starts: segment sequence number and byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct WalPosition {
    /// The segment's sequence number.
    pub segment: u64,
    /// The byte offset of the frame in the segment.
    pub offset: u64,
}

impl WalPosition {
    /// The stable identity of the frame at this position (`wal:<segment>:<offset>`); the
    /// ingest path derives the `n`th event's document id from `<identity>:<n>`.
    pub fn identity(&self) -> String {
        format!("wal:{}:{}", self.segment, self.offset)
    }
}

/// One accepted request, read back from the log.
#[derive(Debug, Clone, PartialEq)]
pub struct WalEntry {
    /// Where the frame starts.
    pub position: WalPosition,
    /// Where the next frame starts (the checkpoint once this entry is indexed).
    pub next: WalPosition,
    /// When loginput accepted the request.
    pub received: DateTime<Utc>,
    /// The events, as accepted.
    pub events: Vec<Document>,
}

#[derive(Serialize)]
struct FrameOut<'a> {
    received: String,
    events: &'a [Document],
}

#[derive(Deserialize)]
struct FrameIn {
    received: String,
    events: Vec<Document>,
}

struct Append {
    frame: Vec<u8>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The appending side of the log; cheap to clone.
#[derive(Debug, Clone)]
pub struct Wal {
    tx: mpsc::Sender<AppendMsg>,
    notify: Arc<Notify>,
    clock: Arc<dyn Clock>,
    max_frame: usize,
    backlog: SharedBacklog,
}

struct AppendMsg(Append);

impl std::fmt::Debug for AppendMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Append({} bytes)", self.0.frame.len())
    }
}

fn segment_path(dir: &Path, segment: u64) -> PathBuf {
    dir.join(format!("{segment:020}.wal"))
}

fn list_segments(dir: &Path) -> Result<Vec<u64>, EmbeddedError> {
    let mut segments = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(EmbeddedError::io("read directory", dir))? {
        let entry = entry.map_err(EmbeddedError::io("read directory", dir))?;
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".wal")) else { continue };
        if let Ok(seq) = stem.parse::<u64>() {
            segments.push(seq);
        }
    }
    segments.sort_unstable();
    Ok(segments)
}

fn sync_dir(dir: &Path) -> Result<(), EmbeddedError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(EmbeddedError::io("sync directory", dir))
}

/// Reads the frame at the reader's position: `Ok(None)` when no complete frame is there yet.
fn read_frame(
    file: &mut File,
    len_available: u64,
    offset: u64,
    path: &Path,
) -> Result<Option<(FrameIn, u64)>, EmbeddedError> {
    if len_available < offset + HEADER as u64 {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(offset)).map_err(EmbeddedError::io("seek", path))?;
    let mut header = [0u8; HEADER];
    file.read_exact(&mut header).map_err(EmbeddedError::io("read", path))?;
    let len = u64::from(u32::from_le_bytes([header[0], header[1], header[2], header[3]]));
    let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if len_available < offset + HEADER as u64 + len {
        return Ok(None);
    }
    let mut payload = vec![0u8; len as usize];
    file.read_exact(&mut payload).map_err(EmbeddedError::io("read", path))?;
    let corrupt = |reason: String| EmbeddedError::Corrupt { path: path.to_owned(), offset, reason };
    if crc32fast::hash(&payload) != crc {
        return Err(corrupt("checksum mismatch".into()));
    }
    let frame: FrameIn =
        serde_json::from_slice(&payload).map_err(|e| corrupt(format!("frame is not valid JSON: {e}")))?;
    Ok(Some((frame, offset + HEADER as u64 + len)))
}

/// Cuts a torn frame off the tail of the newest segment; returns its valid length.
fn recover_tail(path: &Path) -> Result<u64, EmbeddedError> {
    let mut file = OpenOptions::new().read(true).write(true).open(path).map_err(EmbeddedError::io("open", path))?;
    let len = file.metadata().map_err(EmbeddedError::io("stat", path))?.len();
    let mut offset = 0;
    loop {
        match read_frame(&mut file, len, offset, path) {
            Ok(Some((_, next))) => offset = next,
            Ok(None) | Err(EmbeddedError::Corrupt { .. }) => break,
            Err(e) => return Err(e),
        }
    }
    if offset < len {
        tracing::warn!(path = %path.display(), valid = offset, dropped = len - offset, "cutting an unacknowledged torn frame off the write-ahead log");
        file.set_len(offset).map_err(EmbeddedError::io("truncate", path))?;
        file.sync_all().map_err(EmbeddedError::io("sync", path))?;
    }
    Ok(offset)
}

struct Writer {
    dir: PathBuf,
    segment: u64,
    file: File,
    size: u64,
    segment_bytes: u64,
    backlog: SharedBacklog,
}

impl Writer {
    fn open(dir: &Path, segment_bytes: u64) -> Result<Self, EmbeddedError> {
        let segment = list_segments(dir)?.last().copied().unwrap_or(1);
        let path = segment_path(dir, segment);
        let size = if path.exists() { recover_tail(&path)? } else { 0 };
        let file =
            OpenOptions::new().create(true).append(true).open(&path).map_err(EmbeddedError::io("open", &path))?;
        sync_dir(dir)?;
        Ok(Writer { dir: dir.to_owned(), segment, file, size, segment_bytes, backlog: SharedBacklog::default() })
    }

    fn rotate(&mut self) -> Result<(), EmbeddedError> {
        let next = self.segment + 1;
        let path = segment_path(&self.dir, next);
        self.file =
            OpenOptions::new().create(true).append(true).open(&path).map_err(EmbeddedError::io("open", &path))?;
        sync_dir(&self.dir)?;
        self.segment = next;
        self.size = 0;
        Ok(())
    }

    /// Appends frames and syncs them; on failure the segment is cut back to where it was.
    fn append(&mut self, frames: &[&[u8]]) -> Result<(), EmbeddedError> {
        if self.size > self.segment_bytes {
            self.rotate()?;
        }
        let path = segment_path(&self.dir, self.segment);
        let result = frames.iter().try_for_each(|f| self.file.write_all(f)).and_then(|()| self.file.sync_data());
        match result {
            Ok(()) => {
                self.size += frames.iter().map(|f| f.len() as u64).sum::<u64>();
                // Before any request is acknowledged, so an acknowledged frame is counted.
                self.backlog.lock().appended(self.segment, self.size, frames.len() as u64);
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.size);
                Err(EmbeddedError::Io { action: "append to", path, source: e })
            }
        }
    }

    fn run(mut self, mut rx: mpsc::Receiver<AppendMsg>, notify: Arc<Notify>) {
        while let Some(AppendMsg(first)) = rx.blocking_recv() {
            let mut batch = vec![first];
            while batch.len() < GROUP_COMMIT_MAX {
                match rx.try_recv() {
                    Ok(AppendMsg(more)) => batch.push(more),
                    Err(_) => break,
                }
            }
            let frames: Vec<&[u8]> = batch.iter().map(|a| a.frame.as_slice()).collect();
            let result = self.append(&frames).map_err(|e| {
                tracing::error!(error = %e, "write-ahead log append failed");
                e.to_string()
            });
            for append in batch {
                let _ = append.done.send(result.clone());
            }
            notify.notify_one();
        }
    }
}

impl Wal {
    /// Opens the log in `dir` (created if needed), recovering a torn tail, and starts its
    /// writer thread. `max_frame` bounds one request's serialised size. Returns the
    /// appending side and the reader positioned at the last checkpoint.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>, max_frame: usize) -> Result<(Wal, WalReader), EmbeddedError> {
        Self::open_with(dir, clock, max_frame, SEGMENT_BYTES)
    }

    /// [`Wal::open`], starting a new segment once the current one is larger than
    /// `segment_bytes` ([`SEGMENT_BYTES`] there).
    pub fn open_with(
        dir: &Path,
        clock: Arc<dyn Clock>,
        max_frame: usize,
        segment_bytes: u64,
    ) -> Result<(Wal, WalReader), EmbeddedError> {
        std::fs::create_dir_all(dir).map_err(EmbeddedError::io("create directory", dir))?;
        let mut writer = Writer::open(dir, segment_bytes)?;
        let notify = Arc::new(Notify::new());
        let mut reader = WalReader::open(dir, notify.clone())?;
        let backlog = SharedBacklog::new(Backlog::scan(dir, reader.position, writer.segment, writer.size)?);
        writer.backlog = backlog.clone();
        reader.backlog = backlog.clone();
        let (tx, rx) = mpsc::channel(4096);
        let thread_notify = notify.clone();
        std::thread::Builder::new()
            .name("mozdef-wal".into())
            .spawn(move || writer.run(rx, thread_notify))
            .map_err(EmbeddedError::io("start writer thread for", dir))?;
        Ok((Wal { tx, notify, clock, max_frame, backlog }, reader))
    }

    /// A handle reporting the log's depth (see [`WalStatus`]); it does not keep the writer
    /// running.
    pub fn status(&self) -> WalStatus {
        WalStatus { backlog: self.backlog.clone() }
    }

    /// Appends one request's events as one frame and returns once it is on disk.
    pub async fn append(&self, events: &[Document]) -> Result<(), QueueError> {
        let frame = FrameOut { received: isoformat(&self.clock.now()), events };
        let payload =
            serde_json::to_vec(&frame).map_err(|e| QueueError::Unavailable(format!("cannot serialise: {e}")))?;
        if payload.len() > self.max_frame {
            return Err(QueueError::TooLarge { size: payload.len(), limit: self.max_frame });
        }
        let len = u32::try_from(payload.len())
            .map_err(|_| QueueError::TooLarge { size: payload.len(), limit: self.max_frame })?;
        let mut bytes = Vec::with_capacity(HEADER + payload.len());
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        let (done, wait) = oneshot::channel();
        self.tx
            .send(AppendMsg(Append { frame: bytes, done }))
            .await
            .map_err(|_| QueueError::Unavailable("write-ahead log writer stopped".into()))?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(QueueError::Unavailable(e)),
            Err(_) => Err(QueueError::Unavailable("write-ahead log writer stopped".into())),
        }
    }

    /// Wakes the reader (used at shutdown so it can notice).
    pub fn wake_reader(&self) {
        self.notify.notify_one();
    }
}

#[async_trait]
impl EventQueue for Wal {
    async fn accept(&self, events: Vec<Document>) -> Result<(), QueueError> {
        self.append(&events).await
    }
}

/// The reading side of the log, used by one consumer (the local ingest worker).
#[derive(Debug)]
pub struct WalReader {
    dir: PathBuf,
    position: WalPosition,
    notify: Arc<Notify>,
    backlog: SharedBacklog,
}

impl WalReader {
    fn open(dir: &Path, notify: Arc<Notify>) -> Result<Self, EmbeddedError> {
        let checkpoint = dir.join("checkpoint");
        let position = match std::fs::read_to_string(&checkpoint) {
            Ok(text) => parse_checkpoint(&text).ok_or_else(|| EmbeddedError::Corrupt {
                path: checkpoint.clone(),
                offset: 0,
                reason: format!("unreadable checkpoint {text:?}"),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                WalPosition { segment: list_segments(dir)?.first().copied().unwrap_or(1), offset: 0 }
            }
            Err(e) => return Err(EmbeddedError::Io { action: "read", path: checkpoint, source: e }),
        };
        Ok(WalReader { dir: dir.to_owned(), position, notify, backlog: SharedBacklog::default() })
    }

    /// The position the next read starts at.
    pub fn position(&self) -> WalPosition {
        self.position
    }

    /// Reads complete frames from the current position on, up to about `max_events` events.
    /// Advances the read position (not the checkpoint).
    pub fn read_batch(&mut self, max_events: usize) -> Result<Vec<WalEntry>, EmbeddedError> {
        let mut entries = Vec::new();
        let mut events = 0;
        while events < max_events {
            let path = segment_path(&self.dir, self.position.segment);
            let mut file = match File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    // A checkpoint may point at a segment that was never written to.
                    match list_segments(&self.dir)?.into_iter().find(|s| *s > self.position.segment) {
                        Some(next) => {
                            self.position = WalPosition { segment: next, offset: 0 };
                            continue;
                        }
                        None => break,
                    }
                }
                Err(e) => return Err(EmbeddedError::Io { action: "open", path, source: e }),
            };
            let len = file.metadata().map_err(EmbeddedError::io("stat", &path))?.len();
            let mut progressed = false;
            while events < max_events {
                match read_frame(&mut file, len, self.position.offset, &path)? {
                    Some((frame, next_offset)) => {
                        let received = DateTime::parse_from_rfc3339(&frame.received)
                            .map(|t| t.with_timezone(&Utc))
                            .map_err(|e| EmbeddedError::Corrupt {
                                path: path.clone(),
                                offset: self.position.offset,
                                reason: format!("bad receive time: {e}"),
                            })?;
                        let next = WalPosition { segment: self.position.segment, offset: next_offset };
                        events += frame.events.len().max(1);
                        entries.push(WalEntry { position: self.position, next, received, events: frame.events });
                        self.position = next;
                        progressed = true;
                    }
                    None => break,
                }
            }
            if events >= max_events || progressed && self.position.offset < len {
                break;
            }
            // At the end of this segment: move on only if a newer one exists.
            let newer = list_segments(&self.dir)?.into_iter().find(|s| *s > self.position.segment);
            match newer {
                Some(next) if self.position.offset >= len => self.position = WalPosition { segment: next, offset: 0 },
                _ => break,
            }
        }
        if !entries.is_empty() {
            self.backlog.lock().read(entries.iter().map(|e| e.next));
        }
        Ok(entries)
    }

    /// Waits until the writer appends something, or `timeout` passes.
    pub async fn wait(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.notify.notified()).await;
    }

    /// Records that everything before `position` is durably indexed, and deletes the
    /// segments wholly before it.
    pub fn checkpoint(&self, position: WalPosition) -> Result<(), EmbeddedError> {
        self.checkpointer().checkpoint(position)
    }

    /// A handle that writes checkpoints while the reader is busy reading ahead.
    pub fn checkpointer(&self) -> Checkpointer {
        Checkpointer { dir: self.dir.clone(), backlog: self.backlog.clone() }
    }
}

/// Writes the log's checkpoint (see [`WalReader::checkpointer`]).
#[derive(Debug, Clone)]
pub struct Checkpointer {
    dir: PathBuf,
    backlog: SharedBacklog,
}

impl Checkpointer {
    /// Records that everything before `position` is durably indexed, and deletes the
    /// segments wholly before it. Checkpoints must be written in log order.
    pub fn checkpoint(&self, position: WalPosition) -> Result<(), EmbeddedError> {
        let path = self.dir.join("checkpoint");
        let tmp = self.dir.join("checkpoint.tmp");
        let text = format!("{} {}\n", position.segment, position.offset);
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(EmbeddedError::io("write", &path))?;
        sync_dir(&self.dir)?;
        self.backlog.lock().checkpointed(position);
        for segment in list_segments(&self.dir)?.into_iter().filter(|s| *s < position.segment) {
            let old = segment_path(&self.dir, segment);
            std::fs::remove_file(&old).map_err(EmbeddedError::io("remove", &old))?;
        }
        Ok(())
    }
}

/// The log's depth for the health page, as [`QueueStatus`] (queue `wal`): `ready` is the
/// frames (accepted requests) appended but not yet checkpointed, `backlog_bytes` their bytes
/// (headers included); nothing is in flight or delayed. Read from counters under a lock the
/// writer holds for a few instructions per group commit: asking costs no I/O and does not hold
/// up appends. Figures taken while an append or a checkpoint is under way may lag it by that
/// one step. Obtained from [`Wal::status`]; cheap to clone.
#[derive(Debug, Clone)]
pub struct WalStatus {
    backlog: SharedBacklog,
}

impl WalStatus {
    /// The queue's name in [`QueueDepth`].
    pub const NAME: &'static str = "wal";

    /// The bytes of the log's segment files (the ones a checkpoint has not deleted: from the
    /// checkpoint's segment on), from the same counters.
    pub fn disk_bytes(&self) -> u64 {
        self.backlog.lock().sizes.values().sum()
    }

    /// The log's depth now.
    pub fn depth_now(&self) -> QueueDepth {
        let backlog = self.backlog.lock();
        QueueDepth {
            name: Self::NAME.to_owned(),
            ready: backlog.frames(),
            in_flight: 0,
            delayed: 0,
            backlog_bytes: Some(backlog.bytes()),
        }
    }
}

#[async_trait]
impl QueueStatus for WalStatus {
    async fn depth(&self) -> Result<Vec<QueueDepth>, QueueError> {
        Ok(vec![self.depth_now()])
    }
}

/// The counters behind [`WalStatus`], shared by the writer, the reader and the checkpointer.
#[derive(Debug, Clone, Default)]
struct SharedBacklog(Arc<Mutex<Backlog>>);

impl SharedBacklog {
    fn new(backlog: Backlog) -> Self {
        SharedBacklog(Arc::new(Mutex::new(backlog)))
    }

    /// The counters (a panic elsewhere while they were held leaves them usable: they are
    /// figures, each updated in one step).
    fn lock(&self) -> MutexGuard<'_, Backlog> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What has been appended and checkpointed. Frames are numbered in log order from the
/// checkpoint the log was opened at, so the frames not yet checkpointed are
/// `appended - checkpointed`; the reader records the frame number that ends at each `next`
/// position it hands out until a checkpoint passes it (at most its read-ahead: the local
/// worker checkpoints every batch).
#[derive(Debug, Default)]
struct Backlog {
    /// The size of each segment from the checkpoint's on.
    sizes: BTreeMap<u64, u64>,
    /// The last checkpoint.
    checkpoint: WalPosition,
    /// Frames appended (counted from the open-time checkpoint).
    appended: u64,
    /// Frames checkpointed (likewise).
    checkpointed: u64,
    /// Frames handed out by the reader (likewise).
    read: u64,
    /// `(next, frames up to and including the one ending there)` of frames read but not yet
    /// checkpointed, in log order.
    unconfirmed: VecDeque<(WalPosition, u64)>,
}

impl Backlog {
    /// The figures of the log in `dir` as opened: the segment sizes from `checkpoint` on and
    /// its frames, counted by walking the frame headers (one sequential read of the backlog;
    /// the writer's newest segment, `writer_size` bytes long, has been checked already).
    fn scan(dir: &Path, checkpoint: WalPosition, writer_segment: u64, writer_size: u64) -> Result<Self, EmbeddedError> {
        let mut backlog = Backlog { checkpoint, ..Backlog::default() };
        for segment in list_segments(dir)?.into_iter().filter(|s| *s >= checkpoint.segment) {
            let path = segment_path(dir, segment);
            let size = if segment == writer_segment {
                writer_size
            } else {
                std::fs::metadata(&path).map_err(EmbeddedError::io("stat", &path))?.len()
            };
            let start = if segment == checkpoint.segment { checkpoint.offset } else { 0 };
            backlog.appended += count_frames(&path, start, size)?;
            backlog.sizes.insert(segment, size);
        }
        backlog.sizes.insert(writer_segment, writer_size);
        tracing::debug!(frames = backlog.appended, bytes = backlog.bytes(), "write-ahead log backlog at open");
        Ok(backlog)
    }

    /// The writer has made `frames` more frames durable; `segment` is now `size` bytes long.
    fn appended(&mut self, segment: u64, size: u64, frames: u64) {
        self.sizes.insert(segment, size);
        self.appended += frames;
    }

    /// The reader handed out frames ending at these `next` positions, in log order.
    fn read(&mut self, ends: impl Iterator<Item = WalPosition>) {
        for next in ends {
            self.read += 1;
            self.unconfirmed.push_back((next, self.read));
        }
    }

    /// Everything before `position` is checkpointed.
    fn checkpointed(&mut self, position: WalPosition) {
        self.checkpoint = position;
        while let Some(&(next, count)) = self.unconfirmed.front() {
            if next > position {
                break;
            }
            self.checkpointed = self.checkpointed.max(count);
            self.unconfirmed.pop_front();
        }
        self.sizes = self.sizes.split_off(&position.segment);
    }

    /// Frames appended but not yet checkpointed.
    fn frames(&self) -> u64 {
        self.appended.saturating_sub(self.checkpointed)
    }

    /// Bytes appended but not yet checkpointed.
    fn bytes(&self) -> u64 {
        self.sizes
            .range(self.checkpoint.segment..)
            .map(
                |(&segment, &size)| {
                    if segment == self.checkpoint.segment { size.saturating_sub(self.checkpoint.offset) } else { size }
                },
            )
            .sum()
    }
}

/// The complete frames of the segment at `path` between `start` and `size`, from their headers.
fn count_frames(path: &Path, start: u64, size: u64) -> Result<u64, EmbeddedError> {
    let file = match File::open(path) {
        Ok(file) => file,
        // Removed by a checkpoint between listing and opening: nothing left to count.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(EmbeddedError::Io { action: "open", path: path.to_owned(), source: e }),
    };
    let mut file = BufReader::with_capacity(256 * 1024, file);
    file.seek(SeekFrom::Start(start)).map_err(EmbeddedError::io("seek", path))?;
    let (mut offset, mut frames) = (start, 0);
    while offset + HEADER as u64 <= size {
        let mut header = [0u8; HEADER];
        file.read_exact(&mut header).map_err(EmbeddedError::io("read", path))?;
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let next = offset + HEADER as u64 + u64::from(len);
        if next > size {
            break;
        }
        file.seek_relative(i64::from(len)).map_err(EmbeddedError::io("seek", path))?;
        frames += 1;
        offset = next;
    }
    Ok(frames)
}

fn parse_checkpoint(text: &str) -> Option<WalPosition> {
    let mut parts = text.split_whitespace();
    let segment = parts.next()?.parse().ok()?;
    let offset = parts.next()?.parse().ok()?;
    Some(WalPosition { segment, offset })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use mozdef_model::FixedClock;
    use serde_json::json;

    fn event(n: u64) -> Document {
        let mut d = Document::new();
        d.insert("n".into(), json!(n));
        d
    }

    fn clock() -> Arc<dyn Clock> {
        Arc::new(FixedClock::new(DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().with_timezone(&Utc)))
    }

    #[tokio::test]
    async fn append_read_checkpoint_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, mut reader) = Wal::open(dir.path(), clock(), 1 << 20).unwrap();
        wal.append(&[event(1)]).await.unwrap();
        wal.append(&[event(2), event(3)]).await.unwrap();
        let batch = reader.read_batch(100).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch[1].events, vec![event(2), event(3)]);
        assert_eq!(batch[0].received.to_rfc3339(), "2026-11-23T12:00:00+00:00");
        assert!(reader.read_batch(100).unwrap().is_empty());
        reader.checkpoint(batch[0].next).unwrap();
        drop((wal, reader));
        // Reopen: the reader starts at the checkpoint, so the second frame comes again.
        let (_wal, mut reader) = Wal::open(dir.path(), clock(), 1 << 20).unwrap();
        let again = reader.read_batch(100).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].position, batch[1].position);
        assert_eq!(again[0].position.identity(), batch[1].position.identity());
    }

    #[tokio::test]
    async fn torn_tail_is_cut_and_appends_continue() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, _reader) = Wal::open(dir.path(), clock(), 1 << 20).unwrap();
        wal.append(&[event(1)]).await.unwrap();
        drop(wal);
        std::thread::sleep(Duration::from_millis(50));
        let path = segment_path(dir.path(), 1);
        let good = std::fs::metadata(&path).unwrap().len();
        // A crash in the middle of an unacknowledged write leaves half a frame.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[200, 0, 0, 0, 1, 2, 3, 4, b'{']).unwrap();
        drop(f);
        let (wal, mut reader) = Wal::open(dir.path(), clock(), 1 << 20).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), good);
        wal.append(&[event(2)]).await.unwrap();
        let all = reader.read_batch(100).unwrap();
        assert_eq!(all.iter().map(|e| e.events.clone()).collect::<Vec<_>>(), vec![vec![event(1)], vec![event(2)]]);
    }

    #[tokio::test]
    async fn oversized_request_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, _reader) = Wal::open(dir.path(), clock(), 64).unwrap();
        let big: Vec<Document> = (0..50).map(event).collect();
        assert!(matches!(wal.append(&big).await, Err(QueueError::TooLarge { .. })));
    }

    /// (ready frames, backlog bytes) of the log's status.
    fn depth(wal: &Wal) -> (u64, u64) {
        let d = wal.status().depth_now();
        assert_eq!((d.name.as_str(), d.in_flight, d.delayed), ("wal", 0, 0));
        (d.ready, d.backlog_bytes.expect("the log knows its backlog bytes"))
    }

    fn segment_len(dir: &Path, segment: u64) -> u64 {
        std::fs::metadata(segment_path(dir, segment)).unwrap().len()
    }

    #[tokio::test]
    async fn status_counts_what_is_not_checkpointed() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, mut reader) = Wal::open(dir.path(), clock(), 1 << 20).unwrap();
        let status: Arc<dyn QueueStatus> = Arc::new(wal.status());
        let empty = QueueDepth { name: "wal".into(), ready: 0, in_flight: 0, delayed: 0, backlog_bytes: Some(0) };
        assert_eq!(status.depth().await.unwrap(), vec![empty.clone()]);
        wal.append(&[event(1)]).await.unwrap();
        wal.append(&[event(2), event(3)]).await.unwrap();
        let size = segment_len(dir.path(), 1);
        assert!(size > 0);
        assert_eq!(depth(&wal), (2, size));
        // Read is not done: only a checkpoint takes frames off the backlog.
        let batch = reader.read_batch(100).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(depth(&wal), (2, size));
        reader.checkpoint(batch[0].next).unwrap();
        assert_eq!(depth(&wal), (1, size - batch[0].next.offset));
        reader.checkpointer().checkpoint(batch[1].next).unwrap();
        assert_eq!(status.depth().await.unwrap(), vec![empty]);
        // What is left when the log is opened again is counted from the disk.
        wal.append(&[event(4)]).await.unwrap();
        let grown = segment_len(dir.path(), 1);
        drop((wal, reader, status));
        let (wal, _reader) = Wal::open(dir.path(), clock(), 1 << 20).unwrap();
        assert_eq!(depth(&wal), (1, grown - size));
    }

    #[tokio::test]
    async fn status_sums_the_segments_after_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, reader) = Wal::open(dir.path(), clock(), 1 << 20).unwrap();
        wal.append(&[event(1)]).await.unwrap();
        wal.append(&[event(2)]).await.unwrap();
        drop((wal, reader));
        std::thread::sleep(Duration::from_millis(50));
        // A second segment holding two more frames: the writer carries on in it.
        std::fs::copy(segment_path(dir.path(), 1), segment_path(dir.path(), 2)).unwrap();
        let size = segment_len(dir.path(), 1);
        let (wal, mut reader) = Wal::open(dir.path(), clock(), 1 << 20).unwrap();
        assert_eq!(depth(&wal), (4, 2 * size));
        wal.append(&[event(3)]).await.unwrap();
        let second = segment_len(dir.path(), 2);
        assert_eq!(depth(&wal), (5, size + second));
        let all = reader.read_batch(100).unwrap();
        assert_eq!(all.len(), 5);
        assert_eq!(all[1].next, WalPosition { segment: 1, offset: size });
        reader.checkpoint(all[1].next).unwrap();
        assert_eq!(depth(&wal), (3, second));
        reader.checkpoint(all[4].next).unwrap();
        assert_eq!(depth(&wal), (0, 0));
        assert!(!segment_path(dir.path(), 1).exists());
    }

    #[tokio::test]
    async fn checkpoints_delete_the_segments_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        // A segment is closed once it is larger than 100 bytes: two frames of one event each.
        let (wal, mut reader) = Wal::open_with(dir.path(), clock(), 1 << 20, 100).unwrap();
        for n in 0..10 {
            wal.append(&[event(n)]).await.unwrap();
        }
        let all = reader.read_batch(100).unwrap();
        assert_eq!(all.len(), 10);
        let frame = all[0].next.offset;
        assert!(frame > 50 && frame <= 100, "a frame of one event is {frame} bytes");
        assert_eq!(list_segments(dir.path()).unwrap(), vec![1, 2, 3, 4, 5]);
        assert_eq!(all[4].next, WalPosition { segment: 3, offset: frame });
        assert_eq!(wal.status().disk_bytes(), 10 * frame);
        // The fifth frame ends inside segment 3: segments 1 and 2 go, 3 stays.
        reader.checkpoint(all[4].next).unwrap();
        assert_eq!(list_segments(dir.path()).unwrap(), vec![3, 4, 5]);
        assert_eq!(wal.status().disk_bytes(), 6 * frame);
        assert_eq!(depth(&wal), (5, 5 * frame));
        reader.checkpoint(all[9].next).unwrap();
        assert_eq!(list_segments(dir.path()).unwrap(), vec![5]);
        assert_eq!(wal.status().disk_bytes(), 2 * frame);
        assert_eq!(depth(&wal), (0, 0));
        // Opened again, the log replays nothing and carries on in segment 5.
        drop((wal, reader));
        std::thread::sleep(Duration::from_millis(50));
        let (wal, mut reader) = Wal::open_with(dir.path(), clock(), 1 << 20, 100).unwrap();
        assert!(reader.read_batch(100).unwrap().is_empty());
        wal.append(&[event(10)]).await.unwrap();
        assert_eq!(list_segments(dir.path()).unwrap(), vec![5, 6]);
    }

    #[tokio::test]
    async fn concurrent_appends_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, mut reader) = Wal::open(dir.path(), clock(), 1 << 20).unwrap();
        let tasks: Vec<_> = (0..200)
            .map(|n| {
                let wal = wal.clone();
                tokio::spawn(async move { wal.append(&[event(n)]).await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let mut seen: Vec<u64> =
            reader.read_batch(1000).unwrap().iter().map(|e| e.events[0]["n"].as_u64().unwrap()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
    }
}
