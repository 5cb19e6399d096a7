//! The `loginput` Lambda binary: configuration once at cold start (a bad one fails it, naming
//! the variable), then one HTTP request per invocation.

use lambda_http::service_fn;
use mozdef_fn_loginput::{app_from_env, handler};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let app = app_from_env().await.map_err(|e| lambda_http::Error::from(format!("{e:#}")))?;
    lambda_http::run(service_fn(move |request| handler::handle(app.clone(), request))).await
}
