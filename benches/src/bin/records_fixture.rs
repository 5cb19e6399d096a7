//! The records fixture of `scripts/bench-records`: writes N incidents and M alert triage
//! copies into `<data-dir>/mozdef.sqlite` (the SQLite record store `mozdef dev` serves the
//! REST API from), through [`SqliteRecords::import`] in batches, deterministically by seed.
//!
//! ```text
//! records_fixture --data-dir DIR --incidents N --alerts M [--seed S] [--batch B] [--now RFC3339]
//! ```
//!
//! * Incidents are what `POST /api/incidents` would store (the body is checked by the service's
//!   own [`casefile::check`]): a summary from a small vocabulary, a description of a few
//!   sentences, a phase among MozDef's six (most closed), `dateOpened` spread over the two
//!   years before now (the sort key, as the service writes it), a creator among 50 users,
//!   0–3 VERIS tags, sometimes a bug reference.
//! * Alerts are the triage copies [`alert_copy`] makes of synthetic stored alerts:
//!   `utctimestamp` over the 90 days before now, with more in the recent hours (the sort key),
//!   a category among 15 of MozDef's with a summary in its manner (each naming exactly one
//!   of 100 hosts, so a host is in about 1% of summaries), severity NOTICE, WARNING, CRITICAL
//!   or ERROR, and about 10% acknowledged with a status.
//!
//! Every record is what [`Record::created`] makes of it (version 1, with its triage fields
//! already set), by its creator (incidents) or `mozdef` (alerts) at its own time. "Now" is the real time
//! unless `--now` says otherwise; everything else follows from the seed. The last line on
//! stdout is a JSON summary: the counts, the load time, the probe values `scripts/bench-records`
//! queries and how many records each matches.

#![allow(clippy::cast_precision_loss)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use mozdef_model::indices::alerts_index;
use mozdef_model::rng::SplitMix64;
use mozdef_model::{Document, EventRef, isoformat};
use mozdef_service::records::casefile::{self, PHASES};
use mozdef_service::records::fields::timestamp;
use mozdef_service::records::triage::alert_copy;
use mozdef_service::records::{Collection, SYSTEM};
use mozdef_service::veris;
use mozdef_store::{Author, NewRecord, Record};
use mozdef_store_embedded::SqliteRecords;
use serde_json::{Map, Value, json};

/// The host in about 1% of alert summaries (`q=` with some matches).
const PROBE_HOST: &str = "jump-07";
/// A word in no summary (`q=` that scans as far as a list request may).
const PROBE_NONE: &str = "qzxv-nomatch";
/// A common alert category.
const PROBE_CATEGORY: &str = "bruteforce";
/// A word in about 5% of incident summaries.
const PROBE_WORD: &str = "phishing";

const USAGE: &str =
    "usage: records_fixture --data-dir DIR --incidents N --alerts M [--seed S] [--batch B] [--now RFC3339]";

const FIRST: [&str; 10] = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
const LAST: [&str; 5] = ["ng", "smith", "okafor", "garcia", "kowalski"];
const ROLES: [&str; 10] = ["web", "db", "ldap", "mail", "vpn", "jump", "proxy", "build", "log", "dns"];
const SITES: [&str; 4] = ["mdc1", "mdc2", "scl3", "use1"];

/// The incident summary: one of these ...
const KINDS: [&str; 20] = [
    "Phishing campaign against",
    "Credential compromise of",
    "Malware infection on",
    "Data exposure in",
    "Unauthorized access to",
    "Denial of service against",
    "Misconfigured ACL on",
    "Leaked API key for",
    "Suspicious login to",
    "Ransomware alert on",
    "Lost laptop with access to",
    "Vulnerable dependency in",
    "Brute force against",
    "Insider misuse of",
    "Exposed storage bucket for",
    "Expired certificate on",
    "Account takeover of",
    "Web defacement of",
    "Spam relay via",
    "DNS hijack of",
];
/// ... followed by one of these.
const TARGETS: [&str; 16] = [
    "the VPN",
    "Bugzilla",
    "the build farm",
    "a staff laptop",
    "the LDAP directory",
    "the payments API",
    "the CI pipeline",
    "the wiki",
    "the mail relay",
    "a contractor account",
    "the add-ons site",
    "the crash reporter",
    "the SSO provider",
    "the release servers",
    "a developer workstation",
    "the HR system",
];
/// Description sentences (a few each).
const SENTENCES: [&str; 24] = [
    "Reported by a staff member through the security mailing list.",
    "The on-call engineer confirmed the activity in the logs.",
    "Affected credentials were rotated within the hour.",
    "No evidence of data exfiltration was found so far.",
    "The host was isolated from the network pending analysis.",
    "A timeline was assembled from proxy and authentication logs.",
    "Legal and privacy were informed as a precaution.",
    "The vendor acknowledged the issue and shipped a fix.",
    "Monitoring was extended to the neighbouring systems.",
    "The user was contacted and confirmed the sign-in was not theirs.",
    "Indicators were added to the watchlist and the blocklists.",
    "A post-mortem is scheduled with the service owners.",
    "Multi-factor authentication was enforced on the account.",
    "The source addresses belong to a hosting provider abroad.",
    "Backups were verified before the rebuild.",
    "The alert fired several times before it was triaged.",
    "Similar activity was seen last quarter on another team.",
    "The configuration change was reverted and reviewed.",
    "Access logs show requests from an unusual user agent.",
    "The exposure window is estimated at a few days.",
    "Customers were not affected according to current evidence.",
    "The incident was escalated to the security lead.",
    "Firewall rules were tightened for the affected subnet.",
    "Further analysis is tracked in the linked bug.",
];

/// Alert categories (weights) with their tags and a summary in their manner (`{ip}`,
/// `{host}`, `{user}`, `{n}` filled in; every one names exactly one host).
const ALERTS: [(&str, u64, &[&str], &str); 15] = [
    ("bruteforce", 20, &["ssh"], "{ip} ssh bruteforce attempts on {host} ({n} failures)"),
    ("httperrors", 12, &["http"], "{ip} generated {n} HTTP 4xx/5xx errors against {host}"),
    ("nsm", 10, &["nsm", "bro", "portscan"], "Port scan from {ip} seen by {host} ({n} ports)"),
    ("bro", 9, &["nsm,bro,intel"], "Intel hit for {ip} seen by {host} ({n} hits)"),
    ("session", 8, &["pam", "syslog"], "Session opened by sensitive user {user} on {host}"),
    ("access", 6, &["ssh"], "SSH login by {user} from {ip} on {host}"),
    ("ldap", 6, &["ldap"], "{n} LDAP bind failures for {user} on {host}"),
    ("openvpn", 5, &["vpn", "auth", "duo"], "{n} VPN Duo authentication failures for {user} from {ip} via {host}"),
    ("squid", 5, &["squid", "proxy"], "Proxy denied {n} requests from {ip} to a blocked domain via {host}"),
    ("execve", 4, &["audisp-json, audit"], "SFTP session by {user} on {host} from {ip}"),
    ("write", 4, &["audit"], "{user} wrote to /etc/passwd on {host} ({n} writes)"),
    ("deadman", 3, &["bro", "bro_deadman"], "No bro events from {host} in {n} minutes"),
    ("duosecurity", 3, &["duo"], "Duo bypass code generated for {user} by an admin on {host}"),
    ("promisc", 2, &["promisc", "kernel"], "Promiscuous mode enabled on {host} by {user}"),
    ("AWSCloudtrail", 3, &["cloudtrail", "aws"], "CloudTrail logging stopped by {user} from {ip} in {host}"),
];
const SEVERITIES: [(&str, u64); 4] = [("NOTICE", 50), ("WARNING", 30), ("CRITICAL", 12), ("ERROR", 8)];
/// The weights of [`PHASES`]: most incidents are closed.
const PHASE_WEIGHTS: [u64; 6] = [10, 10, 7, 8, 10, 55];
/// Statuses of the acknowledged alerts.
const ACK_STATUSES: [(&str, u64); 3] = [("acknowledged", 80), ("inProgress", 15), ("manual", 5)];

struct Args {
    data_dir: PathBuf,
    incidents: usize,
    alerts: usize,
    seed: u64,
    batch: usize,
    now: DateTime<Utc>,
}

fn parse_args() -> Result<Args, String> {
    let mut args =
        Args { data_dir: PathBuf::new(), incidents: 0, alerts: 0, seed: 20_261_207, batch: 10_000, now: Utc::now() };
    let mut data_dir = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = |v: &str| v.replace('_', "").parse::<u64>().map_err(|e| format!("{flag} {v:?}: {e}"));
        match flag.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value)),
            "--incidents" => args.incidents = usize::try_from(number(&value)?).map_err(|e| e.to_string())?,
            "--alerts" => args.alerts = usize::try_from(number(&value)?).map_err(|e| e.to_string())?,
            "--seed" => args.seed = number(&value)?,
            "--batch" => args.batch = usize::try_from(number(&value)?).map_err(|e| e.to_string())?.max(1),
            "--now" => {
                args.now = DateTime::parse_from_rfc3339(&value)
                    .map_err(|e| format!("--now {value:?}: {e}"))?
                    .with_timezone(&Utc);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    args.data_dir = data_dir.ok_or_else(|| format!("--data-dir is required\n{USAGE}"))?;
    Ok(args)
}

/// An index into `weights`, by weight.
fn weighted_index(rng: &mut SplitMix64, weights: &[u64]) -> usize {
    let mut at = rng.below(weights.iter().sum());
    for (i, weight) in weights.iter().enumerate() {
        if at < *weight {
            return i;
        }
        at -= weight;
    }
    weights.len() - 1
}

/// One of `items`, by weight.
fn weighted<T: Copy, const N: usize>(rng: &mut SplitMix64, items: &[(T, u64); N]) -> T {
    items[weighted_index(rng, &items.map(|(_, w)| w))].0
}

fn users() -> Vec<String> {
    FIRST.iter().flat_map(|f| LAST.iter().map(move |l| format!("{f}.{l}@mozilla.com"))).collect()
}

fn host(rng: &mut SplitMix64) -> String {
    format!("{}-{:02}.{}.mozilla.net", rng.pick(&ROLES), rng.range(1, 10), rng.pick(&SITES))
}

fn ip(rng: &mut SplitMix64) -> String {
    match rng.below(3) {
        0 => format!("10.{}.{}.{}", rng.below(256), rng.below(256), rng.range(1, 254)),
        1 => format!("203.0.113.{}", rng.range(1, 254)),
        _ => format!("198.51.{}.{}", rng.range(0, 255), rng.range(1, 254)),
    }
}

/// A time `seconds` (at most) before `now`, to the microsecond.
fn before(now: DateTime<Utc>, rng: &mut SplitMix64, seconds: f64) -> DateTime<Utc> {
    now - Duration::microseconds((seconds * 1e6) as i64) - Duration::microseconds(rng.below(1_000_000) as i64)
}

/// What the summary tells: the probe values and how many records each matches.
#[derive(Default)]
struct Matches {
    closed: usize,
    creator: usize,
    word: usize,
    category: usize,
    host: usize,
    acknowledged: usize,
    last_hour: usize,
    critical_day: usize,
}

fn incident(rng: &mut SplitMix64, now: DateTime<Utc>, users: &[String], m: &mut Matches) -> Result<Record, String> {
    const TWO_YEARS: f64 = 2.0 * 365.0 * 86_400.0;
    let age = rng.unit() * TWO_YEARS;
    let opened = before(now, rng, age);
    let phase = PHASES[weighted_index(rng, &PHASE_WEIGHTS)];
    let summary = format!("{} {}", rng.pick(&KINDS), rng.pick(&TARGETS));
    let sentences = rng.range(2, 5);
    let description = (0..sentences).map(|_| *rng.pick(&SENTENCES)).collect::<Vec<_>>().join(" ");
    let all_tags = veris::tags();
    let tags: Vec<&str> = (0..rng.range(0, 3)).map(|_| *rng.pick(all_tags)).collect();
    let creator = rng.pick(users).clone();
    let mut body = json!({
        "summary": summary,
        "description": description,
        "phase": phase,
        "dateOpened": timestamp(&opened),
        "dateReported": timestamp(&(opened - Duration::minutes(rng.range(5, 600) as i64))),
        "tags": tags,
    });
    if phase == "Closed" {
        let closed = (opened + Duration::minutes(rng.range(60, 30 * 1440) as i64)).min(now);
        body["dateClosed"] = json!(timestamp(&closed));
    }
    if rng.chance(0.3) {
        body["references"] =
            json!([format!("https://bugzilla.mozilla.org/show_bug.cgi?id={}", rng.range(1_000_000, 1_999_999))]);
    }
    let mut doc = casefile::check(&body, false).map_err(|e| format!("a generated incident is refused: {e}"))?;
    doc.insert("creator".into(), json!(creator));
    doc.insert("creatorVerified".into(), json!(true));
    doc.insert("alerts".into(), json!([]));
    let sort = doc.get("dateOpened").and_then(Value::as_str).unwrap_or_default().to_owned();
    m.closed += usize::from(phase == "Closed");
    m.creator += usize::from(creator == users[0]);
    m.word += usize::from([&summary, &description, &creator].iter().any(|t| t.to_lowercase().contains(PROBE_WORD)));
    let (id, data) = (rng.hex(24), Value::Object(doc));
    let new = NewRecord { collection: Collection::Incidents.name(), id: &id, sort: &sort, data: &data };
    Ok(Record::created(new, Author { by: &creator, at: opened }))
}

fn alert(rng: &mut SplitMix64, now: DateTime<Utc>, users: &[String], m: &mut Matches) -> Record {
    const DAYS_90: f64 = 90.0 * 86_400.0;
    // Most alerts spread evenly over 90 days; one in twenty in the last hours (mean 6 h).
    let age =
        if rng.chance(0.05) { (-(1.0 - rng.unit()).ln() * 6.0 * 3600.0).min(DAYS_90) } else { rng.unit() * DAYS_90 };
    let at = before(now, rng, age);
    let (category, _, tags, template) = ALERTS[weighted_index(rng, &ALERTS.map(|(_, w, _, _)| w))];
    let severity = weighted(rng, &SEVERITIES);
    let user = rng.pick(users).split('@').next().unwrap_or_default().to_owned();
    let summary = template
        .replace("{ip}", &ip(rng))
        .replace("{host}", &host(rng))
        .replace("{user}", &user)
        .replace("{n}", &rng.range(3, 500).to_string());
    let mut doc = Document::new();
    doc.insert("utctimestamp".into(), json!(isoformat(&at)));
    doc.insert("severity".into(), json!(severity));
    doc.insert("summary".into(), json!(summary));
    doc.insert("category".into(), json!(category));
    doc.insert("tags".into(), json!(tags));
    doc.insert(
        "events".into(),
        json!([{"documentindex": format!("events-{}", at.format("%Y%m%d")), "documentid": rng.hex(20)}]),
    );
    let stored = EventRef { index: alerts_index(at), id: rng.uuid_like() };
    let mut copy: Map<String, Value> = alert_copy(&stored, &doc, &timestamp(&now));
    let mut status = None;
    if rng.chance(0.1) {
        let acked = (at + Duration::minutes(rng.range(1, 240) as i64)).min(now);
        let s = weighted(rng, &ACK_STATUSES);
        copy.insert("acknowledged".into(), json!(timestamp(&acked)));
        copy.insert("acknowledgedby".into(), json!(rng.pick(users)));
        copy.insert("status".into(), json!(s));
        status = Some(s);
    }
    let sort = copy.get("utctimestamp").and_then(Value::as_str).unwrap_or_default().to_owned();
    m.category += usize::from(category == PROBE_CATEGORY);
    m.host += usize::from(summary.contains(PROBE_HOST));
    m.acknowledged += usize::from(status == Some("acknowledged"));
    m.last_hour += usize::from(now - at <= Duration::minutes(60));
    m.critical_day += usize::from(severity == "CRITICAL" && now - at <= Duration::minutes(1440));
    let data = Value::Object(copy);
    let new = NewRecord { collection: Collection::Alerts.name(), id: &stored.id, sort: &sort, data: &data };
    Record::created(new, Author { by: SYSTEM, at })
}

/// Generates `n` records with `make` and imports them `batch` at a time; answers the seconds
/// spent importing.
fn load(
    store: &SqliteRecords,
    what: &str,
    n: usize,
    batch: usize,
    mut make: impl FnMut() -> Result<Record, String>,
) -> Result<f64, String> {
    let mut importing = 0.0;
    let mut pending = Vec::with_capacity(batch.min(n));
    let mut written = 0;
    while written < n {
        pending.clear();
        for _ in 0..batch.min(n - written) {
            pending.push(make()?);
        }
        let start = Instant::now();
        written += store.import(&pending).map_err(|e| format!("importing {what}: {e}"))?;
        importing += start.elapsed().as_secs_f64();
        if written % 100_000 < batch || written == n {
            eprintln!("{what}: {written}/{n}");
        }
    }
    Ok(importing)
}

fn run(args: &Args) -> Result<Value, String> {
    std::fs::create_dir_all(&args.data_dir).map_err(|e| format!("cannot create {}: {e}", args.data_dir.display()))?;
    let path = args.data_dir.join("mozdef.sqlite");
    let store = SqliteRecords::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let users = users();
    let mut m = Matches::default();
    let started = Instant::now();
    let mut rng = SplitMix64::new(args.seed);
    let incidents_import =
        load(&store, "incidents", args.incidents, args.batch, || incident(&mut rng, args.now, &users, &mut m))?;
    let mut rng = SplitMix64::new(args.seed ^ 0xA1E7_5000);
    let alerts_import =
        load(&store, "alerts", args.alerts, args.batch, || Ok(alert(&mut rng, args.now, &users, &mut m)))?;
    let seconds = started.elapsed().as_secs_f64();
    drop(store);
    let bytes: u64 = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
        .map(|meta| meta.len())
        .sum();
    Ok(json!({
        "incidents": args.incidents,
        "alerts": args.alerts,
        "seed": args.seed,
        "now": timestamp(&args.now),
        "seconds": seconds,
        "import_seconds": {"incidents": incidents_import, "alerts": alerts_import},
        "sqlite_bytes": bytes,
        "probes": {
            "host": PROBE_HOST, "none": PROBE_NONE, "category": PROBE_CATEGORY,
            "word": PROBE_WORD, "creator": users[0],
        },
        "matches": {
            "incidents_closed": m.closed, "incidents_creator": m.creator, "incidents_word": m.word,
            "alerts_category": m.category, "alerts_host": m.host, "alerts_none": 0,
            "alerts_acknowledged": m.acknowledged, "alerts_last_hour": m.last_hour,
            "alerts_critical_day": m.critical_day,
        },
    }))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("records_fixture: {message}");
            ExitCode::FAILURE
        }
    }
}
