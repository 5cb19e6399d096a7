//! The `alerts` Lambda binary: configuration once at cold start, then one run per event (a
//! scheduled tick or a run-now request).

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use mozdef_fn_alerts::{handler, runner_from_env};
use serde_json::Value;

// The pipeline and the JSON codecs allocate many small strings and maps; mimalloc takes that
// with far less CPU than glibc's allocator (functions/ingest/benches/handler_cpu.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    mozdef_aws::lambda_env::init_logging();
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
