//! `generic_alert_loader.py` → `AlertGenericLoader`: alerts written as data. Each rule file
//! (`*.json`, JSON or hjson) of a directory (MozDef: `{alert_data_location}/rules`, kept in
//! git by the `update_generic_alerts` cron job) becomes one aggregated alert named
//! `AlertGenericLoader:<file stem>`: events matching every `filters` term and the
//! `search_string` query string in the last `time_window` minutes, grouped by
//! `aggregation_key`, one alert per group of at least `num_aggregations` events.
//!
//! Differences from MozDef, on purpose: rules are checked when they are loaded (a broken
//! file is reported by name and the others still load, instead of failing at each run);
//! the distinct values in the summary keep the order of the samples (newest first) instead
//! of Python's set order, and values that are not strings are written out instead of
//! failing the rule.

mod rule;

use std::path::Path;
use std::sync::Arc;

use chrono::Duration;
use mozdef_model::get_path;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

pub use rule::{GenericRule, OPTIONAL_KEYS, REQUIRED_KEYS};

/// MozDef's class name; each rule's alert is `AlertGenericLoader:<rule file stem>`.
pub const CLASSNAME: &str = "AlertGenericLoader";

/// The catalogue entry name of the generic rules.
pub const ENTRY_NAME: &str = "generic_alert_loader.AlertGenericLoader";

/// One generic rule as an alert.
#[derive(Debug, Clone)]
pub struct AlertGenericLoader {
    name: String,
    rule: GenericRule,
    search: Match,
}

impl AlertGenericLoader {
    /// The alert of `rule`, read from the file whose stem is `stem`; fails when its
    /// `search_string` is not a valid query string.
    pub fn new(stem: &str, rule: GenericRule) -> Result<Self, QueryError> {
        let search = Match::query_string(&rule.search_string)?;
        Ok(AlertGenericLoader { name: format!("{CLASSNAME}:{stem}"), rule, search })
    }

    /// The rule.
    pub fn rule(&self) -> &GenericRule {
        &self.rule
    }
}

/// Loads every `*.json` rule file of `dir` (in file name order): one entry
/// ([`ENTRY_NAME`]) holding an alert per valid rule, `None` when no rule is valid, and one
/// error per file that cannot be used (unreadable, not JSON/hjson, a required key missing
/// or malformed, a bad query string), naming the file.
pub fn load_rules(dir: &Path) -> (Option<CatalogueEntry>, Vec<AlertError>) {
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "json") && path.is_file())
            .collect(),
        Err(e) => {
            let error = AlertError::Config { alert: CLASSNAME.into(), message: format!("{}: {e}", dir.display()) };
            tracing::error!(%error, "generic rules not loaded");
            return (None, vec![error]);
        }
    };
    files.sort();
    let mut tasks: Vec<Arc<dyn AlertTask>> = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        match load_rule(&path) {
            Ok(task) => tasks.push(Arc::new(task)),
            Err(error) => {
                tracing::error!(%error, "generic rule not loaded");
                errors.push(error);
            }
        }
    }
    let entry = (!tasks.is_empty()).then(|| CatalogueEntry {
        name: ENTRY_NAME.into(),
        tasks,
        stateful: Vec::new(),
        enabled_by_default: true,
    });
    (entry, errors)
}

/// Loads one rule file.
pub fn load_rule(path: &Path) -> Result<AlertGenericLoader, AlertError> {
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = file.strip_suffix(".json").unwrap_or(&file).to_owned();
    let error = |message: String| AlertError::Config {
        alert: format!("{CLASSNAME}:{stem}"),
        message: format!("rule file {file}: {message}"),
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let rule = GenericRule::parse(&text).map_err(error)?;
    AlertGenericLoader::new(&stem, rule).map_err(|e| error(format!("search_string: {e}")))
}

impl AlertTask for AlertGenericLoader {
    fn name(&self) -> &str {
        &self.name
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let minutes = i64::try_from(self.rule.time_window).unwrap_or(i64::MAX);
        let mut query = SearchQuery::new(Some(Duration::try_minutes(minutes).unwrap_or(Duration::MAX)));
        for (field, value) in &self.rule.filters {
            query.add_must(Match::term(field.clone(), value.clone()));
        }
        query.add_must(self.search.clone());
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated {
            field: self.rule.aggregation_key.clone(),
            samples: self.rule.num_samples,
            threshold: self.rule.num_aggregations,
        }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let rule = &self.rule;
        let mut summary = format!("{} ({}): {}", rule.alert_summary, group.count, python_str(&group.value));
        for field in &rule.additional_summary_fields {
            let values =
                distinct(&group.events, |source| get_path(source, field).filter(|v| truthy(v)).map(python_str));
            if !values.is_empty() {
                summary.push_str(&format!(" ({field}={})", values.join(", ")));
            }
        }
        let hostnames = distinct(&group.events, |source| source.get("hostname").filter(|v| truthy(v)).map(python_str));
        if !hostnames.is_empty() {
            summary.push_str(&format!(" [{}]", hostnames.join(", ")));
        }
        let tags: Vec<&str> = rule.alert_tags.iter().map(String::as_str).collect();
        let mut alert = Alert::new(summary, &rule.alert_category, &tags, group.events.clone())
            .severity(rule.alert_severity)
            .url(rule.alert_url.clone());
        alert.channel = rule.channel.clone();
        alert.notify_mozdefbot = rule.notify_mozdefbot;
        Some(alert)
    }
}

/// The distinct values `read` finds in `events`, in order of first appearance.
fn distinct(events: &[Hit], read: impl Fn(&Value) -> Option<String>) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    for event in events {
        let source = Value::Object(event.source.clone());
        if let Some(value) = read(&source)
            && !values.contains(&value)
        {
            values.push(value);
        }
    }
    values
}

/// Python's truth value (`if value:`).
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A value as Python's `str.format` wrote it (strings as they are, `True`/`False`).
fn python_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}
