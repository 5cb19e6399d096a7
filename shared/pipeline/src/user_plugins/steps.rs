//! Compiled steps and conditions of a user plugin, and how they act on an event.

use mozdef_model::Document;
use regex::Regex;
use serde_json::Value;

use super::path::{self, NotAnObject};
use crate::python::json_type;

/// A test on an event. A test on a missing field is false (except `exists: false`).
#[derive(Debug, Clone)]
pub(super) enum Condition {
    /// The field's value equals this JSON value (numbers compare by value: `1` equals `1.0`).
    Equals(String, Value),
    /// The field's value equals one of these.
    In(String, Vec<Value>),
    /// The field is a string in which the regex finds a match.
    Matches(String, Regex),
    /// The field is present and not `null` (`true`), or not (`false`).
    Exists(String, bool),
    /// The field is a string containing this string, or an array with an element equal to
    /// this value.
    Contains(String, Value),
    /// Every condition holds (`true` when empty; the loader refuses empty lists).
    All(Vec<Condition>),
    /// One condition holds.
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

impl Condition {
    /// Whether the condition holds for `event`.
    pub(super) fn holds(&self, event: &Document) -> bool {
        match self {
            Condition::Equals(field, expected) => path::get(event, field).is_some_and(|v| json_eq(v, expected)),
            Condition::In(field, options) => {
                path::get(event, field).is_some_and(|v| options.iter().any(|option| json_eq(v, option)))
            }
            Condition::Matches(field, regex) => {
                path::get(event, field).and_then(Value::as_str).is_some_and(|s| regex.is_match(s))
            }
            Condition::Exists(field, wanted) => path::get(event, field).is_some_and(|v| !v.is_null()) == *wanted,
            Condition::Contains(field, needle) => match (path::get(event, field), needle) {
                (Some(Value::String(haystack)), Value::String(needle)) => haystack.contains(needle.as_str()),
                (Some(Value::Array(items)), needle) => items.iter().any(|item| json_eq(item, needle)),
                _ => false,
            },
            Condition::All(conditions) => conditions.iter().all(|c| c.holds(event)),
            Condition::Any(conditions) => conditions.iter().any(|c| c.holds(event)),
            Condition::Not(condition) => !condition.holds(event),
        }
    }
}

/// JSON equality, with numbers compared by value.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(x), Some(y)) if x == y)
        }
        _ => a == b,
    }
}

/// What a step does.
#[derive(Debug, Clone)]
pub(super) enum Action {
    /// Writes these values at these paths.
    Set(Vec<(String, Value)>),
    /// Copies the value at the second path to the first (`{to: from}`); a missing source is
    /// skipped.
    Copy(Vec<(String, String)>),
    /// Moves the value at the first path to the second (`{from: to}`); a missing source is
    /// skipped.
    Rename(Vec<(String, String)>),
    /// Removes these paths (missing ones are skipped).
    Delete(Vec<String>),
    /// Appends these tags to `tags` (created if missing) unless already there.
    Tag(Vec<String>),
    /// Runs `regex` on the string at `field` and writes each named group that matched at its
    /// path (`into.<group>`).
    Extract {
        /// The field read.
        field: String,
        /// The regex, with named groups.
        regex: Regex,
        /// Group index → the path written.
        targets: Vec<(usize, String)>,
    },
    /// Lower-cases the strings at these paths.
    Lowercase(Vec<String>),
    /// Upper-cases the strings at these paths.
    Uppercase(Vec<String>),
    /// Drops the event.
    Drop,
}

impl Action {
    /// Applies the action: `Ok(true)` to keep the event, `Ok(false)` to drop it, or why the
    /// action cannot apply to this event.
    pub(super) fn apply(&self, event: &mut Document) -> Result<bool, String> {
        match self {
            Action::Set(values) => {
                for (field, value) in values {
                    path::set(event, field, value.clone()).map_err(|(e, _)| cannot_write(field, &e))?;
                }
            }
            Action::Copy(pairs) => {
                for (to, from) in pairs {
                    if let Some(value) = path::get(event, from).cloned() {
                        path::set(event, to, value).map_err(|(e, _)| cannot_write(to, &e))?;
                    }
                }
            }
            Action::Rename(pairs) => {
                for (from, to) in pairs {
                    let Some(value) = path::remove(event, from) else { continue };
                    if let Err((e, value)) = path::set(event, to, value) {
                        // Put the value back (at the end of its object), so that the
                        // quarantined event loses nothing.
                        let _ = path::set(event, from, value);
                        return Err(cannot_write(to, &e));
                    }
                }
            }
            Action::Delete(fields) => {
                for field in fields {
                    path::remove(event, field);
                }
            }
            Action::Tag(tags) => add_tags(event, tags)?,
            Action::Extract { field, regex, targets } => {
                let text = match path::get(event, field) {
                    None | Some(Value::Null) => return Ok(true),
                    Some(Value::String(text)) => text,
                    Some(other) => return Err(format!("`{field}` is {}, not a string", a(json_type(other)))),
                };
                let Some(captures) = regex.captures(text) else { return Ok(true) };
                let found: Vec<(&str, String)> = targets
                    .iter()
                    .filter_map(|(group, target)| {
                        captures.get(*group).map(|m| (target.as_str(), m.as_str().to_owned()))
                    })
                    .collect();
                for (target, value) in found {
                    path::set(event, target, Value::String(value)).map_err(|(e, _)| cannot_write(target, &e))?;
                }
            }
            Action::Lowercase(fields) => change_case(event, fields, str::to_lowercase)?,
            Action::Uppercase(fields) => change_case(event, fields, str::to_uppercase)?,
            Action::Drop => return Ok(false),
        }
        Ok(true)
    }
}

fn cannot_write(field: &str, error: &NotAnObject) -> String {
    format!("cannot write `{field}`: `{}` is {}, not an object", error.at, a(error.found))
}

/// "a string", "an array", ...
fn a(json_type: &str) -> String {
    let article = if json_type.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {json_type}")
}

fn add_tags(event: &mut Document, tags: &[String]) -> Result<(), String> {
    let slot = event.entry("tags").or_insert(Value::Null);
    match slot {
        Value::Array(_) => {}
        Value::Null => *slot = Value::Array(Vec::new()),
        Value::String(single) => {
            let single = std::mem::take(single);
            *slot = Value::Array(vec![Value::String(single)]);
        }
        other => return Err(format!("`tags` is {}, not a list", a(json_type(other)))),
    }
    let Value::Array(list) = slot else { return Ok(()) };
    for tag in tags {
        if !list.iter().any(|t| t.as_str() == Some(tag)) {
            list.push(Value::String(tag.clone()));
        }
    }
    Ok(())
}

fn change_case(event: &mut Document, fields: &[String], change: fn(&str) -> String) -> Result<(), String> {
    for field in fields {
        match path::get_mut(event, field) {
            None | Some(Value::Null) => {}
            Some(Value::String(text)) => *text = change(text),
            Some(other) => return Err(format!("`{field}` is {}, not a string", a(json_type(other)))),
        }
    }
    Ok(())
}

/// One step: an action and the condition under which it runs.
#[derive(Debug, Clone)]
pub(super) struct Step {
    /// Runs the action only when this holds.
    pub(super) when: Option<Condition>,
    /// The action.
    pub(super) action: Action,
    /// The action's key in the file (`set_from` or `copy`...), for messages.
    pub(super) keyword: &'static str,
}
