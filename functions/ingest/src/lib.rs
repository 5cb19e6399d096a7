//! Lambda `ingest`: the events SQS queue → the decoders → MozDef's pipeline → OpenSearch, with
//! an SQS partial batch response.
//!
//! Every record of a batch becomes one ingest record ([`mozdef_aws::SqsRecordReader`]:
//! loginput messages, SNS notifications, CloudTrail log files named by S3 notifications,
//! GuardDuty findings through EventBridge, shipper JSON sent straight to SQS); the batch goes
//! through [`Ingest::ingest_batch`] once (key mapping, plugins, routing, one bulk request,
//! quarantine, commit), and the records with an event still to store — or that neither the
//! index nor the quarantine took — are the batch item failures, so SQS delivers them again
//! (and, past the queue's `maxReceiveCount`, moves them to its dead-letter queue). Nothing is
//! acknowledged before it is stored.
//!
//! Configuration (environment, checked at cold start; a bad value fails it, naming the
//! variable): `MOZDEF_OPENSEARCH_URL` (required), `MOZDEF_OPENSEARCH_SIGV4` (`es` or `aoss`),
//! `MOZDEF_OPENSEARCH_PREFIX`; the pipeline's `OPTIONS_MOZDEFHOSTNAME`, `OPTIONS_GEOIP`,
//! `OPTIONS_PLUGINS_DIR`, `OPTIONS_PLUGIN_CONFIG_DIR` (and MozDef's `OPTIONS_<KEY>` overrides
//! of the plugin sidecar files); `MOZDEF_MAX_DECOMPRESSED_BYTES` (optional: the cap on one
//! S3 log file once decompressed, default 512 MiB); `MOZDEF_CLOUDWATCH_PARSERS` (optional:
//! which parser reads which CloudWatch Logs log groups, `pattern=parser,...`, see
//! [`LogGroupParsers`]); `RUST_LOG`.
//!
//! Besides SQS batches, the function takes CloudWatch Logs subscription payloads directly
//! (`{"awslogs": {"data": ...}}`, a subscription filter whose destination is this function):
//! the payload is ingested as one record, and an error is returned unless every event is
//! stored, so Lambda's asynchronous invocation retries it (and then hands it to the
//! function's on-failure destination).

pub mod handler;

use std::sync::Arc;

use anyhow::Context;
use mozdef_aws::lambda_env::{EnvError, opensearch_from_env, optional};
use mozdef_aws::{AwsOptions, S3Objects, SqsRecordReader};
use mozdef_pipeline::decode::aws_logs::S3LogDecoder;
use mozdef_pipeline::decode::aws_logs::cloudwatch_logs::LogGroupParsers;
use mozdef_pipeline::decode::{CloudTrailDecoder, DEFAULT_MAX_DECOMPRESSED_BYTES};
use mozdef_service::{Ingest, PipelineOptions};
use mozdef_store::EventStore;

/// The variable capping one S3 log file's decompressed size.
pub const MAX_DECOMPRESSED_BYTES: &str = "MOZDEF_MAX_DECOMPRESSED_BYTES";
/// The variable naming the CloudWatch Logs log groups' parsers.
pub const CLOUDWATCH_PARSERS: &str = "MOZDEF_CLOUDWATCH_PARSERS";

/// The `processname` written on CloudTrail events (the executable is Lambda's `bootstrap`).
const PROCESS_NAME: &str = "ingest";

/// What the handler works with, built once at cold start.
#[derive(Debug)]
pub struct IngestFunction {
    ingest: Ingest,
    store: Arc<dyn EventStore>,
    reader: SqsRecordReader,
}

impl IngestFunction {
    /// The function over `ingest` (the pipeline), `store` and `reader`.
    pub fn new(ingest: Ingest, store: Arc<dyn EventStore>, reader: SqsRecordReader) -> Self {
        IngestFunction { ingest, store, reader }
    }

    /// The function the environment describes (see the crate documentation).
    pub async fn from_env() -> anyhow::Result<Self> {
        let options: PipelineOptions = mozdef_service::from_env()?;
        let max_decompressed_bytes = max_decompressed_bytes()?;
        let parsers = cloudwatch_parsers()?;
        let store = opensearch_from_env().await?;
        let ingest = options.ingest(None).context("cannot build the pipeline")?;
        let sdk = mozdef_aws::load(&AwsOptions::default()).await;
        let s3 = aws_sdk_s3::Client::new(&sdk);
        let reader = reader(s3, &ingest, max_decompressed_bytes, parsers);
        tracing::info!(plugins = ingest.chain().names().len(), max_decompressed_bytes, "ingest ready");
        Ok(IngestFunction::new(ingest, Arc::new(store), reader))
    }

    /// The pipeline.
    pub fn ingest(&self) -> &Ingest {
        &self.ingest
    }

    /// The store.
    pub fn store(&self) -> &dyn EventStore {
        self.store.as_ref()
    }

    /// The SQS record reader.
    pub fn reader(&self) -> &SqsRecordReader {
        &self.reader
    }
}

/// The SQS record reader for `ingest`: loginput objects and log files from `s3` (on the
/// current runtime), CloudWatch Logs payloads by `parsers`, `ingest`'s host name on decoded
/// events.
pub fn reader(
    s3: aws_sdk_s3::Client,
    ingest: &Ingest,
    max_decompressed_bytes: u64,
    parsers: LogGroupParsers,
) -> SqsRecordReader {
    let objects = S3Objects::new(s3.clone(), tokio::runtime::Handle::current());
    let cloudtrail = CloudTrailDecoder::new(objects)
        .with_max_decompressed_bytes(max_decompressed_bytes)
        .with_process(std::process::id().to_string(), PROCESS_NAME);
    SqsRecordReader::new(s3, S3LogDecoder::new(cloudtrail), parsers, ingest.mozdefhostname())
}

/// `MOZDEF_CLOUDWATCH_PARSERS`, or the built-in defaults.
fn cloudwatch_parsers() -> Result<LogGroupParsers, EnvError> {
    let Some(value) = optional(CLOUDWATCH_PARSERS) else { return Ok(LogGroupParsers::default()) };
    LogGroupParsers::parse(&value).map_err(|message| EnvError::Invalid { name: CLOUDWATCH_PARSERS.to_owned(), message })
}

/// `MOZDEF_MAX_DECOMPRESSED_BYTES`, or the decoder's default.
fn max_decompressed_bytes() -> Result<u64, EnvError> {
    let Some(value) = optional(MAX_DECOMPRESSED_BYTES) else { return Ok(DEFAULT_MAX_DECOMPRESSED_BYTES) };
    match value.trim().parse::<u64>() {
        Ok(bytes) if bytes > 0 => Ok(bytes),
        _ => Err(EnvError::Invalid {
            name: MAX_DECOMPRESSED_BYTES.to_owned(),
            message: format!("{value:?} is not a positive number of bytes"),
        }),
    }
}
