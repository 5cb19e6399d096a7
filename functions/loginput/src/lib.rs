//! Lambda `loginput`: API Gateway's HTTP API (payload 2.0) on MozDef's loginput paths
//! (`/events`, `/nxlog`, `/cef`, `/custom/<app>`, `/_bulk`, `/status`, `/test`) → the same
//! validation and limits as `mozdef dev` (`mozdef_api::loginput_router_with_auth`) → the SQS
//! events queue ([`SqsEventQueue`]: a 2xx only once SQS accepted every message of the
//! request; an event too large for a message goes to the large-events bucket). No store is
//! built.
//!
//! Shippers authenticate with `Authorization: Bearer <token>` on every route but `/status`
//! and `/test`; tokens are checked against the DynamoDB table (by the SHA-256 of the secret,
//! cached for a minute, refusals for five seconds) unless `MOZDEF_LOGINPUT_OPEN=true`, which
//! the cold start logs as a warning.
//!
//! Configuration (environment, checked at cold start, [`config`]): `MOZDEF_EVENTS_QUEUE_URL`,
//! `MOZDEF_LARGE_EVENTS_BUCKET`, `MOZDEF_SHIPPER_TOKENS_TABLE` (required unless
//! `MOZDEF_LOGINPUT_OPEN=true`), `MOZDEF_LOGINPUT_OPEN`, `OPTIONS_MAX_EVENT_BYTES` (default
//! 1 MiB), `OPTIONS_MAX_BULK_BYTES` (default 10 MiB; a Lambda request is at most 6 MB, so
//! API Gateway refuses larger bodies before they get here), `RUST_LOG`.

pub mod config;
pub mod handler;

use std::sync::Arc;

use axum::Router;
use mozdef_api::{Limits, LoginputState, ShipperAuth, loginput_router_with_auth};
use mozdef_aws::{AwsOptions, SqsEventQueue};
use mozdef_service::ShipperTokens;
use mozdef_service::shipper_tokens::CacheSettings;
use mozdef_store::{EventQueue, ShipperTokenStore};
use mozdef_store_dynamodb::DynamoShipperTokens;

use crate::config::{LoginputConfig, Shippers};

/// The loginput router over `queue` with `limits`; with a token store, every event route
/// needs an active shipper token from it.
pub fn app(queue: Arc<dyn EventQueue>, limits: Limits, tokens: Option<Arc<dyn ShipperTokenStore>>) -> Router {
    let auth =
        tokens.map(|store| Arc::new(ShipperTokens::new(store, CacheSettings::default())) as Arc<dyn ShipperAuth>);
    loginput_router_with_auth(LoginputState { queue, limits }, auth)
}

/// The application the environment describes (see the crate documentation).
pub async fn app_from_env() -> anyhow::Result<Router> {
    let config = LoginputConfig::from_env()?;
    let sdk = mozdef_aws::load(&AwsOptions::default()).await;
    let queue = SqsEventQueue::new(
        aws_sdk_sqs::Client::new(&sdk),
        aws_sdk_s3::Client::new(&sdk),
        &config.queue_url,
        &config.large_events_bucket,
    );
    let tokens = match &config.shippers {
        Shippers::TokensIn(table) => {
            tracing::info!(table = %table, "shipper tokens required");
            let store = DynamoShipperTokens::new(aws_sdk_dynamodb::Client::new(&sdk), table);
            Some(Arc::new(store) as Arc<dyn ShipperTokenStore>)
        }
        Shippers::Open => {
            tracing::warn!("MOZDEF_LOGINPUT_OPEN=true: loginput takes events from anyone, without shipper tokens");
            None
        }
    };
    tracing::info!(
        queue = %config.queue_url,
        bucket = %config.large_events_bucket,
        max_event_bytes = config.limits.max_event_bytes,
        max_bulk_bytes = config.limits.max_bulk_bytes,
        "loginput ready"
    );
    Ok(app(Arc::new(queue), config.limits, tokens))
}
