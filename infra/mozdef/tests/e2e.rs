//! End to end: `mozdef dev` as a real process on a free port with a temporary data dir;
//! events posted over HTTP (single, bulk array, NDJSON) and searched back; `kill -9` right
//! after acknowledgements, a restart, and every acknowledged event found exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{client, free_port, search, start, start_with, wait_for, wait_for_quarantine};

#[tokio::test]
async fn post_search_kill_restart() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = start(dir.path(), port).await;
    let http = client();
    let base = server.base.clone();

    // A syslog-ng style event through /events: normalised on the way in.
    let syslog = json!({"HOST": "web1.example.com", "PROGRAM": "sshd", "PID": "4242", "PRIORITY": "info",
                        "FACILITY": "authpriv", "MESSAGE": "Accepted publickey for alice from 10.0.0.5 port 22 ssh2",
                        "DATE": "2026-11-25T10:00:00+00:00", "details": {"run": "single"}});
    let r = http.post(format!("{base}/events")).json(&syslog).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let hits = wait_for(&http, &base, "details.run:single", 1).await;
    assert_eq!(hits.len(), 1, "the posted event is searchable");
    let source = &hits[0]["_source"];
    assert_eq!(source["hostname"], "web1.example.com");
    assert_eq!(source["processname"], "sshd");
    assert_eq!(source["processid"], "4242");
    assert_eq!(source["severity"], "INFO");
    assert_eq!(source["summary"], "Accepted publickey for alice from 10.0.0.5 port 22 ssh2");
    assert_eq!(source["mozdefhostname"], "e2e.test");
    assert_eq!(source["type"], "event");
    let id = hits[0]["_id"].as_str().unwrap();
    let by_id: Value = http.get(format!("{base}/api/events/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(&by_id["_source"], source);

    // A bulk array and an NDJSON bulk.
    let array = json!([{"index": {}}, {"summary": "bulk a", "details": {"run": "bulk"}}, {"summary": "bulk b", "details": {"run": "bulk"}}]);
    assert_eq!(http.post(format!("{base}/_bulk")).json(&array).send().await.unwrap().status(), 200);
    let ndjson = "{\"index\":{}}\n{\"summary\":\"bulk c\",\"details\":{\"run\":\"bulk\"}}\n{\"summary\":\"bulk d\",\"details\":{\"run\":\"bulk\"}}\n";
    assert_eq!(http.post(format!("{base}/_bulk")).body(ndjson).send().await.unwrap().status(), 200);
    let hits = wait_for(&http, &base, "details.run:bulk", 4).await;
    let mut summaries: Vec<&str> = hits.iter().map(|h| h["_source"]["summary"].as_str().unwrap()).collect();
    summaries.sort_unstable();
    assert_eq!(summaries, ["bulk a", "bulk b", "bulk c", "bulk d"]);

    // A bad request is refused and nothing of it appears.
    let r = http.post(format!("{base}/_bulk")).body("{\"details\":{\"run\":\"bad\"}}\n{oops\n").send().await.unwrap();
    assert_eq!(r.status(), 400);

    // Fire events from several tasks; kill -9 the server right after enough acknowledgements.
    let acked = Arc::new(std::sync::Mutex::new(Vec::<u64>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut senders = Vec::new();
    for task in 0..4u64 {
        let (http, base, acked, stop) = (http.clone(), base.clone(), acked.clone(), stop.clone());
        senders.push(tokio::spawn(async move {
            let mut seq = task;
            while !stop.load(Ordering::Relaxed) {
                let event = json!({"summary": format!("crash test {seq}"), "details": {"run": "crash", "seq": seq}});
                match http.post(format!("{base}/events")).json(&event).send().await {
                    Ok(r) if r.status().is_success() => acked.lock().unwrap().push(seq),
                    _ => {}
                }
                seq += 4;
            }
        }));
    }
    let mut server = server;
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 300 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // SIGKILL while requests are still in flight.
    server.child.kill().unwrap();
    let _ = server.child.wait();
    let acknowledged = acked.lock().unwrap().clone();
    stop.store(true, Ordering::Relaxed);
    for s in senders {
        s.await.unwrap();
    }
    assert!(acknowledged.len() >= 300, "only {} events were acknowledged", acknowledged.len());
    drop(server);

    let server = start(dir.path(), port).await;
    let hits = wait_for(&http, &server.base, "details.run:crash", acknowledged.len()).await;
    let mut count: BTreeMap<u64, usize> = BTreeMap::new();
    for hit in &hits {
        *count.entry(hit["_source"]["details"]["seq"].as_u64().unwrap()).or_default() += 1;
    }
    for seq in &acknowledged {
        assert_eq!(count.get(seq), Some(&1), "acknowledged event {seq} must be stored exactly once");
    }
    assert!(count.values().all(|&n| n == 1), "no event is stored twice");
    // Everything from before the crash is still there, once.
    assert_eq!(wait_for(&http, &server.base, "details.run:bulk", 4).await.len(), 4);
    assert_eq!(wait_for(&http, &server.base, "details.run:single", 1).await.len(), 1);
    assert!(search(&http, &server.base, "details.run:bad").await["hits"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn sigterm_drains_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port).await;
    let http = client();
    for n in 0..20 {
        let event = json!({"summary": format!("term {n}"), "details": {"run": "term"}});
        assert_eq!(http.post(format!("{}/events", server.base)).json(&event).send().await.unwrap().status(), 200);
    }
    // A client on the change stream (a UI left open) does not hold the stop up for long.
    let stream = http.get(format!("{}/api/changes/stream", server.base)).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "mozdef dev did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "clean exit, got {status}");
    drop(stream);
    // Drained: a restart finds all 20 without replaying anything.
    let server = start(dir.path(), port).await;
    assert_eq!(wait_for(&http, &server.base, "details.run:term", 20).await.len(), 20);
    let checkpoint = std::fs::read_to_string(dir.path().join("wal/checkpoint")).unwrap();
    assert!(!checkpoint.trim().is_empty());
}

#[tokio::test]
async fn send_sample_events_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = start(dir.path(), port).await;
    let http = client();
    let before = search(&http, &server.base, "*").await["hits"].as_array().unwrap().len();
    for bulk in ["0", "25"] {
        let output = Command::new(env!("CARGO_BIN_EXE_mozdef"))
            .args(["send", "--url", &server.base, "--count", "100", "--bulk", bulk, "--seed", "7", "--quiet"])
            .output()
            .unwrap();
        assert!(output.status.success(), "mozdef send failed: {}", String::from_utf8_lossy(&output.stderr));
        let summary = String::from_utf8_lossy(&output.stdout);
        assert!(summary.contains("ok=100") && summary.contains("failed=0"), "{summary}");
    }
    let hits = wait_for(&http, &server.base, "*", before + 200).await;
    assert_eq!(hits.len(), before + 200, "every sent sample event is stored once");
    let categories: std::collections::BTreeSet<&str> =
        hits.iter().filter_map(|h| h["_source"]["category"].as_str()).collect();
    assert!(categories.len() >= 3, "sample events are mixed: {categories:?}");
    assert!(hits.iter().all(|h| h["_source"]["mozdefhostname"] == "e2e.test"));
}

/// Writes `records` as a gzip CloudTrail log file at `path`.
fn write_cloudtrail_log(path: &Path, records: Value) {
    use std::io::Write;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json!({"Records": records}).to_string().as_bytes()).unwrap();
    std::fs::write(path, gz.finish().unwrap()).unwrap();
}

fn mozdef_send(base: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_mozdef"))
        .args(["send", "--url", base, "--quiet"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "mozdef send {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn send_replays_cloudtrail_and_guardduty_through_the_decoders() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = start(&dir.path().join("data"), port).await;
    let http = client();
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();

    // Two CloudTrail log files in S3's layout: the directory is the bucket.
    let trail = dir.path().join("replay").join("mozdef-trail");
    let logs = trail.join("AWSLogs/123456789012/CloudTrail");
    write_cloudtrail_log(
        &logs.join("us-west-2/123456789012_CloudTrail_us-west-2_a.json.gz"),
        json!([
            {"eventVersion": "1.09", "eventTime": now, "eventSource": "ec2.amazonaws.com",
             "eventName": "DescribeInstances", "awsRegion": "us-west-2", "sourceIPAddress": "198.51.100.23",
             "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "123456789012"},
             "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-0a1b2c3d"}]}},
             "responseElements": null, "eventType": "AwsApiCall", "readOnly": true},
            {"eventVersion": "1.09", "eventTime": now, "eventSource": "iam.amazonaws.com",
             "eventName": "createUser", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.24",
             "userIdentity": {"type": "IAMUser", "userName": "bob"},
             "requestParameters": {"userName": "mallory"}, "eventType": "AwsApiCall"}
        ]),
    );
    write_cloudtrail_log(
        &logs.join("us-east-1/123456789012_CloudTrail_us-east-1_b.json.gz"),
        json!([
            {"eventVersion": "1.08", "eventTime": now, "eventSource": "signin.amazonaws.com",
             "eventName": "ConsoleLogin", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
             "userIdentity": {"type": "IAMUser", "userName": "carol"},
             "additionalEventData": {"MFAUsed": "Yes", "LoginTo": "https://console.aws.amazon.com/"},
             "responseElements": {"ConsoleLogin": "Success"}, "eventType": "AwsConsoleSignIn"}
        ]),
    );
    let out = mozdef_send(&server.base, &["--cloudtrail", trail.to_str().unwrap()]);
    assert!(out.contains("events=3 ok=3 failed=0"), "{out}");

    let hits = wait_for(&http, &server.base, "source:cloudtrail", 3).await;
    assert_eq!(hits.len(), 3, "every CloudTrail record is stored once");
    let by_summary: BTreeMap<&str, &Value> =
        hits.iter().map(|h| (h["_source"]["summary"].as_str().unwrap(), &h["_source"])).collect();
    assert_eq!(
        by_summary.keys().copied().collect::<Vec<_>>(),
        [
            "198.51.100.23 performed DescribeInstances in ec2.amazonaws.com",
            "198.51.100.24 performed createUser in iam.amazonaws.com",
            "203.0.113.9 performed ConsoleLogin in signin.amazonaws.com",
        ]
    );
    for event in by_summary.values() {
        assert_eq!(event["source"], "cloudtrail");
        assert_eq!(event["type"], "cloudtrail");
        assert_eq!(event["customendpoint"], true);
        assert_eq!(event["endpoint"], "cloudtrail");
        assert_eq!(event["tags"], json!(["cloudtrail"]), "the default queue name");
        assert_eq!(event["processname"], "mozdef");
        let plugins: Vec<&str> =
            event["mozdef"]["plugins"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert!(plugins.contains(&"cloudtrail") && plugins.contains(&"lower_keys"), "{plugins:?}");
    }
    let describe = by_summary["198.51.100.23 performed DescribeInstances in ec2.amazonaws.com"];
    assert_eq!(describe["hostname"], "ec2.amazonaws.com");
    assert_eq!(describe["category"], "AwsApiCall");
    assert_eq!(describe["details"]["sourceipaddress"], "198.51.100.23");
    // Nested keys lower-cased by lower_keys, the decoder's camelCase details too.
    assert_eq!(describe["details"]["requestparameters"]["instancesset"]["items"][0]["instanceid"], "i-0a1b2c3d");
    assert_eq!(describe["details"]["useridentity"]["username"], "alice");
    assert_eq!(describe["details"]["eventverb"], "Describe");
    assert_eq!(describe["details"]["eventreadonly"], true);
    assert!(describe["details"].get("eventVerb").is_none());
    let create = by_summary["198.51.100.24 performed createUser in iam.amazonaws.com"];
    assert_eq!(create["details"]["eventname"], "CreateUser", "the decoder capitalises eventName");
    assert_eq!(create["details"]["eventreadonly"], false);
    let login = by_summary["203.0.113.9 performed ConsoleLogin in signin.amazonaws.com"];
    assert_eq!(login["category"], "AwsConsoleSignIn");
    // The cloudtrail plugin keeps fields of varying type as raw JSON text (lower_keys ran first).
    let raw = login["details"]["additionaleventdata"]["raw_value"].as_str().unwrap();
    assert_eq!(raw, r#"{"mfaused": "Yes", "loginto": "https://console.aws.amazon.com/"}"#);

    // One GuardDuty port-probe finding, as EventBridge delivers it.
    let finding = json!({
        "version": "0", "id": "c8c4daa7-a20c-2f03-0070-b7393dd542ad", "detail-type": "GuardDuty Finding",
        "source": "aws.guardduty", "account": "123456789012", "time": now, "region": "us-west-2", "resources": [],
        "detail": {
            "schemaVersion": "2.0", "accountId": "123456789012", "region": "us-west-2", "partition": "aws",
            "id": "a2b4e5df544366954e71c42d515b5a16",
            "arn": "arn:aws:guardduty:us-west-2:123456789012:detector/12abc34d/finding/a2b4e5df544366954e71c42d515b5a16",
            "type": "Recon:EC2/PortProbeUnprotectedPort",
            "resource": {"resourceType": "Instance", "instanceDetails": {
                "instanceId": "i-0a1b2c3d4e5f6a7b8", "instanceType": "t3.medium",
                "networkInterfaces": [{"networkInterfaceId": "eni-0f1e2d3c4b5a69788",
                    "privateDnsName": "ip-10-0-1-25.us-west-2.compute.internal", "privateIpAddress": "10.0.1.25",
                    "publicDnsName": "ec2-52-25-215-5.us-west-2.compute.amazonaws.com", "publicIp": "52.25.215.5",
                    "subnetId": "subnet-0123456789abcdef0", "vpcId": "vpc-0fedcba9876543210"}],
                "tags": [{"key": "Name", "value": "mozdef-web"}],
                "instanceState": "running", "availabilityZone": "us-west-2c"}},
            "service": {
                "serviceName": "guardduty", "detectorId": "12abc34d567e8fa901bc2d34e56789f0",
                "action": {"actionType": "PORT_PROBE", "portProbeAction": {"blocked": false, "portProbeDetails": [{
                    "localPortDetails": {"port": 22, "portName": "SSH"},
                    "localIpDetails": {"ipAddressV4": "10.0.1.25"},
                    "remoteIpDetails": {"ipAddressV4": "211.44.226.158",
                        "organization": {"asn": "9318", "asnOrg": "SK Broadband Co Ltd"},
                        "country": {"countryName": "South Korea"}}}]}},
                "resourceRole": "TARGET", "additionalInfo": {"threatName": "Scanner"},
                "eventFirstSeen": now, "eventLastSeen": now, "archived": false, "count": 3},
            "severity": 2, "createdAt": now, "updatedAt": now,
            "title": "Unprotected port on EC2 instance i-0a1b2c3d4e5f6a7b8 is being probed.",
            "description": "EC2 instance has an unprotected port which is being probed by a known malicious host."
        }
    });
    let findings = dir.path().join("replay").join("findings.ndjson");
    std::fs::write(&findings, format!("{finding}\n")).unwrap();
    let out = mozdef_send(&server.base, &["--guardduty", findings.to_str().unwrap(), "--queue", "mozdef-guardduty"]);
    assert!(out.contains("events=1 ok=1 failed=0"), "{out}");

    let hits = wait_for(&http, &server.base, "category:guardduty", 1).await;
    assert_eq!(hits.len(), 1, "the finding is stored once");
    let event = &hits[0]["_source"];
    assert_eq!(event["source"], "guardduty");
    assert_eq!(event["summary"], "Unprotected port on EC2 instance i-0a1b2c3d4e5f6a7b8 is being probed.");
    assert_eq!(event["tags"], json!(["aws", "guardduty", "mozdef-guardduty"]));
    assert_eq!(event["hostname"], "ec2-52-25-215-5.us-west-2.compute.amazonaws.com");
    let details = &event["details"];
    assert_eq!(details["finding"], "Recon:EC2/PortProbeUnprotectedPort");
    assert_eq!(details["type"], "port_probe");
    assert_eq!(details["sourceipaddress"], "211.44.226.158");
    assert_eq!(details["destinationipaddress"], "52.25.215.5");
    assert_eq!(details["destinationport"], 22);
    assert_eq!(details["instanceid"], "i-0a1b2c3d4e5f6a7b8");
    let plugins = event["mozdef"]["plugins"].as_array().unwrap();
    assert!(plugins.contains(&json!("guardDuty")), "{plugins:?}");
}

/// The plugin chain and the quarantine in a running `mozdef dev`: a user plugin from
/// `<data-dir>/plugins` acts on matching events, an event a plugin cannot handle lands in the
/// quarantine with its reason, a dropped event is gone; and a broken user plugin stops the
/// start with its file and line.
#[tokio::test]
async fn user_plugins_and_quarantine() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::write(
        plugins.join("e2e_app.json"),
        r#"{"registration": ["e2e_app"], "priority": 50, "steps": [
             {"extract": {"field": "summary", "regex": "user=(?P<username>\\w+)"}},
             {"tag": "e2e"},
             {"when": {"field": "details.username", "equals": "root"}, "set": {"details.privileged": true}},
             {"when": {"field": "summary", "contains": "healthcheck"}, "drop": true}]}"#,
    )
    .unwrap();
    let port = free_port();
    let server = start(dir.path(), port).await;
    let http = client();
    let post = |event: Value| {
        let (http, url) = (http.clone(), format!("{}/events", server.base));
        async move { assert_eq!(http.post(url).json(&event).send().await.unwrap().status(), 200) }
    };
    post(json!({"summary": "login user=root ok", "details": {"app": "e2e_app", "run": "plugins"}})).await;
    post(json!({"summary": "healthcheck user=lb", "details": {"app": "e2e_app", "run": "plugins"}})).await;
    // A custom-endpoint event with a summary the user plugin cannot write into: `details` is a
    // string, so the extract step fails and the event goes to the quarantine.
    let custom = json!({"summary": "user=alice", "details": "not an object", "app": "e2e_app", "run": "plugins"});
    let url = format!("{}/custom/e2e", server.base);
    assert_eq!(http.post(url).json(&custom).send().await.unwrap().status(), 200);

    let hits = wait_for(&http, &server.base, "details.run:plugins", 1).await;
    assert_eq!(hits.len(), 1, "the health check was dropped: {hits:?}");
    let source = &hits[0]["_source"];
    assert_eq!(source["details"]["username"], "root");
    assert_eq!(source["details"]["privileged"], true);
    assert!(source["tags"].as_array().unwrap().contains(&json!("e2e")));
    assert!(source["mozdef"]["plugins"].as_array().unwrap().contains(&json!("e2e_app")));

    let quarantined = wait_for_quarantine(&http, &server.base, Duration::from_secs(10)).await;
    assert_eq!(quarantined.len(), 1);
    let record = &quarantined[0]["_source"];
    assert!(record["reason"].as_str().unwrap().contains("e2e_app"), "{record}");
    assert!(record["payload"].as_str().unwrap().contains("not an object"), "the raw payload is kept: {record}");
    let stats: Value = http.get(format!("{}/api/stats", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats, json!({"indexed": 1, "dropped": 1, "quarantined": 1}), "drops and quarantines are counted");
    drop(server);

    // A broken user plugin: the start fails and names the file and line.
    std::fs::write(plugins.join("zz_broken.json"), "{\"registration\": [\"x\"],\n \"steps\": [{\"tag\": 5}]}").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mozdef"))
        .args(["dev", "--listen", &format!("127.0.0.1:{}", free_port()), "--data-dir"])
        // The web UI is the browser tests' business (scripts/test-web): never build it here.
        .env("MOZDEF_WEB_BUILD", "never")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("zz_broken.json:2:"), "the error names the file and line: {stderr}");
}

/// GeoIP in a running `mozdef dev`: with `--geoip` (a synthetic City database written by
/// `scripts/make-test-geoip`), events with a public source address are stored with MozDef's
/// location dictionary and a geopoint.
#[tokio::test]
async fn geoip_enrichment_in_mozdef_dev() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("GeoLite2-City-Test.mmdb");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/make-test-geoip");
    let made = Command::new("python3").arg(&script).arg("--city").arg(&db).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let port = free_port();
    let server = start_with(&dir.path().join("data"), port, &["--geoip", db.to_str().unwrap()]).await;
    let http = client();
    let event = json!({"summary": "login", "details": {"run": "geoip", "sourceipaddress": "81.2.69.160"}});
    assert_eq!(http.post(format!("{}/events", server.base)).json(&event).send().await.unwrap().status(), 200);
    let hits = wait_for(&http, &server.base, "details.run:geoip", 1).await;
    let details = &hits[0]["_source"]["details"];
    assert_eq!(details["sourceipgeolocation"]["country_code"], "GB", "{details}");
    assert_eq!(details["sourceipgeolocation"]["city"], "London");
    assert!(details["sourceipgeopoint"].as_str().unwrap().starts_with("51."));
    assert!(hits[0]["_source"]["mozdef"]["plugins"].as_array().unwrap().contains(&json!("geoip")));
}

/// Alerts in `mozdef dev`: per-alert settings from `<data-dir>/alerts`, a run on demand over
/// events that came in through loginput, the alert listed, schedules kept across a restart.
#[tokio::test]
async fn alerts_run_in_mozdef_dev() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("alerts");
    std::fs::create_dir_all(&settings).unwrap();
    std::fs::write(settings.join("bruteforce_ssh.json"), r#"{"skiphosts": "1.2.3.4"}"#).unwrap();
    let port = free_port();
    let server = start(dir.path(), port).await;
    let http = client();
    for _ in 0..10 {
        let event = json!({
            "category": "syslog", "hostname": "bastion1", "processname": "sshd",
            "summary": "Failed password for invalid user admin from 1.2.3.4 port 4242 ssh2",
            "details": {"program": "sshd", "sourceipaddress": "1.2.3.4"}
        });
        let r = http.post(format!("{}/events", server.base)).json(&event).send().await.unwrap();
        assert!(r.status().is_success());
    }
    assert_eq!(wait_for(&http, &server.base, "details.program:sshd", 10).await.len(), 10);
    let run = |names: Value| {
        let http = http.clone();
        let url = format!("{}/api/alerts/run", server.base);
        async move { http.post(url).json(&json!({"names": names})).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let skipped = run(json!(["bruteforce_ssh"])).await;
    assert_eq!(skipped["raised"], 0, "the configured skiphosts hold: {skipped}");
    drop(server);

    std::fs::remove_file(settings.join("bruteforce_ssh.json")).unwrap();
    // A webhook action to a loopback receiver, configured like any alert module.
    let hooks: std::sync::Arc<std::sync::Mutex<Vec<Value>>> = Default::default();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let hooks = hooks.clone();
            move |axum::Json(body): axum::Json<Value>| async move { hooks.lock().unwrap().push(body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });
    std::fs::write(settings.join("actions.json"), r#"{"enabled": ["webhook"]}"#).unwrap();
    std::fs::write(settings.join("webhook.json"), json!({"url": hook_url}).to_string()).unwrap();
    let server = start(dir.path(), port).await;
    let url = format!("{}/api/alerts/run", server.base);
    let raised: Value =
        http.post(&url).json(&json!({"names": ["bruteforce_ssh"]})).send().await.unwrap().json().await.unwrap();
    assert_eq!(raised["raised"], 1, "{raised}");
    let summary = &raised["runs"][0]["alerts"][0]["_source"]["summary"];
    assert_eq!(summary, "10 ssh bruteforce attempts by 1.2.3.4 bastion1 (10 hits)");
    let listed: Value = http.get(format!("{}/api/alerts", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["total"], 1, "{listed}");
    let id = raised["runs"][0]["alerts"][0]["_id"].as_str().unwrap().to_owned();
    // The triage copy was written with the alert (MozDef's syncAlertsToMongo, without delay).
    let triage: Value = http
        .get(format!("{}/api/alerts/triage?category=bruteforce", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(triage["records"][0]["id"], id.as_str(), "{triage}");
    assert_eq!(triage["records"][0]["summary"], *summary);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let recorded = loop {
        let alert: Value =
            http.get(format!("{}/api/alerts/{id}", server.base)).send().await.unwrap().json().await.unwrap();
        if alert["_source"]["actions"].is_array() || std::time::Instant::now() > deadline {
            break alert["_source"]["actions"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(recorded[0]["action"], "webhook", "{recorded}");
    assert_eq!(recorded[0]["status"], "succeeded", "{recorded}");
    // The deadman checks (no heartbeat events here) post too; this alert is posted once.
    let delivered: Vec<Value> = hooks.lock().unwrap().iter().filter(|h| h["_id"] == id.as_str()).cloned().collect();
    assert_eq!(delivered.len(), 1, "the webhook got the alert once");
    assert_eq!(delivered[0]["_source"]["summary"], *summary);
    let tagged = search(&http, &server.base, "alert_names:AlertBruteforceSsh").await;
    assert_eq!(tagged["total"], 10, "every event names the alert it raised");
    let schedules: Value =
        http.get(format!("{}/api/alertschedules", server.base)).send().await.unwrap().json().await.unwrap();
    let schedule = &schedules["bruteforce_ssh.AlertBruteforceSsh"];
    // The scheduler's run at each start and the two runs on demand, across the restart.
    assert!(schedule["total_run_count"].as_u64().unwrap() >= 3, "{schedule}");
    assert!(schedules.as_object().unwrap().len() >= 2, "the whole catalogue is scheduled: {schedules}");
}

/// The watchlist feeds the `get_watchlist` alert: a term added through MozDef's `/watchitem`
/// is what the alert looks for, and its alert reaches the triage table at once.
#[tokio::test]
async fn a_watched_term_raises_get_watchlist() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(dir.path(), free_port(), &["--alerts-paused"]).await;
    let http = client();
    let item = json!([{"WatchList": true}, {"watchcontent": "evilcorp"}, {"duration": "1d"}]);
    let r = http.post(format!("{}/api/watchitem", server.base)).json(&item).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-plugin"], "watchlist");
    let terms: Value =
        http.get(format!("{}/api/getwatchlist", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(terms, json!(["evilcorp"]));
    let event = json!({"category": "syslog", "hostname": "web1", "summary": "login by evilcorp from 1.2.3.4",
        "details": {"program": "sshd"}});
    assert!(http.post(format!("{}/events", server.base)).json(&event).send().await.unwrap().status().is_success());
    assert_eq!(wait_for(&http, &server.base, "summary:evilcorp", 1).await.len(), 1);
    let url = format!("{}/api/alerts/run", server.base);
    let raised: Value =
        http.post(&url).json(&json!({"names": ["get_watchlist"]})).send().await.unwrap().json().await.unwrap();
    assert_eq!(raised["raised"], 1, "{raised}");
    let summary = raised["runs"][0]["alerts"][0]["_source"]["summary"].as_str().unwrap().to_owned();
    assert!(summary.starts_with("Watchlist term evilcorp detected"), "{summary}");
    let triage: Value = http
        .get(format!("{}/api/alerts/triage?category=watchlist", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(triage["records"][0]["summary"], summary.as_str(), "{triage}");
}
