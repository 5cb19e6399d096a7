//! The `maintenance` Lambda binary: configuration once at cold start, then one scheduled run
//! or custom resource request per invocation.

use std::sync::Arc;
use std::time::Duration;

use lambda_runtime::{LambdaEvent, service_fn};
use mozdef_aws::AwsOptions;
use mozdef_aws::cfn_response::CfnResponder;
use mozdef_fn_maintenance::collector_schedules::EventRules;
use mozdef_fn_maintenance::handler::{Handler, work_budget};
use mozdef_fn_maintenance::maintenance_from_env;
use mozdef_fn_maintenance::web_config::WebObjects;
use serde_json::Value;

// The pipeline and the JSON codecs allocate many small strings and maps; mimalloc takes that
// with far less CPU than glibc's allocator (functions/ingest/benches/handler_cpu.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    mozdef_aws::lambda_env::init_logging();
    let maintenance = maintenance_from_env().await.map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))?;
    let sdk = mozdef_aws::load(&AwsOptions::default()).await;
    let web = WebObjects::new(aws_sdk_s3::Client::new(&sdk));
    let rules = EventRules::new(aws_sdk_eventbridge::Client::new(&sdk));
    let handler = Arc::new(
        Handler::new(maintenance, CfnResponder::new(Duration::from_secs(10))?)
            .with_web_objects(web)
            .with_event_rules(rules),
    );
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let handler = handler.clone();
        async move {
            let now = chrono::Utc::now();
            let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or_default();
            let budget = work_budget(event.context.deadline, now_ms);
            handler.handle(event.payload, now, budget).await.map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))
        }
    }))
    .await
}
