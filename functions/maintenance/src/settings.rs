//! The function's settings from its environment, read once at cold start: a bad value stops
//! the cold start naming the variable.

use std::time::Duration;

use anyhow::Context;
use mozdef_aws::lambda_env::{EnvError, opensearch_from_env, optional};
use mozdef_service::OpenSearchOptions;
use mozdef_store_opensearch::dashboards::Dashboards;
use mozdef_store_opensearch::lifecycle::LifecycleConfig;

use crate::Maintenance;

/// The variable naming the Dashboards server.
const DASHBOARDS_URL: &str = "MOZDEF_DASHBOARDS_URL";

/// How long one Dashboards request may take.
const DASHBOARDS_TIMEOUT: Duration = Duration::from_secs(30);

/// The function the environment describes (see the crate documentation).
pub async fn maintenance_from_env() -> anyhow::Result<Maintenance> {
    let store = opensearch_from_env().await?;
    let options: OpenSearchOptions = mozdef_service::from_env()?;
    let lifecycle = LifecycleConfig {
        replicas: options.replicas,
        events_prune_after_days: whole_number("MOZDEF_EVENTS_PRUNE_DAYS")?,
        events_close_after_days: whole_number("MOZDEF_EVENTS_CLOSE_DAYS")?,
        alerts_prune_after_months: whole_number("MOZDEF_ALERTS_PRUNE_MONTHS")?,
        ..LifecycleConfig::default()
    };
    let serverless = options.sigv4.as_deref() == Some("aoss");
    let url = match optional(DASHBOARDS_URL) {
        Some(url) if url.eq_ignore_ascii_case("none") => None,
        Some(url) => Some(url),
        None if serverless => None,
        None => Some(format!("{}/_dashboards", store.config().url.trim_end_matches('/'))),
    };
    let dashboards = match url {
        Some(url) => Some(
            Dashboards::connect(&url, &store.config().auth, DASHBOARDS_TIMEOUT)
                .with_context(|| format!("{DASHBOARDS_URL} {url:?}"))?,
        ),
        None => {
            tracing::info!("no Dashboards server: index patterns are not installed");
            None
        }
    };
    tracing::info!(
        prefix = store.config().index_prefix.as_str(),
        dashboards = dashboards.is_some(),
        "maintenance ready"
    );
    Ok(Maintenance::new(store, lifecycle, dashboards))
}

/// An optional whole number (unset: `None`).
fn whole_number(name: &str) -> Result<Option<u32>, EnvError> {
    optional(name)
        .map(|value| {
            value.trim().parse::<u32>().map_err(|e| EnvError::Invalid {
                name: name.to_owned(),
                message: format!("{value:?} is not a whole number: {e}"),
            })
        })
        .transpose()
}
