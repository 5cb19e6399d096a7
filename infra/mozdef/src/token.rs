//! `mozdef token create|list|revoke NAME`: shipper tokens for loginput, in `mozdef dev`'s
//! SQLite database (`<data-dir>/mozdef.sqlite`) by default, or in the AWS stack's DynamoDB
//! table (`--dynamodb-table`). A new token's secret is printed once, on standard output alone
//! (`TOKEN=$(mozdef token create web1)`); only its SHA-256 is stored. Also the shipper check
//! `mozdef dev --shipper-tokens required` puts in front of loginput.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use mozdef_api::ShipperAuth;
use mozdef_aws::AwsOptions;
use mozdef_model::isoformat;
use mozdef_service::ShipperTokens;
use mozdef_service::shipper_tokens::CacheSettings;
use mozdef_store::ShipperTokenStore;
use mozdef_store_dynamodb::DynamoShipperTokens;
use mozdef_store_embedded::SqliteShipperTokens;

/// Options of `mozdef token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: TokenAction,
    /// `mozdef dev`'s data directory, whose `mozdef.sqlite` holds the tokens (without
    /// `--dynamodb-table`).
    #[arg(long, env = "MOZDEF_DATA_DIR", default_value = "./mozdef-data", global = true)]
    pub data_dir: PathBuf,
    /// The AWS stack's shipper token table, instead of the data directory.
    #[arg(long, env = "MOZDEF_SHIPPER_TOKENS_TABLE", global = true)]
    pub dynamodb_table: Option<String>,
    /// The table's region (default: the AWS configuration's).
    #[arg(long, requires = "dynamodb_table", global = true)]
    pub region: Option<String>,
    /// Another DynamoDB endpoint (an emulator).
    #[arg(long, requires = "dynamodb_table", global = true)]
    pub endpoint_url: Option<String>,
}

/// A token action.
#[derive(Debug, clap::Subcommand)]
pub enum TokenAction {
    /// Create a token for a shipper and print its secret (once).
    Create {
        /// The shipper's name: letters, digits, '.', '_', '-'.
        name: String,
    },
    /// List the tokens (names, dates, hash prefixes; never secrets).
    List,
    /// Revoke a shipper's token.
    Revoke {
        /// The shipper's name.
        name: String,
    },
}

/// Runs one action.
pub async fn run(args: TokenArgs) -> anyhow::Result<()> {
    let store: Arc<dyn ShipperTokenStore> = match &args.dynamodb_table {
        Some(table) => {
            let options = AwsOptions { region: args.region.clone(), endpoint_url: args.endpoint_url.clone() };
            let sdk = mozdef_aws::load(&options).await;
            Arc::new(DynamoShipperTokens::new(aws_sdk_dynamodb::Client::new(&sdk), table))
        }
        None => Arc::new(sqlite(&args.data_dir, matches!(args.action, TokenAction::Create { .. }))?),
    };
    let tokens = ShipperTokens::new(store, CacheSettings::default());
    match args.action {
        TokenAction::Create { name } => {
            let token = tokens.create(&name).await?;
            println!("{}", token.secret);
            eprintln!(
                "shipper token {name:?} created; it is shown only now: the shipper sends it to loginput as \"Authorization: Bearer <token>\""
            );
        }
        TokenAction::List => {
            println!("{:<32} {:<14} {:<32} REVOKED", "NAME", "HASH", "CREATED");
            for token in tokens.list().await? {
                let revoked = token.revoked_at.as_ref().map_or_else(|| "-".to_owned(), isoformat);
                let hash = token.hash.get(..12).unwrap_or(&token.hash);
                println!("{:<32} {hash:<14} {:<32} {revoked}", token.name, isoformat(&token.created));
            }
        }
        TokenAction::Revoke { name } => {
            tokens.revoke(&name).await?;
            eprintln!("shipper token {name:?} revoked; a running loginput refuses it within a minute");
        }
    }
    Ok(())
}

/// The SQLite store in `data_dir`, which only `create` may make.
pub fn sqlite(data_dir: &Path, create: bool) -> anyhow::Result<SqliteShipperTokens> {
    let database = data_dir.join("mozdef.sqlite");
    if create {
        std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    } else if !database.is_file() {
        anyhow::bail!("no shipper tokens in {}: {} does not exist", data_dir.display(), database.display());
    }
    SqliteShipperTokens::open(&database).with_context(|| format!("cannot open {}", database.display()))
}

/// Whether `mozdef dev`'s loginput checks shipper tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShipperTokensMode {
    /// Anyone who reaches the listener may send events.
    Open,
    /// Every event route needs a token from `mozdef token create`.
    Required,
}

/// The shipper check of `mozdef dev` (`None`: open), said in the log.
pub async fn dev_shipper_check(
    mode: ShipperTokensMode,
    tokens: Arc<ShipperTokens>,
    listen: SocketAddr,
) -> anyhow::Result<Option<Arc<dyn ShipperAuth>>> {
    if mode == ShipperTokensMode::Open {
        if listen.ip().is_loopback() {
            tracing::info!("loginput is open: no shipper tokens (--shipper-tokens required enforces them)");
        } else {
            tracing::warn!(listen = %listen, "loginput is open to the network without shipper tokens (--shipper-tokens required enforces them)");
        }
        return Ok(None);
    }
    let active = tokens.list().await?.iter().filter(|t| t.is_active()).count();
    tracing::info!(active, "loginput requires shipper tokens (mozdef token create NAME makes one)");
    if active == 0 {
        tracing::warn!("no active shipper token yet: loginput refuses every event until `mozdef token create NAME`");
    }
    Ok(Some(tokens))
}
