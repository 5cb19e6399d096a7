//! One generic alert rule file: MozDef's hjson rule (`{alert_data_location}/rules/*.json`),
//! read and checked before it becomes an alert.

use mozdef_model::Severity;
use serde_json::{Map, Value};

/// The keys every rule must have (MozDef's `required_fields`).
pub const REQUIRED_KEYS: [&str; 11] = [
    "search_string",
    "filters",
    "aggregation_key",
    "time_window",
    "num_samples",
    "num_aggregations",
    "alert_category",
    "alert_tags",
    "alert_severity",
    "alert_summary",
    "alert_url",
];

/// The optional keys MozDef read (`channel`, `notify_mozdefbot`,
/// `additional_summary_fields`); any other key is ignored with a warning.
pub const OPTIONAL_KEYS: [&str; 3] = ["channel", "notify_mozdefbot", "additional_summary_fields"];

/// A checked generic rule.
#[derive(Debug, Clone, PartialEq)]
pub struct GenericRule {
    /// Lucene query string every event must match (`search_string`).
    pub search_string: String,
    /// `TermMatch(field, value)` for each `[field, value]` of `filters`.
    pub filters: Vec<(String, Value)>,
    /// The dotted field events are grouped by (`aggregation_key`).
    pub aggregation_key: String,
    /// The window, in minutes (`time_window`).
    pub time_window: u64,
    /// How many sample events an alert carries (`num_samples`).
    pub num_samples: usize,
    /// The least number of events a group needs (`num_aggregations`).
    pub num_aggregations: u64,
    /// The alert category (`alert_category`).
    pub alert_category: String,
    /// The alert tags (`alert_tags`).
    pub alert_tags: Vec<String>,
    /// The alert severity (`alert_severity`).
    pub alert_severity: Severity,
    /// The text the summary starts with (`alert_summary`).
    pub alert_summary: String,
    /// The documentation link (`alert_url`).
    pub alert_url: String,
    /// The chat channel (`channel`), if the rule names one.
    pub channel: Option<String>,
    /// Whether the chat bot posts it (`notify_mozdefbot`), if the rule says.
    pub notify_mozdefbot: Option<bool>,
    /// Fields whose sample values are added to the summary (`additional_summary_fields`).
    pub additional_summary_fields: Vec<String>,
}

impl GenericRule {
    /// Reads a rule from its text: JSON or hjson (comments, unquoted keys and strings,
    /// trailing commas), as MozDef's `hjson.load` did. The error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: Value = deser_hjson::from_str(text).map_err(|e| format!("not valid hjson: {e}"))?;
        let Value::Object(rule) = value else { return Err("not an object".into()) };
        if let Some(missing) = REQUIRED_KEYS.iter().find(|key| !rule.contains_key(**key)) {
            return Err(format!("missing required key {missing:?}"));
        }
        for key in rule.keys().filter(|k| !REQUIRED_KEYS.contains(&k.as_str()) && !OPTIONAL_KEYS.contains(&k.as_str()))
        {
            tracing::warn!(key = %key, "generic rule: unknown key ignored");
        }
        let severity = text_of(&rule, "alert_severity")?;
        Ok(GenericRule {
            search_string: text_of(&rule, "search_string")?,
            filters: filters(&rule["filters"])?,
            aggregation_key: text_of(&rule, "aggregation_key")?,
            time_window: positive(count_of(&rule, "time_window")?, "time_window")?,
            num_samples: usize::try_from(count_of(&rule, "num_samples")?)
                .map_err(|_| "\"num_samples\" is too large".to_owned())?,
            num_aggregations: count_of(&rule, "num_aggregations")?,
            alert_category: text_of(&rule, "alert_category")?,
            alert_tags: tags(&rule["alert_tags"])?,
            alert_severity: severity
                .parse()
                .map_err(|_| format!("\"alert_severity\" {severity:?} is not a severity"))?,
            alert_summary: text_of(&rule, "alert_summary")?,
            alert_url: text_of(&rule, "alert_url")?,
            channel: optional(&rule, "channel", |v| v.as_str().map(str::to_owned), "a string")?,
            notify_mozdefbot: optional(&rule, "notify_mozdefbot", Value::as_bool, "true or false")?,
            additional_summary_fields: optional(&rule, "additional_summary_fields", string_list, "a list of fields")?
                .unwrap_or_default(),
        })
    }
}

/// A scalar as the text MozDef's `str()` gave (strings unquoted).
fn text_of(rule: &Map<String, Value>, key: &str) -> Result<String, String> {
    match &rule[key] {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(format!("{key:?} must be a string")),
    }
}

/// A non-negative whole number, written as a number or as text (MozDef's `int()`).
pub(crate) fn count_of(rule: &Map<String, Value>, key: &str) -> Result<u64, String> {
    let value = &rule[key];
    let count = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    count.ok_or_else(|| format!("{key:?} must be a non-negative whole number, not {value}"))
}

fn positive(n: u64, key: &str) -> Result<u64, String> {
    if n == 0 { Err(format!("{key:?} must be above 0")) } else { Ok(n) }
}

/// `[[field, value], ...]`.
fn filters(value: &Value) -> Result<Vec<(String, Value)>, String> {
    let bad = || format!("\"filters\" must be a list of [field, value] pairs, not {value}");
    let Value::Array(pairs) = value else { return Err(bad()) };
    pairs
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(field), v]) if !v.is_null() && !v.is_array() && !v.is_object() => {
                Ok((field.clone(), v.clone()))
            }
            _ => Err(bad()),
        })
        .collect()
}

/// A list of strings, or one string (kept as MozDef stored it).
fn tags(value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        other => string_list(other).ok_or_else(|| format!("\"alert_tags\" must be a list of strings, not {other}")),
    }
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(|v| v.as_str().map(str::to_owned)).collect()
}

/// An optional key: absent or `null` is `None`.
fn optional<T>(
    rule: &Map<String, Value>,
    key: &str,
    read: impl Fn(&Value) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, String> {
    match rule.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => read(value).map(Some).ok_or_else(|| format!("{key:?} must be {expected}, not {value}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HJSON_RULE: &str = r#"
        {
            // Lucene search string
            search_string: "details.program:sshd",
            # ES filters
            filters: [["category", "syslog"], ["details.port", 22],],
            aggregation_key: details.username
            time_window: "5",
            num_samples: 10,
            num_aggregations: 1,
            /* category and severity */
            'alert_category': 'session',
            alert_severity: warning
            alert_summary: Session opened on sensitive host by
            alert_tags: ["session", "successful"],
            alert_url: "https://mozilla.org",
            notify_mozdefbot: false,
        }
    "#;

    #[test]
    fn hjson_rule_reads() {
        let rule = GenericRule::parse(HJSON_RULE).expect("rule");
        assert_eq!(rule.filters, vec![("category".into(), "syslog".into()), ("details.port".into(), 22.into())]);
        assert_eq!(rule.aggregation_key, "details.username");
        assert_eq!(rule.time_window, 5);
        assert_eq!(rule.alert_severity, Severity::Warning);
        assert_eq!(rule.alert_summary, "Session opened on sensitive host by");
        assert_eq!(rule.notify_mozdefbot, Some(false));
        assert_eq!(rule.channel, None);
        assert!(rule.additional_summary_fields.is_empty());
    }

    #[test]
    fn mistakes_are_named() {
        let without_url = HJSON_RULE.replace("alert_url: \"https://mozilla.org\",", "");
        assert_eq!(GenericRule::parse(&without_url), Err("missing required key \"alert_url\"".into()));
        let bad_window = HJSON_RULE.replace("time_window: \"5\"", "time_window: \"five\"");
        assert!(GenericRule::parse(&bad_window).is_err_and(|e| e.contains("\"time_window\"")));
        let bad_severity = HJSON_RULE.replace("alert_severity: warning", "alert_severity: loud");
        assert!(GenericRule::parse(&bad_severity).is_err_and(|e| e.contains("\"loud\" is not a severity")));
        let bad_filter = HJSON_RULE.replace("[\"category\", \"syslog\"]", "[\"category\"]");
        assert!(GenericRule::parse(&bad_filter).is_err_and(|e| e.contains("[field, value] pairs")));
        assert!(GenericRule::parse("{ search_string: [1, 2 }").is_err_and(|e| e.starts_with("not valid hjson")));
        assert_eq!(GenericRule::parse("[]"), Err("not an object".into()));
    }
}
