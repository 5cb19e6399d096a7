//! The `mozdef` command: `mozdef dev` runs MozDef in Rust on one machine (loginput, REST API,
//! ingest and the embedded store, no AWS, no Java); `mozdef normalize` runs a file of events
//! through the same pipeline and prints what it makes of them; `mozdef send` sends sample or
//! recorded events, or CloudTrail logs and GuardDuty findings run through the ingest decoders,
//! to any loginput; `mozdef token` manages loginput's shipper tokens.

mod alerting;
mod deploy;
mod dev;
mod normalize;
mod replay;
mod sample;
mod send;
mod token;
mod web;
mod worker;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mimalloc::MiMalloc;
use tracing_subscriber::EnvFilter;

// The pipeline allocates many small strings and maps per event; mimalloc handles that
// markedly better than glibc's allocator (see scripts/bench-ingest).
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// MozDef in Rust.
#[derive(Debug, Parser)]
#[command(name = "mozdef", version, about)]
struct Cli {
    /// Log format.
    #[arg(long, global = true, env = "MOZDEF_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run loginput, the REST API and the embedded store locally.
    Dev(Box<dev::DevArgs>),
    /// Run events (NDJSON) through the pipeline `mozdef dev` would use and print the normalized
    /// documents.
    Normalize(normalize::NormalizeArgs),
    /// Deploy MozDef on AWS (or tear it down): artefacts, templates, a change set, the stack's
    /// progress and outputs.
    Deploy(deploy::DeployArgs),
    /// Send sample or recorded events, or decoded AWS logs (S3 log files, EventBridge findings,
    /// CloudWatch Logs payloads), to a loginput.
    Send(send::SendArgs),
    /// Create, list or revoke loginput's shipper tokens (SQLite locally, DynamoDB on AWS).
    Token(token::TokenArgs),
}

fn init_logging(format: &str, default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // normalize's standard error is for its reports: only warnings and errors by default.
    let default_level = if matches!(cli.command, Command::Normalize(_) | Command::Token(_)) { "warn" } else { "info" };
    init_logging(&cli.log_format, default_level);
    let result = match cli.command {
        Command::Dev(args) => dev::run(*args).await,
        Command::Send(args) => send::run(args).await,
        Command::Token(args) => token::run(args).await,
        Command::Deploy(args) => deploy::run(args).await,
        Command::Normalize(args) => tokio::task::block_in_place(|| normalize::run(args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The whole cause chain on one line, without a backtrace: these are operator errors.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
