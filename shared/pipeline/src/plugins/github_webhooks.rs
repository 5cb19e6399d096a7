//! MozDef's `github_webhooks` mq plugin (registration `githubeventsqs`; priority 10).
//!
//! Rebuilds GitHub webhook events (relayed through SQS, tagged `githubeventsqs`) as a new
//! event: `category=github`, `tags=[github, webhook]`, `eventsource=githubeventsqs`,
//! `source` = `details.event`, `details.request_id` (`UNKNOWN` when missing) and, for the 18
//! event types of `github_mapping.json` (MozDef's `github_mapping.yml`: push, create, delete,
//! pull_request, repository_vulnerability_alert, security_advisory, repository, member, team,
//! team_add, organization, membership, public, repository_import, release, org_block,
//! github_app_authorization, installation), the mapped fields (JMESPath expressions over the
//! original event; `null` results are skipped). A `details.commit_ts` becomes `timestamp` (as
//! is) and `utctimestamp` (through `toUTC`). Events of any other type (or without
//! `details.event`) are dropped, as in MozDef. Events whose `tags` do not contain
//! `githubeventsqs` (a list element, or a substring of a string) are left unchanged.
//!
//! `summary` = `github: <source>: ` (`github app: installation ` for installations, `github :
//! change from private to public ` for `public`), then, for each detail present, `<status> `,
//! `<action> `, `<ref_type> `, `on repo: <repo_name> `, `for: <alert_note>`, `package:
//! <alert_package> `, `team: <team_name> `, `user: <blocked_user_login> `, `in org:
//! <org_login> ` and `triggered by user: <username>`.
//!
//! Deviations from MozDef:
//! * MozDef tested the source with `is 'installation'` / `is 'public'` (object identity),
//!   which only held for interned literals (its tests), not for strings decoded from a
//!   message; here they are compared by value, as intended;
//! * a `commit_ts` that `toUTC` cannot read (MozDef: an exception, the event lost) leaves
//!   `timestamp` and `utctimestamp` unset (the save-time defaults fill them);
//! * `tags` that are not a string, list or object (MozDef: `TypeError`) count as not
//!   containing `githubeventsqs`; `key_exists` only walks objects (see
//!   [`super::jmes::get_key`]), so a `details` that is not an object has no event type and
//!   the event is dropped;
//! * values are formatted into the summary with Python's `str()` (objects and lists as JSON,
//!   see `python::py_str`).

use std::sync::LazyLock;

use chrono::Utc;
use mozdef_model::{Document, isoformat, to_utc};
use serde_json::{Map, Value, json};

use super::jmes::{MappingSet, get_key, py_contains};
use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::py_str;

/// `github_mapping.yml`, converted to JSON.
static MAPPING: LazyLock<Result<MappingSet, String>> =
    LazyLock::new(|| MappingSet::from_json(include_str!("github_mapping.json")));

/// The summary parts added for each detail present, in MozDef's order.
const SUMMARY_PARTS: [(&str, &str, &str); 10] = [
    ("status", "", " "),
    ("action", "", " "),
    ("ref_type", "", " "),
    ("repo_name", "on repo: ", " "),
    ("alert_note", "for: ", ""),
    ("alert_package", "package: ", " "),
    ("team_name", "team: ", " "),
    ("blocked_user_login", "user: ", " "),
    ("org_login", "in org: ", " "),
    ("username", "triggered by user: ", ""),
];

/// MozDef's `github_webhooks`.
#[derive(Debug, Default)]
pub struct GithubWebhooks;

impl Plugin for GithubWebhooks {
    fn name(&self) -> &'static str {
        "github_webhooks"
    }

    fn registration(&self) -> &[&str] {
        &["githubeventsqs"]
    }

    fn priority(&self) -> u32 {
        10
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        match event.get("tags") {
            Some(tags) if py_contains(tags, "githubeventsqs") => {}
            _ => return Ok(Verdict::Keep),
        }
        let mappings = MAPPING.as_ref().map_err(|e| PluginError::new(format!("github_mapping.json: {e}")))?;
        // `source` is `details.event` (or UNKNOWN); only a string naming a mapped type is kept.
        let Some((source, mapping)) = get_key(event, "details.event")
            .and_then(Value::as_str)
            .and_then(|source| mappings.get(source).map(|mapping| (source.to_owned(), mapping)))
        else {
            return Ok(Verdict::Drop);
        };

        let mut details = Map::new();
        let request_id = get_key(event, "details.request_id").cloned().unwrap_or_else(|| Value::from("UNKNOWN"));
        details.insert("request_id".to_owned(), request_id);
        for (key, expr) in mapping.fields() {
            if let Some(value) = expr.search_map(event) {
                details.insert(key.to_owned(), value.clone());
            }
        }
        let times = details.get("commit_ts").and_then(|commit_ts| {
            let utc = to_utc(commit_ts, Utc::now()).ok()?;
            Some((commit_ts.clone(), isoformat(&utc)))
        });

        let mut summary = match source.as_str() {
            "installation" => format!("github app: {source} "),
            "public" => format!("github : change from private to {source} "),
            _ => format!("github: {source}: "),
        };
        for (key, prefix, suffix) in SUMMARY_PARTS {
            if let Some(value) = details.get(key) {
                summary.push_str(prefix);
                summary.push_str(&py_str(value));
                summary.push_str(suffix);
            }
        }

        let mut rebuilt = Map::new();
        rebuilt.insert("details".to_owned(), Value::Object(details));
        rebuilt.insert("category".to_owned(), Value::from("github"));
        rebuilt.insert("tags".to_owned(), json!(["github", "webhook"]));
        rebuilt.insert("eventsource".to_owned(), Value::from("githubeventsqs"));
        rebuilt.insert("source".to_owned(), Value::from(source));
        if let Some((timestamp, utctimestamp)) = times {
            rebuilt.insert("timestamp".to_owned(), timestamp);
            rebuilt.insert("utctimestamp".to_owned(), Value::from(utctimestamp));
        }
        rebuilt.insert("summary".to_owned(), Value::from(summary));
        *event = rebuilt;
        Ok(Verdict::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_loads_with_its_18_event_types() {
        let types: Vec<&str> = MAPPING.as_ref().map(|m| m.event_types().collect()).unwrap_or_default();
        assert_eq!(types.len(), 18);
        let pull_request: Vec<&str> = MAPPING
            .as_ref()
            .ok()
            .and_then(|m| m.get("pull_request"))
            .map(|m| m.fields().map(|(k, _)| k).collect())
            .unwrap_or_default();
        // YAML's duplicate `pr_number`: one entry.
        assert_eq!(pull_request.len(), 63);
    }
}
