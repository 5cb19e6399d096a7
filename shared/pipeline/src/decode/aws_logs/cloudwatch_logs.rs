//! CloudWatch Logs subscription payloads: what a subscription filter delivers to a Lambda
//! function (and what we put on SQS) — `{"awslogs": {"data": "<base64 of gzip of the payload>"}}`
//! — decoded into one [`Entry`] per log event, keyed by the log event's `id`.
//!
//! # Input
//!
//! The payload, once `data` is base64-decoded (standard alphabet, padded) and gunzipped (at most
//! [`MAX_PAYLOAD_BYTES`]; CloudWatch Logs sends about 1 MB compressed at most):
//!
//! ```json
//! {"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "/aws/lambda/app",
//!  "logStream": "2026/12/07/[$LATEST]0123", "subscriptionFilters": ["to-mozdef"],
//!  "logEvents": [{"id": "3795...", "timestamp": 1796637600123, "message": "..."}]}
//! ```
//!
//! A `CONTROL_MESSAGE` (sent once when a subscription is created, to check the destination)
//! decodes to a [`Payload`] without entries. `policyLevel` (account-level subscriptions) is
//! kept in [`Payload::policy_level`].
//!
//! # Output
//!
//! Each message goes through the [`MessageParser`] its log group maps to ([`LogGroupParsers`]).
//! Every event carries `details.loggroup`, `details.logstream`, `details.owner` (the account,
//! when the payload names one) and `details.logeventid`; `utctimestamp`/`timestamp` are the
//! parser's time, or the log event's `timestamp` when the parser has none (or the receive time
//! when neither exists); `receivedtimestamp` and `mozdefhostname` come from the context.
//!
//! | parser | events |
//! |---|---|
//! | `auto` | a JSON object message as `json`, anything else as `text` |
//! | `text` | category `cloudwatch`, source `cloudwatch`, tags `aws`, `cloudwatch`, severity `INFO`, hostname = the log group, summary = the message without its trailing white space |
//! | `json` | as `text`, but details = the object's keys (nested as given) and summary = its `message`, `msg` or `summary` string, else `<log group> log event`; a message that is not a JSON object is unparsed |
//! | `lambda` | Lambda's `START`, `END` and `REPORT` lines (`details.requestid`, `version`, `durationms`, `billeddurationms`, `memorysizemb`, `maxmemoryusedmb`, `initdurationms`, `restoredurationms`, `billedrestoredurationms` as numbers, `status`, `errortype`, `xraytraceid`), the runtimes' tab-separated application lines (`<time>\t<request id>\t<LEVEL>\t<message>`, and Python's `[LEVEL]\t<time>\t<request id>\t<message>`: `details.requestid`, `details.level`, summary = the message, time = the line's), Lambda's JSON log format (as `json`, plus `details.requestid` from `requestId` and the time from `timestamp`); category and source `lambda`, tags `aws`, `lambda`, hostname = the function name |
//! | `eks-audit` | Kubernetes audit events of the `kube-apiserver-audit-*` streams (other streams: `auto`): category `kubernetes`, source `eks`, tags `aws`, `eks`, `k8saudit`, hostname = the cluster, time = `requestReceivedTimestamp`, `details.username`, `groups`, `sourceipaddress` (the first of `sourceIPs`), `verb`, `requesturi`, `resource`, `subresource`, `namespace`, `name`, `responsecode`, `success` (code < 400), `useragent`, `auditid`, `stage`, `level`, `annotations`; summary e.g. `EKS audit: kubernetes-admin create pods default/nginx (201)` |
//! | `vpcflow`, `vpcflow:<format>` | [`VpcFlowFormat::event`] of the message (a `NODATA`/`SKIPDATA` record gives no entry at all) |
//! | `route53resolver`, `waf` | the message as a JSON object through [`route53_resolver::event`] / [`waf::event`] |
//!
//! A message a parser refuses becomes [`Entry::Unparsed`] with the reason
//! `<log group>/<log stream> event <id>: <reason>` and the message as its raw text; so does a
//! log event without a string `message` (its raw text is then the log event's JSON). A log
//! event whose `id` cannot be read fails the whole payload, since its entry could not be named.

use std::io::Read;
use std::str::FromStr;

use base64::Engine;
use chrono::{DateTime, Utc};
use mozdef_model::{Document, isoformat, to_utc};
use serde_json::Value;

use super::schema::{FieldError, Fields, Head};
use super::vpc_flow::VpcFlowFormat;
use super::{Entry, route53_resolver, waf};
use crate::NormalizeContext;
use crate::decode::DecodeError;
use crate::decode::body::parse_object;
use crate::decode::cloudtrail::{S3ObjectRef, gzip};
use crate::python::json_type;

/// The most bytes a payload may decompress to; more is refused as a gzip bomb.
pub const MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;

/// The record body, named in errors.
const RECORD: &str = "the CloudWatch Logs subscription record";
/// The decompressed payload, named in errors.
const PAYLOAD: &str = "the CloudWatch Logs payload";
/// The field holding the compressed payload.
const DATA_FIELD: &str = "awslogs.data";
/// The log streams of an EKS cluster's log group that hold audit events.
const EKS_AUDIT_STREAM: &str = "kube-apiserver-audit";

/// How the messages of a log group are read (see the [module documentation](self)).
#[derive(Debug, Clone, PartialEq)]
pub enum MessageParser {
    /// JSON object messages as [`MessageParser::Json`], anything else as [`MessageParser::Text`].
    Auto,
    /// Every message is text: the summary.
    Text,
    /// Every message is a JSON object; anything else is unparsed.
    Json,
    /// Lambda's runtime lines, application lines and JSON logs.
    Lambda,
    /// Kubernetes audit events of an EKS cluster (`kube-apiserver-audit-*` streams only).
    EksAudit,
    /// VPC Flow Logs records in this format.
    VpcFlow(VpcFlowFormat),
    /// Route 53 Resolver query logs.
    Route53Resolver,
    /// AWS WAF logs.
    Waf,
}

impl MessageParser {
    /// The parser named `name`: `auto`, `text`, `json`, `lambda`, `eks-audit`, `vpcflow`
    /// (the default format), `vpcflow:<format>` (a custom format, e.g.
    /// `vpcflow:${version} ${srcaddr} ${dstaddr} ...`), `route53resolver` or `waf`.
    ///
    /// # Errors
    ///
    /// An unknown name, or a flow log format [`VpcFlowFormat::from_fields`] refuses.
    pub fn parse(name: &str) -> Result<Self, String> {
        if let Some(format) = name.strip_prefix("vpcflow:") {
            return VpcFlowFormat::from_fields(format.trim())
                .map(MessageParser::VpcFlow)
                .map_err(|e| format!("bad VPC flow log format: {e}"));
        }
        Ok(match name {
            "auto" => MessageParser::Auto,
            "text" => MessageParser::Text,
            "json" => MessageParser::Json,
            "lambda" => MessageParser::Lambda,
            "eks-audit" => MessageParser::EksAudit,
            "vpcflow" => MessageParser::VpcFlow(VpcFlowFormat::default_format()),
            "route53resolver" => MessageParser::Route53Resolver,
            "waf" => MessageParser::Waf,
            other => {
                return Err(format!(
                    "unknown parser `{other}` (expected auto, text, json, lambda, eks-audit, vpcflow, \
                     vpcflow:<format>, route53resolver or waf)"
                ));
            }
        })
    }

    /// The parser's name (`vpcflow` for every flow log format).
    pub fn name(&self) -> &'static str {
        match self {
            MessageParser::Auto => "auto",
            MessageParser::Text => "text",
            MessageParser::Json => "json",
            MessageParser::Lambda => "lambda",
            MessageParser::EksAudit => "eks-audit",
            MessageParser::VpcFlow(_) => "vpcflow",
            MessageParser::Route53Resolver => "route53resolver",
            MessageParser::Waf => "waf",
        }
    }
}

/// The parser of log groups no rule names.
static AUTO: MessageParser = MessageParser::Auto;

/// The built-in rules, tried after the configured ones.
static DEFAULT_RULES: [(&str, MessageParser); 2] =
    [("/aws/lambda/*", MessageParser::Lambda), ("/aws/eks/*/cluster", MessageParser::EksAudit)];

/// One configured rule: the log groups `pattern` matches are read by `parser`.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    pattern: String,
    parser: MessageParser,
}

/// Which [`MessageParser`] reads the messages of which log groups: the
/// `MOZDEF_CLOUDWATCH_PARSERS` setting (`--cloudwatch-parsers`).
///
/// The specification is a comma-separated list of `<log group pattern>=<parser>`, e.g.
/// `/vpc/flows/*=vpcflow:${version} ${srcaddr} ${dstaddr} ${action},/app/*=json,/waf=waf`:
///
/// * a pattern is a log group name in which `*` stands for any run of characters (`/` too);
///   the first rule whose pattern matches the whole log group name wins;
/// * a parser is one of [`MessageParser::parse`]'s names: `auto`, `text`, `json`, `lambda`,
///   `eks-audit`, `vpcflow`, `vpcflow:<custom format>` (the format runs to the next comma;
///   formats contain none), `route53resolver`, `waf`;
/// * white space around entries, patterns and parsers is ignored, and so are empty entries.
///
/// After the configured rules come the built-in ones: `/aws/lambda/*` → `lambda` and
/// `/aws/eks/*/cluster` → `eks-audit`; every other log group is read with `auto`. The
/// `eks-audit` parser only reads the `kube-apiserver-audit-*` streams; the other streams of
/// those groups (authenticator, scheduler...) are read with `auto`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogGroupParsers {
    rules: Vec<Rule>,
}

impl LogGroupParsers {
    /// The parsers of a specification (see the type's documentation); an empty
    /// specification gives the built-in rules only.
    ///
    /// # Errors
    ///
    /// The first bad entry, named: no `=`, an empty pattern, an unknown parser or a bad flow
    /// log format.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut rules = Vec::new();
        for entry in spec.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            let Some((pattern, parser)) = entry.split_once('=') else {
                return Err(format!("CloudWatch parsers: `{entry}` must be `<log group pattern>=<parser>`"));
            };
            let pattern = pattern.trim();
            if pattern.is_empty() {
                return Err(format!("CloudWatch parsers: `{entry}` has an empty log group pattern"));
            }
            let parser =
                MessageParser::parse(parser.trim()).map_err(|e| format!("CloudWatch parsers: `{entry}`: {e}"))?;
            rules.push(Rule { pattern: pattern.to_owned(), parser });
        }
        Ok(LogGroupParsers { rules })
    }

    /// The parser of the messages of `log_stream` in `log_group`.
    pub fn parser_for(&self, log_group: &str, log_stream: &str) -> &MessageParser {
        let configured = self.rules.iter().find(|rule| glob_match(&rule.pattern, log_group)).map(|rule| &rule.parser);
        let parser = configured
            .or_else(|| DEFAULT_RULES.iter().find(|(pattern, _)| glob_match(pattern, log_group)).map(|(_, p)| p))
            .unwrap_or(&AUTO);
        if matches!(parser, MessageParser::EksAudit) && !log_stream.starts_with(EKS_AUDIT_STREAM) {
            &AUTO
        } else {
            parser
        }
    }
}

impl FromStr for LogGroupParsers {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        LogGroupParsers::parse(spec)
    }
}

/// Whether `text` matches `pattern` as a whole, `*` matching any run of characters (none
/// included). Linear backtracking on the last `*`, so no pattern can blow up.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    // The position after the last `*` seen, and the text position it was matched up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, t));
                p += 1;
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((after, matched)) => {
                    star = Some((after, matched + 1));
                    p = after;
                    t = matched + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// What a payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    /// `DATA_MESSAGE`: log events.
    Data,
    /// `CONTROL_MESSAGE`: CloudWatch Logs checking that the destination is reachable.
    Control,
}

/// A decoded payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// `messageType`.
    pub message_type: MessageType,
    /// `owner`: the AWS account of the log group (empty when absent).
    pub owner: String,
    /// `logGroup`.
    pub log_group: String,
    /// `logStream`.
    pub log_stream: String,
    /// `subscriptionFilters`: the names of the filters that matched.
    pub subscription_filters: Vec<String>,
    /// `policyLevel`, for account-level subscriptions.
    pub policy_level: Option<String>,
    /// `(log event id, entry)` in the payload's order; a flow log record without data has
    /// no entry.
    pub entries: Vec<(String, Entry)>,
}

/// Decodes a subscription payload `{"awslogs": {"data": ...}}` (see the module documentation).
///
/// # Errors
///
/// [`DecodeError::InvalidJson`] / [`DecodeError::NotAnObject`] when the body or the payload is
/// not a JSON object; [`DecodeError::MissingField`] / [`DecodeError::InvalidField`] for a
/// missing or unusable `awslogs.data` (bad base64, not gzip, truncated, more than
/// [`MAX_PAYLOAD_BYTES`]), `messageType`, `logGroup`, `logStream`, `logEvents`, or a log
/// event whose `id` cannot be read. A message that cannot be parsed is not an error but an
/// [`Entry::Unparsed`].
pub fn decode(body: &[u8], parsers: &LogGroupParsers, ctx: &NormalizeContext) -> Result<Payload, DecodeError> {
    let record = parse_object(body, RECORD)?;
    let payload = parse_object(&inflate(awslogs_data(&record)?, MAX_PAYLOAD_BYTES)?, PAYLOAD)?;
    let fields = Fields::new(&payload, "");
    let mut decoded = header(&fields)?;
    if decoded.message_type == MessageType::Control {
        return Ok(decoded);
    }
    let log_events = match fields.require("logEvents").map_err(|e| e.into_decode(PAYLOAD))? {
        Value::Array(log_events) => log_events,
        other => return Err(DecodeError::wrong_type(PAYLOAD, "logEvents", "an array", json_type(other))),
    };
    let entries = decode_log_events(&decoded, log_events, parsers, ctx)?;
    decoded.entries = entries;
    Ok(decoded)
}

/// Everything of a payload but its entries. `logGroup` and `logStream` are required in a
/// `DATA_MESSAGE` only; the fields that are only reported are taken when they are usable.
fn header(fields: &Fields<'_>) -> Result<Payload, DecodeError> {
    let message_type = message_type(fields)?;
    let name = |key: &str| match message_type {
        MessageType::Data => fields.require_str(key).map_err(|e| e.into_decode(PAYLOAD)),
        MessageType::Control => Ok(optional_str(fields, key)),
    };
    let filters = fields.array("subscriptionFilters").unwrap_or_default();
    Ok(Payload {
        message_type,
        owner: optional_str(fields, "owner").to_owned(),
        log_group: name("logGroup")?.to_owned(),
        log_stream: name("logStream")?.to_owned(),
        subscription_filters: filters.iter().filter_map(|name| name.as_str().map(str::to_owned)).collect(),
        policy_level: fields.str("policyLevel").ok().flatten().map(str::to_owned),
        entries: Vec::new(),
    })
}

/// The entries of the `log_events` of `payload`, each through the parser of its log group.
///
/// # Errors
///
/// The first log event whose id cannot be read.
fn decode_log_events(
    payload: &Payload,
    log_events: &[Value],
    parsers: &LogGroupParsers,
    ctx: &NormalizeContext,
) -> Result<Vec<(String, Entry)>, DecodeError> {
    let origin = Origin { group: &payload.log_group, stream: &payload.log_stream, owner: &payload.owner };
    let parser = parsers.parser_for(origin.group, origin.stream);
    let mut entries = Vec::with_capacity(log_events.len());
    for (index, value) in log_events.iter().enumerate() {
        match read_log_event(value, index)? {
            LogEventRead::Usable(log_event) => {
                if let Some(entry) = origin.entry(parser, &log_event, ctx) {
                    entries.push((log_event.id.to_owned(), entry));
                }
            }
            LogEventRead::Unusable { id, reason } => {
                entries.push((id.to_owned(), Entry::unparsed(origin.place(id, &reason), value.to_string())));
            }
        }
    }
    tracing::debug!(
        log_group = origin.group,
        log_stream = origin.stream,
        parser = parser.name(),
        log_events = log_events.len(),
        entries = entries.len(),
        "decoded a CloudWatch Logs payload"
    );
    Ok(entries)
}

/// The text of `awslogs.data`.
fn awslogs_data(record: &Document) -> Result<&str, DecodeError> {
    let root = Fields::new(record, "");
    let awslogs = root.object("awslogs").and_then(|awslogs| awslogs.ok_or_else(|| FieldError::missing("awslogs")));
    awslogs.and_then(|awslogs| awslogs.require_str("data")).map_err(|e| e.into_decode(RECORD))
}

/// The payload compressed in `data`: base64 (standard, padded) of gzip, at most `limit` bytes
/// once decompressed.
fn inflate(data: &str, limit: u64) -> Result<Vec<u8>, DecodeError> {
    let compressed = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| invalid_data(format!("is not valid base64: {e}")))?;
    let mut payload = Vec::new();
    gzip::gunzip_capped(compressed.as_slice(), limit).read_to_end(&mut payload).map_err(|e| gzip_error(e, limit))?;
    Ok(payload)
}

/// An unusable `awslogs.data`.
fn invalid_data(problem: String) -> DecodeError {
    DecodeError::InvalidField { what: RECORD, field: DATA_FIELD.to_owned(), problem }
}

/// The error of a failed gunzip of `awslogs.data`: the capped reader's errors are sorted by
/// the S3 decoders' classifier (over the cap, or corrupt / truncated gzip); only its verdict is
/// kept, since there is no S3 object to name.
fn gzip_error(err: std::io::Error, limit: u64) -> DecodeError {
    let unnamed = S3ObjectRef { bucket: String::new(), key: String::new() };
    let problem = match gzip::classify(err, &unnamed, limit) {
        DecodeError::TooLarge { .. } => format!("decompresses to more than {limit} bytes; refused (gzip bomb?)"),
        DecodeError::Gzip { reason, .. } => format!("is not valid gzip: {reason}"),
        other => format!("cannot be decompressed: {other}"),
    };
    invalid_data(problem)
}

/// `messageType`, which is required.
fn message_type(fields: &Fields<'_>) -> Result<MessageType, DecodeError> {
    match fields.require_str("messageType").map_err(|e| e.into_decode(PAYLOAD))? {
        "DATA_MESSAGE" => Ok(MessageType::Data),
        "CONTROL_MESSAGE" => Ok(MessageType::Control),
        other => Err(DecodeError::InvalidField {
            what: PAYLOAD,
            field: "messageType".to_owned(),
            problem: format!("must be DATA_MESSAGE or CONTROL_MESSAGE, got {other:?}"),
        }),
    }
}

/// The string `key`, or `""` when it is absent or not a string (fields only reported).
fn optional_str<'a>(fields: &Fields<'a>, key: &str) -> &'a str {
    fields.str(key).ok().flatten().unwrap_or_default()
}

/// One log event, as far as it could be read.
enum LogEventRead<'a> {
    /// A log event with an id and a message.
    Usable(LogEvent<'a>),
    /// A log event with an id but no usable message.
    Unusable {
        /// Its id.
        id: &'a str,
        /// What is wrong with it.
        reason: String,
    },
}

/// One usable log event.
struct LogEvent<'a> {
    id: &'a str,
    /// `timestamp` (epoch milliseconds), when readable.
    time: Option<DateTime<Utc>>,
    message: &'a str,
}

/// The log event `logEvents[index]`.
///
/// # Errors
///
/// When its id cannot be read: not an object, no string `id`, or an empty one.
fn read_log_event(value: &Value, index: usize) -> Result<LogEventRead<'_>, DecodeError> {
    let path = format!("logEvents[{index}]");
    let Value::Object(map) = value else {
        return Err(DecodeError::wrong_type(PAYLOAD, path, "an object", json_type(value)));
    };
    let fields = Fields::new(map, path);
    let id = fields.require_str("id").map_err(|e| e.into_decode(PAYLOAD))?;
    if id.is_empty() {
        return Err(DecodeError::InvalidField {
            what: PAYLOAD,
            field: fields.name("id"),
            problem: "is empty".to_owned(),
        });
    }
    let message = match map.get("message") {
        Some(Value::String(message)) => message,
        Some(other) => {
            let reason = format!("`message` must be a string, got {}", json_type(other));
            return Ok(LogEventRead::Unusable { id, reason });
        }
        None => return Ok(LogEventRead::Unusable { id, reason: "no `message`".to_owned() }),
    };
    let time = map.get("timestamp").and_then(Value::as_i64).and_then(DateTime::from_timestamp_millis);
    Ok(LogEventRead::Usable(LogEvent { id, time, message }))
}

/// Where the log events of a payload come from.
struct Origin<'a> {
    group: &'a str,
    stream: &'a str,
    /// The account; empty when the payload names none.
    owner: &'a str,
}

impl Origin<'_> {
    /// The reason of an unparsed log event: `<log group>/<log stream> event <id>: <reason>`.
    fn place(&self, id: &str, reason: &str) -> String {
        format!("{}/{} event {id}: {reason}", self.group, self.stream)
    }

    /// The entry of a log event read by `parser`; `None` when it carries nothing.
    fn entry(&self, parser: &MessageParser, log_event: &LogEvent<'_>, ctx: &NormalizeContext) -> Option<Entry> {
        match self.parse(parser, log_event, ctx) {
            Ok(Some(event)) => Some(Entry::Event(self.annotate(event, log_event, ctx))),
            Ok(None) => None,
            Err(reason) => Some(Entry::unparsed(self.place(log_event.id, &reason), log_event.message)),
        }
    }

    /// The event of a log event's message, by `parser`.
    fn parse(
        &self,
        parser: &MessageParser,
        log_event: &LogEvent<'_>,
        ctx: &NormalizeContext,
    ) -> Result<Option<Document>, String> {
        let when = log_event.time.unwrap_or(ctx.received);
        let message = log_event.message;
        let event = match parser {
            MessageParser::Auto => CLOUDWATCH.event(self.group, auto_draft(message, self.group, when), ctx),
            MessageParser::Text => CLOUDWATCH.event(self.group, text_draft(message, when), ctx),
            MessageParser::Json => {
                CLOUDWATCH.event(self.group, object_draft(parse_json_object(message)?, self.group, when), ctx)
            }
            MessageParser::Lambda => {
                LAMBDA.event(function_name(self.group), lambda_draft(message, self.group, when), ctx)
            }
            MessageParser::EksAudit => EKS.event(cluster_name(self.group), eks_audit_draft(message, when, ctx)?, ctx),
            MessageParser::VpcFlow(format) => return format.event(message.trim_end(), ctx),
            MessageParser::Route53Resolver => route53_resolver::event(parse_json_object(message)?, ctx)?,
            MessageParser::Waf => waf::event(parse_json_object(message)?, ctx)?,
        };
        Ok(Some(event))
    }

    /// `event` with the fields every CloudWatch Logs event carries: `details.loggroup`,
    /// `logstream`, `owner`, `logeventid`, and the times and host a parser left out.
    fn annotate(&self, mut event: Document, log_event: &LogEvent<'_>, ctx: &NormalizeContext) -> Document {
        let when = event
            .get("utctimestamp")
            .cloned()
            .unwrap_or_else(|| Value::String(isoformat(&log_event.time.unwrap_or(ctx.received))));
        event.entry("utctimestamp").or_insert_with(|| when.clone());
        event.entry("timestamp").or_insert(when);
        event.entry("receivedtimestamp").or_insert_with(|| Value::String(isoformat(&ctx.received)));
        event.entry("mozdefhostname").or_insert_with(|| Value::String(ctx.mozdefhostname.clone()));
        let slot = event.entry("details").or_insert(Value::Null);
        let mut details = match std::mem::take(slot) {
            Value::Object(details) => details,
            Value::Null => Document::new(),
            other => Document::from_iter([("message".to_owned(), other)]),
        };
        details.insert("loggroup".to_owned(), Value::from(self.group));
        details.insert("logstream".to_owned(), Value::from(self.stream));
        if !self.owner.is_empty() {
            details.insert("owner".to_owned(), Value::from(self.owner));
        }
        details.insert("logeventid".to_owned(), Value::from(log_event.id));
        *slot = Value::Object(details);
        event
    }
}

/// What a parser made of one message, before it becomes an event of its [`Kind`].
struct Draft {
    when: DateTime<Utc>,
    summary: String,
    details: Document,
}

/// The category, source and tags of one parser's events.
struct Kind {
    category: &'static str,
    source: &'static str,
    tags: &'static [&'static str],
}

/// `auto`, `text` and `json` events.
const CLOUDWATCH: Kind = Kind { category: "cloudwatch", source: "cloudwatch", tags: &["aws", "cloudwatch"] };
/// `lambda` events.
const LAMBDA: Kind = Kind { category: "lambda", source: "lambda", tags: &["aws", "lambda"] };
/// `eks-audit` events.
const EKS: Kind = Kind { category: "kubernetes", source: "eks", tags: &["aws", "eks", "k8saudit"] };

impl Kind {
    /// The event of `draft`, on `hostname`.
    fn event(&self, hostname: &str, draft: Draft, ctx: &NormalizeContext) -> Document {
        Head {
            when: draft.when,
            category: self.category,
            source: self.source,
            tags: self.tags.iter().map(|tag| (*tag).to_owned()).collect(),
            severity: "INFO",
            hostname: Some(hostname.to_owned()),
            summary: draft.summary,
        }
        .event(draft.details, ctx)
    }
}

/// A JSON object message as [`object_draft`], anything else as [`text_draft`].
fn auto_draft(message: &str, group: &str, when: DateTime<Utc>) -> Draft {
    match json_object(message) {
        Some(object) => object_draft(object, group, when),
        None => text_draft(message, when),
    }
}

/// A text message: the summary.
fn text_draft(message: &str, when: DateTime<Utc>) -> Draft {
    Draft { when, summary: message.trim_end().to_owned(), details: Document::new() }
}

/// A JSON object message: its keys are the details; its `message`, `msg` or `summary` text
/// the summary, else `<log group> log event`.
fn object_draft(object: Document, group: &str, when: DateTime<Utc>) -> Draft {
    let summary = ["message", "msg", "summary"]
        .iter()
        .find_map(|key| object.get(*key).and_then(Value::as_str))
        .map_or_else(|| format!("{group} log event"), str::to_owned);
    Draft { when, summary, details: object }
}

/// `text` as a JSON object, if it is one (only text starting with `{` is tried).
fn json_object(text: &str) -> Option<Document> {
    if text.trim_start().starts_with('{') { parse_json_object(text).ok() } else { None }
}

/// `text` as a JSON object, else why not.
fn parse_json_object(text: &str) -> Result<Document, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(format!("must be a JSON object, got {}", json_type(&other))),
        Err(e) => Err(format!("not valid JSON: {e}")),
    }
}

/// An RFC 3339 time (Lambda's and Kubernetes' timestamps).
fn rfc3339(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim()).ok().map(|time| time.with_timezone(&Utc))
}

/// The function of a `/aws/lambda/<name>` log group (the group itself for other names).
fn function_name(group: &str) -> &str {
    group.strip_prefix("/aws/lambda/").filter(|name| !name.is_empty()).unwrap_or(group)
}

/// The cluster of a `/aws/eks/<cluster>/cluster` log group (the group itself for other names).
fn cluster_name(group: &str) -> &str {
    group
        .strip_prefix("/aws/eks/")
        .and_then(|rest| rest.strip_suffix("/cluster"))
        .filter(|name| !name.is_empty())
        .unwrap_or(group)
}

/// The numeric fields of Lambda's `REPORT` line: `(name, details key)`; the unit that follows
/// each value (`ms`, `MB`) is dropped.
const REPORT_NUMBERS: [(&str, &str); 7] = [
    ("Duration", "durationms"),
    ("Billed Duration", "billeddurationms"),
    ("Memory Size", "memorysizemb"),
    ("Max Memory Used", "maxmemoryusedmb"),
    ("Init Duration", "initdurationms"),
    ("Restore Duration", "restoredurationms"),
    ("Billed Restore Duration", "billedrestoredurationms"),
];

/// The text fields of Lambda's `REPORT` line: `(name, details key)`.
const REPORT_TEXTS: [(&str, &str); 3] =
    [("Status", "status"), ("Error Type", "errortype"), ("XRAY TraceId", "xraytraceid")];

/// A message of a Lambda function's log group.
fn lambda_draft(message: &str, group: &str, when: DateTime<Utc>) -> Draft {
    let line = message.trim_end();
    if let Some(object) = json_object(line) {
        return lambda_json_draft(object, group, when);
    }
    lambda_runtime_line(line, when).or_else(|| lambda_app_line(line)).unwrap_or_else(|| text_draft(line, when))
}

/// A line of Lambda's JSON log format (`{"timestamp", "level", "message", "requestId"}`).
fn lambda_json_draft(object: Document, group: &str, when: DateTime<Utc>) -> Draft {
    let request_id = object.get("requestId").and_then(Value::as_str).map(str::to_owned);
    let when = object.get("timestamp").and_then(Value::as_str).and_then(rfc3339).unwrap_or(when);
    let mut draft = object_draft(object, group, when);
    if let Some(request_id) = request_id {
        draft.details.insert("requestid".to_owned(), Value::String(request_id));
    }
    draft
}

/// Lambda's `START RequestId: <id> Version: <v>`, `END RequestId: <id>` and
/// `REPORT RequestId: <id>\t<name>: <value> <unit>\t...` lines.
fn lambda_runtime_line(line: &str, when: DateTime<Utc>) -> Option<Draft> {
    let (word, rest) = line.split_once(' ')?;
    let rest = rest.strip_prefix("RequestId: ")?;
    let mut details = Document::new();
    match word {
        "START" => {
            let (request_id, version) = match rest.split_once(" Version: ") {
                Some((request_id, version)) => (request_id, Some(version)),
                None => (rest, None),
            };
            details.insert("requestid".to_owned(), Value::from(request_id.trim()));
            if let Some(version) = version {
                details.insert("version".to_owned(), Value::from(version.trim()));
            }
        }
        "END" => {
            details.insert("requestid".to_owned(), Value::from(rest.trim()));
        }
        "REPORT" => {
            let mut parts = rest.split(['\t', '\n']);
            details.insert("requestid".to_owned(), Value::from(parts.next().unwrap_or_default().trim()));
            parts.for_each(|part| report_field(&mut details, part));
        }
        _ => return None,
    }
    Some(Draft { when, summary: line.to_owned(), details })
}

/// One `<name>: <value>` part of a `REPORT` line into `details`; unknown names are skipped.
fn report_field(details: &mut Document, part: &str) {
    let Some((name, value)) = part.split_once(": ") else { return };
    let (name, value) = (name.trim(), value.trim());
    if let Some((_, key)) = REPORT_NUMBERS.iter().find(|(known, _)| *known == name) {
        if let Some(number) = value.split_whitespace().next().and_then(number) {
            details.insert((*key).to_owned(), number);
        }
    } else if let Some((_, key)) = REPORT_TEXTS.iter().find(|(known, _)| *known == name) {
        details.insert((*key).to_owned(), Value::from(value));
    }
}

/// A decimal as a JSON number: an integer when it has no fraction.
fn number(text: &str) -> Option<Value> {
    if let Ok(integer) = text.parse::<u64>() {
        return Some(Value::from(integer));
    }
    text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number)
}

/// A runtime's application line: `<time>\t<request id>\t<LEVEL>\t<message>` (Node.js, Java,
/// .NET...) or `[LEVEL]\t<time>\t<request id>\t<message>` (Python).
fn lambda_app_line(line: &str) -> Option<Draft> {
    let mut parts = line.splitn(4, '\t');
    let (first, second, third, message) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let (when, request_id, level) = match rfc3339(first) {
        Some(when) => (when, second, third),
        None => (rfc3339(second)?, third, first.strip_prefix('[')?.strip_suffix(']')?),
    };
    let mut details = Document::new();
    details.insert("requestid".to_owned(), Value::from(request_id.trim()));
    details.insert("level".to_owned(), Value::from(level.trim()));
    Some(Draft { when, summary: message.trim_end().to_owned(), details })
}

/// The fields of a Kubernetes audit event copied to `details`: `(details key, path)`.
const AUDIT_FIELDS: [(&str, &[&str]); 14] = [
    ("username", &["user", "username"]),
    ("groups", &["user", "groups"]),
    ("verb", &["verb"]),
    ("requesturi", &["requestURI"]),
    ("resource", &["objectRef", "resource"]),
    ("subresource", &["objectRef", "subresource"]),
    ("namespace", &["objectRef", "namespace"]),
    ("name", &["objectRef", "name"]),
    ("responsecode", &["responseStatus", "code"]),
    ("useragent", &["userAgent"]),
    ("auditid", &["auditID"]),
    ("stage", &["stage"]),
    ("level", &["level"]),
    ("annotations", &["annotations"]),
];

/// A Kubernetes audit event (`{"kind": "Event", "apiVersion": "audit.k8s.io/v1", ...}`).
fn eks_audit_draft(message: &str, when: DateTime<Utc>, ctx: &NormalizeContext) -> Result<Draft, String> {
    let audit = parse_json_object(message)?;
    match audit.get("kind") {
        Some(Value::String(kind)) if kind == "Event" => {}
        Some(other) => return Err(format!("not a Kubernetes audit event: `kind` is {other}, not \"Event\"")),
        None => return Err("not a Kubernetes audit event: no `kind`".to_owned()),
    }
    let mut details = Document::new();
    for (key, path) in AUDIT_FIELDS {
        if let Some(value) = at(&audit, path) {
            details.insert(key.to_owned(), value.clone());
        }
    }
    if let Some(Value::String(ip)) = at(&audit, &["sourceIPs"]).and_then(|ips| ips.get(0)) {
        details.insert("sourceipaddress".to_owned(), Value::String(ip.clone()));
    }
    if let Some(code) = details.get("responsecode").and_then(Value::as_u64) {
        details.insert("success".to_owned(), Value::Bool(code < 400));
    }
    let when =
        at(&audit, &["requestReceivedTimestamp"]).and_then(|time| to_utc(time, ctx.received).ok()).unwrap_or(when);
    Ok(Draft { when, summary: audit_summary(&details), details })
}

/// `EKS audit: <user> <verb> <resource>[/<subresource>] <namespace>/<name> (<code>)`, the
/// request URI standing for the object when there is none; absent parts are left out.
fn audit_summary(details: &Document) -> String {
    let text = |key: &str| details.get(key).and_then(Value::as_str).filter(|text| !text.is_empty());
    let resource = text("resource").map(|resource| match text("subresource") {
        Some(subresource) => format!("{resource}/{subresource}"),
        None => resource.to_owned(),
    });
    let object = match (text("namespace"), text("name")) {
        (Some(namespace), Some(name)) => Some(format!("{namespace}/{name}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    };
    let uri = if resource.is_none() && object.is_none() { text("requesturi").map(str::to_owned) } else { None };
    let code = details.get("responsecode").filter(|code| !code.is_null()).map(|code| format!("({code})"));
    let parts = [text("username").map(str::to_owned), text("verb").map(str::to_owned), resource, object, uri, code];
    parts.into_iter().flatten().fold("EKS audit:".to_owned(), |summary, part| summary + " " + &part)
}

/// The value at `path` in `doc`, unless absent or null.
fn at<'a>(doc: &'a Document, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = doc.get(*first)?;
    for key in rest {
        value = value.as_object()?.get(*key)?;
    }
    Some(value).filter(|value| !value.is_null())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::test_context as ctx;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn base64(data: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(data)
    }

    /// The record CloudWatch Logs would send for `payload`.
    fn record(payload: &Value) -> Vec<u8> {
        json!({"awslogs": {"data": base64(&gzip(payload.to_string().as_bytes()))}}).to_string().into_bytes()
    }

    fn decode_default(body: &[u8]) -> Result<Payload, DecodeError> {
        decode(body, &LogGroupParsers::default(), &ctx())
    }

    fn error_of(body: &[u8]) -> String {
        decode_default(body).err().map(|e| e.to_string()).unwrap_or_default()
    }

    fn data_message(log_events: Value) -> Value {
        json!({"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "/app", "logStream": "s",
               "subscriptionFilters": ["f"], "logEvents": log_events})
    }

    #[test]
    fn stars_match_any_run_of_characters() {
        let cases = [
            ("/aws/lambda/*", "/aws/lambda/fn", true),
            ("/aws/lambda/*", "/aws/lambda/", true),
            ("/aws/lambda/*", "/aws/lambdafn", false),
            ("/aws/eks/*/cluster", "/aws/eks/prod/cluster", true),
            ("/aws/eks/*/cluster", "/aws/eks/a/b/cluster", true),
            ("/aws/eks/*/cluster", "/aws/eks/prod/cluster2", false),
            ("*", "", true),
            ("*", "anything/at/all", true),
            ("", "", true),
            ("", "x", false),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("*flow*", "/vpc/flowlogs", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("a**c", "ac", true),
            ("*.log", "x.log.log", true),
            ("*ab", "aab", true),
            ("/é/*", "/é/ü", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(glob_match(pattern, text), expected, "{pattern:?} ~ {text:?}");
        }
    }

    #[test]
    fn configured_rules_come_first_then_the_built_in_ones() {
        let parsers = LogGroupParsers::parse(" /app/* = json, /waf=waf ,, /aws/lambda/legacy=text,").unwrap();
        assert_eq!(parsers.parser_for("/app/web", "s"), &MessageParser::Json);
        assert_eq!(parsers.parser_for("/waf", "s"), &MessageParser::Waf);
        assert_eq!(parsers.parser_for("/waf2", "s"), &MessageParser::Auto);
        assert_eq!(parsers.parser_for("/aws/lambda/legacy", "s"), &MessageParser::Text);
        assert_eq!(parsers.parser_for("/aws/lambda/other", "s"), &MessageParser::Lambda);
        assert_eq!(parsers.parser_for("/aws/eks/prod/cluster", "kube-apiserver-audit-0a1b"), &MessageParser::EksAudit);
        assert_eq!(parsers.parser_for("/aws/eks/prod/cluster", "authenticator-0a1b"), &MessageParser::Auto);
        let first = LogGroupParsers::parse("/a/*=text,/a/b=json").unwrap();
        assert_eq!(first.parser_for("/a/b", "s"), &MessageParser::Text);
        let flows = LogGroupParsers::parse("/vpc=vpcflow,/dns=route53resolver,/any=auto,/k=eks-audit").unwrap();
        assert_eq!(flows.parser_for("/vpc", "s"), &MessageParser::VpcFlow(VpcFlowFormat::default_format()));
        assert_eq!(flows.parser_for("/dns", "s"), &MessageParser::Route53Resolver);
        assert_eq!(flows.parser_for("/k", "kube-apiserver-audit-1"), &MessageParser::EksAudit);
        assert_eq!(flows.parser_for("/k", "kube-scheduler-1"), &MessageParser::Auto);
    }

    #[test]
    fn an_empty_spec_is_the_built_in_rules() {
        assert_eq!(LogGroupParsers::parse(""), Ok(LogGroupParsers::default()));
        assert_eq!(LogGroupParsers::parse(" , "), Ok(LogGroupParsers::default()));
        assert_eq!("/a=text".parse::<LogGroupParsers>(), LogGroupParsers::parse("/a=text"));
        assert_eq!(LogGroupParsers::default().parser_for("/anything", "s"), &MessageParser::Auto);
    }

    #[test]
    fn bad_entries_are_named() {
        let error = |spec: &str| LogGroupParsers::parse(spec).err().unwrap_or_default();
        let no_equals = error("/a=json,lambda");
        assert!(no_equals.contains("`lambda`") && no_equals.contains("<log group pattern>=<parser>"), "{no_equals}");
        let empty = error("/a=json, =text");
        assert!(empty.contains("`=text`") && empty.contains("empty log group pattern"), "{empty}");
        let unknown = error("/a=xml");
        assert!(unknown.contains("`/a=xml`") && unknown.contains("unknown parser `xml`"), "{unknown}");
        assert!(error("/a=").contains("unknown parser ``"));
        assert!(error("/a=JSON").contains("unknown parser `JSON`"), "names are exact");
    }

    #[test]
    fn parser_names_round_trip() {
        for name in ["auto", "text", "json", "lambda", "eks-audit", "vpcflow", "route53resolver", "waf"] {
            assert_eq!(MessageParser::parse(name).map(|p| p.name()), Ok(name));
        }
    }

    #[test]
    fn records_that_are_not_payloads_are_refused() {
        let cases: [(&[u8], &str); 8] = [
            (b"not json", "the CloudWatch Logs subscription record is not valid JSON"),
            (b"[1]", "must be a JSON object, got array"),
            (b"{}", "has no `awslogs`"),
            (br#"{"awslogs": "x"}"#, "`awslogs` must be an object, got string"),
            (br#"{"awslogs": {}}"#, "has no `awslogs.data`"),
            (br#"{"awslogs": {"data": 3}}"#, "`awslogs.data` must be a string, got number"),
            (br#"{"awslogs": {"data": "!!!"}}"#, "`awslogs.data` is not valid base64"),
            (br#"{"awslogs": {"data": "bm90IGd6aXA="}}"#, "`awslogs.data` is not valid gzip"),
        ];
        for (body, expected) in cases {
            let error = error_of(body);
            assert!(error.contains(expected), "{}: {error:?} lacks {expected:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn truncated_gzip_is_refused() {
        let whole = gzip(data_message(json!([])).to_string().as_bytes());
        let body = json!({"awslogs": {"data": base64(&whole[..whole.len() - 6])}}).to_string();
        let error = error_of(body.as_bytes());
        assert!(error.contains("is not valid gzip: truncated"), "{error}");
    }

    #[test]
    fn payloads_over_the_cap_are_refused() {
        let data = base64(&gzip(&[b' '; 1000]));
        assert_eq!(inflate(&data, 1000).map(|p| p.len()).ok(), Some(1000));
        let error = inflate(&data, 999).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            error,
            "the CloudWatch Logs subscription record: `awslogs.data` decompresses to more than 999 bytes; \
             refused (gzip bomb?)"
        );
    }

    #[test]
    fn payloads_missing_their_fields_are_refused() {
        let without = |key: &str| {
            let mut payload = data_message(json!([]));
            payload.as_object_mut().unwrap().remove(key);
            error_of(&record(&payload))
        };
        assert_eq!(without("logGroup"), "the CloudWatch Logs payload has no `logGroup`");
        assert_eq!(without("logStream"), "the CloudWatch Logs payload has no `logStream`");
        assert_eq!(without("logEvents"), "the CloudWatch Logs payload has no `logEvents`");
        assert_eq!(without("messageType"), "the CloudWatch Logs payload has no `messageType`");
        let mut odd = data_message(json!({}));
        assert!(error_of(&record(&odd)).contains("`logEvents` must be an array, got object"));
        odd["messageType"] = json!("OTHER");
        assert!(error_of(&record(&odd)).contains("`messageType` must be DATA_MESSAGE or CONTROL_MESSAGE"));
        assert!(error_of(&record(&json!("text"))).contains("the CloudWatch Logs payload must be a JSON object"));
        let not_json = json!({"awslogs": {"data": base64(&gzip(b"{oops"))}}).to_string();
        assert!(error_of(not_json.as_bytes()).starts_with("the CloudWatch Logs payload is not valid JSON"));
    }

    #[test]
    fn log_events_without_a_readable_id_fail_the_payload() {
        let cases = [
            (json!(["text"]), "`logEvents[0]` must be an object, got string"),
            (json!([{"id": "1", "message": "a"}, {"message": "b"}]), "has no `logEvents[1].id`"),
            (json!([{"id": 7, "message": "a"}]), "`logEvents[0].id` must be a string, got number"),
            (json!([{"id": "", "message": "a"}]), "`logEvents[0].id` is empty"),
        ];
        for (log_events, expected) in cases {
            let error = error_of(&record(&data_message(log_events)));
            assert!(error.contains(expected), "{error:?} lacks {expected:?}");
        }
    }

    #[test]
    fn log_events_without_a_message_are_unparsed() {
        let payload = data_message(json!([{"id": "1", "timestamp": 1}, {"id": "2", "message": ["x"]}]));
        let entries = decode_default(&record(&payload)).unwrap().entries;
        let reasons: Vec<(&str, &str)> = entries
            .iter()
            .map(|(id, entry)| match entry {
                Entry::Unparsed(unparsed) => (id.as_str(), unparsed.reason.as_str()),
                Entry::Event(_) => (id.as_str(), "an event"),
            })
            .collect();
        assert_eq!(
            reasons,
            [("1", "/app/s event 1: no `message`"), ("2", "/app/s event 2: `message` must be a string, got array")]
        );
        assert!(matches!(&entries[0].1, Entry::Unparsed(u) if u.raw == r#"{"id":"1","timestamp":1}"#));
    }

    #[test]
    fn control_messages_have_no_entries() {
        let payload = json!({"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "",
                             "logStream": "", "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": 1,
                             "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]});
        let decoded = decode_default(&record(&payload)).unwrap();
        assert_eq!(decoded.message_type, MessageType::Control);
        assert_eq!(decoded.owner, "CloudwatchLogs");
        assert!(decoded.entries.is_empty());
    }

    #[test]
    fn payload_fields_are_kept() {
        let mut payload = data_message(json!([]));
        payload["policyLevel"] = json!("ACCOUNT_LEVEL_POLICY");
        let decoded = decode_default(&record(&payload)).unwrap();
        assert_eq!(
            (decoded.owner.as_str(), decoded.log_group.as_str(), decoded.log_stream.as_str()),
            ("111122223333", "/app", "s")
        );
        assert_eq!(decoded.subscription_filters, ["f"]);
        assert_eq!(decoded.policy_level.as_deref(), Some("ACCOUNT_LEVEL_POLICY"));
    }

    fn lambda(line: &str) -> Draft {
        lambda_draft(line, "/aws/lambda/fn", ctx().received)
    }

    #[test]
    fn lambda_report_lines_become_numbers() {
        let line = "REPORT RequestId: 6f0fbe39-3ae4-4e41-9c3b-1d2e7a7b7f10\tDuration: 2.05 ms\tBilled Duration: 3 ms\t\
                    Memory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.12 ms\t\n\
                    XRAY TraceId: 1-5e1b4151-5ac6c58f6e0a3a2c4b5d6e7f\tSegmentId: 6b2d7a0b1c2d3e4f\tSampled: true\t\n";
        let draft = lambda(line);
        assert_eq!(
            Value::Object(draft.details),
            json!({"requestid": "6f0fbe39-3ae4-4e41-9c3b-1d2e7a7b7f10", "durationms": 2.05, "billeddurationms": 3,
                   "memorysizemb": 128, "maxmemoryusedmb": 70, "initdurationms": 150.12,
                   "xraytraceid": "1-5e1b4151-5ac6c58f6e0a3a2c4b5d6e7f"})
        );
        assert!(draft.summary.starts_with("REPORT RequestId: 6f0f") && draft.summary.ends_with("Sampled: true"));
        let timeout = lambda(
            "REPORT RequestId: r\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 50 MB\tStatus: timeout",
        );
        assert_eq!(timeout.details["status"], "timeout");
        assert_eq!(timeout.details["durationms"], 3000.0);
    }

    #[test]
    fn lambda_start_end_and_app_lines() {
        let start = lambda("START RequestId: r-1 Version: $LATEST\n");
        assert_eq!(Value::Object(start.details), json!({"requestid": "r-1", "version": "$LATEST"}));
        assert_eq!(start.summary, "START RequestId: r-1 Version: $LATEST");
        assert_eq!(Value::Object(lambda("END RequestId: r-1").details), json!({"requestid": "r-1"}));
        let node = lambda("2026-12-07T10:00:00.123Z\tr-1\tINFO\tuser alice logged in\n");
        assert_eq!(Value::Object(node.details), json!({"requestid": "r-1", "level": "INFO"}));
        assert_eq!(node.summary, "user alice logged in");
        assert_eq!(isoformat(&node.when), "2026-12-07T10:00:00.123000+00:00");
        let python = lambda("[ERROR]\t2026-12-07T10:00:01.5Z\tr-2\tboom\twith a tab\n");
        assert_eq!(Value::Object(python.details), json!({"requestid": "r-2", "level": "ERROR"}));
        assert_eq!(python.summary, "boom\twith a tab");
        let plain = lambda("INIT_START Runtime Version: python:3.12.v18\tRuntime Version ARN: arn:aws:lambda:x\n");
        assert!(plain.details.is_empty());
        assert_eq!(plain.summary, "INIT_START Runtime Version: python:3.12.v18\tRuntime Version ARN: arn:aws:lambda:x");
        assert!(lambda("STARTING RequestId: x").details.is_empty(), "only START, END and REPORT");
    }

    #[test]
    fn audit_summaries_leave_absent_parts_out() {
        let summary = |details: Value| audit_summary(details.as_object().unwrap());
        assert_eq!(
            summary(json!({"username": "kubernetes-admin", "verb": "create", "resource": "pods",
                           "namespace": "default", "name": "nginx", "responsecode": 201})),
            "EKS audit: kubernetes-admin create pods default/nginx (201)"
        );
        assert_eq!(
            summary(json!({"username": "u", "verb": "create", "resource": "pods", "subresource": "exec",
                           "namespace": "default", "name": "web-0", "responsecode": 101})),
            "EKS audit: u create pods/exec default/web-0 (101)"
        );
        assert_eq!(
            summary(
                json!({"username": "system:anonymous", "verb": "get", "requesturi": "/healthz", "responsecode": 403})
            ),
            "EKS audit: system:anonymous get /healthz (403)"
        );
        assert_eq!(summary(json!({"verb": "list", "resource": "nodes"})), "EKS audit: list nodes");
        assert_eq!(summary(json!({})), "EKS audit:");
    }

    #[test]
    fn host_names_come_from_the_log_group() {
        assert_eq!(function_name("/aws/lambda/checkout"), "checkout");
        assert_eq!(function_name("/aws/lambda/"), "/aws/lambda/");
        assert_eq!(function_name("/custom/fn"), "/custom/fn");
        assert_eq!(cluster_name("/aws/eks/prod/cluster"), "prod");
        assert_eq!(cluster_name("/aws/eks//cluster"), "/aws/eks//cluster");
        assert_eq!(cluster_name("/k8s/audit"), "/k8s/audit");
    }

    /// Messages that reach every parser's paths.
    const MESSAGES: &[&str] = &[
        "START RequestId: r Version: $LATEST",
        "END RequestId: r",
        "REPORT RequestId: r\tDuration: 1e999 ms\tBilled Duration: -3 ms\tMemory Size: x MB\tStatus",
        "REPORT RequestId: ",
        "2026-12-07T10:00:00Z\tr\tINFO\tm",
        "[INFO]\t2026-12-07T10:00:00Z\tr\tm",
        "[INFO\tnot a time\tr\tm",
        r#"{"kind": "Event", "user": {"username": 3}, "sourceIPs": [null], "responseStatus": {"code": -1}, "requestReceivedTimestamp": "x"}"#,
        r#"{"kind": "Event", "objectRef": "pods", "responseStatus": {"code": 99999999999999999999}}"#,
        r#"{"kind": 1}"#,
        r#"{"timestamp": "2026-12-07T10:00:00Z", "level": "INFO", "message": {"a": 1}, "requestId": 5}"#,
        r#"{"message": "hi", "details": 3}"#,
        "{",
        "[1, 2]",
        "2 111122223333 eni-1 10.0.0.1 10.0.0.2 22 49152 6 10 840 1796637600 1796637660 ACCEPT OK",
        "2 111122223333 eni-1 - - - - - - - 1796637600 1796637660 - NODATA",
        "",
        "\n",
    ];

    /// Message texts: the samples above, runtime-like lines and anything at all.
    fn message_text() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(MESSAGES).prop_map(str::to_owned),
            "(START|END|REPORT) RequestId: [a-z0-9 \t\n:.-]{0,40}",
            "\\[?[A-Z]{0,5}\\]?\t[0-9TZ:.-]{0,24}\t[a-z0-9-]{0,8}\t.{0,10}",
            any::<String>(),
        ]
    }

    fn message() -> impl Strategy<Value = Value> {
        prop_oneof![
            8 => message_text().prop_map(Value::from),
            1 => any::<i64>().prop_map(Value::from),
            1 => Just(Value::Null),
        ]
    }

    /// Mostly well-formed log events (so that whole payloads decode), sometimes not.
    fn log_event() -> impl Strategy<Value = Value> {
        let id = prop_oneof![8 => "[0-9]{1,5}".prop_map(Value::from), 1 => Just(json!("")), 1 => Just(json!(1))];
        let timestamp = prop_oneof![any::<i64>().prop_map(Value::from), Just(json!("x")), Just(json!(1.5e300))];
        (id, timestamp, message(), proptest::bool::weighted(0.9)).prop_map(|(id, timestamp, message, object)| {
            if object { json!({"id": id, "timestamp": timestamp, "message": message}) } else { message }
        })
    }

    fn payload() -> impl Strategy<Value = Value> {
        let group = proptest::sample::select(vec![
            "/aws/lambda/fn",
            "/aws/eks/prod/cluster",
            "/vpc",
            "/waf",
            "/dns",
            "/json",
            "/text",
            "/app",
            "",
        ]);
        let stream = proptest::sample::select(vec!["kube-apiserver-audit-1", "authenticator-1", "s", ""]);
        let kind = proptest::sample::select(vec!["DATA_MESSAGE", "CONTROL_MESSAGE", "OTHER"]);
        (kind, group, stream, proptest::collection::vec(log_event(), 0..6)).prop_map(|(kind, group, stream, events)| {
            json!({"messageType": kind, "owner": "111122223333", "logGroup": group, "logStream": stream,
                   "subscriptionFilters": ["f", 1], "logEvents": events})
        })
    }

    fn every_parser() -> LogGroupParsers {
        LogGroupParsers::parse("/vpc=vpcflow,/waf=waf,/dns=route53resolver,/json=json,/text=text").unwrap()
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&body, &every_parser(), &ctx());
        }

        #[test]
        fn random_data_never_panics(data in ".{0,64}", gzipped in any::<bool>()) {
            let data = if gzipped { base64(&gzip(data.as_bytes())) } else { data };
            let body = json!({"awslogs": {"data": data}}).to_string();
            let _ = decode(body.as_bytes(), &every_parser(), &ctx());
        }

        #[test]
        fn every_parser_takes_any_message(message in message_text(), parser in 0..8usize, time in any::<i64>()) {
            let parsers = [
                MessageParser::Auto, MessageParser::Text, MessageParser::Json, MessageParser::Lambda,
                MessageParser::EksAudit, MessageParser::VpcFlow(VpcFlowFormat::default_format()),
                MessageParser::Route53Resolver, MessageParser::Waf,
            ];
            let origin = Origin { group: "/g", stream: "s", owner: "" };
            let log_event = LogEvent { id: "1", time: DateTime::from_timestamp_millis(time), message: &message };
            match origin.entry(&parsers[parser], &log_event, &ctx()) {
                Some(Entry::Event(event)) => {
                    prop_assert_eq!(&event["details"]["logeventid"], "1");
                    prop_assert!(event["utctimestamp"].is_string() && event["details"].get("owner").is_none());
                }
                Some(Entry::Unparsed(unparsed)) => {
                    prop_assert!(unparsed.reason.starts_with("/g/s event 1: "));
                    prop_assert_eq!(unparsed.raw, message);
                }
                None => prop_assert_eq!(parsers[parser].name(), "vpcflow"),
            }
        }

        #[test]
        fn random_payloads_never_panic_and_name_every_entry(payload in payload()) {
            if let Ok(decoded) = decode(&record(&payload), &every_parser(), &ctx()) {
                for (id, entry) in &decoded.entries {
                    prop_assert!(!id.is_empty());
                    match entry {
                        Entry::Event(event) => prop_assert_eq!(&event["details"]["logeventid"], &json!(id)),
                        Entry::Unparsed(unparsed) => {
                            let place = format!(" event {id}: ");
                            prop_assert!(unparsed.reason.contains(&place));
                        },
                    }
                }
            }
        }
    }
}
