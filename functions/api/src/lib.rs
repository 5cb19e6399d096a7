//! Lambda `api`: API Gateway's HTTP API (payload 2.0, behind its JWT authorizer) → MozDef's
//! REST API (search, events, quarantine, stats, alerts, schedules) over OpenSearch, with the
//! alert schedules in DynamoDB and "run alerts now" handed to the alerts function by an
//! asynchronous invoke (the route answers 202).
//!
//! Configuration (environment, checked at cold start): `MOZDEF_OPENSEARCH_URL`,
//! `MOZDEF_OPENSEARCH_SIGV4` (`es` or `aoss`), `MOZDEF_OPENSEARCH_PREFIX`;
//! `MOZDEF_SCHEDULES_TABLE`; `MOZDEF_RECORDS_TABLE` (incidents, investigations, triage,
//! lists, preferences); `MOZDEF_SHIPPER_TOKENS_TABLE` (managed by admins);
//! `MOZDEF_QUEUE_URLS` (comma-separated SQS queue URLs whose depth the health page shows);
//! `MOZDEF_OIDC_ISSUER` and `MOZDEF_OIDC_AUDIENCE` (the authorizer's claims are checked on
//! every request, and the bearer token itself is verified against the issuer's keys, which
//! also gives the caller's email and role; the other `RestOptions` variables map groups to
//! roles and configure the lists and lookups); `MOZDEF_ALERTS_FUNCTION` (the alerts
//! function's name or ARN; unset: `POST /api/alerts/run` answers 503).

pub mod claims;
pub mod handler;

use std::sync::Arc;

use anyhow::Context;

use axum::Router;
use mozdef_alerts::ScheduleStore;
use mozdef_api::ApiState;
use mozdef_aws::AwsOptions;
use mozdef_aws::alert_invoke::{ALERTS_FUNCTION_VARIABLE, InvokeAlertsFunction};
use mozdef_aws::lambda_env::{opensearch_from_env, optional, required};
use mozdef_model::{Clock, SystemClock};
use mozdef_service::records::Records;
use mozdef_service::shipper_tokens::CacheSettings;
use mozdef_service::{RestOptions, RunAlertsNow, ShipperTokens};
use mozdef_store::{EventStore, QueueStatus};
use mozdef_store_dynamodb::{DynamoRecords, DynamoSchedules, DynamoShipperTokens};

use crate::claims::RequiredClaims;

/// The application the environment describes.
pub async fn app_from_env() -> anyhow::Result<Router> {
    // Every setting first, so that a missing one is named before anything goes out.
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let claims = RequiredClaims::new(required("MOZDEF_OIDC_ISSUER")?, required("MOZDEF_OIDC_AUDIENCE")?, clock.clone());
    let options: RestOptions = mozdef_service::from_env()?;
    let schedules_table = required("MOZDEF_SCHEDULES_TABLE")?;
    let records_table = required("MOZDEF_RECORDS_TABLE")?;
    let tokens_table = required("MOZDEF_SHIPPER_TOKENS_TABLE")?;
    let whitelists = options.whitelists()?;
    let lookups = mozdef_api::site::lookups(&options)?;
    let sdk = mozdef_aws::load(&AwsOptions::default()).await;
    let store: Arc<dyn EventStore> = Arc::new(opensearch_from_env().await?);
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let records = Records::new(
        Arc::new(DynamoRecords::new(dynamodb.clone(), records_table)),
        store.clone(),
        clock.clone(),
        whitelists,
    );
    let token_store = DynamoShipperTokens::new(dynamodb.clone(), tokens_table);
    let shipper_tokens = ShipperTokens::new(Arc::new(token_store), CacheSettings::default());
    let queues = optional("MOZDEF_QUEUE_URLS").map(|urls| {
        let urls = urls.split(',').map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect();
        Arc::new(mozdef_aws::queue_depth::SqsQueueDepth::new(aws_sdk_sqs::Client::new(&sdk), urls))
            as Arc<dyn QueueStatus>
    });
    let schedules: Arc<dyn ScheduleStore> = Arc::new(DynamoSchedules::new(dynamodb, schedules_table));
    let run_alerts = optional(ALERTS_FUNCTION_VARIABLE).map(|function| {
        let invoker = InvokeAlertsFunction::new(aws_sdk_lambda::Client::new(&sdk), function, schedules.clone());
        Arc::new(invoker) as Arc<dyn RunAlertsNow>
    });
    if run_alerts.is_none() {
        tracing::warn!("{ALERTS_FUNCTION_VARIABLE} is not set: POST /api/alerts/run answers 503");
    }
    // Last, the one call out: the issuer's discovery document and keys.
    let authentication = mozdef_api::site::oidc(&options)
        .await
        .context("MOZDEF_OIDC_ISSUER: cannot set up token verification")?
        .ok_or_else(|| anyhow::anyhow!("MOZDEF_OIDC_ISSUER: required by the api function"))?;
    let state = ApiState {
        run_alerts,
        records: Some(records),
        lookups: Some(Arc::new(lookups)),
        authentication,
        shipper_tokens: Some(Arc::new(shipper_tokens)),
        queues,
        change_stream: false,
        ..ApiState::new(store, schedules, clock)
    };
    tracing::info!(run_alerts = state.run_alerts.is_some(), "api ready");
    Ok(handler::app(state, claims))
}
