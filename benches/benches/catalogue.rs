//! The whole alert catalogue over a large event store: the deterministic shipper corpus
//! (normalised to MozDef events, every event stamped within the hour before the bench's fixed
//! `now`, so every alert window has events to look at) plus a small deterministic share of
//! attack events that make catalogue alerts fire, indexed into the embedded store (a temporary
//! directory) and into OpenSearch (a local node, MozDef's templates with replicas 0, under a
//! fresh index prefix). Then every task of every catalogue entry (MozDef's defaults, no alert
//! plugins) runs through `run_alert` twice at the same `now`, one entry after another: run 1
//! raises alerts and tags their events, run 2 is the steady state (the dedup clause skips the
//! tagged events). For each run: total wall time, alerts raised, the slowest entries.
//!
//! Run by `scripts/bench-alerts` (`cargo bench -p mozdef-benches --bench catalogue`); the
//! environment says what to do:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `BENCH_CORPUS` | the NDJSON corpus (one shipper event a line) | none: the bench says so and exits |
//! | `BENCH_LIMIT` | use only the first N lines | all |
//! | `BENCH_STORES` | `opensearch`, `embedded` or both, comma-separated | both |
//! | `BENCH_OPENSEARCH_URL` | the node (OpenSearch is skipped without it) | none |
//! | `BENCH_BATCH` | events per `EventStore::index` call | 5000 |
//! | `BENCH_SLOWEST` | how many of the slowest entries to list per run | 5 |
//!
//! Document ids are `document_id("bench:<line number>")` (corpus) and
//! `document_id("bench-attack:<n>")` (attack events), so a run is reproducible.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use mozdef_alerts::catalogue::{self, Catalogue};
use mozdef_alerts::{AlertContext, AlertEnv, ConfigSource, run_alert};
use mozdef_benches::{count_events, env_parse};
use mozdef_model::isoformat;
use mozdef_pipeline::document_id;
use mozdef_service::StoreAlertBackend;
use mozdef_store::indices::events_index;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome};
use mozdef_store_embedded::EmbeddedStore;
use serde_json::{Value, json};

// The allocator the `mozdef` binary ships with, so the figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The bench's clock: every alert runs at this instant.
fn bench_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).single().expect("valid date")
}

/// The span the corpus events are spread over, ending at `now`.
const SPREAD_MICROS: i64 = 3600 * 1_000_000;

/// The watchlist terms the runs see (`get_watchlist` searches each).
const WATCHLIST: &[&str] = &["evil.example.com"];

/// Reads and normalises the corpus: one index request per line, both timestamps spread
/// evenly over the hour before `now`.
fn load_corpus(path: &Path, limit: Option<usize>, now: DateTime<Utc>) -> Vec<IndexRequest> {
    let start = now - chrono::Duration::microseconds(SPREAD_MICROS);
    let spread = |line: usize, lines: usize| {
        let total = i64::try_from(lines.max(1)).unwrap_or(1);
        start + chrono::Duration::microseconds(SPREAD_MICROS * i64::try_from(line).unwrap_or(0) / total)
    };
    mozdef_benches::load_corpus(path, limit, spread)
        .into_iter()
        .map(|mut event| {
            let stamp = Value::String(isoformat(&event.received));
            event.source.insert("utctimestamp".to_owned(), stamp.clone());
            event.source.insert("receivedtimestamp".to_owned(), stamp);
            IndexRequest {
                index: events_index(event.received),
                id: document_id(&format!("bench:{}", event.line)),
                source: event.source,
            }
        })
        .collect()
}

/// Builds the attack events: MozDef events (already normalised) that make catalogue alerts
/// fire, all in the last minute before `now` (the shortest alert window is one minute).
struct Attack {
    now: DateTime<Utc>,
    events: Vec<Value>,
}

impl Attack {
    /// Adds `event` (merged over a base event) `count` times.
    fn add(&mut self, count: usize, event: Value) {
        for _ in 0..count {
            let n = i64::try_from(self.events.len()).unwrap_or(0);
            // 5 to 50 seconds before now, deterministically.
            let at = self.now - chrono::Duration::milliseconds(5_000 + (n * 337) % 45_000);
            let stamp = isoformat(&at);
            let mut doc = json!({
                "utctimestamp": stamp,
                "receivedtimestamp": stamp,
                "mozdefhostname": "bench.mozdef",
                "hostname": "attacked.example.com",
                "severity": "INFO",
                "source": "bench",
                "category": "event",
                "summary": "bench attack event",
                "tags": [],
                "details": {},
            });
            merge(&mut doc, &event);
            self.events.push(doc);
        }
    }
}

/// `changes` merged over `base`, objects key by key.
fn merge(base: &mut Value, changes: &Value) {
    match (base, changes) {
        (Value::Object(b), Value::Object(c)) => {
            for (k, v) in c {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, c) => *b = c.clone(),
    }
}

/// A Bro notice as the NSM sensors send it.
fn bro_notice(note: &str, source: &str, summary: &str) -> Value {
    json!({
        "category": "bro",
        "source": "notice",
        "hostname": "nsm1.private.scl3.mozilla.com",
        "tags": ["bro"],
        "summary": summary,
        "details": {"note": note, "sourceipaddress": source, "indicators": source},
    })
}

/// The attack events, deterministic; see [`Attack`].
fn attack_events(now: DateTime<Utc>) -> Vec<IndexRequest> {
    let mut a = Attack { now, events: Vec::new() };
    // bruteforce_ssh: 5 sources, 12 failed logins each.
    for i in 0..5 {
        let ip = format!("198.51.100.{}", 10 + i);
        for port in 0..12 {
            a.add(
                1,
                json!({
                    "category": "syslog",
                    "hostname": format!("bastion{i}.dmz.scl3.mozilla.com"),
                    "processname": "sshd",
                    "summary": format!("Failed password for invalid user admin from {ip} port {} ssh2", 40000 + port),
                    "details": {"program": "sshd", "sourceipaddress": ip},
                }),
            );
        }
    }
    // promisc_kernel: 3 hosts; promisc_audit: 2 hosts.
    for i in 0..3 {
        a.add(
            2,
            json!({
                "category": "syslog",
                "hostname": format!("web{i}.private.scl3.mozilla.com"),
                "summary": "device eth0 entered promiscuous mode",
                "details": {"program": "kernel"},
            }),
        );
    }
    for i in 0..2 {
        a.add(
            1,
            json!({
                "category": "promiscuous",
                "hostname": format!("db{i}.private.scl3.mozilla.com"),
                "summary": "Promisc: Interface eth0 set promiscuous on",
                "details": {"dev": "eth0"},
            }),
        );
    }
    // nsm_scan_*: 2 internal scanners each.
    for (note, base) in [("Scan::Address_Scan", 20), ("Scan::Port_Scan", 30), ("Scan::Random_Scan", 40)] {
        for i in 0..2 {
            let ip = format!("10.99.{base}.{}", i + 1);
            let summary = format!("{note} source {ip} destination unknown port unknown");
            a.add(2, bro_notice(note, &ip, &summary));
        }
    }
    // The other Bro notices (one alert per event).
    for (note, text) in [
        ("MozillaHTTPErrors::Excessive_HTTP_Errors_Attacker", "Excessive HTTP errors for requests from"),
        ("AuthBruteforcing::HTTP_AuthBruteforcing_Attacker", "appears to be bruteforcing HTTP authentication:"),
        ("BugzBruteforcing::HTTP_BugzBruteforcing_Attacker", "appears to be bruteforcing Bugzilla logins:"),
        ("SSH::Password_Guessing", "appears to be guessing SSH passwords:"),
    ] {
        for i in 0..2 {
            let ip = format!("203.0.113.{}", 50 + i);
            a.add(1, bro_notice(note, &ip, &format!("{text} {ip}")));
        }
    }
    // multiple_intel_hits: 12 hits of one indicator on a watched sensor (also on the watchlist).
    a.add(
        12,
        json!({
            "category": "bro",
            "source": "intel",
            "hostname": "sensor1",
            "summary": "Intel match evil.example.com",
            "details": {"seenindicator": "evil.example.com", "seenwhere": "DNS::IN_REQUEST",
                        "sourceipaddress": "10.1.1.1", "destinationipaddress": "1.2.3.5"},
        }),
    );
    // ssl_blacklist_hit.
    for i in 0..2 {
        a.add(
            1,
            json!({
                "eventsource": "nsm",
                "category": "brointel",
                "summary": format!("10.0.8.{i} connected to a blacklisted SSL certificate"),
                "details": {"sources": "abuse.ch SSLBL", "sourceipaddress": format!("10.0.8.{i}")},
            }),
        );
    }
    // Proxy drops: non-standard CONNECT ports, executables, a bare IP, exfiltration domains.
    for i in 0..3 {
        a.add(
            2,
            json!({
                "category": "proxy",
                "details": {"sourceipaddress": format!("10.20.0.{i}"), "destination": "evil.com:6667",
                            "destinationport": "6667", "host": "evil.com", "proxyaction": "TCP_DENIED",
                            "method": "CONNECT"},
            }),
        );
    }
    for i in 0..2 {
        a.add(
            1,
            json!({
                "category": "proxy",
                "details": {"sourceipaddress": format!("10.20.1.{i}"), "destination": "http://evil.com/payload.exe",
                            "host": "evil.com", "proxyaction": "TCP_DENIED", "method": "GET"},
            }),
        );
        a.add(
            1,
            json!({
                "category": "proxy",
                "details": {"sourceipaddress": format!("10.20.2.{i}"), "destination": "https://pastebin.com/raw/x",
                            "host": "pastebin.com", "proxyaction": "TCP_MISS", "method": "GET"},
            }),
        );
    }
    a.add(
        2,
        json!({
            "category": "proxy",
            "details": {"sourceipaddress": "10.20.3.1", "destination": "http://203.0.113.7/drop",
                        "host": "203.0.113.7", "proxyaction": "TCP_DENIED", "method": "GET"},
        }),
    );
    // sshd: a login from a watched address (ssh_access, and ssh_lateral looks at it too).
    a.add(
        1,
        json!({
            "category": "syslog",
            "hostname": "victim1.small.corp.com",
            "summary": "Accepted publickey for alamakota from 11.22.33.44 port 39190 ssh2",
            "details": {"sourceipaddress": "11.22.33.44", "program": "sshd", "username": "alamakota"},
        }),
    );
    // LDAP: a lockout, a group change, an add, a delete, invalid credentials.
    a.add(
        1,
        json!({
            "category": "ldapChange",
            "summary": "mail=user_la@example.com,o=com,dc=example modify cn=bench_cn,ou=groups,dc=example add:memberUid: other@example.com",
            "details": {"dn": "cn=bench_cn,ou=groups,dc=example", "changetype": "modify",
                        "actor": "mail=user_la@example.com,o=com,dc=example", "email": "user_la@example.com",
                        "username": "user_la"},
        }),
    );
    a.add(
        1,
        json!({
            "category": "ldapChange",
            "summary": "cn=admin,dc=mozilla modify mail=jsmith@example.com,o=com,dc=example replace:pwdAccountLockedTime",
            "details": {"dn": "mail=jsmith@example.com,o=com,dc=example", "changetype": "modify",
                        "actor": "cn=admin,dc=mozilla", "changepairs": ["replace:pwdAccountLockedTime", "000001010000Z"]},
        }),
    );
    for change in ["add", "delete"] {
        a.add(
            1,
            json!({
                "category": "ldapChange",
                "summary": format!("uid=ldapadmin,ou=logins,dc=mozilla {change} cn=bench_cn,ou=groups,dc=example"),
                "details": {"dn": "cn=bench_cn,ou=groups,dc=example", "changetype": change,
                            "actor": "uid=ldapadmin,ou=logins,dc=mozilla"},
            }),
        );
    }
    a.add(
        3,
        json!({
            "category": "ldap",
            "details": {"client": "10.30.0.1", "server": "ldap.example.com", "user": "jsmith@example.com",
                        "response": {"error": "LDAP_INVALID_CREDENTIALS"}},
        }),
    );
    // Auth0: wrong passwords against two users; Duo: fraud, fail-open, VPN failures.
    for user in ["foo@mozilla.com", "bar@mozilla.com"] {
        a.add(
            2,
            json!({
                "category": "authentication",
                "tags": ["auth0"],
                "summary": format!("Failed Login (wrong password) Wrong email or password. by {user}"),
                "details": {"connection": "Mozilla-LDAP", "description": "Wrong email or password.",
                            "eventname": "Failed Login (wrong password)", "sourceipaddress": "1.1.1.1",
                            "success": false, "username": user},
            }),
        );
    }
    a.add(
        1,
        json!({
            "category": "authentication",
            "summary": "authentication FRAUD for you@somewhere.com",
            "details": {"sourceipaddress": "1.2.3.4", "username": "you@somewhere.com", "result": "fraud"},
        }),
    );
    a.add(1, json!({"hostname": "vpn1.dmz.scl3.mozilla.com", "summary": "Failsafe Duo login by 1.2.3.4"}));
    a.add(
        5,
        json!({
            "category": "event",
            "tags": ["duosecurity"],
            "details": {"integration": "global and external openvpn", "result": "FAILURE",
                        "username": "ttesterson", "ip": "1.2.3.4"},
        }),
    );
    // AWS: CloudTrail logging stopped, GuardDuty port probes from two sources.
    a.add(
        1,
        json!({
            "source": "cloudtrail",
            "details": {"eventname": "StopLogging", "requestparameters": {"name": "bench_trail"}},
        }),
    );
    for ip in ["192.0.2.7", "192.0.2.8"] {
        a.add(
            2,
            json!({
                "source": "guardduty",
                "details": {"sourceipaddress": ip, "finding": {"action": {"actionType": "PORT_PROBE"}}},
            }),
        );
    }
    // auditd: strace, writes to audit configuration, sftp.
    a.add(
        5,
        json!({
            "category": "ptrace",
            "summary": "Ptrace",
            "tags": ["audisp-json", "2.1.0", "audit"],
            "details": {"processname": "strace", "originaluser": "randomjoe", "auditkey": "strace"},
        }),
    );
    a.add(
        5,
        json!({
            "category": "write",
            "summary": "Write: /etc/audit/plugins.d/temp-file.conf",
            "tags": ["audisp-json", "2.1.0", "audit"],
            "details": {"processname": "vi", "originaluser": "randomjoe", "user": "root", "auditkey": "audit"},
        }),
    );
    a.add(
        1,
        json!({
            "category": "execve",
            "processname": "audisp-json",
            "details": {"processname": "ssh", "parentprocess": "sftp", "originaluser": "randomjoe", "cwd": "/tmp"},
        }),
    );
    // triagebot: a user said no.
    a.add(
        1,
        json!({
            "category": "triagebot",
            "hostname": "UNKNOWN",
            "summary": "TriageBot Response: no from: test@testerson.com",
            "details": {"identifier": "bench-identifier", "email": "test@testerson.com", "userresponse": "no"},
        }),
    );
    let mut requests: Vec<IndexRequest> = a
        .events
        .into_iter()
        .enumerate()
        .map(|(n, doc)| IndexRequest {
            index: events_index(now),
            id: document_id(&format!("bench-attack:{n}")),
            source: doc.as_object().cloned().expect("attack events are objects"),
        })
        .collect();
    // old_events: received ten minutes ago, stamped thirty hours ago.
    for n in 0..3 {
        let mut doc = json!({
            "utctimestamp": isoformat(&(now - chrono::Duration::hours(30))),
            "receivedtimestamp": isoformat(&(now - chrono::Duration::minutes(10))),
            "mozdefhostname": "lagging.mozdef",
            "hostname": "lagging.example.com",
            "category": "event",
            "severity": "INFO",
            "source": "bench",
            "summary": "a late event",
            "tags": [],
            "details": {},
        });
        merge(&mut doc, &json!({"details": {"n": n}}));
        requests.push(IndexRequest {
            index: events_index(now),
            id: document_id(&format!("bench-attack:old:{n}")),
            source: doc.as_object().cloned().expect("object"),
        });
    }
    requests
}

/// Indexes `requests` in batches of `batch` and refreshes; the wall time and the outcomes
/// that were not `Indexed`.
async fn index_timed(store: &dyn EventStore, requests: &[IndexRequest], batch: usize) -> (Duration, usize) {
    let mut failed = 0;
    let started = Instant::now();
    for chunk in requests.chunks(batch.max(1)) {
        match store.index(chunk).await {
            Ok(results) => failed += results.iter().filter(|o| **o != ItemOutcome::Indexed).count(),
            Err(e) => {
                eprintln!("batch failed: {e}");
                failed += chunk.len();
            }
        }
    }
    store.refresh().await.expect("refresh");
    (started.elapsed(), failed)
}

/// One catalogue entry's share of a run.
struct EntryTime {
    name: String,
    wall: Duration,
    raised: usize,
    errors: Vec<String>,
}

/// One pass over the whole catalogue.
struct CatalogueRun {
    wall: Duration,
    entries: Vec<EntryTime>,
}

impl CatalogueRun {
    fn raised(&self) -> usize {
        self.entries.iter().map(|e| e.raised).sum()
    }

    fn errors(&self) -> usize {
        self.entries.iter().map(|e| e.errors.len()).sum()
    }
}

/// Runs every task of every entry, one after another, at `ctx.now`.
async fn run_catalogue(catalogue: &Catalogue, backend: &StoreAlertBackend, ctx: &AlertContext) -> CatalogueRun {
    let env = AlertEnv { backend, plugins: &[] };
    let started = Instant::now();
    let mut entries = Vec::with_capacity(catalogue.entries.len());
    for entry in &catalogue.entries {
        let entry_started = Instant::now();
        let mut raised = 0;
        let mut errors = Vec::new();
        for task in &entry.tasks {
            match run_alert(task.as_ref(), env, ctx).await {
                Ok(alerts) => raised += alerts.len(),
                Err(e) => errors.push(e.to_string()),
            }
        }
        let wall = entry_started.elapsed();
        if wall > Duration::from_secs(1) {
            eprintln!("  {} took {:.1} s ({raised} raised)", entry.name, wall.as_secs_f64());
        }
        entries.push(EntryTime { name: entry.name.clone(), wall, raised, errors });
    }
    CatalogueRun { wall: started.elapsed(), entries }
}

/// What one store gave.
struct StoreResult {
    store: &'static str,
    events: usize,
    indexing: Duration,
    failed: usize,
    counted: Option<u64>,
    runs: Vec<CatalogueRun>,
}

async fn bench_store(
    store_name: &'static str,
    store: Arc<dyn EventStore>,
    requests: &[IndexRequest],
    batch: usize,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> StoreResult {
    eprintln!("{store_name}: indexing {} events", requests.len());
    let (indexing, failed) = index_timed(store.as_ref(), requests, batch).await;
    let counted = count_events(store.as_ref(), now).await;
    eprintln!("{store_name}: indexed in {:.1} s; running the catalogue", indexing.as_secs_f64());
    let backend = StoreAlertBackend::new(store);
    let mut ctx = AlertContext::at(now);
    ctx.watchlist = WATCHLIST.iter().map(|t| (*t).to_owned()).collect();
    let mut runs = Vec::new();
    for n in 1..=2 {
        let run = run_catalogue(catalogue, &backend, &ctx).await;
        eprintln!("{store_name}: run {n}: {:.2} s, {} alerts raised", run.wall.as_secs_f64(), run.raised());
        runs.push(run);
    }
    StoreResult { store: store_name, events: requests.len(), indexing, failed, counted, runs }
}

fn report(results: &[StoreResult], catalogue: &Catalogue, slowest: usize) {
    let tasks: usize = catalogue.entries.iter().map(|e| e.tasks.len()).sum();
    println!();
    println!(
        "alert catalogue: {} entries ({tasks} tasks), run one after another at {}, {} CPUs",
        catalogue.entries.len(),
        isoformat(&bench_now()),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<11} {:>9} {:>11} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "store", "events", "index_s", "verified", "run1_s", "raised1", "run2_s", "raised2", "errors"
    );
    for r in results {
        let verified = match r.counted {
            Some(n) if n == r.events as u64 && r.failed == 0 => "yes".to_owned(),
            Some(n) => format!("NO ({n})"),
            None => "NO".to_owned(),
        };
        let errors: usize = r.runs.iter().map(CatalogueRun::errors).sum();
        println!(
            "{:<11} {:>9} {:>11.2} {:>9} {:>9.2} {:>9} {:>9.2} {:>9} {:>9}",
            r.store,
            r.events,
            r.indexing.as_secs_f64(),
            verified,
            r.runs[0].wall.as_secs_f64(),
            r.runs[0].raised(),
            r.runs[1].wall.as_secs_f64(),
            r.runs[1].raised(),
            errors
        );
    }
    for r in results {
        for (n, run) in r.runs.iter().enumerate() {
            println!();
            println!(
                "{} run {}: {:.2} s, {} alerts raised; slowest entries:",
                r.store,
                n + 1,
                run.wall.as_secs_f64(),
                run.raised()
            );
            let mut order: Vec<&EntryTime> = run.entries.iter().collect();
            order.sort_by_key(|e| std::cmp::Reverse(e.wall));
            for e in order.into_iter().take(slowest) {
                println!("  {:>10.1} ms  {:>5} raised  {}", e.wall.as_secs_f64() * 1000.0, e.raised, e.name);
            }
        }
    }
    println!();
    println!("per entry (ms / alerts raised):");
    print!("{:<60}", "entry");
    for r in results {
        print!(" {:>22}", format!("{} run1", r.store));
        print!(" {:>22}", format!("{} run2", r.store));
    }
    println!();
    for (i, entry) in catalogue.entries.iter().enumerate() {
        print!("{:<60}", entry.name);
        for r in results {
            for run in &r.runs {
                let e = &run.entries[i];
                print!(" {:>15.1} / {:>4}", e.wall.as_secs_f64() * 1000.0, e.raised);
            }
        }
        println!();
    }
    for r in results {
        for (n, run) in r.runs.iter().enumerate() {
            for e in run.entries.iter().filter(|e| !e.errors.is_empty()) {
                for error in &e.errors {
                    println!("{} run {}: {} failed: {error}", r.store, n + 1, e.name);
                }
            }
        }
    }
    println!();
    println!("index_s covers the index calls and the final refresh; run wall times cover every task of");
    println!("every entry (search, grouping, saving each alert and tagging its events) at the same now;");
    println!("run 2 finds the events of run 1 tagged, so it raises only what has no dedup (deadman).");
}

fn main() {
    let Some(corpus) = std::env::var("BENCH_CORPUS").ok().filter(|c| !c.trim().is_empty()) else {
        eprintln!("catalogue bench: set BENCH_CORPUS (see scripts/bench-alerts); nothing to do");
        return;
    };
    let stores = std::env::var("BENCH_STORES").unwrap_or_else(|_| "opensearch,embedded".to_owned());
    let batch: usize = env_parse("BENCH_BATCH").unwrap_or(5000);
    let slowest: usize = env_parse("BENCH_SLOWEST").unwrap_or(5);
    let now = bench_now();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let prepared = Instant::now();
    let mut requests = load_corpus(Path::new(&corpus), env_parse("BENCH_LIMIT"), now);
    let attack = attack_events(now);
    let attacks = attack.len();
    requests.extend(attack);
    eprintln!(
        "{} events ({attacks} of them attack events) read and normalised in {:.1} s (not part of the figures)",
        requests.len(),
        prepared.elapsed().as_secs_f64()
    );
    let catalogue = catalogue::load(&ConfigSource::defaults());
    for error in &catalogue.errors {
        eprintln!("catalogue entry not loaded: {error}");
    }
    let mut results = Vec::new();
    for store in stores.split(',').map(str::trim) {
        match store {
            "opensearch" => match std::env::var("BENCH_OPENSEARCH_URL").ok().filter(|u| !u.trim().is_empty()) {
                Some(url) => results.push(runtime.block_on(async {
                    // A fresh prefix with MozDef's templates (replicas 0); its indices and
                    // templates are deleted when `_cleanup` drops.
                    let (store, _cleanup) = mozdef_store_opensearch::testing::isolated_store_at(&url).await;
                    bench_store("opensearch", Arc::new(store), &requests, batch, &catalogue, now).await
                })),
                None => eprintln!("BENCH_OPENSEARCH_URL is not set: OpenSearch skipped"),
            },
            "embedded" => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let store = EmbeddedStore::open(dir.path()).expect("open the embedded store");
                results.push(runtime.block_on(bench_store(
                    "embedded",
                    Arc::new(store),
                    &requests,
                    batch,
                    &catalogue,
                    now,
                )));
            }
            other => panic!("BENCH_STORES: unknown store {other:?}"),
        }
    }
    if !results.is_empty() {
        report(&results, &catalogue, slowest);
    }
    if results.iter().any(|r| r.counted != Some(r.events as u64) || r.failed > 0) {
        std::process::exit(1);
    }
}
