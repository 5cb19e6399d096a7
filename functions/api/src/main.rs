//! The `api` Lambda binary: configuration once at cold start, then one HTTP request per
//! invocation.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let app = mozdef_fn_api::app_from_env().await.map_err(|e| lambda_http::Error::from(format!("{e:#}")))?;
    lambda_http::run(app).await
}
