//! The `ingest` Lambda binary: configuration once at cold start, then one batch per invocation
//! with partial batch failures.

use std::sync::Arc;

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use mozdef_fn_ingest::{IngestFunction, handler};

// The pipeline and the JSON codecs allocate many small strings and maps; mimalloc takes that
// with far less CPU than glibc's allocator (functions/ingest/benches/handler_cpu.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    mozdef_aws::lambda_env::init_logging();
    let function = IngestFunction::from_env().await.map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))?;
    let function = Arc::new(function);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let function = function.clone();
        async move { Ok::<_, lambda_runtime::Error>(handler::handle(event.payload, &function).await) }
    }))
    .await
}
