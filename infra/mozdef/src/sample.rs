//! Realistic sample events for `mozdef send`.
//!
//! The generator produces the event shapes MozDef shippers really send (see
//! `shared/bench/gen_corpus.py` for the reference corpus): syslog-ng JSON with
//! upper-case keys, sshd authentication lines, parsed squid proxy events,
//! audisp-json execve records, firewall (junos) network events, CloudTrail-like
//! records and MozDef-native events posted by `mozdef_client`-style collectors.
//!
//! Everything is driven by [`SampleRng`], a tiny seeded splitmix64 generator, so
//! a given seed always yields the same sequence of events (timestamps aside,
//! which are "now" in several formats: ISO-8601, syslog `Nov 25 14:01:12`,
//! nxlog `2026-11-25 14:01:12` and epoch seconds / milliseconds).

use chrono::{DateTime, SecondsFormat, Utc};
pub use mozdef_model::rng::SplitMix64 as SampleRng;
use mozdef_model::rng::mix64;
use serde_json::{Value, json};

/// The kinds of event the generator produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SampleKind {
    /// Generic syslog-ng message (`CATEGORY=syslog`, upper-case keys, syslog `DATE`).
    Syslog,
    /// syslog-ng message from sshd: accepted / failed / invalid user / sessions.
    Sshd,
    /// Web proxy (squid) access event already parsed by the shipper (`category=proxy`).
    Proxy,
    /// audisp-json execve record (`category=execve`, tags `audisp-json`).
    Auditd,
    /// Firewall (junos RT_FLOW) network event with source/destination addresses.
    Network,
    /// CloudTrail-like API call record (`source=cloudtrail`).
    Cloudtrail,
    /// MozDef-native event from a collector (`details.sourceipaddress`, `username`, `success`),
    /// with an epoch or nxlog-style timestamp.
    Native,
}

impl SampleKind {
    /// Every kind, in a fixed order.
    pub const ALL: [SampleKind; 7] = [
        SampleKind::Syslog,
        SampleKind::Sshd,
        SampleKind::Proxy,
        SampleKind::Auditd,
        SampleKind::Network,
        SampleKind::Cloudtrail,
        SampleKind::Native,
    ];

    /// Relative weight (percent) of the kind in the generated mix.
    pub fn weight(self) -> u64 {
        match self {
            SampleKind::Syslog => 22,
            SampleKind::Sshd => 22,
            SampleKind::Proxy => 12,
            SampleKind::Auditd => 12,
            SampleKind::Network => 12,
            SampleKind::Cloudtrail => 8,
            SampleKind::Native => 12,
        }
    }

    /// A kind drawn according to the weights.
    pub fn random(rng: &mut SampleRng) -> SampleKind {
        let total: u64 = Self::ALL.iter().map(|k| k.weight()).sum();
        let mut x = rng.below(total);
        for kind in Self::ALL {
            if x < kind.weight() {
                return kind;
            }
            x -= kind.weight();
        }
        SampleKind::Native
    }
}

/// One random event of a random kind, timestamped `now`.
pub fn sample_event(rng: &mut SampleRng, now: DateTime<Utc>) -> Value {
    sample(rng, now).1
}

/// One random event of a random kind, with its kind.
pub fn sample(rng: &mut SampleRng, now: DateTime<Utc>) -> (SampleKind, Value) {
    let kind = SampleKind::random(rng);
    (kind, sample_of_kind(kind, rng, now))
}

/// One random event of the given kind, timestamped `now`.
pub fn sample_of_kind(kind: SampleKind, rng: &mut SampleRng, now: DateTime<Utc>) -> Value {
    match kind {
        SampleKind::Syslog => syslog(rng, now),
        SampleKind::Sshd => sshd(rng, now),
        SampleKind::Proxy => proxy(rng, now),
        SampleKind::Auditd => auditd(rng, now),
        SampleKind::Network => network(rng, now),
        SampleKind::Cloudtrail => cloudtrail(rng, now),
        SampleKind::Native => native(rng, now),
    }
}

// ---------------------------------------------------------------- vocabulary

const USERS: &[&str] = &[
    "jdoe",
    "asmith",
    "bwilson",
    "mlee",
    "kchen",
    "root",
    "admin",
    "deploy",
    "ubuntu",
    "ec2-user",
    "jenkins",
    "git",
    "nagios",
    "backup",
    "svc-build",
    "user1",
    "user7",
    "user23",
    "user42",
    "user99",
];

const BAD_USERS: &[&str] = &[
    "admin",
    "test",
    "oracle",
    "support",
    "pi",
    "ubnt",
    "user",
    "ftpuser",
    "postgres",
    "mysql",
    "hadoop",
    "guest",
    "administrator",
    "minecraft",
    "tomcat",
    "ansible",
];

const ROLES: &[&str] = &["web", "db", "app", "ssh", "bastion", "proxy", "build", "mail", "ldap", "nsm"];
const ZONES: &[&str] = &["private", "dmz", "corp"];
const SITES: &[&str] = &["scl3", "mdc1", "mdc2", "phx1", "sfo1"];

const DOMAINS: &[&str] = &[
    "example.com",
    "www.mozilla.org",
    "addons.mozilla.org",
    "github.com",
    "api.github.com",
    "s3.amazonaws.com",
    "pypi.org",
    "registry.npmjs.org",
    "en.wikipedia.org",
    "bugzilla.mozilla.org",
];

const MIMES: &[&str] = &[
    "text/html",
    "application/json",
    "image/png",
    "application/octet-stream",
    "text/css",
    "application/javascript",
    "-",
];

const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/118.0",
    "aws-cli/2.13.5 Python/3.11.4 Linux/5.15.0 exe/x86_64.ubuntu.22",
    "Boto3/1.28.1 Python/3.10.12 Linux/5.10.0 Botocore/1.31.1",
    "terraform/1.5.7 (+https://www.terraform.io)",
    "curl/8.4.0",
];

/// Number of "repeat offender" public addresses (so aggregating alerts can fire).
const OFFENDER_POOL: u64 = 48;

// ---------------------------------------------------------------- helpers

fn hostname(rng: &mut SampleRng) -> String {
    format!("{}{}.{}.{}.mozilla.com", rng.pick(ROLES), rng.range(1, 40), rng.pick(ZONES), rng.pick(SITES))
}

/// Whether an IPv4 address (as four octets) is routable on the internet.
fn is_public_v4(o: [u8; 4]) -> bool {
    let [a, b, c, _] = o;
    !(a == 0
        || a == 10
        || a == 127
        || a >= 224
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 192 && b == 88 && c == 99)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113))
}

/// A public IPv4 address derived deterministically from `h`.
fn public_from(mut h: u64) -> String {
    loop {
        let o = (h as u32).to_be_bytes();
        if is_public_v4(o) && o[3] != 0 && o[3] != 255 {
            return format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3]);
        }
        h = mix64(h.wrapping_add(0x9E37_79B9_7F4A_7C15));
    }
}

/// A public address: mostly one of a small pool of repeat offenders, sometimes fresh.
fn public_ip(rng: &mut SampleRng) -> String {
    if rng.chance(0.7) {
        public_from(mix64(0x5EED_0FF3_u64 ^ rng.below(OFFENDER_POOL)))
    } else {
        public_from(rng.next_u64())
    }
}

fn private_ip(rng: &mut SampleRng) -> String {
    let k = rng.unit();
    if k < 0.55 {
        format!("10.{}.{}.{}", rng.below(256), rng.below(256), rng.range(1, 254))
    } else if k < 0.8 {
        format!("192.168.{}.{}", rng.below(256), rng.range(1, 254))
    } else {
        format!("172.{}.{}.{}", rng.range(16, 31), rng.below(256), rng.range(1, 254))
    }
}

/// Documentation (TEST-NET) addresses, which MozDef's ipFixup treats specially.
fn testnet_ip(rng: &mut SampleRng) -> String {
    format!("{}.{}", rng.pick(&["203.0.113", "198.51.100", "192.0.2"]), rng.range(1, 254))
}

fn mixed_ip(rng: &mut SampleRng, p_public: f64) -> String {
    let x = rng.unit();
    if x < 0.03 {
        testnet_ip(rng)
    } else if x < 0.03 + p_public {
        public_ip(rng)
    } else {
        private_ip(rng)
    }
}

fn port(rng: &mut SampleRng) -> u64 {
    rng.range(1024, 65535)
}

/// syslog `DATE` as syslog-ng writes it: `Nov 25 14:01:12` (day space-padded).
pub fn syslog_date(now: DateTime<Utc>) -> String {
    now.format("%b %e %H:%M:%S").to_string()
}

fn iso(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Micros, false)
}

fn iso_secs(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn iso_z(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// syslog-ng `format-json --scope all-nv-pairs` shape, keys in syslog-ng's sorted order.
fn syslog_ng(
    rng: &mut SampleRng,
    now: DateTime<Utc>,
    program: &str,
    facility: &str,
    priority: &str,
    message: String,
) -> Value {
    let pid = rng.range(100, 65000).to_string();
    let host_from = private_ip(rng);
    let mut ev = json!({
        "CATEGORY": "syslog",
        "DATE": syslog_date(now),
        "FACILITY": facility,
        "HOST": hostname(rng),
        "HOST_FROM": host_from,
        "LEGACY_MSGHDR": format!("{program}[{pid}]: "),
        "MESSAGE": message,
        "PID": pid,
        "PRIORITY": priority,
        "PROGRAM": program,
        "SEQNUM": rng.range(1, 10_000_000).to_string(),
        "SOURCE": rng.pick(&["syslog_tcp", "syslog_tcp", "syslog_udp", "s_src"]),
        "SOURCEIP": host_from,
        "TAGS": ".source.syslog_tcp",
    });
    if rng.chance(0.2)
        && let Some(obj) = ev.as_object_mut()
    {
        obj.remove("LEGACY_MSGHDR");
    }
    ev
}

// ---------------------------------------------------------------- kinds

fn syslog(rng: &mut SampleRng, now: DateTime<Utc>) -> Value {
    let user = *rng.pick(USERS);
    let (program, facility, message) = match rng.below(8) {
        0 => (
            "systemd",
            "daemon",
            match rng.below(3) {
                0 => format!("Started Session {} of user {user}.", rng.range(1, 99_999)),
                1 => format!("Started {}.service.", rng.pick(&["nginx", "docker", "cron", "sshd"])),
                _ => "Reloading.".to_string(),
            },
        ),
        1 => (
            "CRON",
            "cron",
            format!(
                "({user}) CMD ({})",
                rng.pick(&[
                    "run-parts /etc/cron.hourly",
                    "/usr/local/bin/backup.sh >/dev/null 2>&1",
                    "/usr/lib64/sa/sa1 1 1",
                ])
            ),
        ),
        2 => (
            "kernel",
            "kern",
            format!(
                "[{}.{:06}] IN=eth0 OUT= SRC={} DST={} LEN={} TTL={} PROTO=TCP SPT={} DPT={} WINDOW=1024 SYN URGP=0",
                rng.range(1, 1_000_000),
                rng.below(1_000_000),
                public_ip(rng),
                private_ip(rng),
                rng.range(40, 1500),
                rng.range(30, 250),
                port(rng),
                rng.pick(&[22, 23, 80, 443, 3389])
            ),
        ),
        3 => ("postfix/smtpd", "mail", format!("connect from unknown[{}]", public_ip(rng))),
        4 => (
            "sudo",
            "authpriv",
            format!(
                "{user} : TTY=pts/{} ; PWD=/home/{user} ; USER=root ; COMMAND={}",
                rng.below(10),
                rng.pick(&["/bin/systemctl restart nginx", "/usr/bin/apt-get update", "/bin/cat /var/log/secure",])
            ),
        ),
        5 => (
            "su",
            "authpriv",
            format!("pam_unix(su:session): session opened for user root by {user}(uid={})", rng.range(1000, 3000)),
        ),
        6 => ("ntpd", "daemon", format!("synchronized to {}, stratum {}", public_ip(rng), rng.range(1, 4))),
        _ => ("puppet-agent", "daemon", format!("Applied catalog in {:.2} seconds", 1.0 + rng.unit() * 119.0)),
    };
    let priority = *rng.pick(&["info", "info", "info", "notice", "warning", "err"]);
    syslog_ng(rng, now, program, facility, priority, message)
}

fn sshd(rng: &mut SampleRng, now: DateTime<Utc>) -> Value {
    let user = *rng.pick(USERS);
    let x = rng.unit();
    let message = if x < 0.3 {
        let ip = mixed_ip(rng, 0.4);
        let p = port(rng);
        if rng.chance(0.7) {
            format!(
                "Accepted publickey for {user} from {ip} port {p} ssh2: {} SHA256:{}",
                rng.pick(&["RSA", "RSA", "ED25519", "ECDSA"]),
                rng.b64(43)
            )
        } else {
            format!(
                "Accepted {} for {user} from {ip} port {p} ssh2",
                rng.pick(&["password", "keyboard-interactive/pam"])
            )
        }
    } else if x < 0.65 {
        let ip = mixed_ip(rng, 0.85);
        let p = port(rng);
        if rng.chance(0.5) {
            format!("Failed password for invalid user {} from {ip} port {p} ssh2", rng.pick(BAD_USERS))
        } else {
            format!("Failed password for {user} from {ip} port {p} ssh2")
        }
    } else if x < 0.75 {
        let ip = mixed_ip(rng, 0.85);
        format!("Invalid user {} from {ip}", rng.pick(BAD_USERS))
    } else if x < 0.9 {
        if rng.chance(0.6) {
            format!("pam_unix(sshd:session): session opened for user {user} by (uid=0)")
        } else {
            format!("pam_unix(sshd:session): session closed for user {user}")
        }
    } else {
        let ip = mixed_ip(rng, 0.6);
        format!("Received disconnect from {ip}: 11: disconnected by user [preauth]")
    };
    syslog_ng(rng, now, "sshd", "authpriv", "info", message)
}

fn proxy(rng: &mut SampleRng, now: DateTime<Utc>) -> Value {
    let domain = *rng.pick(DOMAINS);
    let action = *rng.pick(&["TCP_MISS", "TCP_TUNNEL", "TCP_HIT", "TCP_DENIED", "TCP_MISS_ABORTED"]);
    let method = if action == "TCP_TUNNEL" { "CONNECT" } else { *rng.pick(&["GET", "GET", "POST", "PUT", "HEAD"]) };
    let src = private_ip(rng);
    let dst = if action == "TCP_DENIED" { "0.0.0.0".to_string() } else { public_ip(rng) };
    let dport = if method == "CONNECT" { 443 } else { *rng.pick(&[80, 80, 8080]) };
    let destination = if method == "CONNECT" {
        format!("{domain}:{dport}")
    } else {
        let len = rng.below(13) as usize;
        format!("http://{domain}/{}", rng.hex(len))
    };
    let status = if method == "CONNECT" { "-" } else { *rng.pick(&["200", "301", "404", "403"]) };
    let ts = iso(now);
    json!({
        "category": "proxy",
        "hostname": format!("proxy{}.dmz.{}.mozilla.com", rng.range(1, 6), rng.pick(SITES)),
        "processname": "squid",
        "processid": rng.range(100, 9999).to_string(),
        "severity": "INFO",
        "source": "access",
        "summary": format!("{src} {method} {destination} {action}"),
        "tags": ["squid", "proxy"],
        "timestamp": ts,
        "utctimestamp": ts,
        "details": {
            "sourceipaddress": src,
            "sourceport": port(rng),
            "destination": destination,
            "destinationipaddress": dst,
            "destinationport": dport,
            "host": domain,
            "proxyaction": action,
            "status": status,
            "method": method,
            "requestsize": rng.range(50, 2000),
            "responsesize": rng.range(100, 1_000_000),
            "duration": (rng.unit() * 30_000.0).round() / 1000.0,
            "mimetype": rng.pick(MIMES),
            "useragent": rng.pick(USER_AGENTS),
        },
    })
}

fn auditd(rng: &mut SampleRng, now: DateTime<Utc>) -> Value {
    let host = hostname(rng);
    let user = *rng.pick(USERS);
    let parent = *rng.pick(&["bash", "sshd", "cron", "python3", "java", "sudo"]);
    let suser = if rng.chance(0.5) { user } else { "root" };
    let command = match rng.below(8) {
        0 => "ls -la /tmp".to_string(),
        1 => "cat /etc/passwd".to_string(),
        2 => format!("curl -s https://{}/install.sh", rng.pick(DOMAINS)),
        3 => "id".to_string(),
        4 => format!("tar czf /tmp/backup-{}.tgz /etc", rng.hex(6)),
        5 => format!("nc -zv {} 22", private_ip(rng)),
        6 => format!("/usr/bin/wget http://{}/{}", public_ip(rng), rng.hex(8)),
        _ => "systemctl status nginx".to_string(),
    };
    let first = command.split_whitespace().next().unwrap_or("sh");
    let exe = if first.starts_with('/') { first.to_string() } else { format!("/usr/bin/{first}") };
    let processname = exe.rsplit('/').next().unwrap_or(&exe).to_string();
    let mut details = json!({
        "fsuid": rng.below(3001).to_string(),
        "tty": rng.pick(&["(none)", "pts0", "pts1"]),
        "uid": rng.below(3001).to_string(),
        "process": exe,
        "auditkey": "exec",
        "pid": rng.range(100, 65000).to_string(),
        "processname": processname,
        "ses": if rng.chance(0.5) { "4294967295".to_string() } else { rng.range(1, 9999).to_string() },
        "auid": if rng.chance(0.3) { "4294967295".to_string() } else { rng.range(1000, 3000).to_string() },
        "gid": rng.below(3001).to_string(),
        "originaluser": suser,
        "ppid": rng.range(100, 65000).to_string(),
        "cwd": rng.pick(&["/", "/root", "/tmp", "/opt/app"]),
        "parentprocess": parent,
        "path": exe,
        "command": command,
        "mode": "0100755",
        "user": user,
        "duser": user,
        "suser": suser,
    });
    if rng.chance(0.3)
        && let Some(obj) = details.as_object_mut()
    {
        obj.insert("dhost".into(), Value::String(host.clone()));
    }
    json!({
        "category": "execve",
        "processid": rng.range(100, 9999).to_string(),
        "severity": "INFO",
        "timestamp": iso(now),
        "hostname": host,
        "tags": ["audisp-json", "2.1.1", "audit"],
        "summary": format!("Execve: {command}"),
        "processname": "audisp-json",
        "details": details,
    })
}

fn network(rng: &mut SampleRng, now: DateTime<Utc>) -> Value {
    let fw = format!("fw{}.private.{}.mozilla.com", rng.range(1, 4), rng.pick(SITES));
    let outbound = rng.chance(0.5);
    let (src, dst) =
        if outbound { (private_ip(rng), mixed_ip(rng, 0.9)) } else { (mixed_ip(rng, 0.9), private_ip(rng)) };
    let sport = port(rng);
    let dport = *rng.pick(&[22, 53, 80, 123, 443, 443, 443, 3306, 8080]);
    let proto = *rng.pick(&["6", "6", "6", "17", "1"]);
    let action = *rng.pick(&["accept", "accept", "accept", "deny", "drop"]);
    let service = *rng.pick(&["junos-https", "junos-http", "junos-ssh", "junos-dns-udp"]);
    let policy = *rng.pick(&["any--any", "corp-to-internet", "dmz-web", "deny-all"]);
    let (szone, dzone) = if outbound { ("corp", "external") } else { ("untrust", "dmz") };
    let iface = format!("reth{}.{}", rng.below(13), rng.below(10));
    let summary = if action == "accept" {
        format!(
            "%-RT_FLOW_SESSION_CREATE: session created {src}/{sport}->{dst}/{dport} {service} {src}/{sport}->{dst}/{dport} None None {proto} {policy} {szone} {dzone} {} N/A(N/A) {iface}\n",
            rng.range(1, 1_000_000)
        )
    } else {
        format!(
            "%-RT_FLOW_SESSION_DENY: session denied {src}/{sport}->{dst}/{dport} {service} {proto}(0) {policy} {szone} {dzone} UNKNOWN UNKNOWN N/A(N/A) {iface}\n"
        )
    };
    json!({
        "category": "network",
        "processid": "0",
        "severity": "INFO",
        "hostname": fw,
        "summary": summary,
        "file": "networklogs",
        "utctimestamp": iso_secs(now),
        "tags": ["firewall", "junos"],
        "details": {
            "protocol": proto,
            "sourceipaddress": src,
            "sourceport": sport.to_string(),
            "destinationipaddress": dst,
            "destinationport": dport.to_string(),
            "service": service,
            "policy": policy,
            "sourcezone": szone,
            "destinationzone": dzone,
            "action": action,
            "hostname": fw,
            "program": "RT_FLOW",
        },
    })
}

fn cloudtrail(rng: &mut SampleRng, now: DateTime<Utc>) -> Value {
    let account = *rng.pick(&["123456789012", "234567890123", "345678901234"]);
    let user = *rng.pick(USERS);
    let (service, name) = *rng.pick(&[
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("ec2.amazonaws.com", "RunInstances"),
        ("s3.amazonaws.com", "PutBucketPolicy"),
        ("iam.amazonaws.com", "CreateAccessKey"),
        ("iam.amazonaws.com", "AttachUserPolicy"),
        ("signin.amazonaws.com", "ConsoleLogin"),
        ("sts.amazonaws.com", "AssumeRole"),
        ("kms.amazonaws.com", "Decrypt"),
    ]);
    let region = *rng.pick(&["us-east-1", "us-west-2", "eu-central-1"]);
    let source_ip = if rng.chance(0.8) { public_ip(rng) } else { private_ip(rng) };
    let mut details = json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": rng.pick(&["IAMUser", "IAMUser", "AssumedRole", "Root"]),
            "principalId": format!("AIDA{}", rng.hex(16).to_uppercase()),
            "arn": format!("arn:aws:iam::{account}:user/{user}"),
            "accountId": account,
            "accessKeyId": format!("AKIA{}", rng.hex(16).to_uppercase()),
            "userName": user,
        },
        "eventTime": iso_z(now),
        "eventSource": service,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": rng.pick(USER_AGENTS),
        "requestParameters": null,
        "responseElements": null,
        "requestID": rng.uuid_like(),
        "eventID": rng.uuid_like(),
        "readOnly": name.starts_with("Describe"),
        "eventType": if name == "ConsoleLogin" { "AwsConsoleSignIn" } else { "AwsApiCall" },
        "managementEvent": true,
        "recipientAccountId": account,
    });
    if let Some(obj) = details.as_object_mut() {
        if name == "ConsoleLogin" {
            obj.insert(
                "responseElements".into(),
                json!({"ConsoleLogin": rng.pick(&["Success", "Success", "Failure"])}),
            );
        }
        if rng.chance(0.05) {
            obj.insert("errorCode".into(), json!("AccessDenied"));
            obj.insert(
                "errorMessage".into(),
                json!(format!("User: arn:aws:iam::{account}:user/{user} is not authorized to perform: {name}")),
            );
        }
    }
    json!({
        "source": "cloudtrail",
        "category": "cloudtrail",
        "hostname": service,
        "processname": "cloudtrail",
        "severity": "INFO",
        "summary": format!("{user} performed {name} in {region}"),
        "utctimestamp": iso_secs(now),
        "tags": ["cloudtrail", "aws"],
        "details": details,
    })
}

fn native(rng: &mut SampleRng, now: DateTime<Utc>) -> Value {
    let user = *rng.pick(USERS);
    let ip = mixed_ip(rng, 0.6);
    let success = rng.chance(0.8);
    let (source, summary) = match rng.below(3) {
        0 => {
            ("duo", format!("duo authentication {} for {user} from {ip}", if success { "success" } else { "failure" }))
        }
        1 => ("okta", format!("okta user.session.start {} for {user}", if success { "SUCCESS" } else { "FAILURE" })),
        _ => ("openvpn", format!("vpn login {} for {user}", if success { "succeeded" } else { "failed" })),
    };
    let mut ev = json!({
        "category": "authentication",
        "source": source,
        "hostname": format!("{source}.collector.mozilla.com"),
        "processname": format!("{source}_collector"),
        "processid": rng.range(100, 9999).to_string(),
        "severity": if success { "INFO" } else { "WARNING" },
        "summary": summary,
        "tags": [source, "authentication"],
        "details": {
            "sourceipaddress": ip,
            "username": user,
            "success": success,
            "useragent": rng.pick(USER_AGENTS),
        },
    });
    // MozDef accepts many time formats (toUTC): exercise a few of them
    let (key, value) = match rng.below(5) {
        0 => ("utctimestamp", json!(iso_z(now))),
        1 => ("timestamp", json!(now.timestamp())),
        2 => ("timestamp", json!(now.timestamp_millis())),
        3 => ("timestamp", json!(now.timestamp_micros() as f64 / 1_000_000.0)),
        _ => ("eventtime", json!(now.format("%Y-%m-%d %H:%M:%S").to_string())),
    };
    if let Some(obj) = ev.as_object_mut() {
        obj.insert(key.into(), value);
    }
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn fixed_now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_615_272, 0).unwrap_or_default()
    }

    #[test]
    fn deterministic_with_a_seed() {
        let now = fixed_now();
        let mut a = SampleRng::new(42);
        let mut b = SampleRng::new(42);
        let mut c = SampleRng::new(43);
        let xs: Vec<Value> = (0..500).map(|_| sample_event(&mut a, now)).collect();
        let ys: Vec<Value> = (0..500).map(|_| sample_event(&mut b, now)).collect();
        let zs: Vec<Value> = (0..500).map(|_| sample_event(&mut c, now)).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn every_kind_appears_and_every_event_is_an_object() {
        let now = fixed_now();
        let mut rng = SampleRng::new(20261123);
        let mut counts: BTreeMap<SampleKind, usize> = BTreeMap::new();
        for _ in 0..1000 {
            let (kind, ev) = sample(&mut rng, now);
            assert!(ev.is_object(), "{kind:?} produced {ev}");
            let line = serde_json::to_string(&ev).unwrap_or_default();
            assert!(!line.contains('\n'), "NDJSON-safe");
            *counts.entry(kind).or_default() += 1;
        }
        for kind in SampleKind::ALL {
            assert!(counts.get(&kind).copied().unwrap_or(0) > 10, "{kind:?}");
        }
    }

    #[test]
    fn sshd_messages_have_the_parsable_shapes() {
        let now = fixed_now();
        let mut rng = SampleRng::new(7);
        let mut accepted = 0;
        let mut failed_invalid = 0;
        for _ in 0..500 {
            let ev = sample_of_kind(SampleKind::Sshd, &mut rng, now);
            assert_eq!(ev["PROGRAM"], "sshd");
            assert_eq!(ev["CATEGORY"], "syslog");
            let msg = ev["MESSAGE"].as_str().unwrap_or_default();
            if msg.starts_with("Accepted publickey for ") && msg.contains(" ssh2") {
                accepted += 1;
            }
            if msg.starts_with("Failed password for invalid user ") && msg.ends_with(" ssh2") {
                failed_invalid += 1;
            }
        }
        assert!(accepted > 0 && failed_invalid > 0);
    }

    #[test]
    fn syslog_date_is_space_padded() {
        let t = DateTime::parse_from_rfc3339("2026-11-05T04:01:12Z").map(|t| t.with_timezone(&Utc)).unwrap_or_default();
        assert_eq!(syslog_date(t), "Nov  5 04:01:12");
    }

    #[test]
    fn public_addresses_are_public() {
        let mut rng = SampleRng::new(1);
        for _ in 0..2000 {
            let ip = public_ip(&mut rng);
            let o: Vec<u8> = ip.split('.').filter_map(|p| p.parse().ok()).collect();
            assert_eq!(o.len(), 4, "{ip}");
            assert!(is_public_v4([o[0], o[1], o[2], o[3]]), "{ip}");
        }
    }

    #[test]
    fn rng_helpers_stay_in_range() {
        let mut rng = SampleRng::new(9);
        for _ in 0..10_000 {
            assert!(rng.below(7) < 7);
            let r = rng.range(3, 5);
            assert!((3..=5).contains(&r));
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.range(5, 5), 5);
        let id = rng.uuid_like();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
    }
}
