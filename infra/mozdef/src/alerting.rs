//! The alert side of `mozdef dev`: the catalogue (built-in alerts, generic rule files),
//! schedules in SQLite, and the loop that runs due alerts every minute.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mozdef_alerts::{ConfigSource, NoReverseDns};
use mozdef_model::Clock;
use mozdef_store::EventStore;
use mozdef_store::alert_runner::{AlertRunner, NoSink};
use mozdef_store_embedded::SqliteSchedules;
use tokio::sync::watch;

/// Alert options of `mozdef dev`.
#[derive(Debug, Clone, clap::Args)]
pub struct AlertArgs {
    /// Per-alert settings: `<module>.json` files over MozDef's defaults (default:
    /// `<data-dir>/alerts` when it exists). `MOZDEF_ALERT_<MODULE>__<KEY>` overrides both.
    #[arg(long, env = "MOZDEF_ALERT_CONFIG_DIR")]
    pub alert_config: Option<PathBuf>,
    /// Do not run alerts on schedule (they still run through `POST /api/alerts/run`).
    #[arg(long, env = "MOZDEF_ALERTS_PAUSED")]
    pub alerts_paused: bool,
}

/// Builds the runner: every catalogue alert, schedules synced at start.
pub async fn runner(args: &AlertArgs, data_dir: &Path, store: Arc<dyn EventStore>) -> anyhow::Result<Arc<AlertRunner>> {
    let config_dir = args.alert_config.clone().or_else(|| Some(data_dir.join("alerts")).filter(|d| d.is_dir()));
    let config = ConfigSource::new(config_dir.as_deref());
    let catalogue = mozdef_alerts::catalogue::load(&config);
    for error in &catalogue.errors {
        tracing::error!(%error, "alert not loaded");
    }
    let schedules =
        SqliteSchedules::open(&data_dir.join("mozdef.sqlite")).context("cannot open the schedule database")?;
    let runner = AlertRunner::new(
        catalogue.entries,
        store,
        Arc::new(schedules),
        Vec::new(),
        Arc::new(NoReverseDns),
        Arc::new(NoSink),
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
