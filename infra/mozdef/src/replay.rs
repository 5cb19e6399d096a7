//! Decoded sources of `mozdef send`: AWS logs and findings turned into MozDef events by the
//! ingest pipeline's own decoders ([`mozdef_pipeline::decode`]), as the ingest Lambda would
//! have handed them to the plugin chain.
//!
//! | flag | input | decoder | `endpoint` of the events | default queue (`tags`) |
//! |---|---|---|---|---|
//! | `--aws-logs DIR` | a bucket as AWS delivers logs to S3 | [`S3LogDecoder::decode_object`] | the format's [`S3LogFormat::name`]: `cloudtrail`, `vpcflowlogs`, `alb`, `nlb`, `waf`, `route53resolver` | `aws-logs` |
//! | `--cloudtrail DIR` | the same, `*.json.gz` files only | the same | the same (`cloudtrail` for CloudTrail's keys) | `cloudtrail` |
//! | `--eventbridge FILE` | EventBridge events, each decoded by its `source` | `aws.guardduty`: [`guardduty::decode`]; `aws.securityhub`: [`security_hub::decode`] | `guardduty`, `securityhub` | `eventbridge` |
//! | `--guardduty FILE` | the same | the same | the same | `guardduty` |
//! | `--cloudwatch-logs FILE` | CloudWatch Logs subscription records `{"awslogs": {"data": ...}}` | [`cloudwatch_logs::decode`] with the `--cloudwatch-parsers` rules | `cloudwatchlogs` | none: that decoder tags no queue |
//!
//! * A bucket `DIR` is laid out as AWS writes it: `[<prefix>/]AWSLogs/<account>/<service>/
//!   <region>/YYYY/MM/DD/<object>` (organisation trails: `AWSLogs/<org>/<account>/...`). Every
//!   file below `DIR` (recursively, in path order; symbolic links to files are read, links to
//!   directories are not followed) is one object read through [`LocalObjects`] rooted at
//!   `DIR`'s parent: the bucket is `DIR`'s name and the key the file's path below `DIR`, so
//!   `./AWSLogs/123456789012/CloudTrail/...json.gz` is `s3://AWSLogs/123456789012/CloudTrail/...`.
//!   Files under a `CloudTrail-Digest` directory (integrity digests, no events) are skipped, as
//!   the notification decoder skips them. The decoder reads any key of no known service as
//!   CloudTrail, so `--aws-logs` only replays the keys [`S3LogFormat::of_key`] routes to another
//!   format (or refuses: Parquet flow logs, Classic Load Balancer logs, which then fail) and
//!   `*.json.gz` files (CloudTrail delivers nothing else); `--cloudtrail` only `*.json.gz`
//!   files. What is skipped is reported once, in [`Plan::skipped`].
//! * A `FILE` holds a JSON array of records, one (possibly pretty-printed) record, or NDJSON
//!   with one record per line. An EventBridge event or a subscription record may be wrapped in
//!   an SNS envelope where its decoder reads one.
//!
//! Decoding runs on a thread of its own, a few chunks ahead of the sender: an object's events
//! are handed over in chunks of [`CHUNK_EVENTS`] as they are decoded, so no object is held
//! whole. Each event gets `customendpoint: true` and its `endpoint`, so that loginput's
//! pipeline skips the key mapping (the decoders already did MozDef's) and only runs the
//! plugins, as MozDef did for custom-endpoint events. A record (file or event) that does not
//! decode, and a line or log event that cannot be parsed ([`Entry::Unparsed`]), is handed back
//! as a [`Failure`] naming the file (with the line or element of a record, or the decoder's
//! place of an unparsed entry) and the reason; the others go on.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use mozdef_model::Document;
use mozdef_pipeline::NormalizeContext;
use mozdef_pipeline::decode::aws_logs::cloudwatch_logs::{self, LogGroupParsers};
use mozdef_pipeline::decode::aws_logs::{S3LogDecoder, S3LogFormat, security_hub};
use mozdef_pipeline::decode::{CloudTrailDecoder, DecodeError, Entry, LocalObjects, S3ObjectRef, guardduty};
use serde_json::Value;
use tokio::sync::mpsc;

/// Messages (chunks of events, failures, record starts) buffered ahead of the sender.
const READ_AHEAD: usize = 8;
/// The most events handed to the sender at once.
pub const CHUNK_EVENTS: usize = 1_000;
/// The directory of CloudTrail's integrity digests (no events).
const DIGEST_DIR: &str = "CloudTrail-Digest";
/// The `endpoint` of events decoded from CloudWatch Logs.
const CLOUDWATCH_ENDPOINT: &str = "cloudwatchlogs";

/// A decoder of one EventBridge source.
type EventDecoder = fn(&[u8], &str, &NormalizeContext) -> Result<Vec<Document>, DecodeError>;

/// The EventBridge sources decoded: `source`, the `endpoint` of its events, its decoder.
const EVENT_SOURCES: [(&str, &str, EventDecoder); 2] =
    [("aws.guardduty", "guardduty", guardduty::decode), ("aws.securityhub", "securityhub", security_hub::decode)];

/// The kind of a decoded source: which flag asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `--cloudtrail DIR`: CloudTrail log files (`*.json.gz`) of a local bucket.
    CloudTrail,
    /// `--aws-logs DIR`: every S3-delivered AWS log of a local bucket.
    AwsLogs,
    /// `--guardduty FILE`: EventBridge events (GuardDuty findings).
    GuardDuty,
    /// `--eventbridge FILE`: EventBridge events of the supported sources.
    EventBridge,
    /// `--cloudwatch-logs FILE`: CloudWatch Logs subscription records.
    CloudWatchLogs,
}

impl Kind {
    /// The command-line flag, for messages.
    pub fn flag(self) -> &'static str {
        match self {
            Kind::CloudTrail => "--cloudtrail",
            Kind::AwsLogs => "--aws-logs",
            Kind::GuardDuty => "--guardduty",
            Kind::EventBridge => "--eventbridge",
            Kind::CloudWatchLogs => "--cloudwatch-logs",
        }
    }

    /// The default queue name the decoders put in `tags`.
    pub fn queue(self) -> &'static str {
        match self {
            Kind::CloudTrail => "cloudtrail",
            Kind::AwsLogs => "aws-logs",
            Kind::GuardDuty => "guardduty",
            Kind::EventBridge => "eventbridge",
            Kind::CloudWatchLogs => CLOUDWATCH_ENDPOINT,
        }
    }

    /// What one record is, for progress messages.
    fn record(self) -> &'static str {
        match self {
            Kind::CloudTrail | Kind::AwsLogs => "file",
            Kind::GuardDuty => "finding",
            Kind::EventBridge => "event",
            Kind::CloudWatchLogs => "payload",
        }
    }
}

/// What to decode: the records of a source, found but not yet decoded.
#[derive(Debug)]
pub struct Plan {
    kind: Kind,
    records: Records,
    /// The one line saying which files were skipped, if any were.
    skipped: Option<String>,
}

/// The records of a plan.
#[derive(Debug)]
enum Records {
    /// Log objects of one local bucket.
    Objects {
        /// The directory holding the bucket directory.
        objects: LocalObjects,
        /// The bucket: the name of the directory.
        bucket: String,
        /// Per file: where it is (for reports) and its key, or why it has none.
        files: Vec<(String, Result<String, String>)>,
    },
    /// EventBridge events, each decoded by its `source`.
    EventBridge {
        /// Per event: where it is (`FILE:LINE` or `FILE: element N`) and its JSON text.
        bodies: Vec<(String, Vec<u8>)>,
    },
    /// CloudWatch Logs subscription records.
    CloudWatchLogs {
        /// Which parser reads which log group.
        parsers: LogGroupParsers,
        /// Per record: where it is and its JSON text.
        bodies: Vec<(String, Vec<u8>)>,
    },
}

impl Plan {
    /// The CloudTrail log files (`*.json.gz`) of the bucket `dir`.
    ///
    /// # Errors
    ///
    /// When `dir` is not a readable directory (or is the file system root), its name is no
    /// usable bucket name, or it holds no log file.
    pub fn cloudtrail(dir: &Path) -> anyhow::Result<Plan> {
        Plan::bucket(Kind::CloudTrail, dir)
    }

    /// The AWS log files of the bucket `dir` (see the module documentation).
    ///
    /// # Errors
    ///
    /// As [`Plan::cloudtrail`].
    pub fn aws_logs(dir: &Path) -> anyhow::Result<Plan> {
        Plan::bucket(Kind::AwsLogs, dir)
    }

    /// The EventBridge events of `path`, for `--guardduty`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, starts like a JSON array but is not one, or holds no
    /// event.
    pub fn guardduty(path: &Path) -> anyhow::Result<Plan> {
        Plan::eventbridge_of(Kind::GuardDuty, path)
    }

    /// The EventBridge events of `path`.
    ///
    /// # Errors
    ///
    /// As [`Plan::guardduty`].
    pub fn eventbridge(path: &Path) -> anyhow::Result<Plan> {
        Plan::eventbridge_of(Kind::EventBridge, path)
    }

    /// The CloudWatch Logs subscription records of `path`, their messages read by `parsers`.
    ///
    /// # Errors
    ///
    /// As [`Plan::guardduty`].
    pub fn cloudwatch_logs(path: &Path, parsers: LogGroupParsers) -> anyhow::Result<Plan> {
        let bodies = read_bodies(Kind::CloudWatchLogs, path)?;
        Ok(Plan { kind: Kind::CloudWatchLogs, records: Records::CloudWatchLogs { parsers, bodies }, skipped: None })
    }

    fn eventbridge_of(kind: Kind, path: &Path) -> anyhow::Result<Plan> {
        let bodies = read_bodies(kind, path)?;
        Ok(Plan { kind, records: Records::EventBridge { bodies }, skipped: None })
    }

    /// The objects of the bucket `dir` that `kind` replays.
    fn bucket(kind: Kind, dir: &Path) -> anyhow::Result<Plan> {
        let (flag, shown) = (kind.flag(), dir.display());
        let full = dir.canonicalize().with_context(|| format!("{flag} {shown}"))?;
        if !full.is_dir() {
            bail!("{flag} {shown}: not a directory");
        }
        let (Some(root), Some(name)) = (full.parent(), full.file_name()) else {
            bail!("{flag} {shown}: the file system root cannot be a bucket; name a directory below it");
        };
        let Some(bucket) = name.to_str().map(str::to_owned) else {
            bail!("{flag} {shown}: the directory name is not UTF-8, so it cannot be a bucket name");
        };
        let objects = LocalObjects::new(root);
        if let Err(e) = objects.path_of(&bucket, "probe") {
            bail!("{flag} {shown}: {e}");
        }
        let mut found = Vec::new();
        walk(&full, Path::new(""), &mut found)?;
        found.sort();
        let mut files = Vec::new();
        let mut skipped = Skipped::default();
        for rel in found {
            let location = dir.join(&rel).display().to_string();
            match skip_reason(kind, &rel) {
                None => files.push((location, object_key(&rel))),
                Some(reason) => skipped.add(reason, location),
            }
        }
        if files.is_empty() {
            let wanted = match kind {
                Kind::CloudTrail => "CloudTrail log files (*.json.gz)",
                _ => "AWS log files (AWSLogs/<account>/<service>/... or *.json.gz)",
            };
            bail!("{flag} {shown}: no {wanted} found");
        }
        let skipped = skipped.summary(kind, &shown.to_string());
        Ok(Plan { kind, records: Records::Objects { objects, bucket, files }, skipped })
    }

    /// The kind of source.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The number of records (files or JSON records) to decode.
    pub fn records(&self) -> usize {
        match &self.records {
            Records::Objects { files, .. } => files.len(),
            Records::EventBridge { bodies } | Records::CloudWatchLogs { bodies, .. } => bodies.len(),
        }
    }

    /// One line saying which files of a bucket were skipped (digests, files that are no log
    /// object), when any were.
    pub fn skipped(&self) -> Option<&str> {
        self.skipped.as_deref()
    }

    /// Starts decoding on a thread of its own; the events come out of the returned
    /// [`Replay`], at most `limit` of them (`None`: all). `queue` goes into the events'
    /// `tags` (except CloudWatch Logs events'), `mozdefhostname` into their `mozdefhostname`.
    ///
    /// # Errors
    ///
    /// When the thread cannot be started.
    pub fn start(self, queue: String, mozdefhostname: String, limit: Option<u64>) -> anyhow::Result<Replay> {
        let (kind, records) = (self.kind, self.records());
        let (tx, rx) = mpsc::channel(READ_AHEAD);
        std::thread::Builder::new()
            .name("mozdef-send-decode".to_owned())
            .spawn(move || self.records.decode_all(&queue, &mozdefhostname, &tx))
            .context("starting the decoder thread")?;
        Ok(Replay { rx, kind, chunk: None, remaining: limit, records, decoded: 0, failures: Vec::new(), message: None })
    }
}

impl Records {
    /// Decodes every record in order, until the receiver goes away.
    fn decode_all(self, queue: &str, mozdefhostname: &str, tx: &mpsc::Sender<Decoded>) {
        let ctx = || NormalizeContext { received: chrono::Utc::now(), mozdefhostname: mozdefhostname.to_owned() };
        let mut out = Emitter::new(tx);
        match self {
            Records::Objects { objects, bucket, files } => {
                let decoder = S3LogDecoder::new(CloudTrailDecoder::new(objects));
                out.each(files, |key, location, out| {
                    let key = key?;
                    // a key no decoder reads fails in decode_object, before any entry
                    let endpoint = S3LogFormat::of_key(&key).map_or("", S3LogFormat::name);
                    let object = S3ObjectRef { bucket: bucket.clone(), key };
                    decoder
                        .decode_object(&object, queue, &ctx(), &mut |entry| out.entry(endpoint, location, entry))
                        .map(drop)
                        .map_err(|e| e.to_string())
                });
            }
            Records::EventBridge { bodies } => out.each(bodies, |body, _, out| {
                let (endpoint, decode) = eventbridge_decoder(&body)?;
                let events = decode(&body, queue, &ctx()).map_err(|e| e.to_string())?;
                events.into_iter().for_each(|event| out.event(endpoint, event));
                Ok(())
            }),
            Records::CloudWatchLogs { parsers, bodies } => out.each(bodies, |body, location, out| {
                let payload = cloudwatch_logs::decode(&body, &parsers, &ctx()).map_err(|e| e.to_string())?;
                payload.entries.into_iter().for_each(|(_, entry)| out.entry(CLOUDWATCH_ENDPOINT, location, entry));
                Ok(())
            }),
        }
        out.flush();
    }
}

/// The `endpoint` and decoder of an EventBridge event, by its `source` (that of the event in
/// an SNS envelope).
fn eventbridge_decoder(body: &[u8]) -> Result<(&'static str, EventDecoder), String> {
    let supported = || EVENT_SOURCES.map(|(source, _, _)| source).join(", ");
    let source = event_source(body).map_err(|problem| format!("{problem} (supported sources: {})", supported()))?;
    EVENT_SOURCES
        .iter()
        .find(|(known, _, _)| *known == source)
        .map(|&(_, endpoint, decode)| (endpoint, decode))
        .ok_or_else(|| format!("unsupported EventBridge source {source:?} (supported sources: {})", supported()))
}

/// The `source` of an EventBridge event, bare or in an SNS envelope.
fn event_source(body: &[u8]) -> Result<String, String> {
    let mut event: Value =
        serde_json::from_slice(body).map_err(|e| format!("the EventBridge event is not valid JSON: {e}"))?;
    let is_envelope =
        event.get("Message").is_some() && (event.get("Type").is_some() || event.get("TopicArn").is_some());
    if is_envelope {
        let message = event["Message"].as_str().ok_or("the SNS envelope's `Message` is not a string")?;
        event = serde_json::from_str(message)
            .map_err(|e| format!("the SNS Message of the EventBridge event is not valid JSON: {e}"))?;
    }
    if !event.is_object() {
        return Err("the EventBridge event is not a JSON object".to_owned());
    }
    match event.get("source") {
        Some(Value::String(source)) => Ok(source.clone()),
        Some(other) => Err(format!("the EventBridge event's `source` must be a string, got {other}")),
        None => Err("the EventBridge event has no `source`".to_owned()),
    }
}

/// Why `kind` does not replay the file `rel` (its path below the bucket), if it does not.
fn skip_reason(kind: Kind, rel: &Path) -> Option<Skip> {
    if rel.components().any(|c| c.as_os_str() == DIGEST_DIR) {
        return Some(Skip::Digest);
    }
    let key = rel.to_string_lossy();
    let routed = kind == Kind::AwsLogs && S3LogFormat::of_key(&key) != Ok(S3LogFormat::CloudTrail);
    (!routed && !key.ends_with(".json.gz")).then_some(Skip::NotALog)
}

/// Why a file of a bucket is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// Under a `CloudTrail-Digest` directory.
    Digest,
    /// Not a log object the kind replays.
    NotALog,
}

/// The skipped files of a bucket: how many of each reason, and the first of the others.
#[derive(Debug, Default)]
struct Skipped {
    digests: usize,
    others: usize,
    first_other: Option<String>,
}

impl Skipped {
    fn add(&mut self, reason: Skip, location: String) {
        match reason {
            Skip::Digest => self.digests += 1,
            Skip::NotALog => {
                self.others += 1;
                self.first_other.get_or_insert(location);
            }
        }
    }

    /// E.g. `--aws-logs b: skipped 2 files: 1 CloudTrail digest, 1 not an AWS log (first: b/x.txt)`.
    fn summary(&self, kind: Kind, dir: &str) -> Option<String> {
        let mut parts = Vec::new();
        if self.digests > 0 {
            parts.push(format!("{} CloudTrail digest", self.digests));
        }
        if let Some(first) = &self.first_other {
            let what = if kind == Kind::CloudTrail { "not *.json.gz" } else { "not an AWS log" };
            parts.push(format!("{} {what} (first: {first})", self.others));
        }
        let total = self.digests + self.others;
        (total > 0).then(|| format!("{} {dir}: skipped {total} files: {}", kind.flag(), parts.join(", ")))
    }
}

/// The files below `dir` (whose path below the bucket directory is `rel`), as paths below the
/// bucket directory: regular files and symbolic links to files; links to directories are not
/// followed.
fn walk(dir: &Path, rel: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let name = entry.file_name();
        let path = entry.path();
        let file_type = entry.file_type().with_context(|| format!("reading {}", path.display()))?;
        if file_type.is_dir() {
            walk(&path, &rel.join(&name), found)?;
        } else if file_type.is_file() || (file_type.is_symlink() && path.is_file()) {
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

/// The JSON records of the `kind` file `path` (see [`split_events`]).
fn read_bodies(kind: Kind, path: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let (flag, shown) = (kind.flag(), path.display());
    let data = std::fs::read(path).with_context(|| format!("{flag} {shown}: reading the file"))?;
    let bodies = split_events(&shown.to_string(), &data).with_context(|| flag.to_owned())?;
    if bodies.is_empty() {
        bail!("{flag} {shown}: no records in the file");
    }
    Ok(bodies)
}

/// The records of a file, each with its location: the elements of a JSON array, a single JSON
/// object (possibly spread over lines), or the non-blank lines of NDJSON.
fn split_events(name: &str, data: &[u8]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let Some(start) = data.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Ok(Vec::new());
    };
    let line_at = |offset: usize| 1 + data[..offset].iter().filter(|&&b| b == b'\n').count();
    match data[start] {
        b'[' => {
            let items: Vec<Value> = serde_json::from_slice(data)
                .with_context(|| format!("{name}: starts with `[` but is not a JSON array"))?;
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

/// What the decoder thread hands the sender, in order.
#[derive(Debug)]
enum Decoded {
    /// The decoding of a record begins: its location.
    Record(String),
    /// Events of one `endpoint`, at most [`CHUNK_EVENTS`].
    Events { endpoint: &'static str, events: Vec<Document> },
    /// A record, line or log event that did not decode.
    Failure(Failure),
}

/// The decoder thread's side of the channel: gathers events into chunks and sends them, the
/// failures and the record starts in order, until the receiver goes away.
struct Emitter<'a> {
    tx: &'a mpsc::Sender<Decoded>,
    endpoint: &'static str,
    chunk: Vec<Document>,
    /// Whether the receiver is still there.
    open: bool,
}

impl<'a> Emitter<'a> {
    fn new(tx: &'a mpsc::Sender<Decoded>) -> Self {
        Emitter { tx, endpoint: "", chunk: Vec::new(), open: true }
    }

    /// Decodes each `(location, record)` with `decode` (whose error is the record's failure),
    /// until the receiver goes away.
    fn each<T>(&mut self, records: Vec<(String, T)>, mut decode: impl FnMut(T, &str, &mut Self) -> Result<(), String>) {
        for (location, record) in records {
            self.flush();
            self.send(Decoded::Record(location.clone()));
            if let Err(error) = decode(record, &location, self) {
                self.fail(&location, error);
            }
            if !self.open {
                return;
            }
        }
    }

    /// One decoded event of `endpoint`.
    fn event(&mut self, endpoint: &'static str, event: Document) {
        if !self.open {
            return;
        }
        if endpoint != self.endpoint {
            self.flush();
            self.endpoint = endpoint;
        }
        self.chunk.push(event);
        if self.chunk.len() >= CHUNK_EVENTS {
            self.flush();
        }
    }

    /// One entry of the record at `location`: an event, or a failure.
    fn entry(&mut self, endpoint: &'static str, location: &str, entry: Entry) {
        match entry {
            Entry::Event(event) => self.event(endpoint, event),
            Entry::Unparsed(unparsed) => self.fail(location, unparsed.reason),
        }
    }

    fn fail(&mut self, location: &str, error: String) {
        self.flush();
        self.send(Decoded::Failure(Failure { location: location.to_owned(), error }));
    }

    /// Sends the events gathered so far.
    fn flush(&mut self) {
        if !self.chunk.is_empty() {
            let events = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_EVENTS));
            self.send(Decoded::Events { endpoint: self.endpoint, events });
        }
    }

    fn send(&mut self, message: Decoded) {
        if self.open {
            self.open = self.tx.blocking_send(message).is_ok();
        }
    }
}

/// A record, line or log event that did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The file, with `:LINE` or `: element N` for a JSON record.
    pub location: String,
    /// The decoder's error, or the reason of an unparsed entry (which names its line or log
    /// event).
    pub error: String,
}

/// The events of a running decode, in record order.
#[derive(Debug)]
pub struct Replay {
    rx: mpsc::Receiver<Decoded>,
    kind: Kind,
    /// The chunk being handed out, with its `endpoint`.
    chunk: Option<(&'static str, std::vec::IntoIter<Document>)>,
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
            if let Some((endpoint, events)) = &mut self.chunk
                && let Some(mut event) = events.next()
            {
                if let Some(left) = &mut self.remaining {
                    *left -= 1;
                }
                event.insert("customendpoint".to_owned(), Value::Bool(true));
                event.insert("endpoint".to_owned(), Value::String((*endpoint).to_owned()));
                return Some(Value::Object(event));
            }
            match self.rx.recv().await? {
                Decoded::Record(location) => {
                    self.decoded += 1;
                    let what = self.kind.record();
                    self.message = Some(format!("{what} {}/{}: {location}", self.decoded, self.records));
                }
                Decoded::Events { endpoint, events } => self.chunk = Some((endpoint, events.into_iter())),
                Decoded::Failure(failure) => self.failures.push(failure),
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
pub(crate) mod tests {
    use super::*;
    use base64::Engine;
    use serde_json::json;
    use std::io::Write;

    fn gzip(text: &str) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = enc.write_all(text.as_bytes());
        enc.finish().unwrap_or_default()
    }

    fn locations(bodies: &[(String, Vec<u8>)]) -> Vec<&str> {
        bodies.iter().map(|(l, _)| l.as_str()).collect()
    }

    /// Every event of a replay (endpoint, summary, tags) and its failures.
    async fn drain(plan: Plan, queue: &str) -> (Vec<(String, String, Value)>, Vec<Failure>) {
        let replay = plan.start(queue.to_owned(), "h".to_owned(), None);
        assert!(replay.is_ok());
        let Ok(mut replay) = replay else { return (Vec::new(), Vec::new()) };
        let mut events = Vec::new();
        while let Some(event) = replay.next_event().await {
            assert_eq!(event["customendpoint"], true, "{event}");
            let text = |key: &str| event[key].as_str().unwrap_or_default().to_owned();
            events.push((text("endpoint"), text("summary"), event["tags"].clone()));
        }
        (events, replay.take_failures())
    }

    fn write(path: &Path, body: &[u8]) {
        assert!(path.parent().is_some_and(|p| std::fs::create_dir_all(p).is_ok()));
        assert!(std::fs::write(path, body).is_ok(), "{}", path.display());
    }

    /// The objects of [`aws_logs_bucket`]: key below the bucket, and its lines (each line of AWS's
    /// documented formats, written by hand).
    pub(crate) const AWS_LOG_OBJECTS: [(&str, &[&str]); 9] = [
        (
            "AWSLogs/123456789012/CloudTrail/us-east-1/2026/12/07/123456789012_CloudTrail_us-east-1_20261207T1000Z_Yx1.json.gz",
            &[
                r#"{"Records": [{"eventVersion": "1.08", "eventTime": "2026-12-07T09:58:12Z", "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.1", "userAgent": "aws-cli/2.13.5", "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "123456789012"}}]}"#,
            ],
        ),
        (
            "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/12/07/123456789012_CloudTrail-Digest_us-east-1_main_us-east-1_20261207T100000Z.json.gz",
            &[r#"{"awsAccountId": "123456789012", "digestStartTime": "2026-12-07T09:00:00Z", "logFiles": []}"#],
        ),
        (
            "AWSLogs/123456789012/WAFLogs/us-east-1/my-web-acl/2026/12/07/10/05/123456789012_waflogs_us-east-1_my-web-acl_20261207T1005Z_a1b2c3d4.log.gz",
            &[
                r#"{"timestamp":1796637902000,"formatVersion":1,"webaclId":"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/my-web-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111","terminatingRuleId":"AWS-AWSManagedRulesSQLiRuleSet","terminatingRuleType":"MANAGED_RULE_GROUP","action":"BLOCK","terminatingRuleMatchDetails":[],"httpSourceName":"ALB","httpSourceId":"123456789012-app/my-loadbalancer/50dc6c495c0c9188","ruleGroupList":[],"rateBasedRuleList":[],"nonTerminatingMatchingRules":[],"requestHeadersInserted":null,"responseCodeSent":null,"httpRequest":{"clientIp":"203.0.113.9","country":"US","headers":[{"name":"Host","value":"www.example.com"},{"name":"User-Agent","value":"sqlmap/1.7"}],"uri":"/login","args":"id=1%27%20OR%201=1","httpVersion":"HTTP/1.1","httpMethod":"GET","requestId":"1-58337262-36d228ad5d99923122bbe354"}}"#,
            ],
        ),
        (
            "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_20180702T2225Z_192.168.131.39_2x5p4yrh.log.gz",
            &[
                r#"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90"#,
                "http this-is-not-an-access-log-line",
            ],
        ),
        (
            "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/12/20/123456789012_elasticloadbalancing_us-east-2_net.my-network-loadbalancer.c6e77e28c25b2234_20181220T0300Z_2e1f3c4b.log.gz",
            &[
                "tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - - 2018-12-20T02:59:30",
            ],
        ),
        ("AWSLogs/123456789012/notes.txt", &["delivery notes, not a log"]),
        (
            "AWSLogs/123456789012/vpcdnsquerylogs/vpc-0123456789abcdef0/2026/12/07/123456789012_vpcdnsquerylogs_vpc-0123456789abcdef0_20261207T1000Z_5f1e2d3c.log.gz",
            &[
                r#"{"version":"1.100000","account_id":"123456789012","region":"us-east-1","vpc_id":"vpc-0123456789abcdef0","query_timestamp":"2026-12-07T10:00:01Z","query_name":"example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"93.184.216.34","Type":"A","Class":"IN"}],"srcaddr":"10.0.1.25","srcport":"51234","transport":"UDP","srcids":{"instance":"i-0abcdef1234567890"}}"#,
            ],
        ),
        (
            "AWSLogs/o-aa111bb222/111122223333/CloudTrail/eu-west-1/2026/12/07/111122223333_CloudTrail_eu-west-1_20261207T1005Z_Zq2.json.gz",
            &[
                r#"{"Records": [{"eventVersion": "1.08", "eventTime": "2026-12-07T10:01:40Z", "eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "console.amazonaws.com", "userIdentity": {"type": "Root", "accountId": "111122223333"}}]}"#,
            ],
        ),
        (
            "flows/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/12/07/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20261207T1000Z_e5f6a7b8.log.gz",
            &[
                "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
                "2 123456789012 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1796637600 1796637660 ACCEPT OK",
            ],
        ),
    ];

    /// A bucket directory `bucket` below `root` holding [`AWS_LOG_OBJECTS`], each gzipped.
    pub(crate) fn aws_logs_bucket(root: &Path) -> PathBuf {
        let bucket = root.join("logs-bucket");
        for (key, lines) in AWS_LOG_OBJECTS {
            let text = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
            let body = if key.ends_with(".gz") { gzip(&text) } else { text.into_bytes() };
            write(&bucket.join(key), &body);
        }
        bucket
    }

    /// The `endpoint` of each event replayed from [`aws_logs_bucket`], in path order.
    pub(crate) const AWS_LOG_ENDPOINTS: [&str; 7] =
        ["cloudtrail", "waf", "alb", "nlb", "route53resolver", "cloudtrail", "vpcflowlogs"];

    /// A text that each event's summary holds, in the same order: the actor's address, or
    /// the query of a DNS log.
    const AWS_LOG_SUMMARIES: [&str; 7] =
        ["192.0.2.1", "203.0.113.9", "192.168.131.39", "72.21.218.154", "example.com", "198.51.100.7", "172.31.16.139"];

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
        let Records::Objects { bucket, files, .. } = &plan.records else { return };
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn aws_logs_buckets_replay_every_format_by_its_key() {
        let dir = tempfile::tempdir();
        assert!(dir.is_ok());
        let Ok(dir) = dir else { return };
        let bucket = aws_logs_bucket(dir.path());
        let plan = Plan::aws_logs(&bucket);
        assert!(plan.is_ok(), "{plan:?}");
        let Ok(plan) = plan else { return };
        assert_eq!((plan.kind(), plan.records()), (Kind::AwsLogs, 7), "9 files, a digest and notes.txt skipped");
        let skipped = plan.skipped().unwrap_or_default();
        assert!(skipped.starts_with("--aws-logs "), "{skipped}");
        assert!(skipped.contains("skipped 2 files: 1 CloudTrail digest, 1 not an AWS log"), "{skipped}");
        assert!(skipped.contains("notes.txt"), "{skipped}");

        let (events, failures) = drain(plan, Kind::AwsLogs.queue()).await;
        let endpoints: Vec<&str> = events.iter().map(|(e, _, _)| e.as_str()).collect();
        assert_eq!(endpoints, AWS_LOG_ENDPOINTS);
        for ((_, summary, tags), expected) in events.iter().zip(AWS_LOG_SUMMARIES) {
            assert!(summary.contains(expected), "{summary:?} should name {expected}");
            assert!(tags.as_array().is_some_and(|t| t.contains(&json!("aws-logs"))), "{tags}");
        }
        assert_eq!(failures.len(), 1, "the ALB file's second line: {failures:?}");
        assert!(failures[0].location.ends_with("2x5p4yrh.log.gz"), "{failures:?}");
        assert!(failures[0].error.contains("line 2"), "{failures:?}");

        // --cloudtrail takes the *.json.gz files only, the digest still left out
        let plan = Plan::cloudtrail(&bucket);
        assert!(plan.as_ref().is_ok_and(|p| p.records() == 2), "{plan:?}");
        let skipped = plan.as_ref().ok().and_then(Plan::skipped).unwrap_or_default();
        assert!(skipped.contains("skipped 7 files: 1 CloudTrail digest, 6 not *.json.gz"), "{skipped}");
    }

    #[test]
    fn events_go_over_in_chunks_of_one_endpoint() {
        let (tx, mut rx) = mpsc::channel(READ_AHEAD);
        let sender = std::thread::spawn(move || {
            let mut out = Emitter::new(&tx);
            for n in 0..2 * CHUNK_EVENTS + 10 {
                out.event("vpcflowlogs", Document::from_iter([("n".to_owned(), json!(n))]));
            }
            out.event("waf", Document::new());
            out.fail("f", "bad".to_owned());
            out.flush();
        });
        let mut messages = Vec::new();
        while let Some(message) = rx.blocking_recv() {
            messages.push(match message {
                Decoded::Events { endpoint, events } => format!("{endpoint} {}", events.len()),
                Decoded::Failure(f) => format!("failure {}", f.location),
                Decoded::Record(location) => location,
            });
        }
        assert!(sender.join().is_ok());
        assert_eq!(messages, ["vpcflowlogs 1000", "vpcflowlogs 1000", "vpcflowlogs 10", "waf 1", "failure f"]);
    }

    /// A GuardDuty finding, a Security Hub finding (ASFF) and an event of another source, as
    /// EventBridge writes them (AWS: "EventBridge event format" of each service).
    pub(crate) fn eventbridge_events() -> String {
        let guardduty = json!({
            "version": "0", "id": "c8c4daa7-a20c-2f03-0070-b7393dd542ad", "detail-type": "GuardDuty Finding",
            "source": "aws.guardduty", "account": "123456789012", "time": "2026-12-07T09:58:03Z",
            "region": "us-east-1", "resources": [],
            "detail": {
                "schemaVersion": "2.0", "accountId": "123456789012", "region": "us-east-1", "partition": "aws",
                "id": "16afba5c5c43e07c9e3e5e2e544e95df", "type": "Recon:EC2/Portscan",
                "resource": {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-99999999"}},
                "severity": 5, "createdAt": "2026-12-07T09:50:00Z", "updatedAt": "2026-12-07T09:57:00Z",
                "title": "Unusual outbound port scan from EC2 instance i-99999999.",
                "description": "EC2 instance i-99999999 is performing outbound port scans against remote hosts.",
                "service": {"serviceName": "guardduty", "detectorId": "3caf4e0aaa46ce4ccbcef949a8785353",
                            "action": {"actionType": "NETWORK_CONNECTION"}, "count": 4}
            }
        });
        let security_hub = json!({
            "version": "0", "id": "8e5622f9-d81c-4d81-612a-9319e7ee2506",
            "detail-type": "Security Hub Findings - Imported", "source": "aws.securityhub",
            "account": "123456789012", "time": "2026-12-07T10:02:00Z", "region": "us-west-2",
            "resources": ["arn:aws:inspector2:us-west-2:123456789012:finding/0a1b2c3d4e5f"],
            "detail": {"findings": [{
                "SchemaVersion": "2018-10-08", "Id": "arn:aws:inspector2:us-west-2:123456789012:finding/0a1b2c3d4e5f",
                "ProductArn": "arn:aws:securityhub:us-west-2::product/aws/inspector", "ProductName": "Inspector",
                "CompanyName": "Amazon", "Region": "us-west-2", "GeneratorId": "AWSInspector",
                "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks/Vulnerabilities/CVE"],
                "CreatedAt": "2026-12-07T09:55:00Z", "UpdatedAt": "2026-12-07T10:01:00Z",
                "Severity": {"Label": "CRITICAL", "Normalized": 90},
                "Title": "CVE-2021-44228 - log4j", "Description": "Apache Log4j2 JNDI features do not protect against attacker controlled LDAP endpoints.",
                "Resources": [{"Type": "AwsEc2Instance", "Id": "arn:aws:ec2:us-west-2:123456789012:instance/i-0abcdef1234567890",
                               "Partition": "aws", "Region": "us-west-2"}],
                "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
            }]}
        });
        let other = json!({
            "version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602", "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2", "account": "123456789012", "time": "2026-12-07T10:03:00Z", "region": "us-east-1",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
            "detail": {"instance-id": "i-abcd1111", "state": "pending"}
        });
        format!("{guardduty}\n{security_hub}\n{other}\n")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn eventbridge_events_are_decoded_by_their_source() {
        let dir = tempfile::tempdir();
        assert!(dir.is_ok());
        let Ok(dir) = dir else { return };
        let path = dir.path().join("events.ndjson");
        write(&path, eventbridge_events().as_bytes());
        let plan = Plan::eventbridge(&path);
        assert!(plan.as_ref().is_ok_and(|p| p.records() == 3 && p.skipped().is_none()), "{plan:?}");
        let Ok(plan) = plan else { return };
        let (events, failures) = drain(plan, Kind::EventBridge.queue()).await;
        let endpoints: Vec<&str> = events.iter().map(|(e, _, _)| e.as_str()).collect();
        assert_eq!(endpoints, ["guardduty", "securityhub"], "{events:?} {failures:?}");
        assert_eq!(events[0].1, "Unusual outbound port scan from EC2 instance i-99999999.");
        assert_eq!(events[1].1, "Security Hub CRITICAL (Inspector): CVE-2021-44228 - log4j");
        assert!(events.iter().all(|(_, _, tags)| tags.as_array().is_some_and(|t| t.contains(&json!("eventbridge")))));
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].location.ends_with("events.ndjson:3"), "{failures:?}");
        for named in ["\"aws.ec2\"", "aws.guardduty", "aws.securityhub"] {
            assert!(failures[0].error.contains(named), "{failures:?} should name {named}");
        }

        // the source of an event in an SNS envelope; an event without one
        let wrapped = json!({"Type": "Notification", "TopicArn": "arn:aws:sns:us-east-1:123456789012:findings",
                             "Message": r#"{"source": "aws.securityhub"}"#});
        assert_eq!(event_source(wrapped.to_string().as_bytes()), Ok("aws.securityhub".to_owned()));
        assert!(eventbridge_decoder(b"{\"detail\": {}}").is_err_and(|e| e.contains("no `source`")));
        assert!(eventbridge_decoder(b"[1]").is_err_and(|e| e.contains("not a JSON object")));
    }

    /// A subscription record as Lambda receives it: base64 of the gzipped payload.
    pub(crate) fn awslogs_record(payload: &Value) -> String {
        let data = base64::engine::general_purpose::STANDARD.encode(gzip(&payload.to_string()));
        json!({"awslogs": {"data": data}}).to_string()
    }

    /// A DATA_MESSAGE with a text and a JSON log event, a CONTROL_MESSAGE and a bad record.
    pub(crate) fn cloudwatch_records() -> String {
        let data = json!({
            "messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "/app/web",
            "logStream": "i-0abcdef1234567890/app.log", "subscriptionFilters": ["to-mozdef"],
            "logEvents": [
                {"id": "37952405789465849563459238743852901234567890123456789012", "timestamp": 1_796_637_600_123_u64,
                 "message": "user alice logged in from 198.51.100.23"},
                {"id": "37952405789465849563459238743852901234567890123456789013", "timestamp": 1_796_637_601_456_u64,
                 "message": "{\"message\": \"payment declined\", \"level\": \"error\", \"orderid\": 42}"}
            ]
        });
        let control = json!({
            "messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
            "subscriptionFilters": [],
            "logEvents": [{"id": "", "timestamp": 1_796_637_500_000_u64,
                           "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]
        });
        let bad = json!({"awslogs": {"data": "this is not base64 of gzip"}});
        format!("{}\n{}\n{bad}\n", awslogs_record(&data), awslogs_record(&control))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cloudwatch_logs_payloads_are_decoded_by_their_log_group_parser() {
        let dir = tempfile::tempdir();
        assert!(dir.is_ok());
        let Ok(dir) = dir else { return };
        let path = dir.path().join("cwl.ndjson");
        write(&path, cloudwatch_records().as_bytes());

        let plan = Plan::cloudwatch_logs(&path, LogGroupParsers::default());
        assert!(plan.as_ref().is_ok_and(|p| p.records() == 3), "{plan:?}");
        let Ok(plan) = plan else { return };
        let (events, failures) = drain(plan, "unused").await;
        let seen: Vec<(&str, &str)> = events.iter().map(|(e, s, _)| (e.as_str(), s.as_str())).collect();
        assert_eq!(
            seen,
            [("cloudwatchlogs", "user alice logged in from 198.51.100.23"), ("cloudwatchlogs", "payment declined")]
        );
        assert_eq!(failures.len(), 1, "the control message gives nothing, the bad record fails: {failures:?}");
        assert!(failures[0].location.ends_with("cwl.ndjson:3"), "{failures:?}");
        assert!(failures[0].error.contains("awslogs.data"), "{failures:?}");

        // with `json` for the group, the text message is an unparsed entry: a failure
        let parsers = LogGroupParsers::parse("/app/*=json");
        assert!(parsers.is_ok());
        let Ok(parsers) = parsers else { return };
        let plan = Plan::cloudwatch_logs(&path, parsers);
        assert!(plan.is_ok(), "{plan:?}");
        let Ok(plan) = plan else { return };
        let (events, failures) = drain(plan, "unused").await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].1, "payment declined");
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures[0].location.ends_with("cwl.ndjson:1"), "{failures:?}");
        assert!(failures[0].error.contains("/app/web"), "the reason names the log group: {failures:?}");
    }
}
