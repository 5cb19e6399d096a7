//! Lambda `alerts`: EventBridge (every minute) → the due alerts of the catalogue run on
//! OpenSearch → each raised alert goes to the alerts SQS queue for `alert-actions`. The API
//! function's "run alerts now" arrives as an asynchronous invoke with a run-now payload
//! (`mozdef_aws::alert_invoke::RunNowRequest`) and runs the named alerts the same way.
//!
//! Configuration (environment, checked at cold start): `MOZDEF_OPENSEARCH_URL`,
//! `MOZDEF_OPENSEARCH_SIGV4` (`es` or `aoss`, optional), `MOZDEF_OPENSEARCH_PREFIX`,
//! `MOZDEF_SCHEDULES_TABLE`, `MOZDEF_ALERTS_QUEUE_URL`, and optionally
//! `MOZDEF_ALERT_CONFIG_DIR` (per-alert settings; `MOZDEF_ALERT_<MODULE>__<KEY>` variables
//! override them), `MOZDEF_ALERT_RULES_DIR` (generic rule files), `MOZDEF_ALERT_PLUGINS`
//! (comma-separated), `MOZDEF_LOCALITIES_TABLE` (GeoModel's state; without it GeoModel does
//! not run), `MOZDEF_RECORDS_TABLE` (the REST API's records: each raised alert gets its triage
//! copy there at once, and `get_watchlist` reads the watchlist from it), `MOZDEF_COLLECTORS`
//! (the pull collectors' sources: each gets its silence alert,
//! `collector_silence.AlertDeadmanGeneric`).

pub mod handler;

use std::sync::Arc;

use anyhow::Context;
use mozdef_alerts::{AlertSetup, NoReverseDns};
use mozdef_aws::lambda_env::{opensearch_from_env, optional, required};
use mozdef_aws::{AwsOptions, SqsAlertQueue};
use mozdef_model::SystemClock;
use mozdef_service::collectors::{CollectorOptions, Collectors};
use mozdef_service::records::{Records, Whitelists};
use mozdef_service::{AlertOptions, AlertRunner};
use mozdef_store::EventStore;
use mozdef_store_dynamodb::{DynamoLocalities, DynamoRecords, DynamoSchedules};

/// How long a user's GeoModel state lives in DynamoDB without being seen again (the table's
/// TTL; GeoModel drops localities older than its `valid_duration_days` on its own).
const LOCALITY_TTL: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// The alert configuration the environment names (the site's alert settings, read as
/// `mozdef dev` reads them; GeoModel with `MOZDEF_LOCALITIES_TABLE`).
pub fn setup_from_env(sdk: &aws_config::SdkConfig) -> anyhow::Result<AlertSetup> {
    let localities = optional("MOZDEF_LOCALITIES_TABLE").map(|table| {
        let store = DynamoLocalities::new(aws_sdk_dynamodb::Client::new(sdk), table, LOCALITY_TTL);
        Arc::new(store) as Arc<dyn mozdef_alerts::localities::LocalityStore>
    });
    let options: AlertOptions = mozdef_service::from_env()?;
    let collectors: CollectorOptions = mozdef_service::from_env()?;
    let mut setup = options.setup(None, localities);
    setup.collector_silences = Collectors::silences(&collectors.load(None)?);
    Ok(setup)
}

/// The runner the environment describes, with its schedules synced.
pub async fn runner_from_env() -> anyhow::Result<AlertRunner> {
    let sdk = mozdef_aws::load(&AwsOptions::default()).await;
    let store = opensearch_from_env().await?;
    let schedules = DynamoSchedules::new(aws_sdk_dynamodb::Client::new(&sdk), required("MOZDEF_SCHEDULES_TABLE")?);
    let queue = SqsAlertQueue::new(aws_sdk_sqs::Client::new(&sdk), required("MOZDEF_ALERTS_QUEUE_URL")?);
    let loaded = setup_from_env(&sdk)?.load()?;
    let store: Arc<dyn EventStore> = Arc::new(store);
    let mut runner = AlertRunner::new(
        loaded.catalogue.entries,
        store.clone(),
        Arc::new(schedules),
        loaded.plugins,
        Arc::new(NoReverseDns),
        Arc::new(queue),
    );
    if let Some(table) = optional("MOZDEF_RECORDS_TABLE") {
        let records = DynamoRecords::new(aws_sdk_dynamodb::Client::new(&sdk), table);
        runner =
            runner.with_records(Records::new(Arc::new(records), store, Arc::new(SystemClock), Whitelists::default()));
    }
    runner.sync_schedules().await.context("cannot sync alert schedules")?;
    tracing::info!(alerts = runner.names().len(), "alerts ready");
    Ok(runner)
}
