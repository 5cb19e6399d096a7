//! The `alerts` Lambda binary: configuration once at cold start, then one run per event (a
//! scheduled tick or a run-now request).

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use mozdef_fn_alerts::{handler, runner_from_env};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let runner = Arc::new(runner_from_env().await?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let runner = runner.clone();
        async move {
            handler::handle_payload(event.payload, &runner, chrono::Utc::now())
                .await
                .map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))
        }
    }))
    .await
}
