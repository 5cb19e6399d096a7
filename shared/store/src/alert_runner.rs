//! Running the alert catalogue on a store, on schedule or on demand: MozDef's celery beat
//! (`AlertsScheduler`) and workers, without celery. Each run records `last_run_at` and
//! `total_run_count`; every raised alert goes to the [`AlertSink`] (actions, the alerts
//! queue) after it is stored.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_alerts::actions::AlertMessage;
use mozdef_alerts::{
    AlertContext, AlertEnv, AlertPlugin, AlertSchedule, CatalogueEntry, RaisedAlert, ReverseDns, Schedule, run_alert,
};
use serde_json::{Value, json};

use crate::alerting::StoreAlertBackend;
use crate::{EventStore, ScheduleStore, StoreError};

/// Where raised alerts go once stored: MozDef published `{_id, _index, _source}` to the
/// `alerts` exchange (or SQS queue) for the actions and bots.
#[async_trait]
pub trait AlertSink: Send + Sync {
    /// Hands one stored alert on; must not block the run for long (queue it). An error is
    /// reported in the run's [`RunReport::errors`] (the alert itself is stored).
    async fn publish(&self, alert: &RaisedAlert) -> Result<(), String>;
}

/// A sink that drops everything (no actions configured).
#[derive(Debug, Default)]
pub struct NoSink;

#[async_trait]
impl AlertSink for NoSink {
    async fn publish(&self, _alert: &RaisedAlert) -> Result<(), String> {
        Ok(())
    }
}

/// What one entry's run did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The entry (`bruteforce_ssh.AlertBruteforceSsh`).
    pub name: String,
    /// The alerts raised, stored.
    pub raised: Vec<RaisedAlert>,
    /// Why (part of) the run failed; the other tasks of the entry still ran.
    pub errors: Vec<String>,
}

impl RunReport {
    /// The report as the REST API returns it.
    pub fn to_value(&self) -> Value {
        let alerts: Vec<Value> = self.raised.iter().map(|a| AlertMessage::of_raised(a).to_json()).collect();
        json!({"name": self.name, "alerts": alerts, "errors": self.errors})
    }
}

/// Errors of an on-demand run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A requested name is not a loaded alert.
    #[error("unknown alert {0:?}")]
    UnknownAlert(String),
    /// The schedule store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The alert catalogue bound to a store, a schedule store, plugins and a sink.
pub struct AlertRunner {
    entries: Vec<CatalogueEntry>,
    store: Arc<dyn EventStore>,
    schedules: Arc<dyn ScheduleStore>,
    plugins: Vec<Arc<dyn AlertPlugin>>,
    reverse_dns: Arc<dyn ReverseDns>,
    sink: Arc<dyn AlertSink>,
    /// The schedule of entries not scheduled yet (MozDef's docs: every minute).
    pub default_schedule: Schedule,
}

impl std::fmt::Debug for AlertRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertRunner").field("entries", &self.entries).finish_non_exhaustive()
    }
}

impl AlertRunner {
    /// A runner over `entries`.
    pub fn new(
        entries: Vec<CatalogueEntry>,
        store: Arc<dyn EventStore>,
        schedules: Arc<dyn ScheduleStore>,
        plugins: Vec<Arc<dyn AlertPlugin>>,
        reverse_dns: Arc<dyn ReverseDns>,
        sink: Arc<dyn AlertSink>,
    ) -> Self {
        AlertRunner {
            entries,
            store,
            schedules,
            plugins,
            reverse_dns,
            sink,
            default_schedule: Schedule::every_minutes(1),
        }
    }

    /// The loaded entries' names.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    /// The schedule store.
    pub fn schedules(&self) -> &Arc<dyn ScheduleStore> {
        &self.schedules
    }

    /// MozDef's start-up sync: every loaded entry gets a schedule (stored ones keep their
    /// `enabled` and run statistics), schedules of entries no longer loaded are dropped.
    pub async fn sync_schedules(&self) -> Result<Vec<AlertSchedule>, StoreError> {
        let stored = self.schedules.list().await?;
        let configured = self
            .entries
            .iter()
            .map(|e| {
                let existing = stored.iter().find(|s| s.name == e.name);
                let schedule = existing.map_or_else(|| self.default_schedule.clone(), |s| s.schedule.clone());
                let mut configured = AlertSchedule::new(&e.name, schedule);
                configured.enabled = e.enabled_by_default;
                configured
            })
            .collect();
        let merged = mozdef_alerts::schedule::merge_configured(&stored, configured);
        self.schedules.replace_all(&merged).await?;
        Ok(merged)
    }

    /// Runs every enabled entry whose schedule is due at `now`.
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<Vec<RunReport>, StoreError> {
        let mut due = Vec::new();
        for schedule in self.schedules.list().await? {
            match schedule.schedule.is_due(schedule.last_run_at, now) {
                Ok(true) if schedule.enabled => due.push(schedule.name),
                Ok(_) => {}
                Err(error) => tracing::error!(alert = %schedule.name, %error, "bad schedule; not run"),
            }
        }
        self.run_entries(&due, now).await
    }

    /// `POST /api/alerts/run`: runs the named entries now (empty: every enabled one). A name
    /// may be an entry (`file.Class`), its file (`bruteforce_ssh`) or its class.
    pub async fn run_named(&self, names: &[String], now: DateTime<Utc>) -> Result<Vec<RunReport>, RunError> {
        let selected: Vec<String> = if names.is_empty() {
            self.schedules.list().await?.into_iter().filter(|s| s.enabled).map(|s| s.name).collect()
        } else {
            let mut selected = Vec::new();
            for name in names {
                let entry = self.entries.iter().find(|e| {
                    e.name == *name || e.name.split_once('.').is_some_and(|(file, class)| file == name || class == name)
                });
                match entry {
                    Some(e) => selected.push(e.name.clone()),
                    None => return Err(RunError::UnknownAlert(name.clone())),
                }
            }
            selected
        };
        Ok(self.run_entries(&selected, now).await?)
    }

    async fn run_entries(&self, names: &[String], now: DateTime<Utc>) -> Result<Vec<RunReport>, StoreError> {
        let wanted: HashSet<&str> = names.iter().map(String::as_str).collect();
        let backend = StoreAlertBackend::new(self.store.clone());
        let env = AlertEnv { backend: &backend, plugins: &self.plugins };
        let ctx = AlertContext { now, reverse_dns: self.reverse_dns.clone(), watchlist: Vec::new() };
        let mut reports = Vec::new();
        for entry in self.entries.iter().filter(|e| wanted.contains(e.name.as_str())) {
            let mut report = RunReport { name: entry.name.clone(), raised: Vec::new(), errors: Vec::new() };
            let mut outcomes = Vec::new();
            for task in &entry.tasks {
                outcomes.push(run_alert(task.as_ref(), env, &ctx).await);
            }
            for alert in &entry.stateful {
                outcomes.push(alert.run(env, &ctx).await);
            }
            for outcome in outcomes {
                match outcome {
                    Ok(raised) => report.raised.extend(raised),
                    Err(error) => {
                        tracing::error!(alert = %entry.name, %error, "alert run failed");
                        report.errors.push(error.to_string());
                    }
                }
            }
            self.schedules.record_run(&entry.name, now).await?;
            for alert in &report.raised {
                if let Err(error) = self.sink.publish(alert).await {
                    tracing::error!(alert = %entry.name, id = %alert.stored.id, %error, "alert not published");
                    report.errors.push(format!("publishing alert {}: {error}", alert.stored.id));
                }
            }
            reports.push(report);
        }
        Ok(reports)
    }
}
