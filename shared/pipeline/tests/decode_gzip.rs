//! The CloudTrail decoder against hostile or broken log objects: a gzip bomb of about
//! 1 GiB (generated at test time), truncated gzip, and an object source that fails mid-way.

use std::io::{self, Cursor, Read, Write};

use chrono::{TimeZone, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use mozdef_pipeline::NormalizeContext;
use mozdef_pipeline::decode::{
    CloudTrailDecoder, DEFAULT_MAX_DECOMPRESSED_BYTES, DecodeError, LocalObjects, ObjectSource, S3ObjectRef,
};

const BUCKET: &str = "trail";
const KEY: &str = "AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/23/log.json.gz";
const MIB: usize = 1024 * 1024;

fn ctx() -> NormalizeContext {
    NormalizeContext {
        received: Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).single().unwrap_or_default(),
        mozdefhostname: "mozdef.test".to_owned(),
    }
}

fn object() -> S3ObjectRef {
    S3ObjectRef { bucket: BUCKET.to_owned(), key: KEY.to_owned() }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).unwrap_or_else(|e| panic!("gzip: {e}"));
    encoder.finish().unwrap_or_else(|e| panic!("gzip: {e}"))
}

/// Writes a gzip stream of `prefix` followed by `mib` MiB of `filler` bytes to `out`, as
/// one member for the prefix and the same 1 MiB member repeated: about 1 KiB per MiB, so a
/// 1 GiB bomb is about 1 MiB on disk and never exists decompressed.
fn write_bomb(out: &mut impl Write, prefix: &[u8], filler: u8, mib: usize) -> io::Result<()> {
    out.write_all(&gzip(prefix))?;
    let member = gzip(&vec![filler; MIB]);
    for _ in 0..mib {
        out.write_all(&member)?;
    }
    Ok(())
}

/// An object source holding one object in memory.
struct OneObject(Vec<u8>);

impl ObjectSource for OneObject {
    fn open(&self, _bucket: &str, _key: &str) -> Result<Box<dyn Read + Send>, DecodeError> {
        Ok(Box::new(Cursor::new(self.0.clone())))
    }
}

#[test]
fn a_one_gib_gzip_bomb_is_refused_at_the_cap() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let local = LocalObjects::new(dir.path());
    let path = local.path_of(BUCKET, KEY).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(path.parent().unwrap_or(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    // 1 GiB of white space inside the Records list: valid JSON as far as it goes, so only
    // the cap can stop it.
    let mut file = io::BufWriter::new(std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}")));
    write_bomb(&mut file, br#"{"Records": ["#, b' ', 1024).unwrap_or_else(|e| panic!("{e}"));
    file.flush().unwrap_or_else(|e| panic!("{e}"));
    drop(file);
    let on_disk = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(u64::MAX);
    assert!(on_disk < 4 * MIB as u64, "the bomb should be small on disk, got {on_disk} bytes");

    let cap = 16 * MIB as u64;
    let decoder = CloudTrailDecoder::new(local).with_max_decompressed_bytes(cap);
    let err = decoder.decode_object(&object(), "q", &ctx()).err();
    assert!(matches!(err, Some(DecodeError::TooLarge { limit, .. }) if limit == cap), "{err:?}");
    let err = err.unwrap_or_else(|| panic!("an error"));
    assert!(err.is_permanent());
    assert!(err.to_string().contains("decompresses to more than 16777216 bytes"), "{err}");
}

#[test]
fn a_bomb_inside_one_string_is_refused_without_holding_more_than_the_cap() {
    let mut bomb = Vec::new();
    write_bomb(&mut bomb, br#"{"Records": [{"eventName": ""#, b'x', 256).unwrap_or_else(|e| panic!("{e}"));
    let decoder = CloudTrailDecoder::new(OneObject(bomb)).with_max_decompressed_bytes(8 * MIB as u64);
    let err = decoder.decode_object(&object(), "q", &ctx()).err();
    assert!(matches!(err, Some(DecodeError::TooLarge { .. })), "{err:?}");
}

#[test]
fn the_default_cap_is_512_mib() {
    assert_eq!(DEFAULT_MAX_DECOMPRESSED_BYTES, 512 * MIB as u64);
    assert_eq!(CloudTrailDecoder::new(OneObject(Vec::new())).max_decompressed_bytes(), DEFAULT_MAX_DECOMPRESSED_BYTES);
}

#[test]
fn a_log_file_exactly_at_the_cap_is_accepted() {
    let text = br#"{"Records": [{"eventName": "GetObject", "eventTime": "2026-11-23T09:00:00Z"}]}"#;
    let decoder = CloudTrailDecoder::new(OneObject(gzip(text))).with_max_decompressed_bytes(text.len() as u64);
    let events = decoder.decode_object(&object(), "q", &ctx()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(events.len(), 1);
    let decoder = CloudTrailDecoder::new(OneObject(gzip(text))).with_max_decompressed_bytes(text.len() as u64 - 1);
    assert!(matches!(decoder.decode_object(&object(), "q", &ctx()), Err(DecodeError::TooLarge { .. })));
}

#[test]
fn every_truncation_of_a_log_file_is_a_gzip_error() {
    let records: Vec<String> = (0..40)
        .map(|i| {
            format!(
                r#"{{"eventTime": "2026-11-23T09:{:02}:00Z", "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "sourceIPAddress": "198.51.100.{i}", "eventType": "AwsApiCall", "requestID": "req-{i}"}}"#,
                i % 60
            )
        })
        .collect();
    let text = format!(r#"{{"Records": [{}]}}"#, records.join(", "));
    let whole = gzip(text.as_bytes());
    let ok = CloudTrailDecoder::new(OneObject(whole.clone())).decode_object(&object(), "q", &ctx());
    assert_eq!(ok.map(|events| events.len()).ok(), Some(40));
    for cut in 0..whole.len() {
        let decoder = CloudTrailDecoder::new(OneObject(whole[..cut].to_vec()));
        match decoder.decode_object(&object(), "q", &ctx()) {
            Err(DecodeError::Gzip { reason, .. }) => {
                assert!(cut < 10 || reason.contains("truncated") || reason.contains("corrupt"), "cut {cut}: {reason}");
            }
            other => panic!("cut at {cut} of {}: {other:?}", whole.len()),
        }
    }
}

#[test]
fn a_source_failing_mid_way_is_retryable() {
    /// Yields `good` bytes, then fails like a dropped S3 connection.
    struct FailingSource(Vec<u8>, usize);
    impl ObjectSource for FailingSource {
        fn open(&self, _: &str, _: &str) -> Result<Box<dyn Read + Send>, DecodeError> {
            let good = Cursor::new(self.0[..self.1].to_vec());
            Ok(Box::new(good.chain(Failing)))
        }
    }
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::ConnectionReset, "connection reset by peer"))
        }
    }
    let whole = gzip(br#"{"Records": [{"eventName": "GetObject"}, {"eventName": "PutObject"}]}"#);
    for good in [0, 10, whole.len() / 2, whole.len()] {
        let decoder = CloudTrailDecoder::new(FailingSource(whole.clone(), good));
        let err = decoder.decode_object(&object(), "q", &ctx()).err();
        assert!(matches!(err, Some(DecodeError::ObjectRead { .. })), "after {good} bytes: {err:?}");
        assert!(err.is_some_and(|e| e.is_retryable()));
    }
}
