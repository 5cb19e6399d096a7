//! `mozdef send`: post sample or recorded events to a loginput endpoint.
//!
//! Events are either generated ([`crate::sample`], seeded with `--seed`),
//! replayed from an NDJSON file (`--file`), or decoded by the ingest pipeline's
//! decoders (see [`crate::replay`]) from AWS logs as delivered to S3
//! (`--aws-logs DIR`, or its CloudTrail files only with `--cloudtrail DIR`),
//! EventBridge events of GuardDuty and Security Hub findings (`--eventbridge
//! FILE`, or `--guardduty FILE`) or CloudWatch Logs subscription records
//! (`--cloudwatch-logs FILE`, read by the `--cloudwatch-parsers` rules). These
//! flags and `--file` exclude each other. Events are posted one per request
//! to `/events` (`--bulk 0`; lines of custom-endpoint events, `customendpoint:
//! true` with an `endpoint`, go to `/custom/<endpoint>` as a shipper would send
//! them) or as NDJSON batches to `/_bulk` (`--bulk N`), with at most
//! `--concurrency` requests in flight and an optional target `--rate`.
//!
//! Decoded events are already MozDef events: they go to `/_bulk` (batches of
//! `--bulk`, [`REPLAY_BULK`] with `--bulk 0`) as custom-endpoint events
//! (`customendpoint: true`, `endpoint`: the log format's name, e.g. `cloudtrail`,
//! `vpcflowlogs`, `alb`, `waf`, or `guardduty`, `securityhub`, `cloudwatchlogs`),
//! which the pipeline does not key-map again but runs through the plugins; the
//! decoders put the queue name (`--queue`, by default `aws-logs`, `cloudtrail`,
//! `eventbridge` or `guardduty`) in their `tags`. `--count` limits the decoded
//! events sent. A record that does not decode, and a line or log event that
//! cannot be parsed, is reported (file, line, the decoder's reason) and counted
//! as one failed event (`failures=decode:N`); the others are sent. Files of a
//! bucket that are no log objects are reported once, as skipped.
//!
//! With `--measure-latency N`, N events spread over the run carry a unique
//! `details.benchmarker` marker (events that MozDef normalises: not
//! custom-endpoint posts, not audit records). Once the request carrying a
//! marker is accepted, the marker is looked for through `POST <url>/api/search`
//! (`{"query": "details.benchmarker:\"<marker>\"", "minutes": 1440, "size": 1}`;
//! one search every 20 ms covers up to 50 pending markers, OR-ed), and the
//! accepted-to-searchable latency percentiles are reported, with the rate at
//! which events became searchable (the position of the last found marker over
//! the time it took to find it). The run ends once every marker is found or
//! timed out, so a following run does not start with this run's backlog.
//!
//! The result is one summary line on stdout (plus one `latency ...` line), e.g.
//! `sent events=1000 ok=1000 failed=0 requests=2 retries=0 failures=none elapsed_s=0.051 events_per_s=19607.8 seed=42`.
//! The command fails (non-zero exit) when any event failed (or did not decode)
//! or, with `--measure-latency`, when any marker did not become searchable.

use std::collections::{BTreeMap, VecDeque};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use mozdef_pipeline::decode::aws_logs::cloudwatch_logs::LogGroupParsers;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::time::MissedTickBehavior;

use crate::replay::{self, Replay};
use crate::sample::{self, SampleRng};

/// How many connection-level retries a request gets before it counts as failed.
const MAX_RETRIES: u32 = 3;
/// First retry backoff; doubled on each further retry.
const RETRY_BACKOFF: Duration = Duration::from_millis(100);
/// After this many connection failures in a row (retries exhausted, no
/// success in between) the server is taken for gone and the run stops.
const MAX_CONSECUTIVE_CONNECTION_FAILURES: u64 = 8;
/// How many non-2xx response bodies are printed.
const MAX_PRINTED_ERRORS: usize = 5;
/// How often the pending latency markers are searched for.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// At most this many markers are looked for by one search.
const MAX_MARKERS_PER_SEARCH: usize = 50;
/// The field that carries latency markers.
pub const MARKER_FIELD: &str = "benchmarker";
/// Events per `/_bulk` request for decoded sources when `--bulk` is 0.
pub const REPLAY_BULK: usize = 500;
/// The `failures` key of records that did not decode.
const DECODE_FAILURE: &str = "decode";

/// Options of `mozdef send`.
#[derive(Debug, Clone, clap::Args)]
pub struct SendArgs {
    /// Base URL of loginput (the REST API is expected under <URL>/api)
    #[arg(long, env = "MOZDEF_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,

    /// Number of events to send [default: 1000]. With --file: the number of
    /// lines to replay (0 or omitted: the whole file); with a decoded source
    /// (--aws-logs, --cloudtrail, --eventbridge, --guardduty, --cloudwatch-logs):
    /// the most decoded events to send (0 or omitted: all). Otherwise 0 sends
    /// until interrupted
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Target rate in events per second (0: as fast as possible)
    #[arg(long, value_name = "R", default_value_t = 0.0)]
    pub rate: f64,

    /// Replay the events of this NDJSON file (one JSON object per line)
    /// instead of generating sample events
    #[arg(long, value_name = "PATH", group = "input")]
    pub file: Option<PathBuf>,

    /// Replay the AWS logs under DIR, laid out as AWS delivers them to S3
    /// ([PREFIX/]AWSLogs/ACCOUNT/SERVICE/REGION/YYYY/MM/DD/OBJECT: CloudTrail,
    /// VPC flow logs, ALB, NLB, WAF, Route 53 Resolver), recursively, in path order,
    /// through the ingest decoders: DIR is the bucket, a file's path below it the key
    #[arg(long, value_name = "DIR", group = "input")]
    pub aws_logs: Option<PathBuf>,

    /// As --aws-logs, for the CloudTrail log files (*.json.gz) under DIR only
    #[arg(long, value_name = "DIR", group = "input")]
    pub cloudtrail: Option<PathBuf>,

    /// Replay EventBridge events through the ingest decoders, each by its source
    /// (aws.guardduty, aws.securityhub): NDJSON, a JSON array, or one JSON object;
    /// events may be in SNS envelopes
    #[arg(long, value_name = "FILE", group = "input")]
    pub eventbridge: Option<PathBuf>,

    /// As --eventbridge (for GuardDuty findings), with the queue name guardduty
    #[arg(long, value_name = "FILE", group = "input")]
    pub guardduty: Option<PathBuf>,

    /// Replay CloudWatch Logs subscription records ({"awslogs": {"data": ...}}, as a
    /// subscription hands them to Lambda) through the ingest decoder: NDJSON, a JSON
    /// array, or one JSON object
    #[arg(long, value_name = "FILE", group = "input")]
    pub cloudwatch_logs: Option<PathBuf>,

    /// With --cloudwatch-logs: which parser reads which log group, as PATTERN=PARSER,...
    /// (`*` in a log group pattern matches any text; parsers: auto, text, json, lambda,
    /// eks-audit, vpcflow, vpcflow:FORMAT, route53resolver, waf) [default: the built-in rules]
    #[arg(long, value_name = "SPEC", env = "MOZDEF_CLOUDWATCH_PARSERS")]
    pub cloudwatch_parsers: Option<String>,

    /// With a decoded source other than --cloudwatch-logs: the queue name the decoders
    /// put in `tags` [default: aws-logs, cloudtrail, eventbridge or guardduty]
    #[arg(long, value_name = "NAME")]
    pub queue: Option<String>,

    /// 0: one POST per event to /events; N > 0: NDJSON batches of N events to /_bulk
    /// (decoded events always go to /_bulk, 500 a batch with 0)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub bulk: usize,

    /// Maximum number of requests in flight
    #[arg(long, value_name = "C", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: u32,

    /// Seed of the sample generator (default: random, printed in the summary)
    #[arg(long)]
    pub seed: Option<u64>,

    /// No progress bar
    #[arg(long, short)]
    pub quiet: bool,

    /// Mark N events spread over the run with a unique details.benchmarker and
    /// measure the time from their POST being accepted to their being
    /// returned by POST <URL>/api/search (p50/p95/p99/max)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub measure_latency: u64,

    /// Seconds after which a latency marker that is still not searchable counts as missing
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub latency_timeout: f64,

    /// Timeout of each HTTP request, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
}

/// Run `mozdef send`.
pub async fn run(args: SendArgs) -> anyhow::Result<()> {
    if !args.rate.is_finite() || args.rate < 0.0 {
        bail!("--rate must be a number >= 0, got {}", args.rate);
    }
    if !args.latency_timeout.is_finite() || args.latency_timeout <= 0.0 {
        bail!("--latency-timeout must be > 0");
    }
    if !args.timeout.is_finite() || args.timeout <= 0.0 {
        bail!("--timeout must be > 0");
    }
    let base = args.url.trim_end_matches('/').to_string();
    let parsed = reqwest::Url::parse(&base).with_context(|| format!("invalid --url {base:?}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        bail!("--url must be http:// or https://, got {base:?}");
    }

    let seed = args.seed.unwrap_or_else(|| SampleRng::from_entropy().next_u64());
    let plan = decoded_source(&args)?;
    if plan.is_none() && args.queue.is_some() {
        bail!("--queue only applies to a decoded source (--aws-logs, --cloudtrail, --eventbridge, --guardduty)");
    }
    if let Some(plan) = &plan {
        if args.measure_latency > 0 {
            bail!("--measure-latency cannot mark decoded events: they are custom-endpoint events");
        }
        if plan.kind() == replay::Kind::CloudWatchLogs && args.queue.is_some() {
            bail!("--queue does not apply to --cloudwatch-logs: its decoder puts no queue name in `tags`");
        }
        if let Some(skipped) = plan.skipped() {
            eprintln!("{skipped}");
        }
    }
    let mut source = match (plan, &args.file) {
        (Some(plan), _) => {
            let queue = args.queue.clone().unwrap_or_else(|| plan.kind().queue().to_owned());
            let host = gethostname::gethostname().to_string_lossy().into_owned();
            Source::Replay(plan.start(queue, host, args.count.filter(|&n| n > 0))?)
        }
        (None, Some(path)) => Source::file(path, args.count)?,
        (None, None) => Source::generate(seed, args.count.unwrap_or(1000)),
    };
    let generated = matches!(source, Source::Generate { .. });
    let total = source.total();
    let marker_stride = match (args.measure_latency, total) {
        (0, _) => None,
        (_, None) => bail!("--measure-latency needs a finite --count"),
        (n, Some(total)) => Some((total / n).max(1)),
    };
    // decoded events are custom-endpoint events for /_bulk, not single posts
    let (single, batch_size) = match (&source, args.bulk) {
        (Source::Replay(_), 0) => (false, REPLAY_BULK),
        (_, 0) => (true, 1),
        (_, n) => (false, n),
    };

    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs_f64(args.timeout))
        .connect_timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(args.concurrency as usize + 16)
        .tcp_nodelay(true)
        .user_agent(concat!("mozdef-send/", env!("CARGO_PKG_VERSION")));
    if is_loopback(&parsed) {
        // a proxy from the environment must not sit between a benchmark and a local server
        builder = builder.no_proxy();
    }
    let client = builder.build().context("building the HTTP client")?;

    let pb = progress_bar(total, args.quiet);
    let ctx =
        Arc::new(Ctx { client, base, pb: pb.clone(), stats: Mutex::new(Stats::default()), markers: Mutex::new(None) });

    let semaphore = Arc::new(Semaphore::new(args.concurrency as usize));
    let start = Instant::now();
    let mut marker_rng = SampleRng::from_entropy();
    let latency = Arc::new(Mutex::new(LatencyReport::default()));
    let tracker = (args.measure_latency > 0).then(|| {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        *lock(&ctx.markers) = Some(tx);
        let tracker = Tracker {
            client: ctx.client.clone(),
            url: format!("{}/api/search", ctx.base),
            timeout: Duration::from_secs_f64(args.latency_timeout),
            start,
            report: latency.clone(),
        };
        tokio::spawn(tracker.run(rx))
    });

    let producer = {
        let ctx = ctx.clone();
        let semaphore = semaphore.clone();
        let (rate, mut markers_left) = (args.rate, args.measure_latency);
        async move {
            let mut pacer = Pacer::new(rate, batch_size, start);
            let mut batch = Batch::new(single);
            let mut index = 0u64;
            let mut marker_pending = false;
            while let Some(item) = source.next_item().await {
                source.report(&ctx);
                index += 1;
                if let Some(stride) = marker_stride
                    && markers_left > 0
                    && index % stride == stride / 2
                {
                    marker_pending = true;
                    markers_left -= 1;
                }
                let marker = marker_pending.then(|| marker_rng.uuid_like());
                let prepared = prepare(item, marker.as_deref(), single);
                if prepared.marked {
                    marker_pending = false;
                }
                let marker = marker.filter(|_| prepared.marked).map(|m| (m, index));
                batch.push(prepared, marker);
                if batch.events >= batch_size {
                    if lock(&ctx.stats).server_gone() {
                        break;
                    }
                    let full = std::mem::replace(&mut batch, Batch::new(single));
                    dispatch(&ctx, &semaphore, &mut pacer, full).await?;
                }
            }
            source.report(&ctx);
            if batch.events > 0 && !lock(&ctx.stats).server_gone() {
                dispatch(&ctx, &semaphore, &mut pacer, batch).await?;
            }
            anyhow::Ok(())
        }
    };

    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // no signal handling available: never interrupt
            std::future::pending::<()>().await;
        }
    };
    let mut interrupted = false;
    tokio::select! {
        res = producer => res?,
        () = interrupt => interrupted = true,
    }
    // every in-flight request holds a permit: taking them all waits for the requests
    let _all = semaphore.acquire_many(args.concurrency).await.context("waiting for in-flight requests")?;
    let elapsed = start.elapsed();

    // no more markers: the tracker ends once the accepted ones are found or timed out
    drop(lock(&ctx.markers).take());
    if let Some(mut tracker) = tracker {
        if !interrupted {
            let waiting = lock(&latency).pending;
            if waiting > 0 {
                pb.set_message(format!("waiting for {waiting} latency markers to become searchable"));
            }
            let interrupt = async {
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                res = &mut tracker => if let Err(e) = res {
                    lock(&latency).note_problem(format!("latency tracker failed: {e}"));
                },
                () = interrupt => interrupted = true,
            }
        }
        tracker.abort();
    }
    pb.finish_and_clear();

    let stats = std::mem::take(&mut *lock(&ctx.stats));
    println!("{}", stats.summary(elapsed, seed, generated));
    let mut latency = std::mem::take(&mut *lock(&latency));
    if args.measure_latency > 0 {
        // markers still pending (interrupted) and markers whose request failed
        latency.missing += latency.pending + stats.lost_markers;
        latency.pending = 0;
        println!("{}", latency.summary());
        if let Some(e) = &latency.first_error {
            eprintln!("latency: first problem: {e}");
        }
    }
    if interrupted {
        eprintln!("interrupted");
    }
    if stats.server_gone() {
        bail!("gave up after {} requests in a row failed to reach {}", stats.consecutive_connection_failures, ctx.base);
    }
    if stats.failed_events > 0 {
        let total = stats.failed_events + stats.ok_events;
        match stats.failures.get(DECODE_FAILURE) {
            Some(records) => {
                bail!("{} of {total} events failed ({records} records did not decode)", stats.failed_events)
            }
            None => bail!("{} of {total} events failed", stats.failed_events),
        }
    }
    if latency.missing > 0 && !interrupted {
        bail!("{} latency markers did not become searchable", latency.missing);
    }
    Ok(())
}

// ---------------------------------------------------------------- sources

/// The decoded source the arguments ask for, if any.
///
/// # Errors
///
/// When several sources (or a source and `--file`) are given, `--cloudwatch-parsers` is not a
/// valid specification, or the source cannot be read.
fn decoded_source(args: &SendArgs) -> anyhow::Result<Option<replay::Plan>> {
    let inputs = [
        ("--file", args.file.is_some()),
        ("--aws-logs", args.aws_logs.is_some()),
        ("--cloudtrail", args.cloudtrail.is_some()),
        ("--eventbridge", args.eventbridge.is_some()),
        ("--guardduty", args.guardduty.is_some()),
        ("--cloudwatch-logs", args.cloudwatch_logs.is_some()),
    ];
    let given: Vec<&str> = inputs.iter().filter(|(_, set)| *set).map(|(flag, _)| *flag).collect();
    if given.len() > 1 {
        bail!("{} exclude each other: give one", given.join(", "));
    }
    let plan = if let Some(dir) = &args.aws_logs {
        replay::Plan::aws_logs(dir)?
    } else if let Some(dir) = &args.cloudtrail {
        replay::Plan::cloudtrail(dir)?
    } else if let Some(file) = &args.eventbridge {
        replay::Plan::eventbridge(file)?
    } else if let Some(file) = &args.guardduty {
        replay::Plan::guardduty(file)?
    } else if let Some(file) = &args.cloudwatch_logs {
        let spec = args.cloudwatch_parsers.as_deref().unwrap_or_default();
        let parsers =
            LogGroupParsers::parse(spec).map_err(|e| anyhow::anyhow!("--cloudwatch-parsers {spec:?}: {e}"))?;
        replay::Plan::cloudwatch_logs(file, parsers)?
    } else {
        return Ok(None);
    };
    Ok(Some(plan))
}

/// One event from a source: generated (a JSON value) or a raw line of a file.
enum Item {
    Value(Value),
    Line(Vec<u8>),
}

/// Where events come from: generated, the lines of a file, or events decoded from AWS logs
/// and findings.
enum Source {
    Generate { rng: SampleRng, remaining: Option<u64> },
    File { data: Vec<u8>, pos: usize, remaining: u64 },
    Replay(Replay),
}

impl Source {
    fn generate(seed: u64, count: u64) -> Source {
        Source::Generate { rng: SampleRng::new(seed), remaining: (count > 0).then_some(count) }
    }

    fn file(path: &PathBuf, count: Option<u64>) -> anyhow::Result<Source> {
        let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let lines = ndjson_lines(&data).count() as u64;
        let remaining = match count {
            Some(n) if n > 0 => n.min(lines),
            _ => lines,
        };
        Ok(Source::File { data, pos: 0, remaining })
    }

    /// Number of events the source will yield (`None`: unbounded, or not known
    /// before decoding).
    fn total(&self) -> Option<u64> {
        match self {
            Source::Generate { remaining, .. } => *remaining,
            Source::File { remaining, .. } => Some(*remaining),
            Source::Replay(_) => None,
        }
    }

    async fn next_item(&mut self) -> Option<Item> {
        match self {
            Source::Replay(replay) => replay.next_event().await.map(Item::Value),
            Source::Generate { rng, remaining } => {
                if let Some(left) = remaining {
                    if *left == 0 {
                        return None;
                    }
                    *left -= 1;
                }
                Some(Item::Value(sample::sample_event(rng, chrono::Utc::now())))
            }
            Source::File { data, pos, remaining } => {
                if *remaining == 0 {
                    return None;
                }
                while *pos < data.len() {
                    let rest = &data[*pos..];
                    let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                    *pos += len + 1;
                    let line = trim_line(&rest[..len]);
                    if !line.is_empty() {
                        *remaining -= 1;
                        return Some(Item::Line(line.to_vec()));
                    }
                }
                None
            }
        }
    }

    /// Reports what a decoded source met since the last call: records that did not decode
    /// (each printed and counted as one failed event) and the record being sent.
    fn report(&mut self, ctx: &Ctx) {
        let Source::Replay(replay) = self else {
            return;
        };
        for failure in replay.take_failures() {
            {
                let mut stats = lock(&ctx.stats);
                stats.failed_events += 1;
                *stats.failures.entry(DECODE_FAILURE.to_string()).or_default() += 1;
            }
            ctx.pb.suspend(|| eprintln!("error: {}: {}", failure.location, failure.error));
            ctx.pb.inc(1);
        }
        if let Some(message) = replay.take_message() {
            ctx.pb.set_message(message);
        }
    }
}

/// The non-blank lines of an NDJSON buffer, without line terminators.
fn ndjson_lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n').map(trim_line).filter(|l| !l.is_empty())
}

fn trim_line(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

// ---------------------------------------------------------------- events and batches

/// An event ready to be sent.
struct Prepared {
    bytes: Vec<u8>,
    /// Whether the latency marker offered to [`prepare`] was put in the event.
    marked: bool,
    /// Loginput path for a single-event POST.
    path: String,
}

/// Serialise an event, adding `marker` when the event can carry one, and pick
/// its single-event path (only computed when `single`).
fn prepare(item: Item, marker: Option<&str>, single: bool) -> Prepared {
    let needs_value = match &item {
        Item::Value(_) => true,
        Item::Line(line) => marker.is_some() || (single && contains(line, b"customendpoint")),
    };
    if !needs_value {
        let bytes = match item {
            Item::Line(line) => line,
            Item::Value(v) => serde_json::to_vec(&v).unwrap_or_default(),
        };
        return Prepared { bytes, marked: false, path: "/events".to_string() };
    }
    let (mut value, raw) = match item {
        Item::Value(v) => (v, None),
        Item::Line(line) => match serde_json::from_slice::<Value>(&line) {
            Ok(v) => (v, Some(line)),
            // not JSON: send it as is, the server decides
            Err(_) => {
                return Prepared { bytes: line, marked: false, path: "/events".to_string() };
            }
        },
    };
    let marked = marker.is_some_and(|m| mark(&mut value, m));
    let path = if single { single_path(&value) } else { "/events".to_string() };
    let bytes = match raw {
        Some(raw) if !marked => raw,
        _ => serde_json::to_vec(&value).unwrap_or_default(),
    };
    Prepared { bytes, marked, path }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether an event can carry a latency marker in `details`: a JSON object
/// that MozDef normalises (not a custom-endpoint post, whose plugins rebuild
/// `details`), not an audit record (noisy ones are dropped by the pipeline),
/// and whose `details`, if any, is an object.
pub fn markable(event: &Value) -> bool {
    let Some(obj) = event.as_object() else {
        return false;
    };
    if obj.get("customendpoint").is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true")) {
        return false;
    }
    let audit_word = |v: &Value| {
        v.as_str().is_some_and(|s| ["auditd", "execve", "audisp-json"].iter().any(|w| s.eq_ignore_ascii_case(w)))
    };
    for (key, value) in obj {
        let key = key.trim_start_matches('@').to_ascii_lowercase();
        let is_audit = match key.as_str() {
            "category" | "type" | "processname" => audit_word(value),
            "tags" => value.as_array().is_some_and(|tags| tags.iter().any(audit_word)),
            _ => false,
        };
        if is_audit {
            return false;
        }
    }
    matches!(obj.get("details"), None | Some(Value::Object(_)))
}

/// Put `marker` in `details.benchmarker` if the event is [`markable`].
pub fn mark(event: &mut Value, marker: &str) -> bool {
    if !markable(event) {
        return false;
    }
    let Some(obj) = event.as_object_mut() else {
        return false;
    };
    let details = obj.entry("details").or_insert_with(|| Value::Object(serde_json::Map::new()));
    match details.as_object_mut() {
        Some(details) => {
            details.insert(MARKER_FIELD.to_string(), Value::String(marker.to_string()));
            true
        }
        None => false,
    }
}

/// Loginput path for a single event: `/custom/<endpoint>` for a recorded
/// custom-endpoint post (`customendpoint: true` and a plain `endpoint` name),
/// `/events` otherwise.
pub fn single_path(event: &Value) -> String {
    let custom = event.get("customendpoint").is_some_and(|v| v.as_bool() == Some(true));
    let endpoint = event.get("endpoint").and_then(Value::as_str).filter(|e| {
        !e.is_empty() && e.len() <= 64 && e.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    match (custom, endpoint) {
        (true, Some(endpoint)) => format!("/custom/{endpoint}"),
        _ => "/events".to_string(),
    }
}

/// The events of one request.
struct Batch {
    single: bool,
    body: Vec<u8>,
    events: usize,
    path: String,
    /// Latency markers in the batch, with the (1-based) position of their event in the run.
    markers: Vec<(String, u64)>,
}

impl Batch {
    fn new(single: bool) -> Batch {
        Batch {
            single,
            body: Vec::new(),
            events: 0,
            path: if single { "/events" } else { "/_bulk" }.to_string(),
            markers: Vec::new(),
        }
    }

    fn push(&mut self, event: Prepared, marker: Option<(String, u64)>) {
        if self.single {
            self.body = event.bytes;
            self.path = event.path;
        } else {
            self.body.extend_from_slice(&event.bytes);
            self.body.push(b'\n');
        }
        self.events += 1;
        self.markers.extend(marker);
    }
}

// ---------------------------------------------------------------- sending

/// Shared state of a run.
struct Ctx {
    client: reqwest::Client,
    base: String,
    pb: ProgressBar,
    stats: Mutex<Stats>,
    /// Where accepted latency markers go (`None` without --measure-latency or once sending is over).
    markers: Mutex<Option<UnboundedSender<AcceptedMarker>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps the average send rate at the target: a batch goes out once the
/// events sent before it fit in `rate × elapsed`; the loop wakes on a tokio
/// interval, so at high rates several batches go out per tick.
struct Pacer {
    rate: f64,
    start: Instant,
    sent: u64,
    ticker: Option<tokio::time::Interval>,
}

impl Pacer {
    fn new(rate: f64, batch_size: usize, start: Instant) -> Pacer {
        let ticker = (rate > 0.0).then(|| {
            let period = Duration::from_secs_f64(batch_size as f64 / rate)
                .clamp(Duration::from_millis(1), Duration::from_millis(50));
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
            ticker
        });
        Pacer { rate, start, sent: 0, ticker }
    }

    async fn wait_for(&mut self, events: usize) {
        if let Some(ticker) = &mut self.ticker {
            while self.sent as f64 > self.rate * self.start.elapsed().as_secs_f64() {
                ticker.tick().await;
            }
        }
        self.sent += events as u64;
    }
}

async fn dispatch(ctx: &Arc<Ctx>, semaphore: &Arc<Semaphore>, pacer: &mut Pacer, batch: Batch) -> anyhow::Result<()> {
    pacer.wait_for(batch.events).await;
    let permit = semaphore.clone().acquire_owned().await.context("request limiter closed")?;
    let ctx = ctx.clone();
    tokio::spawn(async move {
        post_batch(&ctx, batch).await;
        drop(permit);
    });
    Ok(())
}

async fn post_batch(ctx: &Arc<Ctx>, batch: Batch) {
    let url = format!("{}{}", ctx.base, batch.path);
    let content_type = if batch.single { "application/json" } else { "application/x-ndjson" };
    let mut attempt = 0;
    let outcome = loop {
        let res = ctx
            .client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(batch.body.clone())
            .send()
            .await;
        match res {
            Ok(resp) => {
                let status = resp.status();
                let body = resp.bytes().await.unwrap_or_default();
                if status.is_success() {
                    break Ok(());
                }
                break Err((status.as_u16().to_string(), String::from_utf8_lossy(&body).into_owned()));
            }
            Err(e) if attempt < MAX_RETRIES => {
                tokio::time::sleep(RETRY_BACKOFF * 2u32.pow(attempt)).await;
                attempt += 1;
                lock(&ctx.stats).retries += 1;
                tracing::debug!(error = %e, attempt, "retrying request");
            }
            Err(e) => break Err(("connection".to_string(), error_chain(&e))),
        }
    };
    let accepted_at = Instant::now();
    let events = batch.events as u64;
    match outcome {
        Ok(()) => {
            {
                let mut stats = lock(&ctx.stats);
                stats.ok_events += events;
                stats.ok_requests += 1;
                stats.consecutive_connection_failures = 0;
            }
            if !batch.markers.is_empty()
                && let Some(tx) = lock(&ctx.markers).as_ref()
            {
                for (marker, index) in batch.markers {
                    let _ = tx.send(AcceptedMarker { marker, index, accepted_at });
                }
            }
        }
        Err((key, body)) => {
            let print = {
                let mut stats = lock(&ctx.stats);
                stats.failed_events += events;
                stats.failed_requests += 1;
                stats.lost_markers += batch.markers.len() as u64;
                *stats.failures.entry(key.clone()).or_default() += 1;
                if key == "connection" {
                    stats.consecutive_connection_failures += 1;
                } else {
                    stats.consecutive_connection_failures = 0;
                }
                stats.errors_printed += 1;
                stats.errors_printed <= MAX_PRINTED_ERRORS
            };
            if print {
                let what = if key == "connection" { "connection error".to_string() } else { format!("HTTP {key}") };
                let body = truncate(body.trim(), 300);
                ctx.pb.suspend(|| eprintln!("error: POST {url}: {what}: {body}"));
            }
        }
    }
    ctx.pb.inc(events);
}

/// An error with its sources, e.g. `error sending request: connection refused`.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        let msg = inner.to_string();
        if !s.contains(&msg) {
            s.push_str(": ");
            s.push_str(&msg);
        }
        cur = inner.source();
    }
    s
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A latency marker whose request was accepted.
#[derive(Debug)]
struct AcceptedMarker {
    marker: String,
    /// Position (1-based) of the marked event in the run.
    index: u64,
    accepted_at: Instant,
}

/// Polls `POST <base>/api/search` for the accepted markers until each shows up or times out.
///
/// One search every [`POLL_INTERVAL`] covers the oldest [`MAX_MARKERS_PER_SEARCH`] pending
/// markers (`details.benchmarker:"a" OR details.benchmarker:"b" ...`), so the polling load
/// stays bounded however far the pipeline falls behind.
struct Tracker {
    client: reqwest::Client,
    url: String,
    timeout: Duration,
    start: Instant,
    report: Arc<Mutex<LatencyReport>>,
}

impl Tracker {
    async fn run(self, mut rx: UnboundedReceiver<AcceptedMarker>) {
        let mut pending: VecDeque<AcceptedMarker> = VecDeque::new();
        let mut open = true;
        let mut fatal: Option<String> = None;
        let mut ticker = tokio::time::interval(POLL_INTERVAL);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            while open {
                match rx.try_recv() {
                    Ok(m) => pending.push_back(m),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => open = false,
                }
            }
            if pending.is_empty() {
                if !open {
                    break;
                }
                match rx.recv().await {
                    Some(m) => pending.push_back(m),
                    None => break,
                }
                continue;
            }
            if let Some(problem) = &fatal {
                let mut report = lock(&self.report);
                for m in pending.drain(..) {
                    report.fail(format!("marker {}: {problem}", m.marker));
                }
                continue;
            }
            lock(&self.report).pending = pending.len() as u64;
            ticker.tick().await;
            let batch: Vec<&AcceptedMarker> = pending.iter().take(MAX_MARKERS_PER_SEARCH).collect();
            let (found, problem) = match self.search(&batch).await {
                Ok(found) => (found, None),
                Err(SearchProblem::Fatal(p)) => {
                    fatal = Some(p);
                    continue;
                }
                Err(SearchProblem::Transient(p)) => (Vec::new(), Some(p)),
            };
            let now = Instant::now();
            let mut report = lock(&self.report);
            pending.retain(|m| {
                if found.contains(&m.marker) {
                    report.found(m.index, now.duration_since(m.accepted_at), now.duration_since(self.start));
                    false
                } else if now.duration_since(m.accepted_at) >= self.timeout {
                    report.fail(format!(
                        "marker {} not searchable after {:.1}s ({})",
                        m.marker,
                        self.timeout.as_secs_f64(),
                        problem.as_deref().unwrap_or("no hits")
                    ));
                    false
                } else {
                    true
                }
            });
            report.pending = pending.len() as u64;
        }
        lock(&self.report).pending = 0;
    }

    /// The markers of `batch` that the search returns.
    async fn search(&self, batch: &[&AcceptedMarker]) -> Result<Vec<String>, SearchProblem> {
        let query =
            batch.iter().map(|m| format!("details.{MARKER_FIELD}:\"{}\"", m.marker)).collect::<Vec<_>>().join(" OR ");
        let body = json!({"query": query, "minutes": 1440, "size": batch.len()}).to_string();
        let res = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| SearchProblem::Transient(format!("POST {}: {}", self.url, error_chain(&e))))?;
        let status = res.status();
        let bytes = res.bytes().await.unwrap_or_default();
        if !status.is_success() {
            let text = truncate(String::from_utf8_lossy(&bytes).trim(), 300);
            let problem = format!("POST {}: HTTP {status}: {text}", self.url);
            // a 4xx means the search route or the query is wrong: waiting will not help
            return Err(if status.is_client_error() {
                SearchProblem::Fatal(problem)
            } else {
                SearchProblem::Transient(problem)
            });
        }
        // a 2xx that is not a search response (say a web page) will not turn into one
        let hits = hit_texts(&bytes).ok_or_else(|| {
            let text = truncate(String::from_utf8_lossy(&bytes).trim(), 100);
            SearchProblem::Fatal(format!("POST {}: not a search response: {text:?}", self.url))
        })?;
        Ok(batch.iter().filter(|m| hits.iter().any(|h| h.contains(&m.marker))).map(|m| m.marker.clone()).collect())
    }
}

/// Why a marker search did not answer.
enum SearchProblem {
    /// Worth trying again (5xx, connection problems).
    Transient(String),
    /// Not worth trying again (4xx).
    Fatal(String),
}

/// The hits of a MozDef search response (`{"hits": [...], "meta": {...}}`), each as JSON text.
fn hit_texts(body: &[u8]) -> Option<Vec<String>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    Some(v.get("hits")?.as_array()?.iter().map(Value::to_string).collect())
}

// ---------------------------------------------------------------- reporting

/// Counters of a run.
#[derive(Debug, Default)]
struct Stats {
    ok_events: u64,
    ok_requests: u64,
    failed_events: u64,
    failed_requests: u64,
    retries: u64,
    /// Failed requests by HTTP status (`"500"`) or `"connection"`.
    failures: BTreeMap<String, u64>,
    errors_printed: usize,
    /// Latency markers whose request failed.
    lost_markers: u64,
    /// Requests that failed to connect in a row.
    consecutive_connection_failures: u64,
}

impl Stats {
    /// Whether so many requests in a row could not reach the server that it is taken for gone.
    fn server_gone(&self) -> bool {
        self.consecutive_connection_failures >= MAX_CONSECUTIVE_CONNECTION_FAILURES
    }

    fn summary(&self, elapsed: Duration, seed: u64, generated: bool) -> String {
        let failures = if self.failures.is_empty() {
            "none".to_string()
        } else {
            self.failures.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>().join(",")
        };
        let secs = elapsed.as_secs_f64();
        let rate = if secs > 0.0 { self.ok_events as f64 / secs } else { 0.0 };
        let mut line = format!(
            "sent events={} ok={} failed={} requests={} retries={} failures={} elapsed_s={:.3} events_per_s={:.1}",
            self.ok_events + self.failed_events,
            self.ok_events,
            self.failed_events,
            self.ok_requests + self.failed_requests,
            self.retries,
            failures,
            secs,
            rate,
        );
        if generated {
            line.push_str(&format!(" seed={seed}"));
        }
        line
    }
}

/// Accepted-to-searchable latencies of the markers.
#[derive(Debug, Default)]
struct LatencyReport {
    samples: Vec<Duration>,
    missing: u64,
    /// Markers accepted and still being searched for.
    pending: u64,
    first_error: Option<String>,
    /// The found marker furthest into the run: its event position and when it was found
    /// (since the start of the run).
    last: Option<(u64, Duration)>,
}

impl LatencyReport {
    fn found(&mut self, index: u64, latency: Duration, since_start: Duration) {
        self.samples.push(latency);
        if self.last.is_none_or(|(i, _)| index > i) {
            self.last = Some((index, since_start));
        }
    }

    fn fail(&mut self, problem: String) {
        self.missing += 1;
        self.note_problem(problem);
    }

    fn note_problem(&mut self, problem: String) {
        if self.first_error.is_none() {
            self.first_error = Some(problem);
        }
    }

    /// Events that became searchable per second: the position of the last found marker
    /// over the time from the start of the run until it was found.
    fn searchable_rate(&self) -> Option<f64> {
        let (index, at) = self.last?;
        (at.as_secs_f64() > 0.0).then(|| index as f64 / at.as_secs_f64())
    }

    fn summary(&mut self) -> String {
        self.samples.sort();
        let ms = |p: f64| match percentile(&self.samples, p) {
            Some(d) => format!("{:.1}", d.as_secs_f64() * 1000.0),
            None => "n/a".to_string(),
        };
        let rate = self.searchable_rate().map_or_else(|| "n/a".to_string(), |r| format!("{r:.1}"));
        format!(
            "latency markers={} found={} missing={} p50_ms={} p95_ms={} p99_ms={} max_ms={} searchable_events_per_s={}",
            self.samples.len() as u64 + self.missing,
            self.samples.len(),
            self.missing,
            ms(50.0),
            ms(95.0),
            ms(99.0),
            ms(100.0),
            rate,
        )
    }
}

/// Nearest-rank percentile (`p` in 0..=100) of ascending `sorted` samples:
/// the smallest sample with at least p% of the samples at or below it.
/// `None` for no samples; p = 0 gives the minimum, p = 100 the maximum.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let p = p.clamp(0.0, 100.0);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

fn progress_bar(total: Option<u64>, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let template = if total.is_some() {
        "{spinner} {elapsed_precise} [{bar:30}] {human_pos}/{human_len} events  {rate} events/s  ETA {eta}  {msg}"
    } else {
        "{spinner} {elapsed_precise} {human_pos} events  {rate} events/s  {msg}"
    };
    let pb = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        let style =
            style.progress_chars("=> ").with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}", state.per_sec());
            });
        pb.set_style(style);
    }
    pb.enable_steady_tick(Duration::from_millis(100));
    pb
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn percentile_nearest_rank() {
        assert_eq!(percentile(&[], 50.0), None);
        let one = ms(&[7]);
        for p in [0.0, 50.0, 99.0, 100.0] {
            assert_eq!(percentile(&one, p), Some(Duration::from_millis(7)));
        }
        let hundred: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&hundred, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&hundred, 95.0), Some(Duration::from_millis(95)));
        assert_eq!(percentile(&hundred, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(percentile(&hundred, 100.0), Some(Duration::from_millis(100)));
        assert_eq!(percentile(&hundred, 0.0), Some(Duration::from_millis(1)));
        let five = ms(&[10, 20, 30, 40, 50]);
        assert_eq!(percentile(&five, 50.0), Some(Duration::from_millis(30)));
        assert_eq!(percentile(&five, 95.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&five, 20.0), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&five, 21.0), Some(Duration::from_millis(20)));
        assert_eq!(percentile(&five, 250.0), Some(Duration::from_millis(50)));
    }

    #[test]
    fn latency_summary_line() {
        let mut r = LatencyReport::default();
        r.found(100, Duration::from_millis(30), Duration::from_millis(900));
        r.found(300, Duration::from_millis(10), Duration::from_millis(1500));
        r.found(200, Duration::from_millis(20), Duration::from_millis(2000));
        r.fail("lost".into());
        assert_eq!(
            r.summary(),
            "latency markers=4 found=3 missing=1 p50_ms=20.0 p95_ms=30.0 p99_ms=30.0 max_ms=30.0 searchable_events_per_s=200.0"
        );
        assert_eq!(r.first_error.as_deref(), Some("lost"));
        let mut empty = LatencyReport::default();
        assert!(empty.summary().ends_with("p50_ms=n/a p95_ms=n/a p99_ms=n/a max_ms=n/a searchable_events_per_s=n/a"));
    }

    #[test]
    fn markers_go_into_details_of_normalised_events_only() {
        let mut syslog = json!({"CATEGORY": "syslog", "MESSAGE": "x"});
        assert!(mark(&mut syslog, "m1"));
        assert_eq!(syslog["details"][MARKER_FIELD], "m1");

        let mut native = json!({"category": "proxy", "details": {"sourceipaddress": "10.0.0.1"}});
        assert!(mark(&mut native, "m2"));
        assert_eq!(native["details"]["sourceipaddress"], "10.0.0.1");
        assert_eq!(native["details"][MARKER_FIELD], "m2");

        for mut ev in [
            json!({"category": "bro", "customendpoint": true, "endpoint": "bro"}),
            json!({"category": "execve", "tags": ["audisp-json"], "details": {}}),
            json!({"category": "x", "tags": ["audisp-json", "2.1.1"]}),
            json!({"category": "x", "details": "a string"}),
            json!(["not", "an", "object"]),
        ] {
            let before = ev.clone();
            assert!(!mark(&mut ev, "m"), "{before}");
            assert_eq!(ev, before);
        }
    }

    #[test]
    fn single_posts_of_custom_endpoint_events_go_to_their_endpoint() {
        assert_eq!(single_path(&json!({"customendpoint": true, "endpoint": "squid"})), "/custom/squid");
        assert_eq!(single_path(&json!({"endpoint": "squid"})), "/events");
        assert_eq!(single_path(&json!({"customendpoint": true, "endpoint": "../x"})), "/events");
        assert_eq!(single_path(&json!({"category": "syslog"})), "/events");
    }

    #[test]
    fn prepare_keeps_raw_lines_unless_marked() {
        let line = br#"{"a":1,  "b":2}"#.to_vec();
        let p = prepare(Item::Line(line.clone()), None, false);
        assert_eq!(p.bytes, line);
        assert!(!p.marked);

        let p = prepare(Item::Line(line.clone()), Some("mk"), false);
        assert!(p.marked);
        let v: Value = serde_json::from_slice(&p.bytes).unwrap_or_default();
        assert_eq!(v["details"][MARKER_FIELD], "mk");

        let custom = br#"{"customendpoint":true,"endpoint":"bro","MESSAGE":"{}"}"#.to_vec();
        let p = prepare(Item::Line(custom.clone()), Some("mk"), true);
        assert!(!p.marked);
        assert_eq!(p.bytes, custom);
        assert_eq!(p.path, "/custom/bro");

        let junk = b"not json".to_vec();
        let p = prepare(Item::Line(junk.clone()), Some("mk"), true);
        assert_eq!((p.bytes, p.marked, p.path.as_str()), (junk, false, "/events"));
    }

    #[tokio::test]
    async fn file_source_skips_blank_lines_and_honours_count() {
        let dir = tempfile::tempdir();
        assert!(dir.is_ok(), "temporary directory");
        let Ok(dir) = dir else { return };
        let path = dir.path().join("c.ndjson");
        let written = std::fs::write(&path, b"{\"a\":1}\n\n  \r\n{\"a\":2}\r\n{\"a\":3}");
        assert!(written.is_ok());
        let mut all = Source::file(&path, None).ok();
        assert_eq!(all.as_ref().and_then(Source::total), Some(3));
        let mut lines = Vec::new();
        while let Some(source) = all.as_mut()
            && let Some(Item::Line(l)) = source.next_item().await
        {
            lines.push(String::from_utf8_lossy(&l).into_owned());
        }
        assert_eq!(lines, ["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"]);
        let two = Source::file(&path, Some(2)).ok();
        assert_eq!(two.as_ref().and_then(Source::total), Some(2));
        let zero = Source::file(&path, Some(0)).ok();
        assert_eq!(zero.as_ref().and_then(Source::total), Some(3));
    }

    #[test]
    fn search_responses() {
        let hits = hit_texts(
            br#"{"hits":[{"_id":"1","_index":"events","_score":1.0,"_source":{"details":{"benchmarker":"m-1"}}}],"meta":{"timed_out":false}}"#,
        );
        assert!(hits.is_some_and(|h| h.len() == 1 && h[0].contains("m-1")));
        assert_eq!(hit_texts(br#"{"hits":[],"meta":{"timed_out":false}}"#), Some(vec![]));
        assert_eq!(hit_texts(b"oops"), None);
        assert_eq!(hit_texts(br#"{"error":"x"}"#), None);
    }

    #[test]
    fn summary_line() {
        let mut stats =
            Stats { ok_events: 900, ok_requests: 9, failed_events: 100, failed_requests: 1, ..Stats::default() };
        stats.failures.insert("500".into(), 1);
        assert_eq!(
            stats.summary(Duration::from_secs(2), 7, true),
            "sent events=1000 ok=900 failed=100 requests=10 retries=0 failures=500:1 elapsed_s=2.000 events_per_s=450.0 seed=7"
        );
    }

    /// What the stub received: the number of events, the markers, the events.
    type Seen = Arc<Mutex<(u64, Vec<String>, Vec<Value>)>>;

    /// A loopback loginput + search stub: counts events, finds markers, keeps the events.
    async fn stub_server() -> Option<(String, Seen)> {
        use axum::routing::post;
        let seen: Seen = Arc::default();
        let record = |seen: Seen, body: String| {
            let mut s = lock(&seen);
            for line in body.lines().filter(|l| !l.trim().is_empty()) {
                s.0 += 1;
                if let Ok(v) = serde_json::from_str::<Value>(line) {
                    if let Some(m) = v["details"][MARKER_FIELD].as_str() {
                        s.1.push(m.to_string());
                    }
                    s.2.push(v);
                }
            }
        };
        let (s1, s2, s3) = (seen.clone(), seen.clone(), seen.clone());
        let app = axum::Router::new()
            .route("/events", post(move |body: String| async move { record(s1, body) }))
            .route("/_bulk", post(move |body: String| async move { record(s2, body) }))
            .route(
                "/api/search",
                post(move |axum::Json(q): axum::Json<Value>| async move {
                    let query = q["query"].as_str().unwrap_or_default().to_string();
                    let hits: Vec<Value> = lock(&s3)
                        .1
                        .iter()
                        .filter(|m| query.contains(m.as_str()))
                        .map(|m| {
                            let source = json!({"details": {MARKER_FIELD: m}});
                            json!({"_id": m, "_index": "events", "_score": 1.0, "_source": source})
                        })
                        .collect();
                    axum::Json(json!({"hits": hits, "meta": {"timed_out": false}}))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.ok()?;
        let addr = listener.local_addr().ok()?;
        tokio::spawn(async move { axum::serve(listener, app).await });
        Some((format!("http://{addr}"), seen))
    }

    fn args(url: String) -> SendArgs {
        SendArgs {
            url,
            count: Some(100),
            rate: 0.0,
            file: None,
            aws_logs: None,
            cloudtrail: None,
            eventbridge: None,
            guardduty: None,
            cloudwatch_logs: None,
            cloudwatch_parsers: None,
            queue: None,
            bulk: 0,
            concurrency: 4,
            seed: Some(1),
            quiet: true,
            measure_latency: 0,
            latency_timeout: 5.0,
            timeout: 5.0,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sends_single_and_bulk_and_measures_latency() {
        let server = stub_server().await;
        assert!(server.is_some(), "stub server did not start");
        let Some((url, seen)) = server else { return };
        assert!(run(args(url.clone())).await.is_ok());
        assert_eq!(lock(&seen).0, 100);

        let bulk = SendArgs { count: Some(250), bulk: 40, measure_latency: 5, ..args(url.clone()) };
        assert!(run(bulk).await.is_ok());
        let s = lock(&seen);
        assert_eq!(s.0, 350);
        assert_eq!(s.1.len(), 5);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn paced_run_takes_about_the_expected_time() {
        let server = stub_server().await;
        assert!(server.is_some(), "stub server did not start");
        let Some((url, seen)) = server else { return };
        let t = Instant::now();
        let paced = SendArgs { count: Some(200), rate: 1000.0, ..args(url) };
        assert!(run(paced).await.is_ok());
        let secs = t.elapsed().as_secs_f64();
        assert!((0.15..1.5).contains(&secs), "{secs}");
        assert_eq!(lock(&seen).0, 200);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn decoded_findings_go_to_bulk_and_bad_records_fail_the_run() {
        let server = stub_server().await;
        assert!(server.is_some(), "stub server did not start");
        let Some((url, seen)) = server else { return };
        let dir = tempfile::tempdir();
        assert!(dir.is_ok(), "temporary directory");
        let Ok(dir) = dir else { return };
        let finding = |n: u32| {
            json!({"version": "0", "id": format!("e{n}"), "detail-type": "GuardDuty Finding",
                   "source": "aws.guardduty", "account": "123456789012", "time": "2026-11-23T09:58:03Z",
                   "region": "us-west-2", "resources": [],
                   "detail": {"type": "Recon:EC2/PortProbeUnprotectedPort", "service": {"serviceName": "guardduty"}}})
            .to_string()
        };
        let path = dir.path().join("findings.ndjson");
        let text = format!("{}\n{{\"source\": \"aws.ec2\"}}\n\n{}\n{}\n", finding(1), finding(2), finding(3));
        assert!(std::fs::write(&path, text).is_ok());

        let replay = SendArgs { guardduty: Some(path.clone()), count: None, ..args(url.clone()) };
        assert!(run(replay).await.is_err(), "a record that does not decode fails the run");
        assert_eq!(lock(&seen).0, 3, "the other records are sent");

        let limited = SendArgs { guardduty: Some(path.clone()), count: Some(2), bulk: 1, ..args(url.clone()) };
        let _ = run(limited).await;
        assert_eq!(lock(&seen).0, 5);

        let both = SendArgs { guardduty: Some(path.clone()), file: Some(path.clone()), ..args(url.clone()) };
        assert!(run(both).await.is_err());
        let queue = SendArgs { queue: Some("q".into()), ..args(url.clone()) };
        assert!(run(queue).await.is_err());
        let marked = SendArgs { guardduty: Some(path), measure_latency: 1, ..args(url) };
        assert!(run(marked).await.is_err());
        assert_eq!(lock(&seen).0, 5);
    }

    /// The events the stub received since `from`: (endpoint, summary, tags).
    fn received(seen: &Seen, from: usize) -> Vec<(String, String, Value)> {
        lock(seen).2[from..]
            .iter()
            .map(|e| {
                assert_eq!(e["customendpoint"], true, "{e}");
                let text = |key: &str| e[key].as_str().unwrap_or_default().to_owned();
                (text("endpoint"), text("summary"), e["tags"].clone())
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn aws_logs_eventbridge_and_cloudwatch_logs_are_sent_decoded() {
        use crate::replay::tests::{AWS_LOG_ENDPOINTS, aws_logs_bucket, cloudwatch_records, eventbridge_events};
        let server = stub_server().await;
        assert!(server.is_some(), "stub server did not start");
        let Some((url, seen)) = server else { return };
        let dir = tempfile::tempdir();
        assert!(dir.is_ok(), "temporary directory");
        let Ok(dir) = dir else { return };
        let bucket = aws_logs_bucket(dir.path());

        // every format of the bucket; the ALB file's bad line fails the run
        let logs = SendArgs { aws_logs: Some(bucket.clone()), count: None, ..args(url.clone()) };
        let outcome = run(logs).await;
        let error = outcome.as_ref().map_err(ToString::to_string).err().unwrap_or_default();
        assert!(error.starts_with("1 of 8 events failed (1 records did not decode)"), "{outcome:?}");
        let events = received(&seen, 0);
        let endpoints: Vec<&str> = events.iter().map(|(e, _, _)| e.as_str()).collect();
        assert_eq!(endpoints, AWS_LOG_ENDPOINTS);
        for (endpoint, summary, tags) in &events {
            assert!(!summary.is_empty(), "{endpoint} event without a summary");
            assert!(tags.as_array().is_some_and(|t| t.contains(&json!("aws-logs"))), "{endpoint}: {tags}");
        }

        // --queue names the queue; --count limits the decoded events
        let queued = SendArgs {
            aws_logs: Some(bucket.clone()),
            count: Some(3),
            queue: Some("s3-logs".into()),
            ..args(url.clone())
        };
        let _ = run(queued).await;
        let events = received(&seen, 7);
        assert_eq!(events.len(), 3);
        assert!(events.iter().all(|(_, _, tags)| tags.as_array().is_some_and(|t| t.contains(&json!("s3-logs")))));

        // EventBridge: GuardDuty and Security Hub findings; another source fails the run
        let path = dir.path().join("events.ndjson");
        assert!(std::fs::write(&path, eventbridge_events()).is_ok());
        let bridge = SendArgs { eventbridge: Some(path.clone()), count: None, ..args(url.clone()) };
        let outcome = run(bridge).await;
        let error = outcome.as_ref().map_err(ToString::to_string).err().unwrap_or_default();
        assert!(error.starts_with("1 of 3 events failed"), "{outcome:?}");
        let events = received(&seen, 10);
        let endpoints: Vec<&str> = events.iter().map(|(e, _, _)| e.as_str()).collect();
        assert_eq!(endpoints, ["guardduty", "securityhub"]);
        assert!(events.iter().all(|(_, summary, _)| !summary.is_empty()));

        // CloudWatch Logs: the DATA_MESSAGE's two log events; the bad record fails
        let cwl = dir.path().join("cwl.ndjson");
        assert!(std::fs::write(&cwl, cloudwatch_records()).is_ok());
        let logs = SendArgs { cloudwatch_logs: Some(cwl.clone()), count: None, ..args(url.clone()) };
        let outcome = run(logs).await;
        let error = outcome.as_ref().map_err(ToString::to_string).err().unwrap_or_default();
        assert!(error.starts_with("1 of 3 events failed"), "{outcome:?}");
        let events = received(&seen, 12);
        let summaries: Vec<(&str, &str)> = events.iter().map(|(e, s, _)| (e.as_str(), s.as_str())).collect();
        assert_eq!(
            summaries,
            [("cloudwatchlogs", "user alice logged in from 198.51.100.23"), ("cloudwatchlogs", "payment declined")]
        );

        // refused before anything is sent
        let parsers = Some("/app/*=yaml".to_owned());
        let bad_parsers =
            SendArgs { cloudwatch_logs: Some(cwl.clone()), cloudwatch_parsers: parsers, ..args(url.clone()) };
        assert!(run(bad_parsers).await.is_err_and(|e| e.to_string().contains("--cloudwatch-parsers")));
        let cwl_queue = SendArgs { cloudwatch_logs: Some(cwl.clone()), queue: Some("q".into()), ..args(url.clone()) };
        assert!(run(cwl_queue).await.is_err());
        let two = SendArgs { aws_logs: Some(bucket), eventbridge: Some(path), ..args(url.clone()) };
        let outcome = run(two).await;
        assert!(
            outcome.as_ref().is_err_and(|e| e.to_string().contains("--aws-logs, --eventbridge exclude each other")),
            "{outcome:?}"
        );
        assert_eq!(lock(&seen).0, 14);
    }

    #[test]
    fn the_input_flags_exclude_each_other_on_the_command_line() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            send: SendArgs,
        }
        let parse = |flags: &[&str]| Cli::try_parse_from([&["send"], flags].concat()).map(|cli| cli.send);
        assert!(parse(&["--aws-logs", "d"]).is_ok_and(|a| a.aws_logs.is_some()));
        assert!(parse(&["--cloudwatch-logs", "f", "--cloudwatch-parsers", "/a=json"]).is_ok());
        for pair in [["--aws-logs", "--cloudtrail"], ["--eventbridge", "--guardduty"], ["--file", "--cloudwatch-logs"]]
        {
            assert!(parse(&[pair[0], "x", pair[1], "y"]).is_err(), "{pair:?}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unreachable_server_fails() {
        // a port nobody listens on: bind, learn the port, close
        let port = match std::net::TcpListener::bind("127.0.0.1:0") {
            Ok(l) => l.local_addr().map(|a| a.port()).unwrap_or(9),
            Err(_) => return,
        };
        let a = SendArgs { count: Some(3), ..args(format!("http://127.0.0.1:{port}")) };
        assert!(run(a).await.is_err());
    }
}
