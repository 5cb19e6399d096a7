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
    AlertContext, AlertEnv, AlertPlugin, AlertSchedule, AlertSink, BackendError, CatalogueEntry, RaisedAlert,
    ReverseDns, Schedule, ScheduleStore, run_alert,
};
use mozdef_store::EventStore;
use serde_json::{Value, json};

use crate::alert_backend::StoreAlertBackend;
use crate::error::ServiceError;

/// One failure within an entry's run, and whether running it again may succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFailure {
    /// What failed.
    pub message: String,
    /// Whether a later run may succeed (a passing store or queue failure).
    pub retryable: bool,
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
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
    pub errors: Vec<RunFailure>,
}

impl RunReport {
    /// The report as the REST API returns it (`errors` as messages).
    pub fn to_value(&self) -> Value {
        let alerts: Vec<Value> = self.raised.iter().map(|a| AlertMessage::of_raised(a).to_json()).collect();
        let errors: Vec<&str> = self.errors.iter().map(|e| e.message.as_str()).collect();
        json!({"name": self.name, "alerts": alerts, "errors": errors})
    }
}

/// The alert catalogue bound to a store, a schedule store, plugins and a sink.
pub struct AlertRunner {
    entries: Vec<CatalogueEntry>,
    store: Arc<dyn EventStore>,
    schedules: Arc<dyn ScheduleStore>,
    plugins: Vec<Arc<dyn AlertPlugin>>,
    reverse_dns: Arc<dyn ReverseDns>,
    sink: Arc<dyn AlertSink>,
    records: Option<crate::records::Records>,
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
            records: None,
            default_schedule: Schedule::every_minutes(1),
        }
    }

    /// With the incident handlers' records: the watchlist is read from them before each run
    /// (the `get_watchlist` alert's terms) and every stored alert gets its triage copy at
    /// once (MozDef's `syncAlertsToMongo`, without its minute of delay).
    #[must_use]
    pub fn with_records(mut self, records: crate::records::Records) -> Self {
        self.records = Some(records);
        self
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
    pub async fn sync_schedules(&self) -> Result<Vec<AlertSchedule>, BackendError> {
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
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<Vec<RunReport>, BackendError> {
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
    pub async fn run_named(&self, names: &[String], now: DateTime<Utc>) -> Result<Vec<RunReport>, ServiceError> {
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
                    None => return Err(ServiceError::UnknownAlert(name.clone())),
                }
            }
            selected
        };
        Ok(self.run_entries(&selected, now).await?)
    }

    async fn run_entries(&self, names: &[String], now: DateTime<Utc>) -> Result<Vec<RunReport>, BackendError> {
        let wanted: HashSet<&str> = names.iter().map(String::as_str).collect();
        let backend = StoreAlertBackend::new(self.store.clone());
        let env = AlertEnv { backend: &backend, plugins: &self.plugins };
        let watchlist = match &self.records {
            Some(records) if wanted.iter().any(|name| reads_watchlist(name)) => {
                records.watchlist_terms().await.unwrap_or_else(|error| {
                    tracing::error!(%error, "watchlist not read; the watchlist alerts run without terms");
                    Vec::new()
                })
            }
            _ => Vec::new(),
        };
        let ctx = AlertContext { now, reverse_dns: self.reverse_dns.clone(), watchlist };
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
                        report.errors.push(RunFailure { message: error.to_string(), retryable: error.is_retryable() });
                    }
                }
            }
            self.schedules.record_run(&entry.name, now).await?;
            for alert in &report.raised {
                if let Some(records) = &self.records
                    && let Err(error) = records.record_alert(&alert.stored, &alert.document).await
                {
                    tracing::error!(alert = %entry.name, id = %alert.stored.id, %error, "alert triage copy not written");
                    let message = format!("triage copy of alert {}: {error}", alert.stored.id);
                    report.errors.push(RunFailure { message, retryable: error.is_retryable() });
                }
                if let Err(error) = self.sink.publish(alert).await {
                    tracing::error!(alert = %entry.name, id = %alert.stored.id, %error, "alert not published");
                    let message = format!("publishing alert {}: {error}", alert.stored.id);
                    report.errors.push(RunFailure { message, retryable: error.is_retryable() });
                }
            }
            reports.push(report);
        }
        Ok(reports)
    }
}

/// Runs due alerts at the start of every minute until `stop` turns true (`mozdef dev`'s
/// scheduler; on AWS an EventBridge schedule invokes the alerts Lambda instead). Logs one
/// summary line per minute in which something ran; each alert's own line is at `debug`.
pub async fn run_schedule(
    runner: Arc<AlertRunner>,
    clock: Arc<dyn mozdef_model::Clock>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let now = clock.now();
        let started = std::time::Instant::now();
        match runner.run_due(now).await {
            Ok(reports) if !reports.is_empty() => {
                let raised: usize = reports.iter().map(|r| r.raised.len()).sum();
                let errors: usize = reports.iter().map(|r| r.errors.len()).sum();
                let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                tracing::info!(ran = reports.len(), raised, errors, millis, "scheduled alerts ran");
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "scheduled alert run failed"),
        }
        let into_minute = u64::try_from(now.timestamp().rem_euclid(60)).unwrap_or(0);
        let wait = std::time::Duration::from_secs(60 - into_minute);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
    }
}

/// What a request to run alerts now led to.
#[derive(Debug, Clone)]
pub enum RunNow {
    /// The alerts ran in this process; their reports.
    Ran(Vec<RunReport>),
    /// The run was handed to where alerts run (a queue, another function); the names as
    /// resolved, when known.
    Queued {
        /// The entries asked for (empty: every enabled one).
        names: Vec<String>,
    },
}

/// "Run these alerts now" (`POST /api/alerts/run`), as narrow as the REST API needs it: in
/// process in `mozdef dev` ([`AlertRunner`]), a message to the alerts function on AWS.
#[async_trait]
pub trait RunAlertsNow: Send + Sync {
    /// Runs (or hands on) the named entries (a file, class or `file.Class`; empty: every
    /// enabled one) at `now`.
    async fn run_now(&self, names: &[String], now: DateTime<Utc>) -> Result<RunNow, ServiceError>;
}

#[async_trait]
impl RunAlertsNow for AlertRunner {
    async fn run_now(&self, names: &[String], now: DateTime<Utc>) -> Result<RunNow, ServiceError> {
        self.run_named(names, now).await.map(RunNow::Ran)
    }
}

/// Whether the entry `name` (`file.Class`) reads the watchlist (`get_watchlist`,
/// `dns_watchlist`).
fn reads_watchlist(name: &str) -> bool {
    name.split('.').next().is_some_and(|file| mozdef_alerts::catalogue::WATCHLIST_MODULES.contains(&file))
}
