//! Lambda `alert-actions`: the alerts SQS queue → the enabled actions (MozDef's
//! `alert_actions_worker`) → outcomes recorded on each alert in OpenSearch.
//!
//! Configuration (environment, checked at cold start): `MOZDEF_OPENSEARCH_URL`,
//! `MOZDEF_OPENSEARCH_SIGV4`, `MOZDEF_OPENSEARCH_PREFIX`; `MOZDEF_ALERT_CONFIG_DIR` with
//! `actions.json` (the enabled actions, retries) and one file per action, or
//! `MOZDEF_ALERT_<MODULE>__<KEY>` variables (`MOZDEF_ALERT_ACTIONS__ENABLED=["slack"]`,
//! `MOZDEF_ALERT_SLACK__WEBHOOK_URL=...`).

pub mod handler;

use std::sync::Arc;

use mozdef_alerts::actions::{ActionServices, build_actions};
use mozdef_aws::lambda_env::opensearch_from_env;
use mozdef_aws::{AwsOptions, SnsTopics};
use mozdef_service::{ActionRunner, AlertOptions};

/// The action runner the environment describes.
pub async fn runner_from_env() -> anyhow::Result<ActionRunner> {
    let sdk = mozdef_aws::load(&AwsOptions::default()).await;
    let store = opensearch_from_env().await?;
    let options: AlertOptions = mozdef_service::from_env()?;
    let config = options.actions_config(None)?;
    let services = ActionServices { sns: Some(Arc::new(SnsTopics::new(aws_sdk_sns::Client::new(&sdk)))) };
    let actions = build_actions(&config, &services)?;
    tracing::info!(actions = actions.len(), "alert actions ready");
    Ok(ActionRunner::new(actions, config.retry, Arc::new(store)))
}
