//! The CloudTrail decoder reading a real gzip object through aws-sdk-s3, from moto's S3 (the
//! local AWS emulator from PyPI). `MOZDEF_TEST_MOTO_URL` may point at a running moto server;
//! without it the test starts `python3 -m moto.server` itself on a free loopback port.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use std::net::TcpListener;

use aws_sdk_s3::config::{Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use chrono::{TimeZone, Utc};
use mozdef_aws::testing::Moto;
use mozdef_aws::{AwsOptions, S3Objects, load};
use mozdef_pipeline::NormalizeContext;
use mozdef_pipeline::decode::{CloudTrailDecoder, DecodeError};
use serde_json::json;

async fn moto() -> Moto {
    Moto::start().await
}

async fn client(moto: &Moto) -> aws_sdk_s3::Client {
    let options = AwsOptions { region: Some("us-east-1".into()), endpoint_url: Some(moto.url.clone()) };
    let sdk = load(&options).await;
    let config = aws_sdk_s3::config::Builder::from(&sdk)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "mozdef-test"))
        .region(Region::new("us-east-1"))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloudtrail_object_from_moto_s3() {
    let moto = moto().await;
    let s3 = client(&moto).await;
    let bucket = "mozdef-cloudtrail-test";
    let key = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/123456789012_CloudTrail_us-east-1_20261125T1200Z_a1.json.gz";
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    let log = json!({"Records": [
        {"eventVersion": "1.08", "eventTime": "2026-11-25T11:59:01Z", "eventSource": "ec2.amazonaws.com",
         "eventName": "DescribeInstances", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7",
         "userAgent": "aws-cli/2.13.0", "eventType": "AwsApiCall", "recipientAccountId": "123456789012",
         "userIdentity": {"type": "IAMUser", "userName": "alice"}},
        {"eventVersion": "1.08", "eventTime": "2026-11-25T11:59:30Z", "eventSource": "signin.amazonaws.com",
         "eventName": "ConsoleLogin", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.9",
         "eventType": "AwsConsoleSignIn", "responseElements": {"ConsoleLogin": "Success"},
         "userIdentity": {"type": "Root"}}
    ]});
    let body = gzip(log.to_string().as_bytes());
    s3.put_object().bucket(bucket).key(key).body(ByteStream::from(body)).send().await.unwrap();

    let objects = S3Objects::new(s3.clone(), tokio::runtime::Handle::current());
    let notification = json!({"s3Bucket": bucket, "s3ObjectKey": [key]}).to_string();
    let missing = json!({"s3Bucket": bucket, "s3ObjectKey": ["AWSLogs/none.json.gz"]}).to_string();
    let ctx = NormalizeContext {
        received: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
        mozdefhostname: "mozdef.test".into(),
    };
    let (events, missing) = tokio::task::spawn_blocking(move || {
        let decoder = CloudTrailDecoder::new(objects);
        (
            decoder.decode(notification.as_bytes(), "cloudtrail", &ctx),
            decoder.decode(missing.as_bytes(), "cloudtrail", &ctx),
        )
    })
    .await
    .unwrap();
    let events = events.unwrap();
    assert_eq!(events.len(), 2, "one event per CloudTrail record");
    assert_eq!(events[0]["summary"], "203.0.113.7 performed DescribeInstances in ec2.amazonaws.com");
    assert_eq!(events[0]["category"], "AwsApiCall");
    assert_eq!(events[0]["hostname"], "ec2.amazonaws.com");
    assert_eq!(events[0]["details"]["sourceipaddress"], "203.0.113.7");
    assert_eq!(events[0]["details"]["eventVerb"], "Describe");
    assert_eq!(events[0]["details"]["eventReadOnly"], true);
    assert_eq!(events[1]["category"], "AwsConsoleSignIn");
    assert_eq!(events[1]["summary"], "198.51.100.9 performed ConsoleLogin in signin.amazonaws.com");
    match missing {
        Err(e @ DecodeError::ObjectNotFound { .. }) => assert!(!e.is_retryable(), "a missing object is permanent"),
        other => panic!("expected ObjectNotFound, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_s3_is_retryable() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = Moto::at(format!("http://127.0.0.1:{port}"));
    let s3 = client(&dead).await;
    let objects = S3Objects::new(s3, tokio::runtime::Handle::current());
    let ctx = NormalizeContext { received: Utc::now(), mozdefhostname: "m".into() };
    let body = json!({"s3Bucket": "b", "s3ObjectKey": ["k.json.gz"]}).to_string();
    let result =
        tokio::task::spawn_blocking(move || CloudTrailDecoder::new(objects).decode(body.as_bytes(), "q", &ctx))
            .await
            .unwrap();
    match result {
        Err(e) => assert!(e.is_retryable(), "a connection failure must be retried, got {e}"),
        Ok(events) => panic!("no S3 there, yet {} events", events.len()),
    }
}
