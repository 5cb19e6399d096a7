//! Lambda `alerts`: EventBridge (every minute) → the due alerts of the catalogue run on
//! OpenSearch → each raised alert goes to the alerts SQS queue for `alert-actions`.
//!
//! Configuration (environment, checked at cold start):
//! `MOZDEF_OPENSEARCH_URL`, `MOZDEF_OPENSEARCH_SIGV4` (`es` or `aoss`, optional),
//! `MOZDEF_OPENSEARCH_PREFIX`, `MOZDEF_SCHEDULES_TABLE`, `MOZDEF_ALERTS_QUEUE_URL`,
//! `MOZDEF_ALERT_CONFIG_DIR` (per-alert settings, optional; `MOZDEF_ALERT_<MODULE>__<KEY>`
//! variables override them).

pub mod handler;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use mozdef_alerts::{ConfigSource, NoReverseDns};
use mozdef_aws::{AwsOptions, SqsAlertQueue};
use mozdef_store::alert_runner::AlertRunner;
use mozdef_store_dynamodb::DynamoSchedules;
use mozdef_store_opensearch::{Auth, OpenSearchConfig, OpenSearchStore, SigningService};

fn required(name: &str) -> anyhow::Result<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).with_context(|| format!("{name} is not set"))
}

/// The runner the environment describes, with its schedules synced.
pub async fn runner_from_env() -> anyhow::Result<AlertRunner> {
    let sdk = mozdef_aws::load(&AwsOptions::default()).await;
    let mut config = OpenSearchConfig::from_url(&required("MOZDEF_OPENSEARCH_URL")?)?;
    config.index_prefix = std::env::var("MOZDEF_OPENSEARCH_PREFIX").unwrap_or_default();
    if let Ok(service) = std::env::var("MOZDEF_OPENSEARCH_SIGV4") {
        let service: SigningService = service.parse()?;
        config.auth = Auth::SigV4 { config: Box::new(sdk.clone()), service };
    }
    let store = OpenSearchStore::open(config)?;
    let schedules = DynamoSchedules::new(aws_sdk_dynamodb::Client::new(&sdk), required("MOZDEF_SCHEDULES_TABLE")?);
    let queue = SqsAlertQueue::new(aws_sdk_sqs::Client::new(&sdk), required("MOZDEF_ALERTS_QUEUE_URL")?);
    let config_dir = std::env::var("MOZDEF_ALERT_CONFIG_DIR").ok().map(PathBuf::from);
    let catalogue = mozdef_alerts::catalogue::load(&ConfigSource::new(config_dir.as_deref()));
    for error in &catalogue.errors {
        tracing::error!(%error, "alert not loaded");
    }
    let runner = AlertRunner::new(
        catalogue.entries,
        Arc::new(store),
        Arc::new(schedules),
        Vec::new(),
        Arc::new(NoReverseDns),
        Arc::new(queue),
    );
    runner.sync_schedules().await.context("cannot sync alert schedules")?;
    Ok(runner)
}
