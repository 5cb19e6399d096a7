//! `mozdef dev`: loginput, the REST API, the local ingest worker and the embedded store in
//! one process, on one data directory.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mozdef_api::{AppState, Limits};
use mozdef_model::{Clock, SystemClock};
use mozdef_pipeline::PluginChain;
use mozdef_pipeline::geoip::GeoIp;
use mozdef_pipeline::plugins::{self, Plugin, PluginConfig};
use mozdef_pipeline::user_plugins;
use mozdef_store::EventStore;
use mozdef_store::ingest::IngestStats;
use mozdef_store_embedded::{EmbeddedStore, Wal};
use mozdef_store_opensearch::lifecycle::{self, LifecycleConfig};
use mozdef_store_opensearch::{Auth, OpenSearchConfig, OpenSearchStore, SigningService};
use tokio::sync::watch;

use crate::{alerting, worker};

/// Options of `mozdef dev`.
#[derive(Debug, clap::Args)]
pub struct DevArgs {
    /// Address to serve loginput and the REST API (/api) on.
    #[arg(long, env = "MOZDEF_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory for the write-ahead log and the indices (created if missing).
    #[arg(long, env = "MOZDEF_DATA_DIR", default_value = "./mozdef-data")]
    pub data_dir: PathBuf,
    /// The mozdefhostname stamped on events (default: this machine's host name).
    #[arg(long, env = "OPTIONS_MOZDEFHOSTNAME")]
    pub mozdefhostname: Option<String>,
    /// GeoIP City databases (MaxMind GeoIP2/GeoLite2-City or DB-IP lite city, e.g. the IPv4 and
    /// IPv6 files `scripts/fetch-dbip` writes). Default: every `*.mmdb` in `<data-dir>/geoip/`.
    #[arg(long = "geoip", env = "OPTIONS_GEOIP", value_delimiter = ',')]
    pub geoip: Vec<PathBuf>,
    /// A directory of user plugins (declarative `*.json`, see docs/user-plugins.md), run in the
    /// chain with the built-in ones. Default: `<data-dir>/plugins` when it exists.
    #[arg(long, env = "OPTIONS_PLUGINS_DIR")]
    pub plugins_dir: Option<PathBuf>,
    /// Store events in this OpenSearch cluster instead of the embedded store (the write-ahead
    /// log stays local). User information in the URL becomes basic authentication.
    #[arg(long, env = "MOZDEF_OPENSEARCH_URL")]
    pub opensearch: Option<String>,
    /// Prepended to every OpenSearch index and alias name (several deployments in one cluster).
    #[arg(long, env = "MOZDEF_OPENSEARCH_PREFIX", default_value = "")]
    pub opensearch_prefix: String,
    /// Sign OpenSearch requests with AWS SigV4 for this service: `es` (domains) or `aoss`
    /// (serverless), with the default AWS credential chain and region.
    #[arg(long, env = "MOZDEF_OPENSEARCH_SIGV4")]
    pub opensearch_sigv4: Option<String>,
    /// Replicas of each OpenSearch index (0 suits a single local node).
    #[arg(long, env = "MOZDEF_OPENSEARCH_REPLICAS", default_value_t = 0)]
    pub opensearch_replicas: u32,
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
    /// Alerts.
    #[command(flatten)]
    pub alerts: alerting::AlertArgs,
    /// Largest single-event body, in bytes.
    #[arg(long, env = "OPTIONS_MAX_EVENT_BYTES", default_value_t = Limits::default().max_event_bytes)]
    pub max_event_bytes: usize,
    /// Largest /_bulk body, in bytes.
    #[arg(long, env = "OPTIONS_MAX_BULK_BYTES", default_value_t = Limits::default().max_bulk_bytes)]
    pub max_bulk_bytes: usize,
}

/// Runs until SIGINT or SIGTERM, then stops accepting, drains the log into the store and exits.
pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    if args.max_event_bytes == 0 || args.max_bulk_bytes < args.max_event_bytes {
        anyhow::bail!("--max-event-bytes must be positive and at most --max-bulk-bytes");
    }
    let mozdefhostname = match args.mozdefhostname.clone() {
        Some(name) if !name.trim().is_empty() => name,
        _ => gethostname::gethostname().to_string_lossy().into_owned(),
    };
    std::fs::create_dir_all(&args.data_dir).with_context(|| format!("cannot create {}", args.data_dir.display()))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = open_store(&args, &clock).await?;
    // A frame holds a whole request plus its envelope.
    let max_frame = args.max_bulk_bytes + 64 * 1024;
    let (wal, reader) =
        Wal::open(&args.data_dir.join("wal"), clock.clone(), max_frame).context("cannot open the write-ahead log")?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let geoip = open_geoip(&args.geoip, &args.data_dir)?;
    let mut chain_plugins = plugins::builtin(&PluginConfig { geoip, ..PluginConfig::default() });
    chain_plugins.extend(load_user_plugins(args.plugins_dir.as_deref(), &args.data_dir)?);
    let chain = PluginChain::new(chain_plugins);
    tracing::info!(plugins = chain.names().len(), "plugin chain ready");
    let stats = Arc::new(IngestStats::default());
    let ingest = Arc::new(worker::Ingest { chain, mozdefhostname: mozdefhostname.clone(), stats: stats.clone() });
    let worker = tokio::spawn(worker::run(reader, store.clone(), ingest.clone(), stop_rx));

    let limits = Limits { max_event_bytes: args.max_event_bytes, max_bulk_bytes: args.max_bulk_bytes, max_depth: 64 };
    let alerts = alerting::runner(&args.alerts, &args.data_dir, store.clone()).await?;
    let scheduler = (!args.alerts.alerts_paused)
        .then(|| tokio::spawn(alerting::run_schedule(alerts.clone(), clock.clone(), stop_tx.subscribe())));
    let state =
        AppState { queue: Arc::new(wal.clone()), store, clock, limits, stats: stats.clone(), alerts: Some(alerts) };
    let app = mozdef_api::router(state);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = listener.local_addr().context("listener address")?;
    tracing::info!(listen = %local, data_dir = %args.data_dir.display(), mozdefhostname, "mozdef dev ready: loginput on /, REST API on /api");
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("server failed")?;

    tracing::info!("shutting down: draining the write-ahead log into the store");
    let _ = stop_tx.send(true);
    wal.wake_reader();
    worker.await.context("ingest worker failed")?;
    if let Some(scheduler) = scheduler {
        scheduler.await.context("alert scheduler failed")?;
    }
    tracing::info!(stats = %stats.snapshot(), "stopped");
    Ok(())
}

/// The embedded store in the data directory, or the OpenSearch cluster `--opensearch` names
/// (waited for, templates installed, indices and aliases rotated).
async fn open_store(args: &DevArgs, clock: &Arc<dyn Clock>) -> anyhow::Result<Arc<dyn EventStore>> {
    let Some(url) = &args.opensearch else {
        let store = EmbeddedStore::open(&args.data_dir).context("cannot open the embedded store")?;
        return Ok(Arc::new(store));
    };
    let mut config = OpenSearchConfig::from_url(url)?;
    config.index_prefix = args.opensearch_prefix.clone();
    if let Some(service) = &args.opensearch_sigv4 {
        let service: SigningService = service.parse()?;
        let sdk = mozdef_aws::load(&mozdef_aws::AwsOptions::default()).await;
        config.auth = Auth::SigV4 { config: Box::new(sdk), service };
    }
    let store = OpenSearchStore::connect(config, Duration::from_secs(120))
        .await
        .with_context(|| format!("cannot reach OpenSearch at {url}"))?;
    let lifecycle = LifecycleConfig {
        replicas: args.opensearch_replicas,
        events_prune_after_days: args.events_prune_days,
        events_close_after_days: args.events_close_days,
        alerts_prune_after_months: args.alerts_prune_months,
        ..LifecycleConfig::default()
    };
    lifecycle::run_maintenance(store.client(), &lifecycle, clock.now())
        .await
        .context("cannot set up the indices (templates, today's indices, aliases)")?;
    tokio::spawn(maintain_indices(store.clone(), lifecycle, clock.clone()));
    tracing::info!(url = %url, prefix = %args.opensearch_prefix, "storing events in OpenSearch");
    Ok(Arc::new(store))
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

/// Opens the GeoIP databases given, or those found in `<data-dir>/geoip/`. A database that is
/// given but unusable fails the start; none at all leaves the `geoip` plugin out, with one
/// warning.
fn open_geoip(paths: &[PathBuf], data_dir: &std::path::Path) -> anyhow::Result<Option<Arc<GeoIp>>> {
    let paths = if paths.is_empty() {
        let dir = data_dir.join("geoip");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "mmdb")).collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    } else {
        paths.to_vec()
    };
    if paths.is_empty() {
        tracing::warn!(
            "no GeoIP database: the geoip plugin is skipped (run scripts/fetch-dbip, or pass --geoip <City .mmdb>)"
        );
        return Ok(None);
    }
    let db = GeoIp::open_all(&paths).context("cannot open the GeoIP database")?;
    for info in db.databases() {
        tracing::info!(path = %info.path.display(), database_type = info.database_type, "GeoIP database");
    }
    Ok(Some(Arc::new(db)))
}

/// Loads the user plugins of `dir` (or `<data-dir>/plugins` when that exists). A broken
/// plugin fails the start with its file and line.
fn load_user_plugins(
    dir: Option<&std::path::Path>,
    data_dir: &std::path::Path,
) -> anyhow::Result<Vec<Box<dyn Plugin>>> {
    let default = data_dir.join("plugins");
    let dir = match dir {
        Some(dir) => dir,
        None if default.is_dir() => &default,
        None => return Ok(Vec::new()),
    };
    let loaded = user_plugins::load_dir(dir).map_err(|e| anyhow::anyhow!("cannot load user plugins: {e}"))?;
    tracing::info!(dir = %dir.display(), plugins = loaded.len(), "user plugins loaded");
    Ok(loaded)
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
