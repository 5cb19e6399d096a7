//! `mozdef dev`: loginput, the REST API, the local ingest worker and the embedded store in
//! one process, on one data directory.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mozdef_api::{ApiState, Limits, LoginputState};
use mozdef_collectors::http::Http;
use mozdef_collectors::secrets::LocalSecrets;
use mozdef_model::{Clock, SystemClock};
use mozdef_service::collectors::{CollectorOptions, Collectors, RecordCursors};
use mozdef_service::records::Records;
use mozdef_service::shipper_tokens::CacheSettings;
use mozdef_service::{OpenSearchOptions, PipelineOptions, RestOptions, ShipperTokens};
use mozdef_store::{EventQueue, EventStore};
use mozdef_store_embedded::{
    DiskGuard, EmbeddedStore, GuardedQueue, LocalStorage, MinFreeDisk, SqliteRecords, SystemDisk, Wal,
};
use mozdef_store_opensearch::OpenSearchStore;
use mozdef_store_opensearch::lifecycle::{self, LifecycleConfig};
use tokio::sync::watch;

use crate::{alerting, token, web, worker};

/// Options of `mozdef dev`.
#[derive(Debug, clap::Args)]
pub struct DevArgs {
    /// Address to serve the web UI (/), loginput and the REST API (/api) on.
    #[arg(long, env = "MOZDEF_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory for the write-ahead log and the indices (created if missing).
    #[arg(long, env = "MOZDEF_DATA_DIR", default_value = "./mozdef-data")]
    pub data_dir: PathBuf,
    /// The pipeline's site settings (host name, GeoIP, plugin settings, user plugins).
    #[command(flatten)]
    pub pipeline: PipelineOptions,
    /// Where the OpenSearch store is (unset: the embedded store).
    #[command(flatten)]
    pub opensearch: OpenSearchOptions,
    /// OpenSearch: delete daily event indices older than this many days (MozDef's
    /// pruneIndexes `backup_pruning`; unset keeps them).
    #[arg(long, env = "MOZDEF_EVENTS_PRUNE_DAYS")]
    pub events_prune_days: Option<u32>,
    /// OpenSearch: close daily event indices older than this many days (MozDef's closeIndices
    /// `index_age`; unset leaves them open).
    #[arg(long, env = "MOZDEF_EVENTS_CLOSE_DAYS")]
    pub events_close_days: Option<u32>,
    /// OpenSearch: delete monthly alert indices older than this many months (unset keeps them).
    #[arg(long, env = "MOZDEF_ALERTS_PRUNE_MONTHS")]
    pub alerts_prune_months: Option<u32>,
    /// Embedded store: delete daily event indices once they are this many days old (with 30,
    /// today's and the 29 days before it are kept); at least 1. Checked at start and every ten
    /// minutes. Monthly alert indices and the quarantine are kept.
    #[arg(long, env = "MOZDEF_RETENTION_DAYS", default_value = "30", value_parser = parse_retention_days)]
    pub retention_days: NonZeroU32,
    /// Refuse events (loginput answers 503 with Retry-After) while the data directory's disk
    /// has less free space than this: a size (`1GiB`, `500MiB`, bytes) or a share of the disk
    /// (`5%`); `0` never refuses. Read at most once a second.
    #[arg(long, env = "MOZDEF_MIN_FREE_DISK", default_value = "1GiB")]
    pub min_free_disk: MinFreeDisk,
    /// Alerts.
    #[command(flatten)]
    pub alerts: alerting::AlertArgs,
    /// Largest single-event body, in bytes.
    #[arg(long, env = "OPTIONS_MAX_EVENT_BYTES", default_value_t = Limits::default().max_event_bytes)]
    pub max_event_bytes: usize,
    /// Largest /_bulk body, in bytes.
    #[arg(long, env = "OPTIONS_MAX_BULK_BYTES", default_value_t = Limits::default().max_bulk_bytes)]
    pub max_bulk_bytes: usize,
    /// Whether shippers need a token (`mozdef token create NAME`) to send events.
    #[arg(long, env = "MOZDEF_SHIPPER_TOKENS", value_enum, default_value = "open")]
    pub shipper_tokens: token::ShipperTokensMode,
    /// The REST API: OIDC, the blocklists' whitelists, the lookups.
    #[command(flatten)]
    pub rest: RestOptions,
    /// The web UI: where it is, whether to build it, what it is told.
    #[command(flatten)]
    pub web: web::WebArgs,
    /// The pull collectors (Okta, Duo, Auth0, Google Workspace), run on their schedules.
    /// Their secrets: `MOZDEF_SECRET_<NAME>` or the file `<data-dir>/secrets/<name>`.
    #[command(flatten)]
    pub collectors: CollectorOptions,
}

/// Runs until SIGINT or SIGTERM, then stops accepting, drains the log into the store and exits.
pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    if args.max_event_bytes == 0 || args.max_bulk_bytes < args.max_event_bytes {
        anyhow::bail!("--max-event-bytes must be positive and at most --max-bulk-bytes");
    }
    std::fs::create_dir_all(&args.data_dir).with_context(|| format!("cannot create {}", args.data_dir.display()))?;
    let ingest = Arc::new(args.pipeline.ingest(Some(&args.data_dir))?);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (store, embedded) = open_store(&args, &clock).await?;
    // A frame holds a whole request plus its envelope.
    let max_frame = args.max_bulk_bytes + 64 * 1024;
    let (wal, reader) =
        Wal::open(&args.data_dir.join("wal"), clock.clone(), max_frame).context("cannot open the write-ahead log")?;
    // Events are refused while the data directory's disk is short of room, not taken and lost.
    let disk = Arc::new(DiskGuard::new(&args.data_dir, Arc::new(SystemDisk), args.min_free_disk, DISK_CHECK_EVERY));
    let queue: Arc<dyn EventQueue> = Arc::new(GuardedQueue::new(wal.clone(), disk.clone()));
    let storage = LocalStorage::new(&args.data_dir, embedded.clone(), wal.status(), disk);

    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = tokio::spawn(worker::run(reader, store.clone(), ingest.clone(), stop_rx));

    let limits = Limits { max_event_bytes: args.max_event_bytes, max_bulk_bytes: args.max_bulk_bytes, max_depth: 64 };
    let authentication = authentication(&args).await?;
    let database = args.data_dir.join("mozdef.sqlite");
    let record_store = SqliteRecords::open(&database).context("cannot open the record database")?;
    let record_store: Arc<dyn mozdef_store::RecordStore> = Arc::new(record_store);
    let records = Records::new(record_store.clone(), store.clone(), clock.clone(), args.rest.whitelists()?);
    let collectors_config = args.collectors.load(Some(&args.data_dir))?;
    let silences = Collectors::silences(&collectors_config);
    let (alerts, schedules) =
        alerting::runner(&args.alerts, &args.data_dir, store.clone(), records.clone(), silences).await?;
    let collectors = Arc::new(Collectors::new(
        collectors_config,
        Arc::new(LocalSecrets::new(Some(args.data_dir.join("secrets")))),
        Http::new()?,
        Arc::new(RecordCursors::new(record_store)),
        queue.clone(),
    ));
    let sources = collectors.config().enabled().count();
    let collecting = collectors.spawn_schedule(stop_tx.subscribe());
    if sources > 0 {
        tracing::info!(sources, "pull collectors scheduled");
    }
    let scheduler = (!args.alerts.alerts_paused).then(|| {
        tokio::spawn(mozdef_service::alert_runner::run_schedule(alerts.clone(), clock.clone(), stop_tx.subscribe()))
    });
    let loginput = LoginputState { queue, limits };
    let tokens = Arc::new(ShipperTokens::new(Arc::new(token::sqlite(&args.data_dir, true)?), CacheSettings::default()));
    let shippers = token::dev_shipper_check(args.shipper_tokens, tokens.clone(), args.listen).await?;
    let api = ApiState {
        run_alerts: Some(alerts),
        ingest_stats: Some(ingest.stats().clone()),
        records: Some(records),
        lookups: Some(Arc::new(mozdef_api::site::lookups(&args.rest)?)),
        authentication,
        shipper_tokens: Some(tokens),
        queues: Some(Arc::new(wal.status())),
        storage: Some(Arc::new(storage.clone())),
        ..ApiState::new(store, schedules, clock)
    };
    let web = web::setup(&args.web, &args.rest).await?;
    let app = mozdef_api::web::serve(mozdef_api::router_with_auth(loginput, shippers, api), web.ui);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = listener.local_addr().context("listener address")?;
    if let Some(build) = web.build {
        tokio::spawn(build.run());
    }
    let stored = storage.report().inspect_err(|e| tracing::warn!(error = %e, "cannot read the storage figures")).ok();
    let indices = stored.as_ref().and_then(|s| s.indices);
    tracing::info!(
        listen = %local,
        ui = %format!("http://{local}/"),
        data_dir = %args.data_dir.display(),
        mozdefhostname = ingest.mozdefhostname(),
        indices = indices.map(|i| i.count),
        documents = indices.map(|i| i.documents),
        index_bytes = indices.map(|i| i.bytes),
        retention_days = embedded.is_some().then_some(args.retention_days.get()),
        log_bytes = stored.as_ref().map(|s| s.log.bytes),
        free_bytes = stored.as_ref().and_then(|s| s.disk.available_bytes),
        min_free_bytes = stored.as_ref().and_then(|s| s.disk.min_free_bytes),
        refusing_events = stored.as_ref().map(|s| s.disk.refusing),
        "mozdef dev ready: web UI on /, loginput on its paths, REST API on /api"
    );
    // On a signal the server stops accepting and lets requests finish; a change stream or a
    // long poll never would by itself, so open connections get CONNECTION_GRACE, then go.
    let (signalled_tx, mut signalled) = watch::channel(false);
    let graceful = async move {
        shutdown_signal().await;
        let _ = signalled_tx.send(true);
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(graceful).into_future();
    tokio::select! {
        served = server => served.context("server failed")?,
        () = async {
            let _ = signalled.wait_for(|s| *s).await;
            tokio::time::sleep(CONNECTION_GRACE).await;
        } => tracing::warn!(grace = ?CONNECTION_GRACE, "connections still open (change streams, long polls) closed"),
    }

    tracing::info!("shutting down: draining the write-ahead log into the store");
    let _ = stop_tx.send(true);
    wal.wake_reader();
    worker.await.context("ingest worker failed")?;
    if let Some(scheduler) = scheduler {
        scheduler.await.context("alert scheduler failed")?;
    }
    for task in collecting {
        task.await.context("collector failed")?;
    }
    tracing::info!(stats = %ingest.stats().snapshot(), "stopped");
    Ok(())
}

/// How long open connections may go on after a shutdown signal.
const CONNECTION_GRACE: Duration = Duration::from_secs(5);

/// How often the free disk space is read again (not on every request).
const DISK_CHECK_EVERY: Duration = Duration::from_secs(1);

/// How often the embedded store's retention runs (the day change is picked up within this).
const RETENTION_EVERY: Duration = Duration::from_secs(600);

/// `--retention-days`: a whole number of days, at least 1.
fn parse_retention_days(text: &str) -> Result<NonZeroU32, String> {
    let days: u32 = text.trim().parse().map_err(|e| format!("{text:?} is not a whole number of days: {e}"))?;
    NonZeroU32::new(days)
        .ok_or_else(|| "0 days would delete every index but today's; give at least 1 (the default is 30)".to_owned())
}

/// OIDC when configured; else the API is open, which `mozdef dev` allows on a loopback
/// address only (and says so).
async fn authentication(args: &DevArgs) -> anyhow::Result<mozdef_api::Authentication> {
    if let Some(oidc) = mozdef_api::site::oidc(&args.rest).await.context("cannot set up OIDC")? {
        return Ok(oidc);
    }
    if !args.listen.ip().is_loopback() {
        anyhow::bail!(
            "the REST API would be open to the network at {}: set --oidc-issuer and --oidc-audience, or listen on a loopback address",
            args.listen
        );
    }
    tracing::warn!(listen = %args.listen, "REST API without authentication (no --oidc-issuer): every caller is an admin; loopback only");
    Ok(mozdef_api::Authentication::Open)
}

/// The embedded store in the data directory (its retention applied, then kept every ten
/// minutes; returned a second time as itself), or the OpenSearch cluster `--opensearch` names
/// (waited for, templates installed, indices and aliases rotated).
async fn open_store(
    args: &DevArgs,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<(Arc<dyn EventStore>, Option<EmbeddedStore>)> {
    let Some(config) = mozdef_aws::opensearch_config(&args.opensearch).await? else {
        let store = EmbeddedStore::open(&args.data_dir).context("cannot open the embedded store")?;
        apply_retention(&store, args.retention_days, clock.now()).await;
        tokio::spawn(keep_retention(store.clone(), args.retention_days, clock.clone()));
        return Ok((Arc::new(store.clone()), Some(store)));
    };
    let url = config.url.clone();
    let store = OpenSearchStore::connect(config, Duration::from_secs(120))
        .await
        .with_context(|| format!("cannot reach OpenSearch at {url}"))?;
    let lifecycle = LifecycleConfig {
        replicas: args.opensearch.replicas,
        events_prune_after_days: args.events_prune_days,
        events_close_after_days: args.events_close_days,
        alerts_prune_after_months: args.alerts_prune_months,
        ..LifecycleConfig::default()
    };
    lifecycle::run_maintenance(store.client(), &lifecycle, clock.now())
        .await
        .context("cannot set up the indices (templates, today's indices, aliases)")?;
    tokio::spawn(maintain_indices(store.clone(), lifecycle, clock.clone()));
    tracing::info!(url = %url, prefix = %args.opensearch.prefix, "storing events in OpenSearch");
    Ok((Arc::new(store), None))
}

/// Deletes the embedded store's daily event indices past the retention (each deletion is
/// logged by the store); a failure is logged and tried again on the next run.
async fn apply_retention(store: &EmbeddedStore, days: NonZeroU32, now: chrono::DateTime<chrono::Utc>) {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || store.apply_retention(days, now)).await {
        Ok(Ok(_deleted)) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "retention could not delete every expired index; trying again in ten minutes")
        }
        Err(e) => tracing::warn!(error = %e, "retention task failed; trying again in ten minutes"),
    }
}

/// The embedded store's retention every [`RETENTION_EVERY`] (the run at start is done).
async fn keep_retention(store: EmbeddedStore, days: NonZeroU32, clock: Arc<dyn Clock>) {
    let mut every = tokio::time::interval(RETENTION_EVERY);
    every.tick().await;
    loop {
        every.tick().await;
        apply_retention(&store, days, clock.now()).await;
    }
}

/// MozDef's index crons for `mozdef dev --opensearch`: rotation, closing and pruning every ten
/// minutes (each run is idempotent, so the day change is picked up within ten minutes).
async fn maintain_indices(store: OpenSearchStore, lifecycle: LifecycleConfig, clock: Arc<dyn Clock>) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    every.tick().await;
    loop {
        every.tick().await;
        if let Err(e) = lifecycle::run_maintenance(store.client(), &lifecycle, clock.now()).await {
            tracing::warn!(error = %e, "index maintenance failed; trying again in ten minutes");
        }
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("signal received");
}
