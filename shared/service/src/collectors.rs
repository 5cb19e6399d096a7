//! The pull collectors as the application runs them ([`mozdef_collectors`]): the site's
//! sources ([`CollectorOptions`]), their cursors kept as records ([`RecordCursors`]: SQLite in
//! `mozdef dev`, DynamoDB on AWS), a run of one source ([`Collectors::run`], what the
//! `collectors` Lambda does for the EventBridge rule of that source), and the schedule of
//! every source in one process ([`Collectors::spawn_schedule`], `mozdef dev`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use mozdef_collectors::config::{CollectorsConfig, SourceConfig};
use mozdef_collectors::http::Http;
use mozdef_collectors::runner::{self, CursorStore, MAX_PAGES, RunReport};
use mozdef_collectors::secrets::SecretSource;
use mozdef_collectors::{CollectorError, Cursor};
use mozdef_store::records::{Author, NewRecord, RecordStore};
use mozdef_store::{EventQueue, StoreError};
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::ServiceError;

/// The record collection holding the collectors' cursors (one record per source).
pub const CURSORS: &str = "collectorcursors";

/// Where the site's collectors are configured.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CollectorOptions {
    /// The pull collectors' configuration file (JSON, see `docs/sources.md`). Default:
    /// `<data-dir>/collectors.json` when it exists.
    #[arg(long = "collectors", env = "MOZDEF_COLLECTORS_FILE")]
    pub collectors_file: Option<PathBuf>,
    /// The same configuration as JSON text (the `collectors` Lambda's setting).
    #[arg(long = "collectors-json", env = "MOZDEF_COLLECTORS", hide = true)]
    pub collectors_json: Option<String>,
}

impl CollectorOptions {
    /// The configuration (empty when none is given), checked.
    ///
    /// # Errors
    ///
    /// [`ServiceError`] naming the flag or variable and the problem.
    pub fn load(&self, data_dir: Option<&Path>) -> Result<CollectorsConfig, ServiceError> {
        let bad =
            |e: CollectorError| ServiceError::config("--collectors / MOZDEF_COLLECTORS_FILE / MOZDEF_COLLECTORS", e);
        if let Some(text) = self.collectors_json.as_deref().filter(|t| !t.trim().is_empty()) {
            return CollectorsConfig::parse(text, "MOZDEF_COLLECTORS").map_err(bad);
        }
        let default = data_dir.map(|d| d.join("collectors.json")).filter(|p| p.is_file());
        match self.collectors_file.clone().or(default) {
            Some(path) => CollectorsConfig::read(&path).map_err(bad),
            None => Ok(CollectorsConfig::default()),
        }
    }
}

/// Cursors as records of [`CURSORS`] (`{"cursor": <cursor>, "at": <time>}`), written by
/// `mozdef`.
#[derive(Debug, Clone)]
pub struct RecordCursors {
    store: Arc<dyn RecordStore>,
}

impl RecordCursors {
    /// Cursors in `store`.
    pub fn new(store: Arc<dyn RecordStore>) -> Self {
        RecordCursors { store }
    }
}

fn storage(source: &str, e: StoreError) -> CollectorError {
    CollectorError::Storage(format!("{source}: cursor store: {e}"))
}

#[async_trait]
impl CursorStore for RecordCursors {
    async fn load(&self, source: &str) -> Result<Option<Cursor>, CollectorError> {
        let record = self.store.get(CURSORS, source).await.map_err(|e| storage(source, e))?;
        Ok(record.and_then(|r| r.data.get("cursor").cloned()).filter(|c| !c.is_null()))
    }

    async fn save(&self, source: &str, cursor: &Cursor) -> Result<(), CollectorError> {
        let now = Utc::now();
        let data = json!({"cursor": cursor, "at": mozdef_model::isoformat(&now)});
        let author = Author { by: "mozdef", at: now };
        let sort = mozdef_model::isoformat(&now);
        match self.store.get(CURSORS, source).await.map_err(|e| storage(source, e))? {
            Some(record) => {
                self.store
                    .update(CURSORS, source, record.version, &sort, &data, author)
                    .await
                    .map_err(|e| storage(source, e))?;
            }
            None => {
                let new = NewRecord { collection: CURSORS, id: source, sort: &sort, data: &data };
                self.store.create(new, author).await.map_err(|e| storage(source, e))?;
            }
        }
        Ok(())
    }
}

/// The site's collectors and what they need.
pub struct Collectors {
    config: CollectorsConfig,
    secrets: Arc<dyn SecretSource>,
    http: Http,
    cursors: Arc<dyn CursorStore>,
    queue: Arc<dyn EventQueue>,
}

impl std::fmt::Debug for Collectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collectors").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Collectors {
    /// The sources of `config`, their secrets from `secrets`, cursors in `cursors`, events
    /// queued on `queue`.
    pub fn new(
        config: CollectorsConfig,
        secrets: Arc<dyn SecretSource>,
        http: Http,
        cursors: Arc<dyn CursorStore>,
        queue: Arc<dyn EventQueue>,
    ) -> Self {
        Collectors { config, secrets, http, cursors, queue }
    }

    /// The configuration.
    pub fn config(&self) -> &CollectorsConfig {
        &self.config
    }

    /// `(source, silence minutes)` of every enabled source, for the silence alert.
    pub fn silences(config: &CollectorsConfig) -> Vec<(String, u32)> {
        config.enabled().map(|s| (s.name.clone(), s.silence_minutes)).collect()
    }

    fn source(&self, name: &str) -> Result<&SourceConfig, CollectorError> {
        self.config
            .enabled()
            .find(|s| s.name == name)
            .ok_or_else(|| CollectorError::Config(format!("no enabled collector source named {name:?}")))
    }

    /// One run of the source `name` (its secret read afresh, so a rotated credential is
    /// picked up).
    ///
    /// # Errors
    ///
    /// [`CollectorError`]: an unknown source, the secret, the provider, the queue or the
    /// cursor store.
    pub async fn run(&self, name: &str) -> Result<RunReport, CollectorError> {
        let source = self.source(name)?;
        let provider = source.provider(self.secrets.as_ref()).await?;
        runner::collect(
            name,
            provider.as_ref(),
            &self.http,
            self.cursors.as_ref(),
            self.queue.as_ref(),
            Utc::now(),
            MAX_PAGES,
        )
        .await
    }

    /// Runs every enabled source now and then every `every_minutes`, each on its own task,
    /// until `shutdown` turns true. A failed run is logged (the silence alert reports a
    /// source that keeps failing) and retried at the next tick.
    pub fn spawn_schedule(self: Arc<Self>, shutdown: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
        let names: Vec<(String, u32)> = self.config.enabled().map(|s| (s.name.clone(), s.every_minutes)).collect();
        names
            .into_iter()
            .map(|(name, minutes)| {
                let collectors = self.clone();
                let mut shutdown = shutdown.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(Duration::from_secs(u64::from(minutes) * 60));
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        tokio::select! {
                            _ = tick.tick() => {}
                            _ = shutdown.changed() => {}
                        }
                        if *shutdown.borrow() {
                            break;
                        }
                        match collectors.run(&name).await {
                            Ok(report) => tracing::debug!(source = %name, events = report.events, "collector ran"),
                            Err(error) => tracing::warn!(source = %name, %error, "collector run failed"),
                        }
                    }
                })
            })
            .collect()
    }
}
