//! One site configuration, read the same way by `mozdef dev`, `mozdef normalize` and every
//! Lambda: each group of settings is one `clap::Args` struct whose fields carry both the flag
//! and the environment variable (MozDef's `OPTIONS_*` names where MozDef had the setting), so
//! `mozdef dev` reads them from flags or the environment and a Lambda from its environment
//! ([`crate::from_env`]). Everything is read and checked once, at start: a bad value stops the
//! start naming the flag, variable, file or key.
//!
//! * [`PipelineOptions`]: `mozdefhostname`, GeoIP databases, MozDef's plugin sidecar files
//!   (`mozilla_location.conf`, `triage_bot.json`, with `OPTIONS_*` overrides), user plugins →
//!   the one builder of the plugin chain ([`PipelineOptions::ingest`]).
//! * [`AlertOptions`]: per-alert settings, generic rules, alert plugins and actions.
//! * [`OpenSearchOptions`]: where the OpenSearch store is (the backend crates turn it into a
//!   connection; `mozdef-aws` holds the one builder both `mozdef dev` and the Lambdas use).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mozdef_alerts::actions::ActionsConfig;
use mozdef_alerts::localities::LocalityStore;
use mozdef_alerts::{AlertSetup, ConfigSource};
use mozdef_pipeline::PluginChain;
use mozdef_pipeline::geoip::GeoIp;
use mozdef_pipeline::plugins::{self, Plugin, PluginConfig};
use mozdef_pipeline::user_plugins;

use crate::error::ServiceError;
use crate::ingest::Ingest;

/// The pipeline's site settings.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PipelineOptions {
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
    /// MozDef's plugin sidecar files, read as MozDef wrote them (`mozilla_location.conf`,
    /// `triage_bot.json`; `OPTIONS_<KEY>` variables override INI keys). Default:
    /// `<data-dir>/plugin-config` when it exists.
    #[arg(long = "plugin-config", env = "OPTIONS_PLUGIN_CONFIG_DIR")]
    pub plugin_config: Option<PathBuf>,
}

impl PipelineOptions {
    /// The ingest path these settings describe: the built-in plugins configured from the
    /// sidecar files and the environment, GeoIP, the user plugins, and the host name.
    /// `data_dir` (none on Lambda) holds the defaults' directories.
    pub fn ingest(&self, data_dir: Option<&Path>) -> Result<Ingest, ServiceError> {
        let mozdefhostname = match &self.mozdefhostname {
            Some(name) if !name.trim().is_empty() => name.clone(),
            _ => gethostname::gethostname().to_string_lossy().into_owned(),
        };
        let mut config = self.plugin_config(data_dir)?;
        config.geoip = open_geoip(&self.geoip, data_dir)?;
        let mut chain_plugins = plugins::builtin(&config);
        chain_plugins.extend(load_user_plugins(self.plugins_dir.as_deref(), data_dir)?);
        let chain = PluginChain::new(chain_plugins);
        tracing::info!(plugins = chain.names().len(), mozdefhostname, "plugin chain ready");
        Ok(Ingest::new(chain, mozdefhostname))
    }

    /// The built-in plugins' settings: the sidecar files of `--plugin-config` (or
    /// `<data-dir>/plugin-config`), with `OPTIONS_*` overrides from the environment.
    pub fn plugin_config(&self, data_dir: Option<&Path>) -> Result<PluginConfig, ServiceError> {
        let dir = existing_or_given(self.plugin_config.as_deref(), data_dir, "plugin-config");
        let loaded = PluginConfig::load(dir.as_deref(), |key| std::env::var(key).ok())
            .map_err(|e| ServiceError::config("--plugin-config / OPTIONS_PLUGIN_CONFIG_DIR", e))?;
        for file in &loaded.sidecars {
            tracing::info!(file = %file.display(), "plugin settings read");
        }
        if let Some(warning) = loaded.ignored_warning() {
            tracing::warn!("{warning}");
        }
        Ok(loaded.config)
    }
}

/// `given`, or `<data-dir>/<name>` when that directory exists.
fn existing_or_given(given: Option<&Path>, data_dir: Option<&Path>, name: &str) -> Option<PathBuf> {
    given.map(Path::to_path_buf).or_else(|| data_dir.map(|d| d.join(name)).filter(|d| d.is_dir()))
}

/// Opens the GeoIP databases given, or those found in `<data-dir>/geoip/`. A database that is
/// given but unusable fails the start; none at all leaves the `geoip` plugin out, with one
/// warning.
fn open_geoip(paths: &[PathBuf], data_dir: Option<&Path>) -> Result<Option<Arc<GeoIp>>, ServiceError> {
    let paths = match (paths.is_empty(), data_dir) {
        (false, _) => paths.to_vec(),
        (true, Some(data_dir)) => {
            let mut found: Vec<PathBuf> = std::fs::read_dir(data_dir.join("geoip"))
                .map(|entries| {
                    entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "mmdb")).collect()
                })
                .unwrap_or_default();
            found.sort();
            found
        }
        (true, None) => Vec::new(),
    };
    if paths.is_empty() {
        tracing::warn!(
            "no GeoIP database: the geoip plugin is skipped (run scripts/fetch-dbip, or pass --geoip <City .mmdb>)"
        );
        return Ok(None);
    }
    let db = GeoIp::open_all(&paths).map_err(|e| ServiceError::config("--geoip / OPTIONS_GEOIP", e))?;
    for info in db.databases() {
        tracing::info!(path = %info.path.display(), database_type = info.database_type, "GeoIP database");
    }
    Ok(Some(Arc::new(db)))
}

/// Loads the user plugins of `dir` (or `<data-dir>/plugins` when that exists). A broken
/// plugin fails the start with its file and line.
fn load_user_plugins(dir: Option<&Path>, data_dir: Option<&Path>) -> Result<Vec<Box<dyn Plugin>>, ServiceError> {
    let Some(dir) = existing_or_given(dir, data_dir, "plugins") else { return Ok(Vec::new()) };
    let loaded =
        user_plugins::load_dir(&dir).map_err(|e| ServiceError::config("--plugins-dir / OPTIONS_PLUGINS_DIR", e))?;
    tracing::info!(dir = %dir.display(), plugins = loaded.len(), "user plugins loaded");
    Ok(loaded)
}

/// The alert settings.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AlertOptions {
    /// Per-alert and per-action settings: `<module>.json` files over MozDef's defaults
    /// (default: `<data-dir>/alerts` when it exists). `MOZDEF_ALERT_<MODULE>__<KEY>`
    /// variables override them.
    #[arg(long = "alert-config", env = "MOZDEF_ALERT_CONFIG_DIR")]
    pub alert_config: Option<PathBuf>,
    /// Generic rule files (`*.json`, JSON or hjson; default: `<data-dir>/alerts/rules` when
    /// it exists).
    #[arg(long = "alert-rules", env = "MOZDEF_ALERT_RULES_DIR")]
    pub alert_rules: Option<PathBuf>,
    /// Alert plugins to enable (MozDef's ALERT_PLUGINS), comma-separated.
    #[arg(long = "alert-plugins", env = "MOZDEF_ALERT_PLUGINS", value_delimiter = ',')]
    pub alert_plugins: Vec<String>,
}

impl AlertOptions {
    /// The directory of per-alert settings.
    pub fn config_dir(&self, data_dir: Option<&Path>) -> Option<PathBuf> {
        existing_or_given(self.alert_config.as_deref(), data_dir, "alerts")
    }

    /// The alert catalogue's setup; GeoModel runs when `localities` is given.
    pub fn setup(&self, data_dir: Option<&Path>, localities: Option<Arc<dyn LocalityStore>>) -> AlertSetup {
        let alerts_dir = data_dir.map(|d| d.join("alerts"));
        AlertSetup {
            rules_dir: existing_or_given(self.alert_rules.as_deref(), alerts_dir.as_deref(), "rules"),
            config_dir: self.config_dir(data_dir),
            plugins: self.alert_plugins.clone(),
            localities,
            collector_silences: Vec::new(),
        }
    }

    /// The actions' settings (`actions.json` and one file per action, with their variables).
    pub fn actions_config(&self, data_dir: Option<&Path>) -> Result<ActionsConfig, ServiceError> {
        Ok(ActionsConfig::load(&ConfigSource::new(self.config_dir(data_dir).as_deref()))?)
    }
}

/// Where the OpenSearch store is (unset URL: the embedded store in `mozdef dev`; required by
/// the Lambdas).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OpenSearchOptions {
    /// Store events in this OpenSearch cluster instead of the embedded store (the write-ahead
    /// log stays local). User information in the URL becomes basic authentication.
    #[arg(long = "opensearch", env = "MOZDEF_OPENSEARCH_URL")]
    pub url: Option<String>,
    /// Prepended to every OpenSearch index and alias name (several deployments in one cluster).
    #[arg(long = "opensearch-prefix", env = "MOZDEF_OPENSEARCH_PREFIX", default_value = "")]
    pub prefix: String,
    /// Sign OpenSearch requests with AWS SigV4 for this service: `es` (domains) or `aoss`
    /// (serverless), with the default AWS credential chain and region.
    #[arg(long = "opensearch-sigv4", env = "MOZDEF_OPENSEARCH_SIGV4")]
    pub sigv4: Option<String>,
    /// Replicas of each OpenSearch index (0 suits a single local node).
    #[arg(long = "opensearch-replicas", env = "MOZDEF_OPENSEARCH_REPLICAS", default_value_t = 0)]
    pub replicas: u32,
}

/// The REST API's site settings: who may call it (OIDC), what the list routes refuse
/// (MozDef's whitelists), and where the lookups go.
#[derive(Debug, Clone, clap::Args)]
pub struct RestOptions {
    /// The OIDC issuer whose bearer tokens open the REST API (its discovery document and JWKS
    /// are fetched from it). Unset: `mozdef dev` serves the API unauthenticated, on a loopback
    /// address only.
    #[arg(long, env = "MOZDEF_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The audience the tokens must be for (the UI's client id).
    #[arg(long, env = "MOZDEF_OIDC_AUDIENCE")]
    pub oidc_audience: Option<String>,
    /// The claim holding the caller's groups.
    #[arg(long, env = "MOZDEF_OIDC_GROUPS_CLAIM", default_value = "groups")]
    pub oidc_groups_claim: String,
    /// The claim holding the caller's email (their identity).
    #[arg(long, env = "MOZDEF_OIDC_EMAIL_CLAIM", default_value = "email")]
    pub oidc_email_claim: String,
    /// Groups granting the viewer role (read).
    #[arg(long, env = "MOZDEF_VIEWER_GROUPS", value_delimiter = ',', default_value = "viewer")]
    pub viewer_groups: Vec<String>,
    /// Groups granting the responder role (triage, incidents, lists).
    #[arg(long, env = "MOZDEF_RESPONDER_GROUPS", value_delimiter = ',', default_value = "responder")]
    pub responder_groups: Vec<String>,
    /// Groups granting the admin role (schedules, shipper tokens, settings).
    #[arg(long, env = "MOZDEF_ADMIN_GROUPS", value_delimiter = ',', default_value = "admin")]
    pub admin_groups: Vec<String>,
    /// Networks `/blockip` refuses (MozDef's `whitelist_networks`), comma-separated CIDRs.
    #[arg(long, env = "OPTIONS_WHITELIST_NETWORKS", value_delimiter = ',')]
    pub whitelist_networks: Vec<String>,
    /// A file of networks `/blockip` refuses, one a line (MozDef's `network_whitelist_file`).
    #[arg(long, env = "OPTIONS_NETWORK_WHITELIST_FILE")]
    pub network_whitelist_file: Option<PathBuf>,
    /// A file of names `/blockfqdn` refuses, one a line (MozDef's `fqdn_whitelist_file`).
    #[arg(long, env = "OPTIONS_FQDN_WHITELIST_FILE")]
    pub fqdn_whitelist_file: Option<PathBuf>,
    /// The RDAP service `/ipwhois` asks (an address is appended).
    #[arg(long, env = "MOZDEF_WHOIS_URL", default_value = "https://rdap.arin.net/registry/ip/")]
    pub whois_url: String,
    /// The DShield API `/ipdshieldquery` asks (`<address>?json` is appended).
    #[arg(long, env = "MOZDEF_DSHIELD_URL", default_value = "https://isc.sans.edu/api/ip/")]
    pub dshield_url: String,
    /// The User-Agent of the lookups (MozDef's `user_agent`).
    #[arg(long, env = "OPTIONS_USER_AGENT", default_value = "MozDef")]
    pub user_agent: String,
    /// How long a lookup may take, in seconds.
    #[arg(long, env = "MOZDEF_LOOKUP_TIMEOUT_SECONDS", default_value_t = 10)]
    pub lookup_timeout_seconds: u64,
}

impl RestOptions {
    /// The whitelists `/blockip` and `/blockfqdn` check, read once.
    pub fn whitelists(&self) -> Result<crate::records::Whitelists, ServiceError> {
        Ok(crate::records::Whitelists {
            networks: crate::lists::NetworkWhitelist::load(
                &self.whitelist_networks,
                self.network_whitelist_file.as_deref(),
            )?,
            fqdns: crate::lists::FqdnWhitelist::load(std::iter::empty::<&str>(), self.fqdn_whitelist_file.as_deref())?,
        })
    }
}
