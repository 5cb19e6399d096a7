//! SQS records of the events queue → ingest records, on a real SQS event payload
//! (`fixtures/sqs-events-queue.json`: a loginput message, a loginput message naming a large
//! event's S3 object, an SNS envelope, an S3 event notification of a CloudTrail log file, a
//! GuardDuty finding through EventBridge, a shipper's plain JSON and a poison body), with the
//! objects in moto's S3: each record goes to the right decoder with its identity, receive time
//! and queue; what cannot be read says why and whether a redelivery may help.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use aws_lambda_events::sqs::SqsEvent;
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, TimeZone, Utc};
use mozdef_aws::loginput_message::LoginputMessage;
use mozdef_aws::sqs_mapping::moto_s3;
use mozdef_aws::testing::Moto;
use mozdef_aws::{SqsRecord, SqsRecordReader};
use mozdef_fn_ingest::reader;
use mozdef_model::Document;
use mozdef_pipeline::PluginChain;
use mozdef_pipeline::decode::DEFAULT_MAX_DECOMPRESSED_BYTES;
use mozdef_pipeline::decode::aws_logs::cloudwatch_logs::LogGroupParsers;
use mozdef_service::{Ingest, IngestRecord, RecordContent};
use serde_json::{Value, json};

const CLOUDTRAIL_KEY: &str = "AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/23/123456789012_CloudTrail_us-west-2_20261123T0955Z_Xk2p9QbZ4rT1vW8c.json.gz";
const LARGE_KEY: &str = "loginput/2026/11/23/6f1d0c8e2b7a49e3a5c4d2b1e0f9a8c7:1.json";

fn unique(what: &str) -> String {
    let nanos = Utc::now().timestamp_subsec_nanos();
    format!("{what}-{}-{nanos}", std::process::id())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The fixture's event, its buckets renamed to this test's.
fn fixture(cloudtrail_bucket: &str, large_bucket: &str) -> SqsEvent {
    let text = include_str!("fixtures/sqs-events-queue.json")
        .replace("mozdef-cloudtrail-logs", cloudtrail_bucket)
        .replace("mozdef-large-events", large_bucket);
    serde_json::from_str(&text).unwrap()
}

/// The large event loginput put in S3 (as part 1 of the fixture's request).
fn large_event() -> Document {
    json!({"summary": "a very large event", "hostname": "app3.example.com", "endpoint": "events",
           "details": {"blob": "A".repeat(300_000)}})
    .as_object()
    .cloned()
    .unwrap()
}

fn ingest() -> Ingest {
    Ingest::new(PluginChain::new(Vec::new()), "mozdef.test")
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn decoded(record: &IngestRecord) -> Vec<Document> {
    match &record.content {
        RecordContent::Decoded(entries) => entries
            .iter()
            .map(|entry| entry.event().cloned().unwrap_or_else(|| panic!("{}: unparsed {entry:?}", record.identity)))
            .collect(),
        other => panic!("{}: expected decoded events, got {other:?}", record.identity),
    }
}

/// Every record of `event`, S3 notifications' log files read whole.
async fn read_all(reader: SqsRecordReader, event: &SqsEvent) -> Vec<IngestRecord> {
    let mut records = Vec::new();
    for record in reader.read(event).await {
        records.push(match record {
            SqsRecord::Ready(record) => record,
            SqsRecord::Objects(notification) => reader.collect(&notification).await,
        });
    }
    records
}

/// Buckets with the fixture's objects in moto; returns (client, CloudTrail bucket, large-events bucket).
async fn buckets(moto: &Moto) -> (aws_sdk_s3::Client, String, String) {
    let s3 = moto_s3(&moto.sdk_config().await);
    let (cloudtrail, large) = (unique("cloudtrail"), unique("large-events"));
    for bucket in [&cloudtrail, &large] {
        s3.create_bucket().bucket(bucket).send().await.unwrap();
    }
    let log = gzip(include_bytes!("fixtures/cloudtrail-log.json"));
    s3.put_object().bucket(&cloudtrail).key(CLOUDTRAIL_KEY).body(ByteStream::from(log)).send().await.unwrap();
    let object = LoginputMessage::with_events(
        at("2026-11-23T09:59:59.250+00:00"),
        "6f1d0c8e2b7a49e3a5c4d2b1e0f9a8c7:1".into(),
        vec![large_event()],
    );
    s3.put_object()
        .bucket(&large)
        .key(LARGE_KEY)
        .body(ByteStream::from(object.to_body().into_bytes()))
        .send()
        .await
        .unwrap();
    (s3, cloudtrail, large)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_source_of_the_events_queue_is_read_by_its_decoder() {
    let moto = Moto::start().await;
    let (s3, cloudtrail, large) = buckets(&moto).await;
    let event = fixture(&cloudtrail, &large);
    let records =
        read_all(reader(s3, &ingest(), DEFAULT_MAX_DECOMPRESSED_BYTES, LogGroupParsers::default()), &event).await;
    assert_eq!(records.len(), 7, "one ingest record per SQS record");
    let sent = |n: i64| Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(n);

    // Loginput: the message's identity and receive time, shipper events for the key mapping.
    let loginput_received = at("2026-11-23T09:59:59.250+00:00");
    let first = &records[0];
    assert_eq!((first.identity.as_str(), first.source.as_str()), ("6f1d0c8e2b7a49e3a5c4d2b1e0f9a8c7:0", "loginput"));
    assert_eq!(first.received, loginput_received);
    let RecordContent::Events(events) = &first.content else { panic!("shipper events: {:?}", first.content) };
    let body: Value = serde_json::from_str(event.records[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(Value::Array(events.iter().cloned().map(Value::Object).collect()), body["events"]);
    let large_record = &records[1];
    assert_eq!(large_record.identity, "6f1d0c8e2b7a49e3a5c4d2b1e0f9a8c7:1");
    assert_eq!(large_record.content, RecordContent::Events(vec![large_event()]), "fetched from S3");

    // Every other source: `sqs:<messageId>`, the SentTimestamp, the queue of the ARN.
    for (n, record) in records.iter().enumerate().skip(2) {
        let id = event.records[n].message_id.as_deref().unwrap();
        assert_eq!(record.identity, format!("sqs:{id}"));
        assert_eq!(record.received, sent(n as i64));
        assert_eq!(record.source, "mozdef-events");
    }
    let sns = decoded(&records[2]);
    assert_eq!(sns.len(), 1);
    assert_eq!(
        (sns[0]["summary"].clone(), sns[0]["processid"].clone()),
        (json!("job 1841 finished in 2.3s"), json!("31337"))
    );
    assert_eq!(sns[0]["tags"], json!(["mozdef-events"]), "the queue name, as MozDef's taskexchange");
    let trail = decoded(&records[3]);
    assert_eq!(trail.len(), 1, "one event per CloudTrail record");
    assert_eq!(trail[0]["summary"], "203.0.113.50 performed CreateUser in iam.amazonaws.com");
    assert_eq!(
        (trail[0]["processname"].clone(), trail[0]["mozdefhostname"].clone()),
        (json!("ingest"), json!("mozdef.test"))
    );
    let finding = decoded(&records[4]);
    assert_eq!(finding.len(), 1);
    assert_eq!(finding[0]["source"], "guardduty");
    assert_eq!(finding[0]["hostname"], "i-0a1b2c3d4e5f6a7b8");
    assert_eq!(finding[0]["details"]["category"], "UnauthorizedAccess:EC2/SSHBruteForce");
    let plain = decoded(&records[5]);
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0]["summary"], "Failed password for alice from 198.51.100.7 port 50122 ssh2");
    assert_eq!(plain[0]["tags"], json!(["ssh", "bastion", "mozdef-events"]));
    match &records[6].content {
        RecordContent::Undecodable { reason, payload, retryable } => {
            assert!(reason.starts_with("the SQS message body is not valid JSON"), "{reason}");
            assert_eq!(payload, &json!(event.records[6].body.clone().unwrap()), "the raw body, kept");
            assert!(!retryable, "malformed input never decodes");
        }
        other => panic!("a poison body is undecodable, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_objects_are_permanent_and_unreachable_ones_retryable() {
    let moto = Moto::start().await;
    let s3 = moto_s3(&moto.sdk_config().await);
    let (cloudtrail, large) = (unique("cloudtrail"), unique("large-events"));
    for bucket in [&cloudtrail, &large] {
        s3.create_bucket().bucket(bucket).send().await.unwrap();
    }
    let mut event = fixture(&cloudtrail, &large);
    event.records = vec![event.records[1].clone(), event.records[3].clone()];
    let undecodable = |record: &IngestRecord| match &record.content {
        RecordContent::Undecodable { reason, retryable, .. } => (reason.clone(), *retryable),
        other => panic!("expected undecodable, got {other:?}"),
    };

    let records =
        read_all(reader(s3, &ingest(), DEFAULT_MAX_DECOMPRESSED_BYTES, LogGroupParsers::default()), &event).await;
    assert_eq!(undecodable(&records[0]), (format!("s3://{large}/{LARGE_KEY}: no such object"), false));
    assert_eq!(records[0].source, "loginput");
    assert_eq!(undecodable(&records[1]), (format!("s3://{cloudtrail}/{CLOUDTRAIL_KEY}: no such object"), false));

    // S3 unreachable: both come back later.
    let dead = Moto::at(format!("http://127.0.0.1:{}", free_port()));
    let sdk = dead.sdk_config().await;
    let unreachable = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
            .build(),
    );
    let records =
        read_all(reader(unreachable, &ingest(), DEFAULT_MAX_DECOMPRESSED_BYTES, LogGroupParsers::default()), &event)
            .await;
    for record in &records {
        let (reason, retryable) = undecodable(record);
        assert!(retryable && reason.contains("cannot read the object"), "{reason}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
