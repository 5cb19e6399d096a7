//! The `ingest` Lambda binary: configuration once at cold start, then per invocation either
//! one SQS batch (with partial batch failures) or one CloudWatch Logs subscription payload.

use std::sync::Arc;

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use mozdef_fn_ingest::{IngestFunction, handler};
use serde_json::Value;

// The pipeline and the JSON codecs allocate many small strings and maps; mimalloc takes that
// with far less CPU than glibc's allocator (functions/ingest/benches/handler_cpu.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    mozdef_aws::lambda_env::init_logging();
    let function = IngestFunction::from_env().await.map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))?;
    let function = Arc::new(function);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let function = function.clone();
        async move {
            if event.payload.get("awslogs").is_some() {
                let body = serde_json::to_vec(&event.payload)?;
                handler::handle_cloudwatch(&body, &function).await.map_err(lambda_runtime::Error::from)?;
                return Ok::<_, lambda_runtime::Error>(Value::Null);
            }
            let batch: SqsEvent = serde_json::from_value(event.payload)?;
            Ok(serde_json::to_value(handler::handle(batch, &function).await)?)
        }
    }))
    .await
}
