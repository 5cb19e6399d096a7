//! `auditd_sftp.py` → `AlertSFTPEvent`: an sftp session seen by auditd (`audisp-json` execve
//! records of `ssh` run by an `sftp` parent), one alert per event within five minutes.

use chrono::Duration;
use mozdef_model::get_path;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// What the summary shows for a missing field.
const UNKNOWN: &str = "unknown";

/// The alert.
#[derive(Debug, Clone, Default)]
pub struct AlertSFTPEvent;

/// The catalogue entry (the alert has no settings).
pub fn entry(_config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    Ok(CatalogueEntry::single("auditd_sftp", AlertSFTPEvent))
}

impl AlertTask for AlertSFTPEvent {
    fn name(&self) -> &str {
        "AlertSFTPEvent"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(5)));
        query.add_must(Match::term("category", "execve"));
        query.add_must(Match::term("processname", "audisp-json"));
        query.add_must(Match::term("details.processname", "ssh"));
        query.add_must(Match::phrase("details.parentprocess", "sftp"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let details = event.source.get("details");
        let detail = |path: &str| details.and_then(|d| get_path(d, path)).and_then(text);
        let username = detail("originaluser").unwrap_or_else(|| UNKNOWN.to_owned());
        let host = event.source.get("hostname").and_then(text).unwrap_or_else(|| UNKNOWN.to_owned());
        let directory = detail("cwd").unwrap_or_else(|| UNKNOWN.to_owned());
        let summary = format!("SFTP Event by {username} from host {host} in directory {directory}");
        Some(Alert::new(summary, "execve", &["audisp-json, audit"], vec![event.clone()]))
    }
}

/// A field as the summary prints it (strings as they are, other values as JSON); null is
/// treated as missing.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}
