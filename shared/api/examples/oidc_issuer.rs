//! A test OpenID Connect provider, as a process, for the web UI's browser tests: the issuer of
//! `tests/issuer/` (keys generated at start) with a login form, authorization code + PKCE
//! S256, refresh tokens, userinfo, logout and test controls. Not for production: anyone can
//! sign in as anyone.
//!
//! ```text
//! cargo run -p mozdef-api --example oidc_issuer -- --listen 127.0.0.1:0
//! ```
//!
//! The first line on stdout is `{"issuer":"http://127.0.0.1:NNNN"}`; logs go to stderr.

#[path = "../tests/issuer/mod.rs"]
mod issuer;

#[path = "../tests/issuer/flow.rs"]
mod flow;

use std::io::Write;
use std::process::ExitCode;

use flow::{FlowConfig, Login};

const USAGE: &str = "\
usage: oidc_issuer [options]
  --listen ADDR            address to serve on (default 127.0.0.1:0, any port)
  --client-id ID           the client id accepted (default mozdef-web)
  --redirect-prefix URL    a prefix redirect_uri and post_logout_redirect_uri must start with
                           (repeatable; default: any http://127.0.0.1 origin)
  --audience AUD           the aud of access tokens (default mozdef-api)
  --token-lifetime SECS    lifetime of tokens (default 300)
  --code-lifetime SECS     lifetime of authorization codes (default 60)
  --auto-login EMAIL:GROUPS  GET /authorize signs this user in at once (groups comma separated)
  -h, --help               this help
The first stdout line is {\"issuer\":\"http://HOST:PORT\"}.";

/// The command line: where to listen and the issuer's configuration; None for --help.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<(String, FlowConfig)>, String> {
    let mut listen = "127.0.0.1:0".to_owned();
    let mut config = FlowConfig::default();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_owned(), Some(value.to_owned())),
            _ => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(None);
        }
        let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"));
        let seconds =
            |text: String| text.parse::<u64>().map_err(|_| format!("{name}: {text:?} is not a number of seconds"));
        match name.as_str() {
            "--listen" => listen = value()?,
            "--client-id" => config.client_id = value()?,
            "--redirect-prefix" => config.redirect_prefixes.push(value()?),
            "--audience" => config.audience = value()?,
            "--token-lifetime" => config.token_lifetime = seconds(value()?)?,
            "--code-lifetime" => config.code_lifetime = std::time::Duration::from_secs(seconds(value()?)?),
            "--auto-login" => config.auto_login = Some(Login::parse(&value()?)?),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    if config.client_id.is_empty() || config.audience.is_empty() {
        return Err("the client id and the audience must not be empty".to_owned());
    }
    Ok(Some((listen, config)))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (listen, config) = match parse_args(std::env::args().skip(1)) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("oidc_issuer: {problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (listener, state) = match flow::bind(&listen, config).await {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("oidc_issuer: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let announced = writeln!(stdout, "{}", serde_json::json!({"issuer": state.url})).and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(e) = announced {
        eprintln!("oidc_issuer: cannot write to stdout: {e}");
        return ExitCode::FAILURE;
    }
    let config = &state.config;
    eprintln!(
        "oidc_issuer: serving {} (client {}, audience {}, redirects {}, tokens {} s{})",
        state.url,
        config.client_id,
        config.audience,
        if config.redirect_prefixes.is_empty() {
            "to any http://127.0.0.1 origin".to_owned()
        } else {
            config.redirect_prefixes.join(", ")
        },
        config.token_lifetime,
        config.auto_login.as_ref().map(|login| format!(", auto-login {}", login.email)).unwrap_or_default(),
    );
    if let Err(e) = axum::serve(listener, flow::router(state)).await {
        eprintln!("oidc_issuer: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
