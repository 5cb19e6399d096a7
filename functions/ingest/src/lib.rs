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
//! CloudTrail log file once decompressed, default 512 MiB); `RUST_LOG`.

pub mod handler;

use std::sync::Arc;

use anyhow::Context;
use mozdef_aws::lambda_env::{EnvError, opensearch_from_env, optional};
use mozdef_aws::{AwsOptions, S3Objects, SqsRecordReader};
use mozdef_pipeline::decode::{CloudTrailDecoder, DEFAULT_MAX_DECOMPRESSED_BYTES};
use mozdef_service::{Ingest, PipelineOptions};
use mozdef_store::EventStore;

/// The variable capping one CloudTrail log file's decompressed size.
pub const MAX_DECOMPRESSED_BYTES: &str = "MOZDEF_MAX_DECOMPRESSED_BYTES";

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
        let store = opensearch_from_env().await?;
        let ingest = options.ingest(None).context("cannot build the pipeline")?;
        let sdk = mozdef_aws::load(&AwsOptions::default()).await;
        let s3 = aws_sdk_s3::Client::new(&sdk);
        let reader = reader(s3, &ingest, max_decompressed_bytes);
        tracing::info!(plugins = ingest.chain().names().len(), max_decompressed_bytes, "ingest ready");
        Ok(IngestFunction::new(ingest, Arc::new(store), reader))
    }

    /// The pipeline.
    pub fn ingest(&self) -> &Ingest {
        &self.ingest
    }
}

/// The SQS record reader for `ingest`: loginput objects and CloudTrail log files from `s3`
/// (on the current runtime), `ingest`'s host name on decoded events.
pub fn reader(s3: aws_sdk_s3::Client, ingest: &Ingest, max_decompressed_bytes: u64) -> SqsRecordReader {
    let objects = S3Objects::new(s3.clone(), tokio::runtime::Handle::current());
    let cloudtrail = CloudTrailDecoder::new(objects)
        .with_max_decompressed_bytes(max_decompressed_bytes)
        .with_process(std::process::id().to_string(), PROCESS_NAME);
    SqsRecordReader::new(s3, cloudtrail, ingest.mozdefhostname())
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
