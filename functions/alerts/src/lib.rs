//! Lambda `alerts`: EventBridge (every minute) → the due alerts of the catalogue run on
//! OpenSearch → each raised alert goes to the alerts SQS queue for `alert-actions`.
//!
//! Configuration (environment, checked at cold start): `MOZDEF_OPENSEARCH_URL`,
//! `MOZDEF_OPENSEARCH_SIGV4` (`es` or `aoss`, optional), `MOZDEF_OPENSEARCH_PREFIX`,
//! `MOZDEF_SCHEDULES_TABLE`, `MOZDEF_ALERTS_QUEUE_URL`, and optionally
//! `MOZDEF_ALERT_CONFIG_DIR` (per-alert settings; `MOZDEF_ALERT_<MODULE>__<KEY>` variables
//! override them), `MOZDEF_ALERT_RULES_DIR` (generic rule files), `MOZDEF_ALERT_PLUGINS`
//! (comma-separated).

pub mod handler;

use std::sync::Arc;

use anyhow::Context;
use mozdef_alerts::{AlertSetup, NoReverseDns};
use mozdef_aws::lambda_env::{list, opensearch_from_env, optional, required};
use mozdef_aws::{AwsOptions, SqsAlertQueue};
use mozdef_store::alert_runner::AlertRunner;
use mozdef_store_dynamodb::DynamoSchedules;

/// The alert configuration the environment names.
pub fn setup_from_env() -> AlertSetup {
    AlertSetup {
        config_dir: optional("MOZDEF_ALERT_CONFIG_DIR").map(Into::into),
        rules_dir: optional("MOZDEF_ALERT_RULES_DIR").map(Into::into),
        plugins: list("MOZDEF_ALERT_PLUGINS"),
    }
}

/// The runner the environment describes, with its schedules synced.
pub async fn runner_from_env() -> anyhow::Result<AlertRunner> {
    let sdk = mozdef_aws::load(&AwsOptions::default()).await;
    let store = opensearch_from_env(&sdk)?;
    let schedules = DynamoSchedules::new(aws_sdk_dynamodb::Client::new(&sdk), required("MOZDEF_SCHEDULES_TABLE")?);
    let queue = SqsAlertQueue::new(aws_sdk_sqs::Client::new(&sdk), required("MOZDEF_ALERTS_QUEUE_URL")?);
    let loaded = setup_from_env().load()?;
    let runner = AlertRunner::new(
        loaded.catalogue.entries,
        Arc::new(store),
        Arc::new(schedules),
        loaded.plugins,
        Arc::new(NoReverseDns),
        Arc::new(queue),
    );
    runner.sync_schedules().await.context("cannot sync alert schedules")?;
    Ok(runner)
}
