//! The table-driven mechanism behind the per-log-type fix-ups: a [`LogType`] is a list of
//! [`Step`]s run on `details` in MozDef's order, then a summary built from a template of
//! [`Seg`]ments (or, for `notice`, by a function).

use std::borrow::Cow;

use chrono::DateTime;
use mozdef_model::{isoformat, to_utc};
use serde_json::{Map, Value};

use crate::plugins::PluginError;
use crate::python::{py_float, py_str};

/// The event's `details` object.
pub(super) type Details = Map<String, Value>;

/// What a Zeek log type gets: fix-ups, then a summary.
pub(super) struct LogType {
    /// The log type: `SOURCE` without its `bro_` prefix.
    pub(super) name: &'static str,
    /// The fix-ups, in MozDef's order.
    pub(super) steps: &'static [Step],
    /// How the `summary` is built once the steps have run.
    pub(super) summary: Summary,
}

/// How a log type's summary is built.
pub(super) enum Summary {
    /// Python's `'...'.format(**details)` of a template.
    Template(&'static [Seg]),
    /// A function of `details` (which it may still change).
    Custom(fn(&mut Details) -> Result<String, PluginError>),
}

/// A literal value MozDef writes into `details`.
#[derive(Clone, Copy)]
pub(super) enum Init {
    /// A string.
    Str(&'static str),
    /// An integer.
    Int(i64),
    /// `[]`.
    EmptyArray,
    /// `{}`.
    EmptyObject,
}

impl Init {
    fn value(self) -> Value {
        match self {
            Init::Str(s) => Value::String(s.to_owned()),
            Init::Int(n) => Value::from(n),
            Init::EmptyArray => Value::Array(Vec::new()),
            Init::EmptyObject => Value::Object(Map::new()),
        }
    }
}

/// Where a moved value goes.
#[derive(Clone, Copy)]
pub(super) enum Dest {
    /// `details.<key>`.
    Top(&'static str),
    /// `details.<object>.<key>` (the object was created by an earlier [`Step::Reset`]).
    In(&'static str, &'static str),
}

/// What a move does when its source key is absent.
#[derive(Clone, Copy)]
pub(super) enum Absent {
    /// Nothing.
    Skip,
    /// Fail: MozDef read the key unconditionally (a `KeyError`).
    Fail,
    /// Write this value at the destination instead.
    Set(Init),
}

/// One fix-up of `details`.
pub(super) enum Step {
    /// `if key not in details: details[key] = init`.
    Default(&'static str, Init),
    /// `details[key] = init`, whatever was there.
    Reset(&'static str, Init),
    /// `details[to] = details[from]; del details[from]`.
    Move(&'static str, Dest, Absent),
    /// Like a move, through `toUTC(float(value)).isoformat()`; a value that is not an epoch
    /// stays where it is.
    MoveTime(&'static str, Dest),
    /// Anything else.
    Custom(fn(&mut Details) -> Result<(), PluginError>),
}

/// `details[key]` defaults to `init`.
pub(super) const fn default(key: &'static str, init: Init) -> Step {
    Step::Default(key, init)
}

/// `details[key]` defaults to the string `s`.
pub(super) const fn default_str(key: &'static str, s: &'static str) -> Step {
    Step::Default(key, Init::Str(s))
}

/// `details[key]` is set to `init`.
pub(super) const fn reset(key: &'static str, init: Init) -> Step {
    Step::Reset(key, init)
}

/// `details.from` is renamed `details.to` when present.
pub(super) const fn rename(from: &'static str, to: &'static str) -> Step {
    Step::Move(from, Dest::Top(to), Absent::Skip)
}

/// `details.from` is moved to `details.object.key` when present.
pub(super) const fn nest(from: &'static str, object: &'static str, key: &'static str) -> Step {
    Step::Move(from, Dest::In(object, key), Absent::Skip)
}

/// A summary segment.
pub(super) enum Seg {
    /// Literal text.
    Lit(&'static str),
    /// `{key}`: `str()` of `details[key]`.
    Field(&'static str),
    /// `{key[0]}`: the first item of a list (first character of a string).
    First(&'static str),
    /// `{sourceipaddress} -> {destinationipaddress}:{destinationport}`.
    Flow,
    /// `prefix + str(details[key])` when the key is present, `absent` otherwise.
    Opt {
        /// The key.
        key: &'static str,
        /// Written before its value.
        prefix: &'static str,
        /// Written when the key is absent.
        absent: &'static str,
    },
}

impl LogType {
    /// Runs the fix-ups on `details` and returns the summary.
    pub(super) fn apply(&self, details: &mut Details) -> Result<String, PluginError> {
        for step in self.steps {
            self.run(step, details)?;
        }
        match self.summary {
            Summary::Template(segs) => self.render(segs, details),
            Summary::Custom(build) => build(details),
        }
    }

    fn run(&self, step: &Step, details: &mut Details) -> Result<(), PluginError> {
        match *step {
            Step::Default(key, init) => {
                if !details.contains_key(key) {
                    details.insert(key.to_owned(), init.value());
                }
            }
            Step::Reset(key, init) => {
                details.insert(key.to_owned(), init.value());
            }
            Step::Move(from, dest, absent) => match (details.shift_remove(from), absent) {
                (Some(value), _) => put(details, dest, value),
                (None, Absent::Skip) => {}
                (None, Absent::Set(init)) => put(details, dest, init.value()),
                (None, Absent::Fail) => return Err(missing(self.name, from)),
            },
            Step::MoveTime(from, dest) => {
                if let Some(time) = details.get(from).and_then(epoch_isoformat) {
                    details.shift_remove(from);
                    put(details, dest, Value::String(time));
                }
            }
            Step::Custom(fix) => fix(details)?,
        }
        Ok(())
    }

    fn render(&self, segs: &[Seg], details: &Details) -> Result<String, PluginError> {
        let mut out = String::with_capacity(64);
        for seg in segs {
            match *seg {
                Seg::Lit(text) => out.push_str(text),
                Seg::Field(key) => out.push_str(&self.field(details, key)?),
                Seg::First(key) => out.push_str(&first_item(self.name, details, key)?),
                Seg::Flow => {
                    out.push_str(&self.field(details, "sourceipaddress")?);
                    out.push_str(" -> ");
                    out.push_str(&self.field(details, "destinationipaddress")?);
                    out.push(':');
                    out.push_str(&self.field(details, "destinationport")?);
                }
                Seg::Opt { key, prefix, absent } => match details.get(key) {
                    Some(value) => {
                        out.push_str(prefix);
                        out.push_str(&py_str(value));
                    }
                    None => out.push_str(absent),
                },
            }
        }
        Ok(out)
    }

    fn field<'a>(&self, details: &'a Details, key: &str) -> Result<Cow<'a, str>, PluginError> {
        details.get(key).map(py_str).ok_or_else(|| missing(self.name, key))
    }
}

/// Stores `value` at `dest`.
fn put(details: &mut Details, dest: Dest, value: Value) {
    match dest {
        Dest::Top(key) => {
            details.insert(key.to_owned(), value);
        }
        Dest::In(object, key) => {
            let slot = details.entry(object).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(map) = slot {
                map.insert(key.to_owned(), value);
            }
        }
    }
}

/// The failure of a fix-up or summary that needs `details.<key>` (MozDef's `KeyError`).
pub(super) fn missing(log_type: &str, key: &str) -> PluginError {
    PluginError::new(format!("bro {log_type} log: details.{key} is missing"))
}

/// Python's `'{0}'.format(details[key][0])`: the first item of a list, or the first
/// character of a string; anything else (missing, empty, not indexable) fails.
pub(super) fn first_item<'a>(log_type: &str, details: &'a Details, key: &str) -> Result<Cow<'a, str>, PluginError> {
    let value = details.get(key).ok_or_else(|| missing(log_type, key))?;
    let first = match value {
        Value::Array(items) => items.first().map(py_str),
        Value::String(s) => s.chars().next().map(|c| Cow::Owned(c.to_string())),
        _ => None,
    };
    first.ok_or_else(|| PluginError::new(format!("bro {log_type} log: details.{key} has no first item")))
}

/// MozDef's `toUTC(float(value)).isoformat()` for a Zeek epoch; `None` when `float()` or
/// `toUTC` would fail.
pub(super) fn epoch_isoformat(value: &Value) -> Option<String> {
    let epoch = py_float(value)?;
    // A float epoch never reads the "current date", so any `now` does.
    to_utc(&epoch, DateTime::UNIX_EPOCH).ok().map(|t| isoformat(&t))
}
