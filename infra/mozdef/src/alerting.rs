//! The alert side of `mozdef dev`: the catalogue (built-in alerts, generic rule files,
//! GeoModel with its localities in SQLite), alert plugins, actions run in the background and
//! schedules in SQLite, on the site's alert settings ([`AlertOptions`]).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use mozdef_alerts::actions::{ActionServices, build_actions};
use mozdef_alerts::{NoReverseDns, ScheduleStore};
use mozdef_service::{ActionRunner, AlertOptions, AlertRunner, InProcessActions};
use mozdef_store::EventStore;
use mozdef_store_embedded::{SqliteLocalities, SqliteSchedules};

/// Alert options of `mozdef dev`.
#[derive(Debug, Clone, clap::Args)]
pub struct AlertArgs {
    /// The site's alert settings.
    #[command(flatten)]
    pub options: AlertOptions,
    /// Do not run alerts on schedule (they still run through `POST /api/alerts/run`).
    #[arg(long, env = "MOZDEF_ALERTS_PAUSED")]
    pub alerts_paused: bool,
}

/// Builds the runner (every catalogue alert and generic rule, plugins, actions; schedules
/// synced at start) and hands back the schedule store the REST API shares with it.
pub async fn runner(
    args: &AlertArgs,
    data_dir: &Path,
    store: Arc<dyn EventStore>,
    records: mozdef_service::records::Records,
    collector_silences: Vec<(String, u32)>,
) -> anyhow::Result<(Arc<AlertRunner>, Arc<dyn ScheduleStore>)> {
    let database = data_dir.join("mozdef.sqlite");
    let localities = SqliteLocalities::open(&database).context("cannot open the locality database")?;
    let mut setup = args.options.setup(Some(data_dir), Some(Arc::new(localities)));
    setup.collector_silences = collector_silences;
    let loaded = setup.load()?;
    let actions_config = args.options.actions_config(Some(data_dir))?;
    let services = if actions_config.enabled.iter().any(|a| a == "sns") {
        let sdk = mozdef_aws::load(&mozdef_aws::AwsOptions::default()).await;
        ActionServices { sns: Some(Arc::new(mozdef_aws::SnsTopics::new(aws_sdk_sns::Client::new(&sdk)))) }
    } else {
        ActionServices::default()
    };
    let actions = build_actions(&actions_config, &services)?;
    let actions = ActionRunner::new(actions, actions_config.retry, store.clone());
    let schedules: Arc<dyn ScheduleStore> =
        Arc::new(SqliteSchedules::open(&database).context("cannot open the schedule database")?);
    let runner = AlertRunner::new(
        loaded.catalogue.entries,
        store,
        schedules.clone(),
        loaded.plugins,
        Arc::new(NoReverseDns),
        Arc::new(InProcessActions::new(Arc::new(actions))),
    )
    .with_records(records);
    let synced = runner.sync_schedules().await.context("cannot sync alert schedules")?;
    let enabled = synced.iter().filter(|s| s.enabled).count();
    tracing::info!(alerts = synced.len(), enabled, "alert schedules ready");
    Ok((Arc::new(runner), schedules))
}
