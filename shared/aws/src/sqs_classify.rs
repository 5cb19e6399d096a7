//! Which decoder a record body of the events queue belongs to, by its shape (the events queue
//! takes several sources, as MozDef's workers each read their own queue). Loginput messages
//! are told apart earlier, by their message attribute.
//!
//! | shape | decoder |
//! |---|---|
//! | CloudTrail's `{s3Bucket, s3ObjectKey}`, an S3 event notification (`Records[*].eventSource` = `aws:s3`), S3's `s3:TestEvent` — each bare or in an SNS envelope; CloudTrail's SNS validation message | [`Source::S3`]: every log format by its object key (CloudTrail, VPC flow logs, load balancers, WAF, Route 53 Resolver) |
//! | an EventBridge event with `source` = `aws.guardduty`, bare or in an SNS envelope | [`Source::GuardDuty`] |
//! | an EventBridge event with `source` = `aws.securityhub`, bare or in an SNS envelope | [`Source::SecurityHub`] |
//! | a CloudWatch Logs subscription payload `{"awslogs": {"data": ...}}` | [`Source::CloudWatchLogs`] |
//! | any other SNS envelope (`Type` or `TopicArn` beside `Message`) | [`Source::Sns`] |
//! | anything else (a shipper's JSON, base64 of it, or something undecodable) | [`Source::Sqs`] |
//!
//! A body of a known source that the decoder then refuses is quarantined with that decoder's
//! reason (a GuardDuty finding without `detail`, say), rather than stored as a plain event.

use serde_json::{Map, Value};

/// The decoder for a record body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `mozdef_pipeline::decode::aws_logs::s3`: log files named by a notification.
    S3,
    /// `mozdef_pipeline::decode::guardduty`: a finding through EventBridge.
    GuardDuty,
    /// `mozdef_pipeline::decode::aws_logs::security_hub`: findings through EventBridge.
    SecurityHub,
    /// `mozdef_pipeline::decode::aws_logs::cloudwatch_logs`: a subscription payload.
    CloudWatchLogs,
    /// `mozdef_pipeline::decode::sns`: an SNS notification.
    Sns,
    /// `mozdef_pipeline::decode::sqs`: a shipper's JSON sent straight to SQS.
    Sqs,
}

impl Source {
    /// The decoder's name, for logs.
    pub fn name(self) -> &'static str {
        match self {
            Source::S3 => "s3",
            Source::GuardDuty => "guardduty",
            Source::SecurityHub => "securityhub",
            Source::CloudWatchLogs => "cloudwatchlogs",
            Source::Sns => "sns",
            Source::Sqs => "sqs",
        }
    }
}

/// CloudTrail's text to a topic attached to a trail.
const VALIDATION_MESSAGE: &str = "CloudTrail validation message.";

/// The decoder for `body`.
pub fn classify(body: &[u8]) -> Source {
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(body) else { return Source::Sqs };
    let is_envelope = doc.contains_key("Message") && (doc.contains_key("Type") || doc.contains_key("TopicArn"));
    if !is_envelope {
        return inner_source(&doc).unwrap_or(Source::Sqs);
    }
    match doc.get("Message") {
        Some(Value::String(message)) if message == VALIDATION_MESSAGE => Source::S3,
        Some(Value::String(message)) => match serde_json::from_str::<Value>(message) {
            Ok(Value::Object(inner)) => inner_source(&inner).unwrap_or(Source::Sns),
            _ => Source::Sns,
        },
        _ => Source::Sns,
    }
}

/// A notification or finding shape, if `doc` has one.
fn inner_source(doc: &Map<String, Value>) -> Option<Source> {
    let s3_record = |r: &Value| r.get("eventSource").and_then(Value::as_str) == Some("aws:s3");
    let s3_event = doc.get("Records").and_then(Value::as_array).is_some_and(|records| records.iter().any(s3_record));
    let cloudtrail = doc.contains_key("s3ObjectKey") || doc.contains_key("s3Bucket");
    let test_event = doc.get("Event").and_then(Value::as_str) == Some("s3:TestEvent");
    if cloudtrail || s3_event || test_event {
        return Some(Source::S3);
    }
    if doc.get("awslogs").and_then(|a| a.get("data")).is_some() {
        return Some(Source::CloudWatchLogs);
    }
    match doc.get("source").and_then(Value::as_str) {
        Some("aws.guardduty") => Some(Source::GuardDuty),
        Some("aws.securityhub") => Some(Source::SecurityHub),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(body: Value) -> Source {
        classify(body.to_string().as_bytes())
    }

    fn sns(message: &str) -> Value {
        json!({"Type": "Notification", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": message})
    }

    #[test]
    fn notifications_go_to_cloudtrail_bare_or_wrapped() {
        let s3 =
            json!({"Records": [{"eventSource": "aws:s3", "s3": {"bucket": {"name": "b"}, "object": {"key": "k"}}}]});
        let trail = json!({"s3Bucket": "b", "s3ObjectKey": ["k"]});
        let test = json!({"Service": "Amazon S3", "Event": "s3:TestEvent"});
        for body in [&s3, &trail, &test] {
            assert_eq!(of(body.clone()), Source::S3, "{body}");
            assert_eq!(of(sns(&body.to_string())), Source::S3, "wrapped {body}");
        }
        assert_eq!(of(sns(VALIDATION_MESSAGE)), Source::S3);
    }

    #[test]
    fn guardduty_findings_bare_or_wrapped() {
        let finding = json!({"source": "aws.guardduty", "detail-type": "GuardDuty Finding", "detail": {}});
        assert_eq!(of(finding.clone()), Source::GuardDuty);
        assert_eq!(of(sns(&finding.to_string())), Source::GuardDuty);
        assert_eq!(of(json!({"source": "aws.guardduty"})), Source::GuardDuty, "its decoder names what is missing");
    }

    #[test]
    fn security_hub_findings_and_cloudwatch_payloads() {
        let findings = json!({"source": "aws.securityhub", "detail-type": "Security Hub Findings - Imported",
                              "detail": {"findings": []}});
        assert_eq!(of(findings.clone()), Source::SecurityHub);
        assert_eq!(of(sns(&findings.to_string())), Source::SecurityHub);
        assert_eq!(of(json!({"awslogs": {"data": "H4sI"}})), Source::CloudWatchLogs);
        assert_eq!(of(json!({"awslogs": "not a payload"})), Source::Sqs, "a shipper's field");
    }

    #[test]
    fn other_envelopes_are_sns_and_the_rest_sqs() {
        assert_eq!(of(sns("plain text")), Source::Sns);
        assert_eq!(of(sns(r#"{"summary": "s"}"#)), Source::Sns);
        assert_eq!(of(json!({"TopicArn": "t", "Message": 3})), Source::Sns, "its decoder names the bad Message");
        assert_eq!(of(json!({"Message": "m"})), Source::Sqs, "a shipper's field, not an envelope");
        assert_eq!(of(json!({"summary": "s", "Records": [{"eventSource": "aws:kinesis"}]})), Source::Sqs);
        assert_eq!(
            of(json!({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"})),
            Source::Sqs
        );
        assert_eq!(classify(b"eyJzdW1tYXJ5IjogInMifQ=="), Source::Sqs, "base64");
        assert_eq!(classify(b"\x00not json"), Source::Sqs);
        assert_eq!(classify(b"[1, 2]"), Source::Sqs);
    }
}
