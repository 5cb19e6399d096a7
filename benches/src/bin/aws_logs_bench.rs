//! The decode benchmark of the S3-delivered AWS log formats (`scripts/bench-aws-logs`): how
//! many records per second one core decodes through [`S3LogDecoder`], and the peak resident
//! memory while it streams a large gzip object.
//!
//! ```text
//! aws_logs_bench generate --format <vpcflow|alb|nlb|waf|route53resolver> --gzip-bytes N --out DIR
//!                         [--bucket B] [--seed S]
//! aws_logs_bench decode --dir DIR --bucket B --key KEY [--text-bytes N]
//! ```
//!
//! * `generate` writes one object as AWS delivers it, at its AWS key under
//!   `DIR/<bucket>/AWSLogs/...`: gzip (level 6) text, one record a line (flow logs after their
//!   header line), records in time order. Addresses, ports, times, user agents, URIs, rules and
//!   query names vary by a seeded generator ([`SplitMix64`]), most values drawn from pools with
//!   a skew (a few hosts and clients are common, many rare) so that the compression ratio is
//!   that of a real log, not of a repeated line. It stops once the compressed size reaches N
//!   bytes and prints one line: `format= bucket= key= gzip_bytes= text_bytes= records= seconds=`.
//! * `decode` decodes the object through [`S3LogDecoder`] over [`LocalObjects`] on the calling
//!   thread, into a sink that counts events and unparsed entries and drops them, and prints one
//!   line: `format= gzip_bytes= text_bytes= records= events= unparsed= seconds= records_per_s=
//!   text_mb_per_s= vmhwm_before_kib= vmhwm_kib=` (MB = 10^6 bytes; `records` = events +
//!   unparsed; VmHWM is the peak resident set from `/proc/self/status`, `-` where there is
//!   none). The decompressed size is `--text-bytes` (the generate step's `text_bytes`) or, without
//!   it, counted by a second, untimed gunzip pass after the measurement.
//!
//! Benchmarks are never part of the tests; the objects are generated, never committed.

use std::borrow::Cow;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use mozdef_benches::Flags;
use mozdef_model::rng::SplitMix64;
use mozdef_pipeline::NormalizeContext;
use mozdef_pipeline::decode::aws_logs::{Entry, S3LogDecoder};
use mozdef_pipeline::decode::{CloudTrailDecoder, LocalObjects, S3ObjectRef};
use serde_json::{Value, json};

// As in the Lambdas: the decoders allocate many small strings and maps.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:
  aws_logs_bench generate --format <vpcflow|alb|nlb|waf|route53resolver> --gzip-bytes N --out DIR [--bucket B] [--seed S]
  aws_logs_bench decode --dir DIR --bucket B --key KEY [--text-bytes N]";

/// The decompression cap of the bench's decoder: far above any generated object.
const MAX_DECOMPRESSED_BYTES: u64 = 64 << 30;
/// The queue name the decoder tags events with (as the ingest Lambda passes its own).
const QUEUE: &str = "mozdef-bench-s3-logs";
const DEFAULT_BUCKET: &str = "mozdef-bench-logs";
const DEFAULT_SEED: u64 = 20_261_207;
/// The time of the first record: 2026-12-07T10:00:00Z, in microseconds.
const START_MICROS: i64 = 1_796_637_600_000_000;
/// Compressed text handed to the encoder at a time (the size is checked between batches).
const BATCH_BYTES: usize = 64 * 1024;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const VPC: &str = "vpc-0a1b2c3d4e5f60718";
const ALB: (&str, &str) = ("web-prod", "50dc6c495c0c9188");
const NLB: (&str, &str) = ("tls-edge", "c6e77e28c25b2234");
const WEB_ACL: &str = "web-prod-acl";
const CERTIFICATE: &str = "arn:aws:acm:us-east-1:111122223333:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let outcome = match args.next().as_deref() {
        Some("generate") => {
            Flags::parse(args, &["format", "gzip-bytes", "out", "bucket", "seed"], USAGE).and_then(generate)
        }
        Some("decode") => Flags::parse(args, &["dir", "bucket", "key", "text-bytes"], USAGE).and_then(decode),
        _ => Err(USAGE.to_owned()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("aws_logs_bench: {message}");
            ExitCode::FAILURE
        }
    }
}

// ------------------------------------------------------------------------------ generate

/// A format the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    VpcFlow,
    Alb,
    Nlb,
    Waf,
    Route53Resolver,
}

impl Format {
    fn parse(name: &str) -> Result<Format, String> {
        match name {
            "vpcflow" => Ok(Format::VpcFlow),
            "alb" => Ok(Format::Alb),
            "nlb" => Ok(Format::Nlb),
            "waf" => Ok(Format::Waf),
            "route53resolver" => Ok(Format::Route53Resolver),
            other => Err(format!("--format {other:?}: expected vpcflow, alb, nlb, waf or route53resolver")),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::VpcFlow => "vpcflow",
            Format::Alb => "alb",
            Format::Nlb => "nlb",
            Format::Waf => "waf",
            Format::Route53Resolver => "route53resolver",
        }
    }

    /// The object key AWS gives a file of this format delivered at `time` (see
    /// `mozdef_pipeline::decode::aws_logs::s3`).
    fn key(self, time: DateTime<Utc>, rng: &mut SplitMix64) -> String {
        let day = time.format("%Y/%m/%d");
        let stamp = time.format("%Y%m%dT%H%MZ");
        let hash = rng.hex(8);
        match self {
            Format::VpcFlow => format!(
                "AWSLogs/{ACCOUNT}/vpcflowlogs/{REGION}/{day}/{ACCOUNT}_vpcflowlogs_{REGION}_fl-{}_{stamp}_{hash}.log.gz",
                rng.hex(17)
            ),
            Format::Alb => format!(
                "AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}/{day}/{ACCOUNT}_elasticloadbalancing_{REGION}_app.{}.{}_{stamp}_10.0.0.17_{hash}.log.gz",
                ALB.0, ALB.1
            ),
            Format::Nlb => format!(
                "AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}/{day}/{ACCOUNT}_elasticloadbalancing_{REGION}_net.{}.{}_{stamp}_{hash}.log.gz",
                NLB.0, NLB.1
            ),
            Format::Waf => format!(
                "AWSLogs/{ACCOUNT}/WAFLogs/{REGION}/{WEB_ACL}/{}/{ACCOUNT}_waflogs_{REGION}_{WEB_ACL}_{stamp}_{hash}.log.gz",
                time.format("%Y/%m/%d/%H/%M")
            ),
            Format::Route53Resolver => format!(
                "AWSLogs/{ACCOUNT}/vpcdnsquerylogs/{VPC}/{day}/{ACCOUNT}_vpcdnsquerylogs_{VPC}_{stamp}_{hash}.log.gz"
            ),
        }
    }
}

/// What `generate` wrote.
struct Written {
    gzip_bytes: u64,
    text_bytes: u64,
    records: u64,
}

fn generate(flags: Flags) -> Result<(), String> {
    let format = Format::parse(flags.required("format")?)?;
    let gzip_bytes = flags.number("gzip-bytes")?.ok_or_else(|| format!("--gzip-bytes is required\n{USAGE}"))?;
    let out = PathBuf::from(flags.required("out")?);
    let bucket = flags.text("bucket").unwrap_or(DEFAULT_BUCKET);
    let seed = flags.number("seed")?.unwrap_or(DEFAULT_SEED);

    let mut generator = Generator::new(format, seed);
    let key = format.key(generator.time(), &mut generator.rng);
    let path = LocalObjects::new(&out).path_of(bucket, &key).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("--out: cannot create {}: {e}", dir.display()))?;
    }
    let started = Instant::now();
    let written = write_object(&mut generator, &path, gzip_bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "format={} bucket={bucket} key={key} gzip_bytes={} text_bytes={} records={} seconds={:.1}",
        format.name(),
        written.gzip_bytes,
        written.text_bytes,
        written.records,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes records of `generator` as gzip to `path` until the compressed size reaches
/// `gzip_bytes`.
fn write_object(generator: &mut Generator, path: &Path, gzip_bytes: u64) -> io::Result<Written> {
    let file = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut gzip = GzEncoder::new(Counting { inner: file, written: 0 }, Compression::new(6));
    let mut batch = Vec::with_capacity(BATCH_BYTES + 8192);
    let (mut text_bytes, mut records) = (0u64, 0u64);
    if let Some(header) = generator.header() {
        batch.extend_from_slice(header.as_bytes());
    }
    while gzip.get_ref().written < gzip_bytes {
        while batch.len() < BATCH_BYTES {
            generator.record(&mut batch)?;
            records += 1;
        }
        gzip.write_all(&batch)?;
        text_bytes += batch.len() as u64;
        batch.clear();
    }
    let mut counting = gzip.finish()?;
    counting.flush()?;
    Ok(Written { gzip_bytes: counting.written, text_bytes, records })
}

/// A writer counting the bytes written through it.
struct Counting<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// An index into `len` items skewed towards the first: item `i` is about `ln(len / i)` times
/// as common as uniform, so a few are frequent and most rare, as clients and hosts in a log.
fn skewed_index(rng: &mut SplitMix64, len: usize) -> usize {
    let bound = rng.below(len as u64) + 1;
    rng.below(bound) as usize
}

/// An element of `items` (not empty) by [`skewed_index`].
fn skewed<'a, T>(rng: &mut SplitMix64, items: &'a [T]) -> &'a T {
    &items[skewed_index(rng, items.len())]
}

/// An element of `items` (not empty, weights not all 0) chosen by its weight.
fn weighted<'a, T>(rng: &mut SplitMix64, items: &'a [(T, u64)]) -> &'a T {
    let mut at = rng.below(items.iter().map(|(_, w)| w).sum());
    for (item, weight) in items {
        if at < *weight {
            return item;
        }
        at -= weight;
    }
    &items[items.len() - 1].0
}

/// A number in `1..=max`, most of them small (a packet count, a response size).
fn small_mostly(rng: &mut SplitMix64, max: u64) -> u64 {
    let bound = rng.below(max) + 1;
    rng.below(bound) + 1
}

/// The time `micros` after the epoch.
fn at(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// The values records are drawn from, built once per object from the seed.
struct Pools {
    /// Private addresses of the VPC (10.0.0.0/19).
    internal: Vec<String>,
    /// Public addresses seen on the internet side.
    external: Vec<String>,
    /// Network interfaces (one per internal address, modulo their number).
    enis: Vec<String>,
    /// EC2 instances (one per internal address, modulo their number).
    instances: Vec<String>,
    /// ALB targets (`ip:port`).
    targets: Vec<String>,
    /// Build hashes of static assets.
    asset_hashes: Vec<String>,
    /// TLS client fingerprints.
    ja3: Vec<String>,
}

impl Pools {
    fn new(rng: &mut SplitMix64) -> Pools {
        let internal = (0..800).map(|_| format!("10.0.{}.{}", rng.below(32), rng.range(4, 254))).collect();
        let external = (0..20_000).map(|_| public_ipv4(rng)).collect();
        let enis = (0..300).map(|_| format!("eni-{}", rng.hex(17))).collect();
        let instances = (0..200).map(|_| format!("i-{}", rng.hex(17))).collect();
        let targets = (0..12).map(|_| format!("10.0.{}.{}:8080", rng.range(8, 11), rng.range(4, 254))).collect();
        let asset_hashes = (0..24).map(|_| rng.hex(8)).collect();
        let ja3 = (0..60).map(|_| rng.hex(32)).collect();
        Pools { internal, external, enis, instances, targets, asset_hashes, ja3 }
    }

    /// A public address: mostly a returning one, sometimes one never seen before.
    fn external(&self, rng: &mut SplitMix64) -> Cow<'_, str> {
        if rng.chance(0.1) { Cow::Owned(public_ipv4(rng)) } else { Cow::Borrowed(skewed(rng, &self.external).as_str()) }
    }
}

/// A random address in a publicly routed /8.
fn public_ipv4(rng: &mut SplitMix64) -> String {
    const FIRST: [u8; 24] =
        [3, 13, 18, 23, 31, 34, 35, 37, 45, 52, 54, 62, 66, 77, 81, 89, 91, 104, 151, 176, 185, 195, 203, 212];
    format!("{}.{}.{}.{}", rng.pick(&FIRST), rng.below(256), rng.below(256), rng.range(1, 254))
}

/// A random address in the documentation prefix 2001:db8::/32.
fn ipv6(rng: &mut SplitMix64) -> String {
    format!("2001:db8:{:x}:{:x}::{:x}", rng.below(16), rng.below(0x1_0000), rng.range(1, 0xffff))
}

const WORDS: [&str; 32] = [
    "firefox",
    "privacy",
    "addons",
    "vpn",
    "download",
    "release",
    "notes",
    "sync",
    "account",
    "password",
    "monitor",
    "relay",
    "pocket",
    "developer",
    "extension",
    "theme",
    "security",
    "update",
    "mobile",
    "android",
    "ios",
    "linux",
    "windows",
    "mac",
    "support",
    "bug",
    "crash",
    "report",
    "blog",
    "news",
    "careers",
    "about",
];
const HOSTS: [&str; 6] = [
    "www.example.com",
    "api.example.com",
    "static.example.com",
    "accounts.example.com",
    "example.com",
    "shop.example.com",
];
const USER_AGENTS: [&str; 16] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "ELB-HealthChecker/2.0",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Go-http-client/1.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "okhttp/4.12.0",
    "Mozilla/5.0 zgrab/0.x",
];
/// Paths probed by scanners.
const PROBES: [&str; 8] = [
    "/wp-login.php",
    "/.env",
    "/.git/config",
    "/admin/config.php",
    "/cgi-bin/luci/;stok=/locale",
    "/phpmyadmin/index.php",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/actuator/health",
];

/// A request path (with a query string sometimes).
fn uri(rng: &mut SplitMix64, pools: &Pools) -> String {
    match *weighted(rng, &[(0, 20), (1, 10), (2, 20), (3, 12), (4, 10), (5, 12), (6, 4), (7, 12)]) {
        0 => format!("/api/v1/users/{}", small_mostly(rng, 500_000)),
        1 => format!("/api/v1/orders/{}/items", rng.uuid_like()),
        2 => {
            let bundle = rng.pick(&["app", "vendor", "runtime", "main", "styles"]);
            format!("/static/{bundle}.{}.js", skewed(rng, &pools.asset_hashes))
        }
        3 => format!("/search?q={}+{}&page={}", skewed(rng, &WORDS), skewed(rng, &WORDS), small_mostly(rng, 20)),
        4 => format!("/products/{}?ref={}", rng.range(1000, 99_999), skewed(rng, &WORDS)),
        5 => (*skewed(rng, &["/", "/health", "/login", "/favicon.ico", "/robots.txt", "/logout"])).to_owned(),
        6 => (*rng.pick(&PROBES)).to_owned(),
        _ => format!("/images/{}/{}.jpg", skewed(rng, &WORDS), rng.hex(12)),
    }
}

/// Writes records of one format, in time order.
struct Generator {
    format: Format,
    rng: SplitMix64,
    pools: Pools,
    /// The time of the current record.
    micros: i64,
}

impl Generator {
    fn new(format: Format, seed: u64) -> Generator {
        let mut rng = SplitMix64::new(seed ^ (format as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let pools = Pools::new(&mut rng);
        Generator { format, rng, pools, micros: START_MICROS }
    }

    fn time(&self) -> DateTime<Utc> {
        at(self.micros)
    }

    /// The first line of an object, if the format has one.
    fn header(&self) -> Option<&'static str> {
        (self.format == Format::VpcFlow).then_some(
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
        )
    }

    /// Appends one record (a line) to `out`.
    fn record(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        self.micros += self.rng.below(2_000) as i64;
        match self.format {
            Format::VpcFlow => self.vpc_flow(out),
            Format::Alb => self.alb(out),
            Format::Nlb => self.nlb(out),
            Format::Waf => self.waf(out),
            Format::Route53Resolver => self.route53_resolver(out),
        }
    }

    /// A default-format (version 2) flow log record: traffic in and out of the VPC and inside
    /// it, mostly TCP to a few service ports, a share of inbound flows rejected.
    fn vpc_flow(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        const SERVICES: [u16; 12] = [443, 80, 22, 53, 123, 5432, 3306, 6379, 8080, 9200, 25, 3389];
        let Generator { rng, pools, micros, .. } = self;
        let at_internal = skewed_index(rng, pools.internal.len());
        let eni = &pools.enis[at_internal % pools.enis.len()];
        let (mut local, mut peer): (Cow<'_, str>, Cow<'_, str>) = (
            Cow::Borrowed(&pools.internal[at_internal]),
            if rng.chance(0.3) { Cow::Borrowed(skewed(rng, &pools.internal).as_str()) } else { pools.external(rng) },
        );
        if rng.chance(0.03) {
            (local, peer) = (Cow::Owned(ipv6(rng)), Cow::Owned(ipv6(rng)));
        }
        let protocol = *weighted(rng, &[(6u8, 80), (17, 15), (1, 5)]);
        let service = match protocol {
            17 => *rng.pick(&[53u16, 123, 443, 500]),
            _ => *skewed(rng, &SERVICES),
        };
        let (client_port, service) =
            if protocol == 1 { (0, 0) } else { (rng.range(32_768, 65_535), u64::from(service)) };
        let inbound = rng.chance(0.5);
        let rejected = inbound && rng.chance(0.25);
        let packets = if rejected { small_mostly(rng, 3) } else { small_mostly(rng, 5_000) };
        let bytes = packets * rng.range(40, 1_500);
        let end = *micros / 1_000_000 - rng.below(30) as i64;
        let start = end - rng.range(1, 60) as i64;
        let action = if rejected { "REJECT" } else { "ACCEPT" };
        let (src, dst, src_port, dst_port) =
            if inbound { (peer, local, client_port, service) } else { (local, peer, client_port, service) };
        writeln!(
            out,
            "2 {ACCOUNT} {eni} {src} {dst} {src_port} {dst_port} {protocol} {packets} {bytes} {start} {end} {action} OK"
        )
    }

    /// An Application Load Balancer access log line with all its 30 fields: HTTPS, HTTP/2
    /// and plain HTTP (mostly redirected to HTTPS), responses from a dozen targets.
    fn alb(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        const STATUS: [(u16, u64); 9] =
            [(200, 70), (304, 8), (302, 4), (404, 8), (403, 2), (400, 2), (500, 2), (502, 2), (503, 2)];
        let Generator { rng, pools, micros, .. } = self;
        let kind = *weighted(rng, &[("https", 70), ("h2", 12), ("http", 18)]);
        let secure = kind != "http";
        let redirect = !secure && rng.chance(0.6);
        let host = skewed(rng, &HOSTS);
        let path = uri(rng, pools);
        let method =
            *weighted(rng, &[("GET", 82), ("POST", 12), ("PUT", 2), ("DELETE", 1), ("HEAD", 2), ("OPTIONS", 1)]);
        let (scheme, port) = if secure { ("https", 443) } else { ("http", 80) };
        let protocol = if kind == "h2" { "HTTP/2.0" } else { "HTTP/1.1" };
        let (cipher, tls) = if secure {
            *weighted(
                rng,
                &[(("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2"), 40), (("TLS_AES_128_GCM_SHA256", "TLSv1.3"), 60)],
            )
        } else {
            ("-", "-")
        };
        let (status, target, times, sent) = if redirect {
            (301, "-".to_owned(), "-1 -1 -1".to_owned(), 134)
        } else {
            let status = *weighted(rng, &STATUS);
            let target = skewed(rng, &pools.targets).clone();
            let target_time = small_mostly(rng, 2_000) as f64 / 1_000.0;
            let times = format!("0.{:03} {target_time:.3} 0.000", rng.below(3));
            (status, target, times, small_mostly(rng, 200_000) + 200)
        };
        let elapsed = (small_mostly(rng, 2_000) * 1_000) as i64;
        let time = at(*micros).format("%Y-%m-%dT%H:%M:%S%.6fZ");
        let created = at(*micros - elapsed).format("%Y-%m-%dT%H:%M:%S%.6fZ");
        let client = pools.external(rng);
        let client_port = rng.range(1_024, 65_535);
        let received = if method == "GET" { small_mostly(rng, 900) + 60 } else { small_mostly(rng, 20_000) + 200 };
        let target_status = if redirect { "-".to_owned() } else { status.to_string() };
        let group = rng.pick(&[
            "web-targets/73e2d6bc24d8a067",
            "api-targets/943f017f100becff",
            "static-targets/2c3e1b2f8d5a6c7e",
        ]);
        let group = if redirect {
            "-".to_owned()
        } else {
            format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{group}")
        };
        let trace = format!("Root=1-{:08x}-{}", at(*micros).timestamp(), rng.hex(24));
        let (domain, certificate) = if secure { (*host, CERTIFICATE) } else { ("-", "-") };
        let priority = if redirect { 1 } else { rng.range(2, 6) };
        let (actions, redirect_url) = match (redirect, rng.chance(0.3)) {
            (true, _) => ("redirect", format!("https://{host}:443{path}")),
            (false, true) => ("waf,forward", "-".to_owned()),
            (false, false) => ("forward", "-".to_owned()),
        };
        writeln!(
            out,
            "{kind} {time} app/{}/{} {client}:{client_port} {target} {times} {status} {target_status} {received} {sent} \
             \"{method} {scheme}://{host}:{port}{path} {protocol}\" \"{}\" {cipher} {tls} {group} \"{trace}\" \
             \"{domain}\" \"{certificate}\" {priority} {created} \"{actions}\" \"{redirect_url}\" \"-\" \"{target}\" \
             \"{target_status}\" \"-\" \"-\" TID_{}",
            ALB.0,
            ALB.1,
            skewed(rng, &USER_AGENTS),
            rng.hex(32)
        )
    }

    /// A Network Load Balancer TLS listener access log line (all 22 fields), to one of the
    /// load balancer's three nodes.
    fn nlb(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        let Generator { rng, pools, micros, .. } = self;
        let time = at(*micros).format("%Y-%m-%dT%H:%M:%S");
        let connection_ms = small_mostly(rng, 600_000);
        let created = at(*micros - (connection_ms * 1_000) as i64).format("%Y-%m-%dT%H:%M:%S");
        let client = pools.external(rng);
        let node = rng.pick(&["10.0.0.17", "10.0.1.17", "10.0.2.17"]);
        let (cipher, version) = *weighted(
            rng,
            &[(("ECDHE-RSA-AES128-GCM-SHA256", "tlsv12"), 45), (("TLS_AES_128_GCM_SHA256", "tlsv13"), 55)],
        );
        let group = if version == "tlsv13" { *rng.pick(&["x25519", "secp256r1"]) } else { "-" };
        let alpn =
            *weighted(rng, &[("- - -", 40), ("h2 h2 \"h2\",\"http/1.1\"", 45), ("http/1.1 http/1.1 \"http/1.1\"", 15)]);
        let domain = skewed(rng, &HOSTS);
        writeln!(
            out,
            "tls 2.0 {time} net/{}/{} g3d4b5e8bb8464cd {client}:{} {node}:443 {connection_ms} {} {} {} - {CERTIFICATE} - {cipher} \
             {version} {group} {domain} {alpn} {created}",
            NLB.0,
            NLB.1,
            rng.range(1_024, 65_535),
            small_mostly(rng, 40),
            small_mostly(rng, 50_000) + 300,
            small_mostly(rng, 2_000_000) + 2_000,
        )
    }

    /// A WAF web ACL log record behind the ALB: mostly allowed by the default action, some
    /// blocked by a managed rule group, the rate limit or the IP reputation list, some
    /// counted.
    fn waf(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        const GROUPS: [&str; 3] = [
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
        ];
        const COMMON_RULES: [(&str, &str); 5] = [
            ("SizeRestrictions_QUERYSTRING", "SizeRestrictions_QueryString"),
            ("NoUserAgent_HEADER", "NoUserAgent_Header"),
            ("CrossSiteScripting_QUERYARGUMENTS", "CrossSiteScripting_QueryArguments"),
            ("GenericLFI_URIPATH", "GenericLFI_URIPath"),
            ("EC2MetaDataSSRF_QUERYARGUMENTS", "EC2MetaDataSSRF_QueryArguments"),
        ];
        const COUNTRIES: [(&str, u64); 11] = [
            ("US", 40),
            ("DE", 8),
            ("GB", 7),
            ("FR", 6),
            ("BR", 5),
            ("IN", 6),
            ("CN", 6),
            ("RU", 4),
            ("JP", 5),
            ("NL", 5),
            ("CA", 8),
        ];
        let Generator { rng, pools, micros, .. } = self;
        let outcome = *weighted(rng, &[("allow", 86), ("managed", 6), ("rate", 3), ("reputation", 2), ("count", 3)]);
        let host = *skewed(rng, &HOSTS);
        let path = uri(rng, pools);
        let (uri, args) = path.split_once('?').unwrap_or((path.as_str(), ""));
        let mut headers = vec![json!({"name": "Host", "value": host})];
        if outcome != "managed" || rng.chance(0.5) {
            headers.push(json!({"name": "User-Agent", "value": skewed(rng, &USER_AGENTS)}));
        }
        let accept =
            rng.pick(&["*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"]);
        headers.push(json!({"name": "Accept", "value": accept}));
        headers.push(json!({"name": "Accept-Encoding", "value": "gzip, deflate, br"}));
        if rng.chance(0.4) {
            headers.push(json!({"name": "Cookie", "value": format!("session={}; theme=dark", rng.hex(32))}));
        }
        let mut groups: Vec<Value> = GROUPS
            .iter()
            .map(|group| {
                json!({"ruleGroupId": format!("AWS#{group}"), "terminatingRule": null,
                       "nonTerminatingMatchingRules": [], "excludedRules": null, "customerConfig": null})
            })
            .collect();
        let mut labels = Vec::new();
        let (action, rule, rule_type) = match outcome {
            "managed" => {
                let (rule, label) = rng.pick(&COMMON_RULES);
                groups[0]["terminatingRule"] = json!({"ruleId": rule, "action": "BLOCK", "ruleMatchDetails": null});
                labels.push(json!({"name": format!("awswaf:managed:aws:core-rule-set:{label}")}));
                ("BLOCK", format!("AWS-{}", GROUPS[0]), "MANAGED_RULE_GROUP")
            }
            "reputation" => {
                groups[2]["terminatingRule"] =
                    json!({"ruleId": "AWSManagedIPReputationList", "action": "BLOCK", "ruleMatchDetails": null});
                labels.push(json!({"name": "awswaf:managed:aws:amazon-ip-list:AWSManagedIPReputationList"}));
                ("BLOCK", format!("AWS-{}", GROUPS[2]), "MANAGED_RULE_GROUP")
            }
            "rate" => ("BLOCK", "RateLimit-2000".to_owned(), "RATE_BASED"),
            // "allow", and "count": a counting rule matched, the default action allowed.
            _ => ("ALLOW", "Default_Action".to_owned(), "REGULAR"),
        };
        let counted = if outcome == "count" {
            json!([{"ruleId": "CountSuspiciousPaths", "action": "COUNT", "ruleMatchDetails": []}])
        } else {
            json!([])
        };
        let mut record = json!({
            "timestamp": *micros / 1_000,
            "formatVersion": 1,
            "webaclId": format!("arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/{WEB_ACL}/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"),
            "terminatingRuleId": rule,
            "terminatingRuleType": rule_type,
            "action": action,
            "terminatingRuleMatchDetails": [],
            "httpSourceName": "ALB",
            "httpSourceId": format!("{ACCOUNT}-app/{}/{}", ALB.0, ALB.1),
            "ruleGroupList": groups,
            "rateBasedRuleList": [],
            "nonTerminatingMatchingRules": counted,
            "requestHeadersInserted": null,
            "responseCodeSent": null,
            "httpRequest": {
                "clientIp": pools.external(rng),
                "country": weighted(rng, &COUNTRIES),
                "headers": headers,
                "uri": uri,
                "args": args,
                "httpVersion": rng.pick(&["HTTP/1.1", "HTTP/2.0"]),
                "httpMethod": weighted(rng, &[("GET", 85), ("POST", 12), ("HEAD", 3)]),
                "requestId": format!("1-{:08x}-{}", *micros / 1_000_000, rng.hex(24)),
            },
            "ja3Fingerprint": skewed(rng, &pools.ja3),
        });
        if !labels.is_empty()
            && let Some(record) = record.as_object_mut()
        {
            record.insert("labels".to_owned(), Value::Array(labels));
        }
        serde_json::to_writer(&mut *out, &record).map_err(io::Error::other)?;
        out.push(b'\n');
        Ok(())
    }

    /// A Route 53 Resolver query log record from an instance of the VPC: internal names, AWS
    /// endpoints, public names (CDN names through a CNAME), random names that do not exist,
    /// a few matched by a DNS Firewall rule.
    fn route53_resolver(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        const PUBLIC: [&str; 14] = [
            "sqs.us-east-1.amazonaws.com.",
            "s3.us-east-1.amazonaws.com.",
            "sts.amazonaws.com.",
            "dynamodb.us-east-1.amazonaws.com.",
            "logs.us-east-1.amazonaws.com.",
            "api.github.com.",
            "registry.npmjs.org.",
            "pypi.org.",
            "files.pythonhosted.org.",
            "deb.debian.org.",
            "security.ubuntu.com.",
            "index.crates.io.",
            "ntp.ubuntu.com.",
            "www.google.com.",
        ];
        let Generator { rng, pools, micros, .. } = self;
        let at_internal = skewed_index(rng, pools.internal.len());
        let source = &pools.internal[at_internal];
        let kind = *weighted(rng, &[("internal", 25), ("public", 50), ("cdn", 15), ("missing", 8), ("blocked", 2)]);
        let query_type = *weighted(rng, &[("A", 60), ("AAAA", 30), ("PTR", 4), ("TXT", 3), ("SRV", 3)]);
        // Answers: the addresses of public names change little from one query to the next.
        let address = |rng: &mut SplitMix64| {
            if query_type == "AAAA" { ipv6(rng) } else { skewed(rng, &pools.external).clone() }
        };
        let answer = |rdata: String, kind: &str| json!({"Rdata": rdata, "Type": kind, "Class": "IN"});
        let (name, rcode, answers) = match kind {
            "internal" => {
                let host = skewed(rng, &pools.internal);
                (format!("ip-{}.ec2.internal.", host.replace('.', "-")), "NOERROR", vec![answer(host.clone(), "A")])
            }
            "cdn" => {
                let cdn = format!("d{}.cloudfront.net.", rng.hex(13));
                let name = format!("{}.example.com.", skewed(rng, &WORDS));
                let rdata = address(rng);
                (name, "NOERROR", vec![answer(cdn, "CNAME"), answer(rdata, query_type)])
            }
            "missing" | "blocked" => {
                let name: String = (0..rng.range(8, 16)).map(|_| char::from(b'a' + rng.below(26) as u8)).collect();
                (format!("{name}.{}.", rng.pick(&["com", "net", "xyz", "top", "ru"])), "NXDOMAIN", Vec::new())
            }
            _ => {
                let name = (*skewed(rng, &PUBLIC)).to_owned();
                let answers = (0..rng.range(1, 4)).map(|_| answer(address(rng), query_type)).collect();
                (name, "NOERROR", answers)
            }
        };
        let instance = &pools.instances[at_internal % pools.instances.len()];
        let mut record = json!({
            "version": "1.100000",
            "account_id": ACCOUNT,
            "region": REGION,
            "vpc_id": VPC,
            "query_timestamp": at(*micros).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "query_name": name,
            "query_type": query_type,
            "query_class": "IN",
            "rcode": rcode,
            "answers": answers,
            "srcaddr": source,
            "srcport": rng.range(1_024, 65_535).to_string(),
            "transport": weighted(rng, &[("UDP", 96), ("TCP", 4)]),
            "srcids": {"instance": instance},
        });
        if kind == "blocked"
            && let Some(record) = record.as_object_mut()
        {
            record.insert("firewall_rule_action".to_owned(), json!(rng.pick(&["BLOCK", "ALERT"])));
            record.insert("firewall_rule_group_id".to_owned(), json!("rslvr-frg-8a8a8a8a8a8a8a8a"));
            record.insert("firewall_domain_list_id".to_owned(), json!("rslvr-fdl-9b9b9b9b9b9b9b9b"));
        }
        serde_json::to_writer(&mut *out, &record).map_err(io::Error::other)?;
        out.push(b'\n');
        Ok(())
    }
}

// ------------------------------------------------------------------------------ decode

/// What the sink saw.
#[derive(Debug, Default)]
struct Counts {
    events: u64,
    unparsed: u64,
    /// The first unparsed entry's reason (the generator and the parser disagree).
    first_unparsed: Option<String>,
}

impl Counts {
    fn add(&mut self, entry: Entry) {
        match entry {
            Entry::Event(_) => self.events += 1,
            Entry::Unparsed(unparsed) => {
                self.unparsed += 1;
                self.first_unparsed.get_or_insert(unparsed.reason);
            }
        }
    }
}

fn decode(flags: Flags) -> Result<(), String> {
    let dir = PathBuf::from(flags.required("dir")?);
    let object = S3ObjectRef { bucket: flags.required("bucket")?.to_owned(), key: flags.required("key")?.to_owned() };
    let objects = LocalObjects::new(&dir);
    let path = objects.path_of(&object.bucket, &object.key).map_err(|e| e.to_string())?;
    let gzip_bytes = fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    let decoder = S3LogDecoder::new(
        CloudTrailDecoder::new(objects)
            .with_max_decompressed_bytes(MAX_DECOMPRESSED_BYTES)
            .with_process("0", "aws_logs_bench"),
    );
    let ctx = NormalizeContext { received: Utc::now(), mozdefhostname: "mozdef-bench".to_owned() };

    let before = vm_hwm_kib();
    eprintln!("decoding {} ({gzip_bytes} bytes of gzip); VmHWM before: {} KiB", path.display(), shown(before));
    let mut counts = Counts::default();
    let started = Instant::now();
    let format = decoder
        .decode_object(&object, QUEUE, &ctx, &mut |entry| counts.add(entry))
        .map_err(|e| format!("decoding s3://{}/{}: {e}", object.bucket, object.key))?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = vm_hwm_kib();

    let text_bytes = match flags.number("text-bytes")? {
        Some(n) => n,
        None => gunzipped_size(&path).map_err(|e| format!("{}: {e}", path.display()))?,
    };
    if let Some(reason) = &counts.first_unparsed {
        eprintln!("{} unparsed entries; the first: {reason}", counts.unparsed);
    }
    let records = counts.events + counts.unparsed;
    println!(
        "format={} gzip_bytes={gzip_bytes} text_bytes={text_bytes} records={records} events={} unparsed={} \
         seconds={seconds:.3} records_per_s={:.0} text_mb_per_s={:.1} vmhwm_before_kib={} vmhwm_kib={}",
        format.name(),
        counts.events,
        counts.unparsed,
        records as f64 / seconds,
        text_bytes as f64 / 1e6 / seconds,
        shown(before),
        shown(peak),
    );
    Ok(())
}

/// The decompressed size of a gzip file (every member).
fn gunzipped_size(path: &Path) -> io::Result<u64> {
    let mut gunzip = MultiGzDecoder::new(BufReader::with_capacity(1 << 20, File::open(path)?));
    io::copy(&mut gunzip, &mut io::sink())
}

/// The process's peak resident set size (`VmHWM`), in KiB; `None` without `/proc`.
fn vm_hwm_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|line| line.strip_prefix("VmHWM:"))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}

fn shown(value: Option<u64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}
