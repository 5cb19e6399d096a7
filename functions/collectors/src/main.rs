//! The `collectors` Lambda binary: configuration once at cold start, then one source's run per
//! invocation.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use mozdef_fn_collectors::{collectors_from_env, handler};
use serde_json::{Value, json};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    mozdef_aws::lambda_env::init_logging();
    let collectors = Arc::new(collectors_from_env().await.map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let collectors = collectors.clone();
        async move {
            let report = handler::handle(event.payload, &collectors)
                .await
                .map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))?;
            Ok::<_, lambda_runtime::Error>(
                json!({"source": report.source, "pages": report.pages, "events": report.events, "more": report.more}),
            )
        }
    }))
    .await
}
