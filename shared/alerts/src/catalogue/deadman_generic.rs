//! `deadman_generic.py` → `AlertDeadmanGeneric`: deadman checks written as data. Each rule
//! of `deadman_generic.json` is a query string (`search_query`) that some event of
//! `events-weekly` must match within `time_window` `time_window_type`; when none does, an
//! alert says so.
//!
//! Each rule runs as its own task, named `AlertDeadmanGeneric:<description>` (MozDef ran
//! them all as `AlertDeadmanGeneric`): the name is the alert's `classname` and part of its
//! stored id, so two rules failing in the same minute are two alerts, not one overwriting
//! the other. Rules are checked when the entry is built; a broken rule is reported by
//! position and description.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AlertTask, Mode};

/// MozDef's class name, the stem of every rule's alert name.
pub const CLASSNAME: &str = "AlertDeadmanGeneric";

/// The index deadman rules search: their windows may reach back past two days.
pub const INDEX: &str = "events-weekly";

/// `deadman_generic.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The severity of every deadman alert.
    pub severity: String,
    /// The rules: `{description, search_query, time_window, time_window_type, tags}`.
    pub alerts: Vec<Value>,
}

impl Default for Config {
    /// The sample rules MozDef shipped.
    fn default() -> Self {
        let alerts = json!([
            {
                "description": "Sample Alert 1",
                "search_query": "ABC12345436",
                "time_window": "5",
                "time_window_type": "minutes",
                "tags": ["generic_deadman"]
            },
            {
                "description": "Sample Alert 2",
                "search_query": "anotherterm",
                "time_window": "20",
                "time_window_type": "hours",
                "tags": ["someothertag"]
            }
        ]);
        Config { severity: "ERROR".into(), alerts: alerts.as_array().cloned().unwrap_or_default() }
    }
}

/// One checked deadman rule.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadmanRule {
    /// What is watched, as the summary names it.
    pub description: String,
    /// The query string some event must match.
    pub search_query: String,
    /// The window length, in `time_window_type` units.
    pub time_window: u64,
    /// The unit: `weeks`, `days`, `hours`, `minutes` or `seconds` (Python `timedelta` names).
    pub time_window_type: String,
    /// Tags added after `deadman`.
    pub tags: Vec<String>,
}

impl DeadmanRule {
    /// Checks one rule object; the error says what is wrong.
    pub fn parse(rule: &Value) -> Result<Self, String> {
        let Value::Object(rule) = rule else { return Err("not an object".into()) };
        let text = |key: &str| -> Result<String, String> {
            match rule.get(key) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                Some(other) => Err(format!("{key:?} must be a string, not {other}")),
                None => Err(format!("missing {key:?}")),
            }
        };
        let time_window = window_length(rule)?;
        let time_window_type = text("time_window_type")?;
        window(time_window, &time_window_type)?;
        let tags = match rule.get("tags") {
            Some(Value::Array(tags)) => tags.iter().map(|t| t.as_str().map(str::to_owned)).collect::<Option<_>>(),
            _ => None,
        }
        .ok_or("\"tags\" must be a list of strings")?;
        Ok(DeadmanRule {
            description: text("description")?,
            search_query: text("search_query")?,
            time_window,
            time_window_type,
            tags,
        })
    }

    /// The window as a duration.
    pub fn window(&self) -> Duration {
        window(self.time_window, &self.time_window_type).unwrap_or(Duration::MAX)
    }
}

/// `time_window`: a whole number above 0, written as a number or as text (MozDef's `int()`).
fn window_length(rule: &Map<String, Value>) -> Result<u64, String> {
    let value = rule.get("time_window").ok_or("missing \"time_window\"")?;
    let n = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    n.filter(|n| *n > 0).ok_or_else(|| format!("\"time_window\" must be a whole number above 0, not {value}"))
}

/// `timedelta(**{unit: n})`.
fn window(n: u64, unit: &str) -> Result<Duration, String> {
    let n = i64::try_from(n).map_err(|_| "\"time_window\" is too large".to_owned())?;
    let duration = match unit {
        "weeks" => Duration::try_weeks(n),
        "days" => Duration::try_days(n),
        "hours" => Duration::try_hours(n),
        "minutes" => Duration::try_minutes(n),
        "seconds" => Duration::try_seconds(n),
        other => {
            return Err(format!("\"time_window_type\" {other:?} is not one of weeks, days, hours, minutes, seconds"));
        }
    };
    duration.ok_or_else(|| "\"time_window\" is too large".to_owned())
}

/// One rule as an alert.
#[derive(Debug, Clone)]
pub struct AlertDeadmanGeneric {
    name: String,
    rule: DeadmanRule,
    severity: Severity,
    search: Match,
}

impl AlertDeadmanGeneric {
    /// The alert of `rule`; fails when its `search_query` is not a valid query string.
    pub fn new(rule: DeadmanRule, severity: Severity) -> Result<Self, QueryError> {
        let search = Match::query_string(&rule.search_query)?;
        Ok(AlertDeadmanGeneric { name: format!("{CLASSNAME}:{}", rule.description), rule, severity, search })
    }
}

/// The catalogue entry: one task per rule of the `deadman_generic` configuration.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let mut entry = from_config(&config.load("deadman_generic")?)?;
    entry.enabled_by_default = config.is_configured("deadman_generic");
    Ok(entry)
}

/// The schedule key of the pull collectors' silence checks.
pub const COLLECTOR_SILENCE: &str = "collector_silence.AlertDeadmanGeneric";

/// The pull collectors' silence checks, as deadman rules: for each `(source, minutes)`, an
/// alert (`Deadman check failed for 'collector <source>' the past <minutes> minutes`, tags
/// `deadman`, `collector`) when no heartbeat of a successful run of that source
/// (`category:collector AND details.collector:<source>`) was stored for that long — a
/// provider outage, expired credentials, or a collector that stopped.
pub fn collector_silence(sources: &[(String, u32)]) -> Result<CatalogueEntry, AlertError> {
    let alerts = sources
        .iter()
        .map(|(source, minutes)| {
            json!({
                "description": format!("collector {source}"),
                "search_query": format!("category:collector AND details.collector:\"{source}\""),
                "time_window": minutes.to_string(),
                "time_window_type": "minutes",
                "tags": ["collector"],
            })
        })
        .collect();
    let mut entry = from_config(&Config { severity: "ERROR".into(), alerts })?;
    entry.name = COLLECTOR_SILENCE.to_owned();
    Ok(entry)
}

/// The entry of `config`; every broken rule is named in the error (by position, from 1,
/// and description), and then no rule runs.
pub fn from_config(config: &Config) -> Result<CatalogueEntry, AlertError> {
    let config_error = |message: String| AlertError::Config { alert: "deadman_generic".into(), message };
    let severity: Severity = config
        .severity
        .parse()
        .map_err(|_| config_error(format!("severity {:?} is not a severity", config.severity)))?;
    let mut tasks: Vec<std::sync::Arc<dyn AlertTask>> = Vec::new();
    let mut problems = Vec::new();
    let mut names = Vec::new();
    for (n, value) in config.alerts.iter().enumerate() {
        let description = value.get("description").and_then(Value::as_str).unwrap_or("no description");
        let checked = DeadmanRule::parse(value)
            .and_then(|rule| AlertDeadmanGeneric::new(rule, severity).map_err(|e| format!("\"search_query\": {e}")));
        match checked {
            Ok(task) if names.contains(&task.name) => {
                problems.push(format!("rule {} ({description:?}): the description repeats an earlier rule", n + 1));
            }
            Ok(task) => {
                names.push(task.name.clone());
                tasks.push(std::sync::Arc::new(task));
            }
            Err(message) => problems.push(format!("rule {} ({description:?}): {message}", n + 1)),
        }
    }
    if !problems.is_empty() {
        return Err(config_error(problems.join("; ")));
    }
    Ok(CatalogueEntry {
        name: format!("deadman_generic.{CLASSNAME}"),
        tasks,
        stateful: Vec::new(),
        enabled_by_default: true,
    })
}

impl AlertTask for AlertDeadmanGeneric {
    fn name(&self) -> &str {
        &self.name
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(self.rule.window()));
        query.add_must(self.search.clone());
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Deadman
    }

    fn indices(&self) -> Vec<String> {
        vec![INDEX.to_owned()]
    }

    fn on_no_event(&self, _ctx: &AlertContext) -> Option<Alert> {
        let rule = &self.rule;
        let summary = format!(
            "Deadman check failed for '{}' the past {} {}",
            rule.description, rule.time_window, rule.time_window_type
        );
        let mut tags = vec!["deadman"];
        tags.extend(rule.tags.iter().map(String::as_str));
        Some(Alert::new(summary, "deadman", &tags, Vec::new()).severity(self.severity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_build() {
        let entry = from_config(&Config::default()).expect("defaults");
        let names: Vec<&str> = entry.tasks.iter().map(|t| t.name()).collect();
        assert_eq!(names, ["AlertDeadmanGeneric:Sample Alert 1", "AlertDeadmanGeneric:Sample Alert 2"]);
        assert_eq!(entry.tasks[1].indices(), ["events-weekly"]);
    }

    #[test]
    fn broken_rules_are_named() {
        let mut config = Config::default();
        config.alerts[0]["time_window_type"] = json!("fortnights");
        config.alerts[1]["search_query"] = json!("summary:(unclosed");
        config.alerts.push(json!({"description": "no window", "search_query": "x", "tags": []}));
        let error = from_config(&config).expect_err("broken").to_string();
        assert!(error.contains("rule 1 (\"Sample Alert 1\"): \"time_window_type\" \"fortnights\""), "{error}");
        assert!(error.contains("rule 2 (\"Sample Alert 2\"): \"search_query\": invalid query string"), "{error}");
        assert!(error.contains("rule 3 (\"no window\"): missing \"time_window\""), "{error}");
        let config = Config { severity: "LOUD".into(), ..Config::default() };
        assert!(from_config(&config).is_err_and(|e| e.to_string().contains("\"LOUD\" is not a severity")));
    }
}
