//! `cloudtrail_logging_disabled.py` → `AlertCloudtrailLoggingDisabled`: a successful
//! CloudTrail `StopLogging` call, one CRITICAL alert per event within thirty minutes.
//!
//! MozDef excluded refused calls with `must_not errorcode=AccessDenied` on a top-level field
//! that CloudTrail events never have (the pipeline puts the record's `errorCode` under
//! `details.errorcode`), so a denied attempt alerted as if logging had stopped (inventory
//! §10). Both fields are excluded here: the CloudTrail one, and MozDef's for events shaped
//! as its tests shaped them.

use chrono::Duration;
use mozdef_model::{Severity, get_path};
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// The alert.
#[derive(Debug, Clone, Default)]
pub struct AlertCloudtrailLoggingDisabled;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("cloudtrail_logging_disabled", AlertCloudtrailLoggingDisabled))
}

impl AlertTask for AlertCloudtrailLoggingDisabled {
    fn name(&self) -> &str {
        "AlertCloudtrailLoggingDisabled"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(30)));
        query.add_must(Match::term("source", "cloudtrail"));
        query.add_must(Match::term("details.eventname", "StopLogging"));
        query.add_must_not(Match::term("details.errorcode", "AccessDenied"));
        query.add_must_not(Match::term("errorcode", "AccessDenied"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let name = event.source.get("details").and_then(|d| get_path(d, "requestparameters.name"));
        let name = match name {
            Some(Value::String(s)) => s.clone(),
            Some(other) if !other.is_null() => other.to_string(),
            _ => {
                // MozDef's run died on such an event; this one skips it and goes on.
                tracing::warn!(event = %event.id, "StopLogging event without details.requestparameters.name");
                return None;
            }
        };
        let summary = format!("Cloudtrail Logging Disabled: {name}");
        let tags = ["cloudtrail", "aws", "cloudtrail_logging_disabled"];
        Some(Alert::new(summary, "AWSCloudtrail", &tags, vec![event.clone()]).severity(Severity::Critical))
    }
}
