//! The `api` Lambda binary: configuration once at cold start, then one HTTP request per
//! invocation.

// The pipeline and the JSON codecs allocate many small strings and maps; mimalloc takes that
// with far less CPU than glibc's allocator (functions/ingest/benches/handler_cpu.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    mozdef_aws::lambda_env::init_logging();
    let app = mozdef_fn_api::app_from_env().await.map_err(|e| lambda_http::Error::from(format!("{e:#}")))?;
    lambda_http::run(lambda_http::service_fn(move |request| mozdef_fn_api::handler::handle(app.clone(), request))).await
}
