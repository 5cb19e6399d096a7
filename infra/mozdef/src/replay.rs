//! Decoded sources of `mozdef send`: CloudTrail log files (`--cloudtrail DIR`) and GuardDuty
//! findings (`--guardduty FILE`) turned into MozDef events by the ingest pipeline's own
//! decoders ([`mozdef_pipeline::decode`]), as the SQS workers would have handed them to the
//! plugin chain.
//!
//! * `--cloudtrail DIR`: every `*.json.gz` file under `DIR` (recursively, in path order;
//!   symbolic links to files are read, links to directories are not followed; files under a
//!   `CloudTrail-Digest` directory are skipped, as the notification decoder skips them) is one
//!   record, decoded by [`CloudTrailDecoder::decode_object`] from [`LocalObjects`] rooted at
//!   `DIR`'s parent: the bucket is `DIR`'s name and the key the file's path below `DIR`, so
//!   `./AWSLogs/123456789012/CloudTrail/...json.gz` is `s3://AWSLogs/123456789012/CloudTrail/...`.
//! * `--guardduty FILE`: a JSON array of EventBridge events, one (possibly pretty-printed)
//!   event, or NDJSON with one event per line; each event is one record, decoded by
//!   [`guardduty::decode`].
//!
//! Decoding runs on a thread of its own, a few records ahead of the sender. Each event gets
//! `customendpoint: true` and `endpoint: <cloudtrail|guardduty>`, so that loginput's pipeline
//! skips the key mapping (the decoders already did MozDef's) and only runs the plugins, as
//! MozDef did for custom-endpoint events. A record that does not decode is handed back as a
//! [`Failure`] naming the file (and line or element) and the decoder's error; the others go on.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use mozdef_model::Document;
use mozdef_pipeline::NormalizeContext;
use mozdef_pipeline::decode::{CloudTrailDecoder, LocalObjects, S3ObjectRef, guardduty};
use serde_json::Value;
use tokio::sync::mpsc;

/// Decoded records buffered ahead of the sender.
const READ_AHEAD: usize = 8;
/// The directory of CloudTrail's integrity digests (no events).
const DIGEST_DIR: &str = "CloudTrail-Digest";

/// The kind of a decoded source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// CloudTrail log files.
    CloudTrail,
    /// GuardDuty findings in EventBridge events.
    GuardDuty,
}

impl Kind {
    /// The `endpoint` written on every event (and the default queue name).
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::CloudTrail => "cloudtrail",
            Kind::GuardDuty => "guardduty",
        }
    }
}

/// What to decode: the records of a source, read but not yet decoded.
#[derive(Debug)]
pub enum Plan {
    /// CloudTrail log files of one local bucket.
    CloudTrail {
        /// The directory holding the bucket directory.
        objects: LocalObjects,
        /// The bucket: the name of the `--cloudtrail` directory.
        bucket: String,
        /// Per file: where it is (for reports) and its key, or why it has none.
        files: Vec<(String, Result<String, String>)>,
    },
    /// GuardDuty EventBridge events.
    GuardDuty {
        /// Per event: where it is (`FILE:LINE` or `FILE: element N`) and its JSON text.
        bodies: Vec<(String, Vec<u8>)>,
    },
}

impl Plan {
    /// The CloudTrail log files under `dir`.
    ///
    /// # Errors
    ///
    /// When `dir` is not a readable directory (or is the file system root), its name is no
    /// usable bucket name, or it holds no log file.
    pub fn cloudtrail(dir: &Path) -> anyhow::Result<Plan> {
        let shown = dir.display();
        let full = dir.canonicalize().with_context(|| format!("--cloudtrail {shown}"))?;
        if !full.is_dir() {
            bail!("--cloudtrail {shown}: not a directory");
        }
        let (Some(root), Some(name)) = (full.parent(), full.file_name()) else {
            bail!("--cloudtrail {shown}: the file system root cannot be a bucket; name a directory below it");
        };
        let Some(bucket) = name.to_str().map(str::to_owned) else {
            bail!("--cloudtrail {shown}: the directory name is not UTF-8, so it cannot be a bucket name");
        };
        let objects = LocalObjects::new(root);
        if let Err(e) = objects.path_of(&bucket, "probe") {
            bail!("--cloudtrail {shown}: {e}");
        }
        let mut found = Vec::new();
        walk(&full, Path::new(""), &mut found)?;
        found.sort();
        let files: Vec<(String, Result<String, String>)> = found
            .into_iter()
            .filter(|rel| !rel.components().any(|c| c.as_os_str() == DIGEST_DIR))
            .map(|rel| (dir.join(&rel).display().to_string(), object_key(&rel)))
            .collect();
        if files.is_empty() {
            bail!("--cloudtrail {shown}: no CloudTrail log files (*.json.gz) found");
        }
        Ok(Plan::CloudTrail { objects, bucket, files })
    }

    /// The GuardDuty events of `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, starts like a JSON array but is not one, or holds no
    /// event.
    pub fn guardduty(path: &Path) -> anyhow::Result<Plan> {
        let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let bodies = split_events(&path.display().to_string(), &data)?;
        if bodies.is_empty() {
            bail!("--guardduty {}: no events in the file", path.display());
        }
        Ok(Plan::GuardDuty { bodies })
    }

    /// The kind of source.
    pub fn kind(&self) -> Kind {
        match self {
            Plan::CloudTrail { .. } => Kind::CloudTrail,
            Plan::GuardDuty { .. } => Kind::GuardDuty,
        }
    }

    /// The number of records (files or events) to decode.
    pub fn records(&self) -> usize {
        match self {
            Plan::CloudTrail { files, .. } => files.len(),
            Plan::GuardDuty { bodies } => bodies.len(),
        }
    }

    /// Starts decoding on a thread of its own; the events come out of the returned
    /// [`Replay`], at most `limit` of them (`None`: all). `queue` goes into the events'
    /// `tags`, `mozdefhostname` into their `mozdefhostname`.
    ///
    /// # Errors
    ///
    /// When the thread cannot be started.
    pub fn start(self, queue: String, mozdefhostname: String, limit: Option<u64>) -> anyhow::Result<Replay> {
        let (kind, records) = (self.kind(), self.records());
        let (tx, rx) = mpsc::channel(READ_AHEAD);
        std::thread::Builder::new()
            .name("mozdef-send-decode".to_owned())
            .spawn(move || self.decode_all(&queue, &mozdefhostname, &tx))
            .context("starting the decoder thread")?;
        Ok(Replay {
            rx,
            kind,
            buffer: VecDeque::new(),
            remaining: limit,
            records,
            decoded: 0,
            failures: Vec::new(),
            message: None,
        })
    }

    /// Decodes every record in order, until the receiver goes away.
    fn decode_all(self, queue: &str, mozdefhostname: &str, tx: &mpsc::Sender<Decoded>) {
        let ctx = || NormalizeContext { received: chrono::Utc::now(), mozdefhostname: mozdefhostname.to_owned() };
        match self {
            Plan::CloudTrail { objects, bucket, files } => {
                let decoder = CloudTrailDecoder::new(objects);
                for (location, key) in files {
                    let result = key.and_then(|key| {
                        let object = S3ObjectRef { bucket: bucket.clone(), key };
                        decoder.decode_object(&object, queue, &ctx()).map_err(|e| e.to_string())
                    });
                    if tx.blocking_send(Decoded { location, result }).is_err() {
                        return;
                    }
                }
            }
            Plan::GuardDuty { bodies } => {
                for (location, body) in bodies {
                    let result = guardduty::decode(&body, queue, &ctx()).map_err(|e| e.to_string());
                    if tx.blocking_send(Decoded { location, result }).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// The `*.json.gz` files below `dir` (whose path below the `--cloudtrail` directory is `rel`),
/// as paths below the `--cloudtrail` directory.
fn walk(dir: &Path, rel: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let name = entry.file_name();
        let path = entry.path();
        let file_type = entry.file_type().with_context(|| format!("reading {}", path.display()))?;
        if file_type.is_dir() {
            walk(&path, &rel.join(&name), found)?;
        } else if name.to_string_lossy().ends_with(".json.gz")
            && (file_type.is_file() || (file_type.is_symlink() && path.is_file()))
        {
            found.push(rel.join(&name));
        }
    }
    Ok(())
}

/// The object key of a file below the bucket directory: its path components joined by `/`.
fn object_key(rel: &Path) -> Result<String, String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|parts| parts.join("/")).ok_or_else(|| "the file name is not UTF-8, so it is no object key".to_owned())
}

/// The events of a GuardDuty findings file, each with its location: the elements of a JSON
/// array, a single JSON object (possibly spread over lines), or the non-blank lines of NDJSON.
fn split_events(name: &str, data: &[u8]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let Some(start) = data.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Ok(Vec::new());
    };
    let line_at = |offset: usize| 1 + data[..offset].iter().filter(|&&b| b == b'\n').count();
    match data[start] {
        b'[' => {
            let items: Vec<Value> = serde_json::from_slice(data)
                .with_context(|| format!("--guardduty {name}: starts with `[` but is not a JSON array"))?;
            Ok(items
                .iter()
                .enumerate()
                .map(|(n, item)| (format!("{name}: element {}", n + 1), serde_json::to_vec(item).unwrap_or_default()))
                .collect())
        }
        b'{' if serde_json::from_slice::<Value>(data).is_ok_and(|v| v.is_object()) => {
            Ok(vec![(format!("{name}:{}", line_at(start)), data[start..].trim_ascii_end().to_vec())])
        }
        _ => Ok(data
            .split(|&b| b == b'\n')
            .enumerate()
            .map(|(n, line)| (n, line.trim_ascii()))
            .filter(|(_, line)| !line.is_empty())
            .map(|(n, line)| (format!("{name}:{}", n + 1), line.to_vec()))
            .collect()),
    }
}

/// One decoded record.
#[derive(Debug)]
struct Decoded {
    location: String,
    result: Result<Vec<Document>, String>,
}

/// A record that did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The file, with `:LINE` or `: element N` for a GuardDuty event.
    pub location: String,
    /// The decoder's error.
    pub error: String,
}

/// The events of a running decode, in record order.
#[derive(Debug)]
pub struct Replay {
    rx: mpsc::Receiver<Decoded>,
    kind: Kind,
    buffer: VecDeque<Document>,
    /// Events still to hand out (`None`: no limit).
    remaining: Option<u64>,
    records: usize,
    decoded: usize,
    failures: Vec<Failure>,
    message: Option<String>,
}

impl Replay {
    /// The next event, marked as a custom-endpoint event; `None` once every record is decoded
    /// (or the limit is reached). Records that fail on the way are kept for
    /// [`Replay::take_failures`].
    pub async fn next_event(&mut self) -> Option<Value> {
        if self.remaining == Some(0) {
            return None;
        }
        loop {
            if let Some(mut event) = self.buffer.pop_front() {
                if let Some(left) = &mut self.remaining {
                    *left -= 1;
                }
                event.insert("customendpoint".to_owned(), Value::Bool(true));
                event.insert("endpoint".to_owned(), Value::String(self.kind.endpoint().to_owned()));
                return Some(Value::Object(event));
            }
            let Decoded { location, result } = self.rx.recv().await?;
            self.decoded += 1;
            let what = match self.kind {
                Kind::CloudTrail => "file",
                Kind::GuardDuty => "finding",
            };
            self.message = Some(format!("{what} {}/{}: {location}", self.decoded, self.records));
            match result {
                Ok(events) => self.buffer.extend(events),
                Err(error) => self.failures.push(Failure { location, error }),
            }
        }
    }

    /// The records that failed to decode since the last call.
    pub fn take_failures(&mut self) -> Vec<Failure> {
        std::mem::take(&mut self.failures)
    }

    /// Which record is being sent, when that changed since the last call.
    pub fn take_message(&mut self) -> Option<String> {
        self.message.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(text: &str) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = enc.write_all(text.as_bytes());
        enc.finish().unwrap_or_default()
    }

    fn locations(bodies: &[(String, Vec<u8>)]) -> Vec<&str> {
        bodies.iter().map(|(l, _)| l.as_str()).collect()
    }

    #[test]
    fn guardduty_files_are_arrays_single_objects_or_ndjson() {
        let ndjson = split_events("f", b"{\"a\":1}\n\n  \r\n{\"a\":2}\r\nnot json\n").unwrap_or_default();
        assert_eq!(locations(&ndjson), ["f:1", "f:4", "f:5"]);
        assert_eq!(ndjson[1].1, b"{\"a\":2}");

        let array = split_events("f", b" [{\"a\": 1}, 2]").unwrap_or_default();
        assert_eq!(locations(&array), ["f: element 1", "f: element 2"]);
        assert_eq!(array[0].1, b"{\"a\":1}");

        let pretty = split_events("f", b"\n{\n  \"a\": 1\n}\n").unwrap_or_default();
        assert_eq!(locations(&pretty), ["f:2"]);
        assert_eq!(pretty[0].1, b"{\n  \"a\": 1\n}");

        assert!(split_events("f", b"[{\"a\": 1},").is_err());
        assert!(split_events("f", b" \n").is_ok_and(|v| v.is_empty()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cloudtrail_directories_map_onto_a_local_bucket() {
        let dir = tempfile::tempdir();
        assert!(dir.is_ok());
        let Ok(dir) = dir else { return };
        let trail = dir.path().join("trail");
        let record = |name: &str| {
            format!(
                r#"{{"Records": [{{"eventName": "{name}", "eventSource": "s3.amazonaws.com", "sourceIPAddress": "192.0.2.1", "eventTime": "2026-11-23T09:51:05Z"}}]}}"#
            )
        };
        for (rel, body) in [
            ("AWSLogs/1/CloudTrail/b.json.gz", gzip(&record("ListBuckets"))),
            ("AWSLogs/1/CloudTrail/a.json.gz", gzip(&record("GetObject"))),
            ("AWSLogs/1/CloudTrail/c.json.gz", b"not gzip".to_vec()),
            ("AWSLogs/1/CloudTrail/notes.txt", b"ignored".to_vec()),
            ("AWSLogs/1/CloudTrail-Digest/d.json.gz", gzip("{}")),
        ] {
            let path = trail.join(rel);
            assert!(path.parent().is_some_and(|p| std::fs::create_dir_all(p).is_ok()));
            assert!(std::fs::write(&path, body).is_ok());
        }
        let plan = Plan::cloudtrail(&trail);
        assert!(plan.is_ok(), "{plan:?}");
        let Ok(plan) = plan else { return };
        let Plan::CloudTrail { bucket, files, .. } = &plan else { return };
        assert_eq!(bucket, "trail");
        let keys: Vec<&str> = files.iter().filter_map(|(_, k)| k.as_deref().ok()).collect();
        assert_eq!(
            keys,
            ["AWSLogs/1/CloudTrail/a.json.gz", "AWSLogs/1/CloudTrail/b.json.gz", "AWSLogs/1/CloudTrail/c.json.gz"]
        );

        let replay = plan.start("q".to_owned(), "h".to_owned(), None);
        assert!(replay.is_ok());
        let Ok(mut replay) = replay else { return };
        let mut summaries = Vec::new();
        while let Some(event) = replay.next_event().await {
            assert_eq!(event["customendpoint"], true);
            assert_eq!(event["endpoint"], "cloudtrail");
            assert_eq!(event["tags"], serde_json::json!(["q"]));
            summaries.push(event["summary"].as_str().unwrap_or_default().to_owned());
        }
        assert_eq!(
            summaries,
            [
                "192.0.2.1 performed GetObject in s3.amazonaws.com",
                "192.0.2.1 performed ListBuckets in s3.amazonaws.com"
            ]
        );
        let failures = replay.take_failures();
        assert_eq!(failures.len(), 1);
        assert!(failures[0].location.ends_with("c.json.gz"), "{failures:?}");
        assert!(failures[0].error.contains("s3://trail/AWSLogs/1/CloudTrail/c.json.gz"), "{failures:?}");

        let digests = dir.path().join("digests/AWSLogs/1/CloudTrail-Digest");
        assert!(std::fs::create_dir_all(&digests).is_ok());
        assert!(std::fs::write(digests.join("d.json.gz"), gzip("{}")).is_ok());
        assert!(Plan::cloudtrail(&dir.path().join("digests")).is_err(), "digests only: no log files");
        assert!(Plan::cloudtrail(&dir.path().join("missing")).is_err());
    }
}
