//! The `alert-actions` Lambda binary: configuration once at cold start, then one batch per
//! invocation with partial batch failures.

use std::sync::Arc;

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use mozdef_fn_alert_actions::{handler, runner_from_env};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let runner = Arc::new(runner_from_env().await.map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let runner = runner.clone();
        async move { Ok::<_, lambda_runtime::Error>(handler::handle(event.payload, &runner).await) }
    }))
    .await
}
