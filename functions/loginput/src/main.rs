//! The `loginput` Lambda binary: configuration once at cold start (a bad one fails it, naming
//! the variable), then one HTTP request per invocation.

use lambda_http::service_fn;
use mozdef_fn_loginput::{app_from_env, handler};

// The pipeline and the JSON codecs allocate many small strings and maps; mimalloc takes that
// with far less CPU than glibc's allocator (functions/ingest/benches/handler_cpu.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    mozdef_aws::lambda_env::init_logging();
    let app = app_from_env().await.map_err(|e| lambda_http::Error::from(format!("{e:#}")))?;
    lambda_http::run(service_fn(move |request| handler::handle(app.clone(), request))).await
}
