//! Lambda `api`: API Gateway's HTTP API (payload 2.0, behind its JWT authorizer) → MozDef's
//! REST API (search, events, quarantine, stats, alerts, schedules) over OpenSearch, with the
//! alert schedules in DynamoDB and "run alerts now" handed to the alerts function by an
//! asynchronous invoke (the route answers 202).
//!
//! Configuration (environment, checked at cold start): `MOZDEF_OPENSEARCH_URL`,
//! `MOZDEF_OPENSEARCH_SIGV4` (`es` or `aoss`), `MOZDEF_OPENSEARCH_PREFIX`;
//! `MOZDEF_SCHEDULES_TABLE`; `MOZDEF_OIDC_ISSUER` and `MOZDEF_OIDC_AUDIENCE` (the claims
//! checked on every request); `MOZDEF_ALERTS_FUNCTION` (the alerts function's name or ARN;
//! unset: `POST /api/alerts/run` answers 503).

pub mod claims;
pub mod handler;

use std::sync::Arc;

use axum::Router;
use mozdef_alerts::ScheduleStore;
use mozdef_api::ApiState;
use mozdef_aws::AwsOptions;
use mozdef_aws::alert_invoke::{ALERTS_FUNCTION_VARIABLE, InvokeAlertsFunction};
use mozdef_aws::lambda_env::{opensearch_from_env, optional, required};
use mozdef_model::{Clock, SystemClock};
use mozdef_service::RunAlertsNow;
use mozdef_store_dynamodb::DynamoSchedules;

use crate::claims::RequiredClaims;

/// The application the environment describes.
pub async fn app_from_env() -> anyhow::Result<Router> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let claims = RequiredClaims::new(required("MOZDEF_OIDC_ISSUER")?, required("MOZDEF_OIDC_AUDIENCE")?, clock.clone());
    let sdk = mozdef_aws::load(&AwsOptions::default()).await;
    let store = opensearch_from_env().await?;
    let schedules: Arc<dyn ScheduleStore> =
        Arc::new(DynamoSchedules::new(aws_sdk_dynamodb::Client::new(&sdk), required("MOZDEF_SCHEDULES_TABLE")?));
    let run_alerts = optional(ALERTS_FUNCTION_VARIABLE).map(|function| {
        let invoker = InvokeAlertsFunction::new(aws_sdk_lambda::Client::new(&sdk), function, schedules.clone());
        Arc::new(invoker) as Arc<dyn RunAlertsNow>
    });
    if run_alerts.is_none() {
        tracing::warn!("{ALERTS_FUNCTION_VARIABLE} is not set: POST /api/alerts/run answers 503");
    }
    let state = ApiState { store: Arc::new(store), schedules, clock, run_alerts, ingest_stats: None };
    tracing::info!(run_alerts = state.run_alerts.is_some(), "api ready");
    Ok(handler::app(state, claims))
}
