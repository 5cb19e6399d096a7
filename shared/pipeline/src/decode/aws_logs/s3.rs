//! Every S3-delivered log format from the same S3 → SQS notification path CloudTrail uses,
//! routed by the object key as AWS writes it:
//!
//! | key (below an optional prefix) | format |
//! |---|---|
//! | `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json.gz` (organisation trails: `AWSLogs/<org>/<account>/CloudTrail/...`) | [`S3LogFormat::CloudTrail`] |
//! | `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<flow log id>_<time>_<hash>.log.gz` | [`S3LogFormat::VpcFlowLogs`] |
//! | `AWSLogs/<account>/elasticloadbalancing/<region>/YYYY/MM/DD/<account>_elasticloadbalancing_<region>_app.<name>.<id>_<time>_<ip>_<random>.log.gz` | [`S3LogFormat::ApplicationLoadBalancer`] |
//! | the same with `_net.<name>.<id>_` | [`S3LogFormat::NetworkLoadBalancer`] |
//! | `AWSLogs/<account>/WAFLogs/<region>/<web ACL>/YYYY/MM/DD/HH/mm/<account>_waflogs_<region>_<web ACL>_<time>_<hash>.log.gz` | [`S3LogFormat::Waf`] |
//! | `AWSLogs/<account>/vpcdnsquerylogs/<vpc id>/YYYY/MM/DD/<account>_vpcdnsquerylogs_<vpc id>_<time>_<hash>.log.gz` | [`S3LogFormat::Route53Resolver`] |
//! | any other key | [`S3LogFormat::CloudTrail`], as before these formats existed (CloudTrail notifications name their keys, whatever the prefix) |
//!
//! Objects are streamed from their [`ObjectSource`] through the same decompression cap as
//! CloudTrail's ([`CloudTrailDecoder::max_decompressed_bytes`]); gzip is recognised by its magic
//! bytes, so an object stored uncompressed is read as it is. Text formats are read line by
//! line (a line longer than [`MAX_LINE_BYTES`] is cut there and quarantined), each line one
//! [`Entry`] for the sink the moment it is parsed. CloudTrail files go through the CloudTrail
//! decoder's streaming reader, one event per record. Flow log objects in Parquet and Classic
//! Load Balancer logs are refused with [`DecodeError::UnsupportedObject`].

use std::io::{BufRead, BufReader, Read};

use mozdef_model::Document;
use serde_json::Value;

use super::{Entry, load_balancer, route53_resolver, vpc_flow, waf};
use crate::NormalizeContext;
use crate::decode::DecodeError;
use crate::decode::cloudtrail::{CloudTrailDecoder, ObjectSource, S3ObjectRef, gzip, parse_notification};
use crate::python::json_type;

/// The longest line read whole; longer ones are cut there and quarantined.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// An S3-delivered log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum S3LogFormat {
    /// CloudTrail log files (`{"Records": [...]}`).
    CloudTrail,
    /// VPC Flow Logs (text, a header line naming the fields).
    VpcFlowLogs,
    /// Application Load Balancer access logs.
    ApplicationLoadBalancer,
    /// Network Load Balancer (TLS listener) access logs.
    NetworkLoadBalancer,
    /// AWS WAF logs (JSON lines).
    Waf,
    /// Route 53 Resolver query logs (JSON lines).
    Route53Resolver,
}

impl S3LogFormat {
    /// The format of the object `key` (see the module documentation).
    ///
    /// # Errors
    ///
    /// The reason, for an object of a known service in a format no decoder reads.
    pub fn of_key(key: &str) -> Result<S3LogFormat, String> {
        let parts: Vec<&str> = key.split('/').collect();
        let file = parts.last().copied().unwrap_or_default();
        let Some(at) = parts.iter().position(|p| *p == "AWSLogs") else { return Ok(S3LogFormat::CloudTrail) };
        // The service is the first part after the account (and, for organisations, the
        // organisation id) that names one.
        let service = parts.iter().skip(at + 1).take(3).find_map(|part| match *part {
            "CloudTrail" => Some(S3LogFormat::CloudTrail),
            "vpcflowlogs" => Some(S3LogFormat::VpcFlowLogs),
            "elasticloadbalancing" => Some(S3LogFormat::ApplicationLoadBalancer),
            "WAFLogs" => Some(S3LogFormat::Waf),
            "vpcdnsquerylogs" => Some(S3LogFormat::Route53Resolver),
            _ => None,
        });
        match service {
            Some(S3LogFormat::VpcFlowLogs) if file.ends_with(".parquet") => {
                Err("VPC flow logs in Parquet are not supported: deliver them as text (the default)".to_owned())
            }
            Some(S3LogFormat::ApplicationLoadBalancer) => {
                if file.contains("_app.") {
                    Ok(S3LogFormat::ApplicationLoadBalancer)
                } else if file.contains("_net.") {
                    Ok(S3LogFormat::NetworkLoadBalancer)
                } else {
                    Err("Classic Load Balancer logs are not supported (only Application and Network Load Balancers)"
                        .to_owned())
                }
            }
            Some(format) => Ok(format),
            None => Ok(S3LogFormat::CloudTrail),
        }
    }

    /// The format's name, for logs and reports.
    pub fn name(self) -> &'static str {
        match self {
            S3LogFormat::CloudTrail => "cloudtrail",
            S3LogFormat::VpcFlowLogs => "vpcflowlogs",
            S3LogFormat::ApplicationLoadBalancer => "alb",
            S3LogFormat::NetworkLoadBalancer => "nlb",
            S3LogFormat::Waf => "waf",
            S3LogFormat::Route53Resolver => "route53resolver",
        }
    }
}

/// Decodes the log objects an S3 notification names, whatever their format.
#[derive(Debug, Clone)]
pub struct S3LogDecoder<S> {
    cloudtrail: CloudTrailDecoder<S>,
}

impl<S: ObjectSource> S3LogDecoder<S> {
    /// A decoder reading objects (and its cap and process identity) from `cloudtrail`.
    pub fn new(cloudtrail: CloudTrailDecoder<S>) -> Self {
        S3LogDecoder { cloudtrail }
    }

    /// The CloudTrail decoder underneath (its object source and cap).
    pub fn cloudtrail(&self) -> &CloudTrailDecoder<S> {
        &self.cloudtrail
    }

    /// Every entry of every object the notification `body` names, in order.
    ///
    /// # Errors
    ///
    /// The notification's [`DecodeError`] (see [`parse_notification`]) or the first failing
    /// object's (see [`S3LogDecoder::decode_object`]).
    pub fn decode(
        &self,
        body: &[u8],
        queue: &str,
        ctx: &NormalizeContext,
        sink: &mut dyn FnMut(Entry),
    ) -> Result<(), DecodeError> {
        for object in parse_notification(body)? {
            self.decode_object(&object, queue, ctx, sink)?;
        }
        Ok(())
    }

    /// Every entry of one object, handed to `sink` as it is parsed; returns the format.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnsupportedObject`] for a format no decoder reads; the object source's
    /// errors ([`DecodeError::ObjectRead`] is retryable); [`DecodeError::Gzip`] and
    /// [`DecodeError::TooLarge`] for the stream; for CloudTrail files,
    /// [`DecodeError::InvalidLogFile`]. A record that cannot be parsed is not an error: it
    /// is an [`Entry::Unparsed`].
    pub fn decode_object(
        &self,
        object: &S3ObjectRef,
        queue: &str,
        ctx: &NormalizeContext,
        sink: &mut dyn FnMut(Entry),
    ) -> Result<S3LogFormat, DecodeError> {
        let format = S3LogFormat::of_key(&object.key).map_err(|reason| DecodeError::UnsupportedObject {
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            reason,
        })?;
        if format == S3LogFormat::CloudTrail {
            self.cloudtrail.stream_object(object, queue, ctx, &mut |event| sink(Entry::Event(event)))?;
            return Ok(format);
        }
        let limit = self.cloudtrail.max_decompressed_bytes();
        let source = self.cloudtrail.objects().open(&object.bucket, &object.key)?;
        let mut source = BufReader::with_capacity(64 * 1024, source);
        let gzipped = match source.fill_buf() {
            Ok(head) => head.starts_with(&[0x1f, 0x8b]),
            Err(e) => {
                return Err(DecodeError::ObjectRead {
                    bucket: object.bucket.clone(),
                    key: object.key.clone(),
                    source: e,
                });
            }
        };
        let stream: Box<dyn Read> = if gzipped {
            Box::new(gzip::gunzip_capped(source, limit))
        } else {
            Box::new(gzip::plain_capped(source, limit))
        };
        let mut lines = BufReader::with_capacity(256 * 1024, stream);
        let mut parser = LineParser::new(format, object, queue);
        let mut line = Vec::with_capacity(1024);
        let mut number = 0u64;
        loop {
            line.clear();
            let (read, cut) = read_line(&mut lines, &mut line).map_err(|e| gzip::classify(e, object, limit))?;
            if read == 0 {
                break;
            }
            number += 1;
            let text = String::from_utf8_lossy(trim_eol(&line));
            if cut {
                sink(Entry::unparsed(
                    format!("{} line {number}: longer than {MAX_LINE_BYTES} bytes; cut", parser.place()),
                    text.into_owned(),
                ));
                continue;
            }
            if text.trim().is_empty() {
                continue;
            }
            if let Some(entry) = parser.parse(&text, number, ctx) {
                sink(entry);
            }
        }
        Ok(format)
    }
}

/// One object's line parser: the format and, for flow logs, the fields its header names.
struct LineParser<'a> {
    format: S3LogFormat,
    object: &'a S3ObjectRef,
    queue: &'a str,
    flow: Option<vpc_flow::VpcFlowFormat>,
}

impl<'a> LineParser<'a> {
    fn new(format: S3LogFormat, object: &'a S3ObjectRef, queue: &'a str) -> Self {
        LineParser { format, object, queue, flow: None }
    }

    fn place(&self) -> String {
        format!("s3://{}/{}", self.object.bucket, self.object.key)
    }

    /// The entry of one non-blank line; `None` for a header or a record that carries nothing.
    fn parse(&mut self, line: &str, number: u64, ctx: &NormalizeContext) -> Option<Entry> {
        let place = self.place();
        let unparsed = |reason: String| Some(Entry::unparsed(format!("{place} line {number}: {reason}"), line));
        let event = match self.format {
            S3LogFormat::VpcFlowLogs => {
                if vpc_flow::VpcFlowFormat::is_header(line) {
                    match vpc_flow::VpcFlowFormat::from_fields(line) {
                        Ok(format) => self.flow = Some(format),
                        Err(reason) => return unparsed(format!("a header naming no usable fields: {reason}")),
                    }
                    return None;
                }
                let format = self.flow.get_or_insert_with(vpc_flow::VpcFlowFormat::default_format);
                match format.event(line, ctx) {
                    Ok(Some(event)) => event,
                    Ok(None) => return None,
                    Err(reason) => return unparsed(reason),
                }
            }
            S3LogFormat::ApplicationLoadBalancer => match load_balancer::alb_event(line, ctx) {
                Ok(event) => event,
                Err(reason) => return unparsed(reason),
            },
            S3LogFormat::NetworkLoadBalancer => match load_balancer::nlb_event(line, ctx) {
                Ok(event) => event,
                Err(reason) => return unparsed(reason),
            },
            S3LogFormat::Waf | S3LogFormat::Route53Resolver => {
                let record = match serde_json::from_str::<Value>(line) {
                    Ok(Value::Object(record)) => record,
                    Ok(other) => return unparsed(format!("must be a JSON object, got {}", json_type(&other))),
                    Err(e) => return unparsed(format!("not valid JSON: {e}")),
                };
                let mapped = if self.format == S3LogFormat::Waf {
                    waf::event(record, ctx)
                } else {
                    route53_resolver::event(record, ctx)
                };
                match mapped {
                    Ok(event) => event,
                    Err(reason) => return unparsed(reason),
                }
            }
            S3LogFormat::CloudTrail => return None,
        };
        Some(Entry::Event(tag_queue(event, self.queue)))
    }
}

/// Adds the queue name to `tags` (MozDef's `taskexchange` tag, as its SQS workers wrote it).
fn tag_queue(mut event: Document, queue: &str) -> Document {
    if queue.is_empty() {
        return event;
    }
    match event.get_mut("tags") {
        Some(Value::Array(tags)) => {
            if !tags.iter().any(|t| t.as_str() == Some(queue)) {
                tags.push(Value::String(queue.to_owned()));
            }
        }
        _ => {
            event.insert("tags".to_owned(), Value::Array(vec![Value::String(queue.to_owned())]));
        }
    }
    event
}

/// Reads one line (through `\n`) into `line`, at most [`MAX_LINE_BYTES`] of it; the rest of a
/// longer line is skipped. Returns the bytes consumed and whether the line was cut.
fn read_line<R: BufRead>(reader: &mut R, line: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0usize;
    let mut cut = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((consumed, cut));
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(line.len());
        if chunk.len() > room {
            cut = true;
        }
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let n = chunk.len();
        reader.consume(n);
        consumed += n;
        if done {
            return Ok((consumed, cut));
        }
    }
}

/// `line` without its `\n` or `\r\n`.
fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_route_to_their_format() {
        let cases = [
            (
                "AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/07/111122223333_CloudTrail_us-east-1_20261207T1000Z_a.json.gz",
                Ok(S3LogFormat::CloudTrail),
            ),
            ("AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2026/12/07/x.json.gz", Ok(S3LogFormat::CloudTrail)),
            (
                "prefix/AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/12/07/111122223333_vpcflowlogs_us-east-1_fl-1_20261207T1000Z_h.log.gz",
                Ok(S3LogFormat::VpcFlowLogs),
            ),
            (
                "AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/12/07/111122223333_elasticloadbalancing_us-east-1_app.web.50dc6c495c0c9188_20261207T1000Z_10.0.0.1_x.log.gz",
                Ok(S3LogFormat::ApplicationLoadBalancer),
            ),
            (
                "AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/12/07/111122223333_elasticloadbalancing_us-east-1_net.tls.1b2c_20261207T1000Z_x.log.gz",
                Ok(S3LogFormat::NetworkLoadBalancer),
            ),
            (
                "AWSLogs/111122223333/WAFLogs/us-east-1/acl/2026/12/07/10/05/111122223333_waflogs_us-east-1_acl_20261207T1005Z_h.log.gz",
                Ok(S3LogFormat::Waf),
            ),
            (
                "AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/12/07/111122223333_vpcdnsquerylogs_vpc-1_20261207T1000Z_h.log.gz",
                Ok(S3LogFormat::Route53Resolver),
            ),
            ("anything/else.json.gz", Ok(S3LogFormat::CloudTrail)),
        ];
        for (key, expected) in cases {
            assert_eq!(S3LogFormat::of_key(key), expected, "{key}");
        }
        assert!(S3LogFormat::of_key("AWSLogs/1/vpcflowlogs/us-east-1/2026/12/07/x.log.parquet").is_err());
        let classic = "AWSLogs/1/elasticloadbalancing/us-east-1/2026/12/07/1_elasticloadbalancing_us-east-1_web_20261207T1000Z_10.0.0.1_x.log";
        assert!(S3LogFormat::of_key(classic).is_err());
    }

    #[test]
    fn long_lines_are_cut_and_the_next_line_read() {
        let mut text = vec![b'x'; MAX_LINE_BYTES + 10];
        text.extend_from_slice(b"\nnext\n");
        let mut reader = BufReader::with_capacity(4096, &text[..]);
        let mut line = Vec::new();
        let (n, cut) = read_line(&mut reader, &mut line).unwrap_or_default();
        assert!(cut && n == MAX_LINE_BYTES + 11 && line.len() == MAX_LINE_BYTES);
        line.clear();
        let (_, cut) = read_line(&mut reader, &mut line).unwrap_or_default();
        assert!(!cut);
        assert_eq!(trim_eol(&line), b"next");
    }
}
