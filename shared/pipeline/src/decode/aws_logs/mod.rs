//! AWS-native log sources beyond CloudTrail and GuardDuty, each normalised to MozDef's schema
//! (`category`, `source`, `tags`, `summary`, `hostname`, `details.sourceipaddress`, ...) so that
//! GeoIP, the alert catalogue and GeoModel work on them unchanged.
//!
//! | module | source | delivered |
//! |---|---|---|
//! | [`vpc_flow`] | VPC Flow Logs, versions 2–5, default and custom formats | S3 (gzip text with a header line), CloudWatch Logs |
//! | [`load_balancer`] | Application and Network Load Balancer access logs | S3 (gzip, space-separated with quotes) |
//! | [`waf`] | AWS WAF web ACL logs (JSON) | S3 (gzip JSON lines), CloudWatch Logs |
//! | [`route53_resolver`] | Route 53 Resolver query logs (JSON) | S3 (gzip JSON lines), CloudWatch Logs |
//! | [`security_hub`] | Security Hub findings (ASFF) | EventBridge → SQS |
//! | [`cloudwatch_logs`] | CloudWatch Logs subscription payloads from any log group | Lambda / SQS (`{"awslogs": {"data": ...}}`) |
//! | [`s3`] | every S3-delivered format (CloudTrail included), routed by the object key | S3 → SQS notifications |
//!
//! Log files are read as streams: each record becomes one [`Entry`] handed to a sink as soon
//! as it is parsed, so a file of any size is decoded in bounded memory. A record that cannot
//! be parsed becomes [`Entry::Unparsed`] with its raw text and the reason (file or log
//! stream, line, what is wrong): the caller quarantines it, nothing is lost.

pub mod cloudwatch_logs;
pub mod load_balancer;
pub mod route53_resolver;
pub mod s3;
mod schema;
pub mod security_hub;
pub mod vpc_flow;
pub mod waf;

use mozdef_model::Document;

pub use s3::{S3LogDecoder, S3LogFormat};

/// One record of a log, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A MozDef event, ready for the plugin chain.
    Event(Document),
    /// A record that could not be parsed: to the quarantine.
    Unparsed(Unparsed),
}

/// A record that could not be parsed, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparsed {
    /// Where and what: e.g. `s3://b/k line 12: expected 14 fields, got 9`.
    pub reason: String,
    /// The record's raw text (a line, a JSON record, a log event's message).
    pub raw: String,
}

impl Entry {
    /// An [`Entry::Unparsed`].
    pub fn unparsed(reason: impl Into<String>, raw: impl Into<String>) -> Self {
        Entry::Unparsed(Unparsed { reason: reason.into(), raw: raw.into() })
    }

    /// The event, if this is one.
    pub fn event(&self) -> Option<&Document> {
        match self {
            Entry::Event(event) => Some(event),
            Entry::Unparsed(_) => None,
        }
    }
}
