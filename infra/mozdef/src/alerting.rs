//! The alert side of `mozdef dev`: the catalogue (built-in alerts, generic rule files,
//! GeoModel with its localities in SQLite), alert plugins, actions run in the background,
//! schedules in SQLite, and the loop that runs due alerts every minute.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mozdef_alerts::actions::{ActionServices, ActionsConfig, build_actions};
use mozdef_alerts::{AlertSetup, ConfigSource, NoReverseDns};
use mozdef_model::Clock;
use mozdef_store::EventStore;
use mozdef_store::alert_actions::{ActionRunner, InProcessActions};
use mozdef_store::alert_runner::AlertRunner;
use mozdef_store_embedded::{SqliteLocalities, SqliteSchedules};
use tokio::sync::watch;

/// Alert options of `mozdef dev`.
#[derive(Debug, Clone, clap::Args)]
pub struct AlertArgs {
    /// Per-alert and per-action settings: `<module>.json` files over MozDef's defaults
    /// (default: `<data-dir>/alerts` when it exists). `MOZDEF_ALERT_<MODULE>__<KEY>`
    /// variables override them.
    #[arg(long, env = "MOZDEF_ALERT_CONFIG_DIR")]
    pub alert_config: Option<PathBuf>,
    /// Generic rule files (`*.json`, JSON or hjson; default: `<data-dir>/alerts/rules` when
    /// it exists).
    #[arg(long, env = "MOZDEF_ALERT_RULES_DIR")]
    pub alert_rules: Option<PathBuf>,
    /// Alert plugins to enable (MozDef's ALERT_PLUGINS), comma-separated.
    #[arg(long, env = "MOZDEF_ALERT_PLUGINS", value_delimiter = ',')]
    pub alert_plugins: Vec<String>,
    /// Do not run alerts on schedule (they still run through `POST /api/alerts/run`).
    #[arg(long, env = "MOZDEF_ALERTS_PAUSED")]
    pub alerts_paused: bool,
}

/// Builds the runner: every catalogue alert and generic rule, plugins, actions; schedules
/// synced at start.
pub async fn runner(args: &AlertArgs, data_dir: &Path, store: Arc<dyn EventStore>) -> anyhow::Result<Arc<AlertRunner>> {
    let existing = |dir: PathBuf| Some(dir).filter(|d| d.is_dir());
    let config_dir = args.alert_config.clone().or_else(|| existing(data_dir.join("alerts")));
    let setup = AlertSetup {
        rules_dir: args.alert_rules.clone().or_else(|| existing(data_dir.join("alerts").join("rules"))),
        config_dir: config_dir.clone(),
        plugins: args.alert_plugins.clone(),
        localities: Some(Arc::new(
            SqliteLocalities::open(&data_dir.join("mozdef.sqlite")).context("cannot open the locality database")?,
        )),
    };
    let loaded = setup.load()?;
    let actions_config = ActionsConfig::load(&ConfigSource::new(config_dir.as_deref()))?;
    let services = if actions_config.enabled.iter().any(|a| a == "sns") {
        let sdk = mozdef_aws::load(&mozdef_aws::AwsOptions::default()).await;
        ActionServices { sns: Some(Arc::new(mozdef_aws::SnsTopics::new(aws_sdk_sns::Client::new(&sdk)))) }
    } else {
        ActionServices::default()
    };
    let actions = build_actions(&actions_config, &services)?;
    let actions = ActionRunner::new(actions, actions_config.retry, store.clone());
    let schedules =
        SqliteSchedules::open(&data_dir.join("mozdef.sqlite")).context("cannot open the schedule database")?;
    let runner = AlertRunner::new(
        loaded.catalogue.entries,
        store,
        Arc::new(schedules),
        loaded.plugins,
        Arc::new(NoReverseDns),
        Arc::new(InProcessActions::new(Arc::new(actions))),
    );
    let schedules = runner.sync_schedules().await.context("cannot sync alert schedules")?;
    let enabled = schedules.iter().filter(|s| s.enabled).count();
    tracing::info!(alerts = schedules.len(), enabled, "alert schedules ready");
    Ok(Arc::new(runner))
}

/// Runs due alerts at the start of every minute until `stop`.
pub async fn run_schedule(runner: Arc<AlertRunner>, clock: Arc<dyn Clock>, mut stop: watch::Receiver<bool>) {
    loop {
        let now = clock.now();
        match runner.run_due(now).await {
            Ok(reports) => {
                let raised: usize = reports.iter().map(|r| r.raised.len()).sum();
                if !reports.is_empty() {
                    tracing::info!(ran = reports.len(), raised, "scheduled alerts ran");
                }
            }
            Err(error) => tracing::error!(%error, "scheduled alert run failed"),
        }
        let into_minute = u64::try_from(now.timestamp().rem_euclid(60)).unwrap_or(0);
        let wait = Duration::from_secs(60 - into_minute);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
    }
}
