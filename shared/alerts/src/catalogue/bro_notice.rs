//! The Bro notice alerts (`bugzilla_auth_bruteforce`, `http_auth_bruteforce`, `http_errors`,
//! `ssh_bruteforce_bro`): one alert per `bro` `notice` event carrying a given `details.note`,
//! summarised as `<hostname> <summary>`. Each alert's own module holds its note, severity,
//! category, tags and settings; this is the task they share.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::catalogue::fields;
use crate::context::AlertContext;
use crate::task::{AlertTask, Mode};

/// The settings of a Bro notice alert whose only setting is its runbook link
/// (`<module>.conf`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunbookConfig {
    /// The runbook link attached to each alert.
    pub url: String,
}

impl Default for RunbookConfig {
    /// MozDef's default link, `https://www.mozilla.org`.
    fn default() -> Self {
        RunbookConfig { url: "https://www.mozilla.org".into() }
    }
}

/// One Bro notice alert.
#[derive(Debug, Clone)]
pub(crate) struct BroNotice {
    /// MozDef's class name.
    pub(crate) name: &'static str,
    /// The `details.note` reported (a phrase match).
    pub(crate) note: &'static str,
    /// The search window.
    pub(crate) window: Duration,
    /// The alert category.
    pub(crate) category: &'static str,
    /// The alert tags.
    pub(crate) tags: &'static [&'static str],
    /// The alert severity.
    pub(crate) severity: Severity,
    /// The runbook link attached to each alert.
    pub(crate) url: String,
}

impl AlertTask for BroNotice {
    fn name(&self) -> &str {
        self.name
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(self.window));
        query.add_must(Match::term("category", "bro"));
        query.add_must(Match::term("source", "notice"));
        query.add_must(Match::phrase("details.note", self.note));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let alert = Alert::new(host_summary(event), self.category, self.tags, vec![event.clone()]);
        Some(alert.severity(self.severity).url(self.url.clone()))
    }
}

/// `<hostname> <summary>` of a Bro event: strings as they are, other values as JSON, and a
/// missing one as `UNKNOWN` (the pipeline's default for both fields; MozDef failed).
pub(crate) fn host_summary(event: &Hit) -> String {
    let field = |name: &str| fields::top(event, name).unwrap_or_else(|| "UNKNOWN".to_owned());
    format!("{} {}", field("hostname"), field("summary"))
}
