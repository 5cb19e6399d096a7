//! Lambda `collectors`: MozDef's pull collectors (`okta2mozdef`, `duo_logpull`,
//! `auth02mozdef`, `google2mozdef`) on AWS. The stack gives each configured source an
//! EventBridge rule that invokes this function every `every_minutes` with
//! `{"source": "<name>"}`; one invocation is one run of that source
//! ([`mozdef_service::collectors::Collectors::run`]): its pages are queued on the events queue
//! (as loginput queues requests), its cursor saved in the records table after each page.
//!
//! Configuration (environment, checked at cold start): `MOZDEF_COLLECTORS` (the sources, JSON
//! as `collectors.json`), `MOZDEF_EVENTS_QUEUE_URL`, `MOZDEF_LARGE_EVENTS_BUCKET`,
//! `MOZDEF_RECORDS_TABLE` (the cursors), `MOZDEF_SECRETS_PREFIX` (the Secrets Manager name
//! prefix of the sources' `secret`s, default `mozdef/`).

pub mod handler;

use std::sync::Arc;

use mozdef_aws::lambda_env::{optional, required};
use mozdef_aws::{AwsOptions, SecretsManagerSecrets, SqsEventQueue};
use mozdef_collectors::http::Http;
use mozdef_service::collectors::{CollectorOptions, Collectors, RecordCursors};
use mozdef_store_dynamodb::DynamoRecords;

/// The Secrets Manager prefix when `MOZDEF_SECRETS_PREFIX` is not set.
pub const DEFAULT_SECRETS_PREFIX: &str = "mozdef/";

/// The collectors the environment describes.
pub async fn collectors_from_env() -> anyhow::Result<Collectors> {
    let options: CollectorOptions = mozdef_service::from_env()?;
    let config = options.load(None)?;
    let sdk = mozdef_aws::load(&AwsOptions::default()).await;
    let queue = SqsEventQueue::new(
        aws_sdk_sqs::Client::new(&sdk),
        aws_sdk_s3::Client::new(&sdk),
        required("MOZDEF_EVENTS_QUEUE_URL")?,
        required("MOZDEF_LARGE_EVENTS_BUCKET")?,
    );
    let records = DynamoRecords::new(aws_sdk_dynamodb::Client::new(&sdk), required("MOZDEF_RECORDS_TABLE")?);
    let prefix = optional("MOZDEF_SECRETS_PREFIX").unwrap_or_else(|| DEFAULT_SECRETS_PREFIX.to_owned());
    let secrets = SecretsManagerSecrets::new(aws_sdk_secretsmanager::Client::new(&sdk), prefix);
    let sources = config.enabled().count();
    let collectors = Collectors::new(
        config,
        Arc::new(secrets),
        Http::new()?,
        Arc::new(RecordCursors::new(Arc::new(records))),
        Arc::new(queue),
    );
    tracing::info!(sources, "collectors ready");
    Ok(collectors)
}
