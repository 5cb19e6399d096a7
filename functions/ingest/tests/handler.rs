//! The ingest Lambda's handler end to end, against moto (SQS, S3) and a real OpenSearch, the
//! test acting as the SQS event source mapping (receive, build the event as Lambda does, call
//! the handler in process, delete what is not a batch item failure): a loginput request (with
//! an event too large for a message), a CloudTrail log file announced by moto's own S3
//! notification, a GuardDuty finding, an SNS message, a shipper's JSON and a poison body all
//! end up searchable or quarantined; a record neither the index nor the quarantine takes is
//! exactly the one batch item failure; a batch while OpenSearch answers 429 comes back whole
//! and loses nothing once redelivered; and log files of every AWS format announced by S3, a Security
//! Hub finding and a CloudWatch Logs payload end searchable (or quarantined, line by line) on
//! both stores.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Event, NotificationConfiguration, QueueConfiguration};
use chrono::Utc;
use mozdef_aws::SqsEventQueue;
use mozdef_aws::events_split::SplitLimits;
use mozdef_aws::sqs_mapping::{EventSourceMapping, moto_s3};
use mozdef_aws::testing::Moto;
use mozdef_fn_ingest::{IngestFunction, handler, reader};
use mozdef_model::Document;
use mozdef_pipeline::decode::DEFAULT_MAX_DECOMPRESSED_BYTES;
use mozdef_pipeline::document_id;
use mozdef_query::{Match, SearchQuery};
use mozdef_service::PipelineOptions;
use mozdef_store::indices::QUARANTINE_INDEX;
use mozdef_store::{EventQueue, EventStore, SearchRequest};
use mozdef_store_opensearch::testing::{Cleanup, Faults, isolated_store, start_fault_proxy};
use mozdef_store_opensearch::{OpenSearchConfig, OpenSearchStore, RetryPolicy};
use serde_json::{Value, json};

const CLOUDTRAIL_KEY: &str = "AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/23/123456789012_CloudTrail_us-west-2_20261123T0955Z_Xk2p9QbZ4rT1vW8c.json.gz";

fn unique(what: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{what}-{}-{}-{n}", std::process::id(), Utc::now().timestamp_subsec_nanos())
}

/// The bodies of the fixture's records (a real SQS event of the events queue), by position:
/// 2 SNS, 4 GuardDuty, 5 a shipper's JSON, 6 poison.
fn fixture_body(n: usize) -> String {
    let event: SqsEvent = serde_json::from_str(include_str!("fixtures/sqs-events-queue.json")).unwrap();
    event.records[n].body.clone().unwrap()
}

fn shipper_event(n: usize) -> Document {
    json!({"summary": format!("login {n} accepted"), "hostname": "bastion1.example.com", "category": "authentication",
           "endpoint": "events", "details": {"username": format!("user{n}"), "sourceipaddress": "10.1.2.3"}})
    .as_object()
    .cloned()
    .unwrap()
}

/// moto, the events queue (and the mapping on it), the large-events bucket, loginput's side.
struct Aws {
    _moto: Moto,
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    mapping: EventSourceMapping,
    loginput: SqsEventQueue,
}

async fn aws() -> Aws {
    let moto = Moto::start().await;
    let sdk = moto.sdk_config().await;
    let s3 = moto_s3(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mapping = EventSourceMapping::create(sqs.clone(), &unique("events"), 30).await;
    let bucket = unique("large-events");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let loginput = SqsEventQueue::new(sqs.clone(), s3.clone(), &mapping.queue_url, bucket);
    Aws { _moto: moto, s3, sqs, mapping, loginput }
}

impl Aws {
    async fn send(&self, body: &str) -> String {
        let sent = self.sqs.send_message().queue_url(&self.mapping.queue_url).message_body(body).send().await.unwrap();
        sent.message_id().unwrap().to_owned()
    }
}

/// The function over `store`, with MozDef's whole plugin chain (no GeoIP database here).
fn function(aws: &Aws, store: impl EventStore + 'static) -> IngestFunction {
    function_over(aws, Arc::new(store))
}

/// [`function`] over a shared store.
fn function_over(aws: &Aws, store: Arc<dyn EventStore>) -> IngestFunction {
    let options = PipelineOptions { mozdefhostname: Some("mozdef.test".into()), ..PipelineOptions::default() };
    let ingest = options.ingest(None).unwrap();
    let reader = reader(aws.s3.clone(), &ingest, DEFAULT_MAX_DECOMPRESSED_BYTES, Default::default());
    IngestFunction::new(ingest, store, reader)
}

/// One round of the event source mapping: batches of ten until the queue shows nothing more;
/// returns (the failed message ids, messages handled).
async fn deliver(aws: &Aws, function: &IngestFunction) -> (Vec<String>, usize) {
    let mut failed = Vec::new();
    let mut handled = 0;
    let mut held = Vec::new();
    loop {
        let messages = aws.mapping.receive(10).await;
        if messages.is_empty() {
            break;
        }
        let response: SqsBatchResponse = handler::handle(aws.mapping.event(&messages), function).await;
        aws.mapping.delete_succeeded(&messages, &response).await;
        handled += messages.len();
        failed.extend(response.batch_item_failures.iter().map(|f| f.item_identifier.clone()));
        held.extend(messages.into_iter().filter(|m| failed.iter().any(|id| Some(id.as_str()) == m.message_id())));
    }
    // Failed records stay invisible until their timeout: bring them back for the next round.
    aws.mapping.release(&held).await;
    (failed, handled)
}

/// Hits of a Lucene query over every events index of the store.
async fn search(store: &dyn EventStore, query: &str) -> Vec<Value> {
    let mut search = SearchQuery::new(None);
    search.add_must(Match::query_string(query).unwrap());
    let indices = vec!["events-*".to_owned()];
    let request = SearchRequest { indices: &indices, query: &search, size: 1_000, now: Utc::now() };
    store.search(request).await.unwrap().hits.into_iter().map(|h| Value::Object(h.source)).collect()
}

async fn total(store: &dyn EventStore) -> u64 {
    store.refresh().await.unwrap();
    let indices = vec!["events-*".to_owned()];
    let query = SearchQuery::new(None);
    store
        .search(SearchRequest { indices: &indices, query: &query, size: 0, now: Utc::now() })
        .await
        .unwrap()
        .total
        .unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A bucket whose new objects moto's S3 announces on the events queue.
async fn notifying_bucket(aws: &Aws) -> String {
    let bucket = unique("cloudtrail");
    aws.s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let queue =
        QueueConfiguration::builder().queue_arn(&aws.mapping.queue_arn).events(Event::S3ObjectCreated).build().unwrap();
    let notifications = NotificationConfiguration::builder().queue_configurations(queue).build();
    aws.s3
        .put_bucket_notification_configuration()
        .bucket(&bucket)
        .notification_configuration(notifications)
        .send()
        .await
        .unwrap();
    bucket
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_source_on_the_events_queue_ends_searchable_or_quarantined() {
    let aws = aws().await;
    let (store, _cleanup) = isolated_store().await;
    let function = function(&aws, store.clone());

    // A shipper's request through loginput's queue: 250 events and one too large for SQS.
    let mut request: Vec<Document> = (0..250).map(shipper_event).collect();
    let mut large = shipper_event(9_999);
    large.insert("summary".into(), json!(format!("a very large event {}", "A".repeat(300 * 1024))));
    request.insert(100, large);
    aws.loginput.accept(request).await.unwrap();
    // CloudTrail writes a log file; S3 tells the queue.
    let bucket = notifying_bucket(&aws).await;
    let log = gzip(include_bytes!("fixtures/cloudtrail-log.json"));
    aws.s3.put_object().bucket(&bucket).key(CLOUDTRAIL_KEY).body(ByteStream::from(log)).send().await.unwrap();
    // EventBridge, SNS and a shipper write straight to the queue; and something broken.
    for n in [2, 4, 5] {
        aws.send(&fixture_body(n)).await;
    }
    let poison = aws.send(&fixture_body(6)).await;

    let (failed, handled) = deliver(&aws, &function).await;
    assert!(failed.is_empty(), "nothing to deliver again: {failed:?}");
    assert!(handled >= 6, "{handled} records");
    assert!(aws.mapping.receive(10).await.is_empty(), "every record acknowledged and deleted");

    assert_eq!(
        total(&store).await,
        251 + 4,
        "the request's events, the log file's record, the finding, the SNS message, the shipper's JSON"
    );
    let user7 = search(&store, "details.username:user7").await;
    assert_eq!(user7.len(), 1);
    assert_eq!(
        (user7[0]["summary"].clone(), user7[0]["mozdefhostname"].clone()),
        (json!("login 7 accepted"), json!("mozdef.test"))
    );
    let large = search(&store, "details.username:user9999").await;
    assert_eq!(large.len(), 1, "the large event, through S3");
    assert!(large[0]["summary"].as_str().unwrap().len() > 300 * 1024);
    let trail = search(&store, "details.eventname:CreateUser").await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0]["summary"], "203.0.113.50 performed CreateUser in iam.amazonaws.com");
    let finding = search(&store, "source:guardduty").await;
    assert_eq!(finding.len(), 1);
    assert_eq!(finding[0]["details"]["finding"], "UnauthorizedAccess:EC2/SSHBruteForce");
    assert_eq!(finding[0]["details"]["instanceid"], "i-0a1b2c3d4e5f6a7b8");
    assert_eq!(search(&store, "summary:\"job 1841 finished\"").await.len(), 1, "the SNS message");
    assert_eq!(search(&store, "details.username:alice AND hostname:\"bastion1.example.com\"").await.len(), 1);

    let quarantined =
        store.get(&[QUARANTINE_INDEX.to_owned()], &document_id(&format!("sqs:{poison}")), Utc::now()).await.unwrap();
    let quarantined = quarantined.expect("the poison body is quarantined, not lost").source;
    assert!(
        quarantined["reason"].as_str().unwrap().starts_with("the SQS message body is not valid JSON"),
        "{quarantined:?}"
    );
    assert_eq!(quarantined["payload"], json!(json!(fixture_body(6)).to_string()), "the raw body");
    assert_eq!(quarantined["source"], json!(aws.mapping.queue_arn.rsplit(':').next().unwrap()));
}

/// A store on `url` (the proxy) under the isolated store's prefix, with quick retries.
fn store_through(url: &str, direct: &OpenSearchStore) -> OpenSearchStore {
    let mut config = OpenSearchConfig::from_url(url).unwrap();
    config.index_prefix = direct.client().prefix().to_owned();
    config.retry = RetryPolicy {
        max_attempts: 2,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    };
    OpenSearchStore::open(config).unwrap()
}

async fn proxied(
    faults: Faults,
) -> (OpenSearchStore, OpenSearchStore, Arc<mozdef_store_opensearch::testing::FaultProxy>, Cleanup) {
    let (direct, cleanup) = isolated_store().await;
    let url = tokio::task::spawn_blocking(mozdef_store_opensearch::testing::cluster_url).await.unwrap();
    let (proxy_url, proxy) = start_fault_proxy(&url, faults).await;
    (store_through(&proxy_url, &direct), direct, proxy, cleanup)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_the_quarantine_refuses_is_the_one_batch_item_failure() {
    let aws = aws().await;
    let faults = Faults { reject_index: Some("quarantine"), ..Faults::default() };
    let (store, direct, proxy, _cleanup) = proxied(faults).await;
    let function = function(&aws, store);
    aws.loginput.accept((0..20).map(shipper_event).collect()).await.unwrap();
    aws.send(&fixture_body(5)).await;
    let poison = aws.send(&fixture_body(6)).await;

    let (failed, handled) = deliver(&aws, &function).await;
    assert_eq!(handled, 3);
    assert_eq!(failed, vec![poison.clone()], "exactly the record neither the index nor the quarantine took");
    assert_eq!(proxy.stats.lock().unwrap().items_rejected, 1);
    assert_eq!(total(&direct).await, 21, "its batch mates are stored");

    // SQS delivers it again (and, past maxReceiveCount, to the dead-letter queue).
    let again = aws.mapping.receive(10).await;
    assert_eq!(again.iter().map(|m| m.message_id().unwrap()).collect::<Vec<_>>(), [poison.as_str()]);
    let receives = aws.mapping.record(&again[0])["attributes"]["ApproximateReceiveCount"].clone();
    assert_eq!(receives, json!("2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_while_opensearch_answers_429_comes_back_and_loses_nothing() {
    let aws = aws().await;
    let refuse_all = Faults { always_prefix: Some(""), ..Faults::default() };
    let (store, direct, proxy, _cleanup) = proxied(refuse_all).await;
    let function = function(&aws, store);
    // Small messages, so the request spans several records of the batch.
    let loginput =
        aws.loginput.clone().with_limits(SplitLimits { max_message_bytes: 16 * 1024, ..SplitLimits::default() });
    loginput.accept((0..150).map(shipper_event).collect()).await.unwrap();
    aws.send(&fixture_body(5)).await;

    let (failed, handled) = deliver(&aws, &function).await;
    assert!((3..=10).contains(&handled), "one batch: {handled} records");
    assert_eq!(failed.len(), handled, "every record has events to store: all come back");
    assert!(proxy.stats.lock().unwrap().items_refused >= 151, "OpenSearch refused them (429)");
    assert_eq!(total(&direct).await, 0, "nothing stored, nothing acknowledged");

    // OpenSearch recovers; SQS delivers the same records again.
    proxy.set_faults(Faults::default());
    let (failed, redelivered) = deliver(&aws, &function).await;
    assert_eq!((failed.len(), redelivered), (0, handled), "all acknowledged now");
    assert_eq!(total(&direct).await, 151, "every event once: none lost, none doubled");
    for n in [0, 75, 149] {
        assert_eq!(search(&direct, &format!("details.username:user{n}")).await.len(), 1, "user{n}");
    }
}

/// An S3 object of AWS logs: its key (as AWS writes it) and lines.
fn aws_log_objects() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/12/07/123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d_20261207T1000Z_9f8e7d6c.log.gz",
            vec![
                "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
                "2 123456789012 eni-1235b8ca123456789 198.51.100.23 172.31.16.21 20641 22 6 20 4249 1796637600 1796637660 REJECT OK",
                "2 123456789012 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 49152 443 6 12 3400 1796637600 1796637660 ACCEPT OK",
                "2 123456789012 eni-1235b8ca123456789 this line is cut",
            ],
        ),
        (
            "AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/12/07/123456789012_elasticloadbalancing_us-east-1_app.my-loadbalancer.50dc6c495c0c9188_20261207T1005Z_10.0.0.7_2kf3x9ab.log.gz",
            vec![concat!(
                "https 2026-12-07T10:04:31.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.0.2.44:2817 10.0.0.1:80 ",
                "0.000 0.001 0.000 200 200 34 366 \"GET https://www.example.com:443/login HTTP/1.1\" \"curl/8.5.0\" ",
                "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ",
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 ",
                "\"Root=1-58337262-36d228ad5d99923122bbe354\" \"www.example.com\" ",
                "\"arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012\" 1 ",
                "2026-12-07T10:04:31.164000Z \"forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\" TID_1234abcd"
            )],
        ),
        (
            "AWSLogs/123456789012/WAFLogs/us-east-1/my-web-acl/2026/12/07/10/05/123456789012_waflogs_us-east-1_my-web-acl_20261207T1005Z_a1b2c3d4.log.gz",
            vec![concat!(
                r#"{"timestamp":1796637930000,"formatVersion":1,"#,
                r#""webaclId":"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/my-web-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111","#,
                r#""terminatingRuleId":"AWS-AWSManagedRulesSQLiRuleSet","terminatingRuleType":"MANAGED_RULE_GROUP","action":"BLOCK","#,
                r#""terminatingRuleMatchDetails":[],"httpSourceName":"ALB","httpSourceId":"123456789012-app/my-loadbalancer/50dc6c495c0c9188","#,
                r#""ruleGroupList":[],"rateBasedRuleList":[],"nonTerminatingMatchingRules":[],"#,
                r#""httpRequest":{"clientIp":"203.0.113.9","country":"NL","headers":[{"name":"Host","value":"www.example.com"},"#,
                r#"{"name":"User-Agent","value":"sqlmap/1.8"}],"uri":"/login","args":"id=1%27%20OR%201=1","httpVersion":"HTTP/1.1","#,
                r#""httpMethod":"GET","requestId":"1-6753a1b2-3c4d5e6f7a8b9c0d1e2f3a4b"}}"#
            )],
        ),
        (
            "AWSLogs/123456789012/vpcdnsquerylogs/vpc-0a1b2c3d/2026/12/07/123456789012_vpcdnsquerylogs_vpc-0a1b2c3d_20261207T1005Z_1a2b3c4d.log.gz",
            vec![concat!(
                r#"{"version":"1.100000","account_id":"123456789012","region":"us-east-1","vpc_id":"vpc-0a1b2c3d","#,
                r#""query_timestamp":"2026-12-07T10:04:58Z","query_name":"exfil.example.net.","query_type":"TXT","#,
                r#""query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"\"v=spf1 -all\"","Type":"TXT","Class":"IN"}],"#,
                r#""srcaddr":"10.0.3.17","srcport":"53211","transport":"UDP","srcids":{"instance":"i-0a1b2c3d4e5f60718"}}"#
            )],
        ),
    ]
}

/// A CloudWatch Logs subscription payload as it arrives (`{"awslogs": {"data": ...}}`).
fn cloudwatch_body() -> String {
    use base64::Engine;
    let payload = json!({"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "/app/payments",
        "logStream": "web-1", "subscriptionFilters": ["mozdef"],
        "logEvents": [
            {"id": "37952405789465849563459238743852901234567890123456789012", "timestamp": 1_796_637_600_123_i64,
             "message": "{\"message\": \"payment refused\", \"user\": \"alice\"}"},
            {"id": "37952405789465849563459238743852901234567890123456789013", "timestamp": 1_796_637_601_456_i64,
             "message": "worker 7 restarted\n"}]});
    let data = base64::engine::general_purpose::STANDARD.encode(gzip(payload.to_string().as_bytes()));
    json!({"awslogs": {"data": data}}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_logs_of_every_format_end_searchable_on_both_stores() {
    let aws = aws().await;
    let dir = tempfile::tempdir().unwrap();
    let embedded = mozdef_store_embedded::EmbeddedStore::open(dir.path()).unwrap();
    let (opensearch, _cleanup) = isolated_store().await;
    let security_hub: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/decode/security_hub/inspector_package_vulnerability.json"
    ))
    .unwrap();
    let stores: [(&str, Arc<dyn EventStore>); 2] =
        [("embedded", Arc::new(embedded)), ("opensearch", Arc::new(opensearch))];
    for (backend, store) in stores {
        let function = function_over(&aws, store.clone());
        // Each log file lands in a bucket whose notifications go to the events queue.
        let bucket = notifying_bucket(&aws).await;
        for (key, lines) in aws_log_objects() {
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let body = ByteStream::from(gzip(text.as_bytes()));
            aws.s3.put_object().bucket(&bucket).key(key).body(body).send().await.unwrap();
        }
        // EventBridge delivers a Security Hub finding; a subscription's payload on the queue.
        aws.send(&security_hub["input"].to_string()).await;
        aws.send(&cloudwatch_body()).await;

        let (failed, handled) = deliver(&aws, &function).await;
        assert!(failed.is_empty(), "{backend}: nothing to deliver again: {failed:?}");
        assert!(
            handled >= 6,
            "{backend}: four notifications (and S3's test event), the finding, the payload: {handled}"
        );
        store.refresh().await.unwrap();
        let store = store.as_ref();

        let flows = search(store, "source:vpcflowlogs").await;
        assert_eq!(flows.len(), 2, "{backend}: the header is no event, the cut line is quarantined");
        let rejected = search(store, "source:vpcflowlogs AND details.action:REJECT").await;
        assert_eq!(rejected[0]["details"]["sourceipaddress"], "198.51.100.23", "{backend}");
        assert_eq!(rejected[0]["category"], "network", "{backend}");
        let alb = search(store, "source:alb").await;
        assert_eq!(alb.len(), 1, "{backend}");
        assert_eq!(alb[0]["details"]["sourceipaddress"], "192.0.2.44", "{backend}");
        let waf = search(store, "source:waf AND details.action:BLOCK").await;
        assert_eq!(waf.len(), 1, "{backend}");
        assert_eq!(waf[0]["details"]["sourceipaddress"], "203.0.113.9", "{backend}");
        let dns = search(store, "source:route53resolver").await;
        assert_eq!(dns.len(), 1, "{backend}");
        assert_eq!(dns[0]["details"]["query"], "exfil.example.net", "{backend}");
        assert_eq!(search(store, "source:securityhub").await.len(), 1, "{backend}");
        let logs = search(store, "details.loggroup:\"/app/payments\"").await;
        assert_eq!(logs.len(), 2, "{backend}: both log events of the payload");
        assert!(logs.iter().any(|e| e["summary"] == "worker 7 restarted"), "{backend}: {logs:?}");

        let indices = vec![QUARANTINE_INDEX.to_owned()];
        let query = SearchQuery::new(None);
        let request = SearchRequest { indices: &indices, query: &query, size: 10, now: Utc::now() };
        let quarantined = store.search(request).await.unwrap().hits;
        assert_eq!(quarantined.len(), 1, "{backend}: only the cut line");
        let reason = quarantined[0].source["reason"].as_str().unwrap();
        assert!(reason.contains("vpcflowlogs") && reason.contains("line 4"), "{backend}: {reason}");
        assert!(quarantined[0].source["payload"].as_str().unwrap().contains("this line is cut"), "{backend}");
    }
}
