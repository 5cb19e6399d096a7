//! The file format of a user plugin (what `serde` reads, refusing unknown keys and wrong
//! types) and its compilation into [`Step`]s, with every semantic check.

use std::fmt;

use regex::Regex;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de::Error as _};
use serde_json::{Map, Value};

use super::path;
use super::source::Seg;
use super::steps::{Action, Condition, Step};

/// A plugin file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlugin {
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) registration: Vec<String>,
    pub(super) priority: Option<u32>,
    pub(super) steps: Vec<RawStep>,
}

/// A step, as written: one action key and an optional `when`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    when: Option<RawCondition>,
    set: Option<Map<String, Value>>,
    set_from: Option<Pairs>,
    copy: Option<Pairs>,
    rename: Option<Pairs>,
    delete: Option<Strings>,
    tag: Option<Strings>,
    extract: Option<RawExtract>,
    lowercase: Option<Strings>,
    uppercase: Option<Strings>,
    drop: Option<bool>,
}

/// The keys of the actions, for messages.
const ACTIONS: &str = "set, set_from, copy, rename, delete, tag, extract, lowercase, uppercase, drop";

/// `extract`'s argument.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtract {
    field: String,
    regex: String,
    into: Option<String>,
}

/// A condition, as written: `field` with one test, or one combinator.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    field: Option<String>,
    #[serde(default, deserialize_with = "present")]
    equals: Option<Value>,
    #[serde(rename = "in")]
    in_: Option<Vec<Value>>,
    matches: Option<String>,
    exists: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    contains: Option<Value>,
    all: Option<Vec<RawCondition>>,
    any: Option<Vec<RawCondition>>,
    not: Option<Box<RawCondition>>,
}

/// A key that is present, even with the value `null`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// A string or a list of strings.
#[derive(Debug)]
struct Strings(Vec<String>);

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringsVisitor;
        impl<'de> Visitor<'de> for StringsVisitor {
            type Value = Strings;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Strings, E> {
                Ok(Strings(vec![s.to_owned()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(Strings(out))
            }
        }
        deserializer.deserialize_any(StringsVisitor)
    }
}

/// An object of field names to field names, in the written order.
#[derive(Debug)]
struct Pairs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of field names to field names")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out: Vec<(String, String)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, String>()? {
                    if out.iter().any(|(k, _)| *k == key) {
                        return Err(A::Error::custom(format_args!("duplicate field `{key}`")));
                    }
                    out.push((key, value));
                }
                Ok(Pairs(out))
            }
        }
        deserializer.deserialize_map(PairsVisitor)
    }
}

/// A semantic error: where it is (a path into the file's JSON) and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    /// Where, as a path into the JSON document.
    pub(super) at: Vec<Seg>,
    /// What, prefixed with the step (`step 3: ...`) when it is in a step.
    pub(super) message: String,
}

/// Compiles step `index` (0-based; messages count from 1).
pub(super) fn compile_step(raw: RawStep, index: usize) -> Result<Step, Problem> {
    let base = vec![Seg::Key("steps"), Seg::Index(index)];
    let fail = |mut at: Vec<Seg>, message: String| {
        let mut full = base.clone();
        full.append(&mut at);
        Problem { at: full, message: format!("step {}: {message}", index + 1) }
    };

    let RawStep { when, set, set_from, copy, rename, delete, tag, extract, lowercase, uppercase, drop } = raw;
    let given: Vec<&'static str> = [
        ("set", set.is_some()),
        ("set_from", set_from.is_some()),
        ("copy", copy.is_some()),
        ("rename", rename.is_some()),
        ("delete", delete.is_some()),
        ("tag", tag.is_some()),
        ("extract", extract.is_some()),
        ("lowercase", lowercase.is_some()),
        ("uppercase", uppercase.is_some()),
        ("drop", drop.is_some()),
    ]
    .into_iter()
    .filter_map(|(key, is)| is.then_some(key))
    .collect();
    let keyword = match given.as_slice() {
        [one] => *one,
        [] => return Err(fail(vec![], format!("no action; a step needs one of {ACTIONS}"))),
        many => {
            let message = format!("more than one action ({}); give each its own step", many.join(", "));
            return Err(fail(vec![Seg::Key(many[1])], message));
        }
    };
    let here = Seg::Key(keyword);

    let check_paths = |fields: &[&String]| -> Result<(), Problem> {
        if fields.is_empty() {
            return Err(fail(vec![here], format!("{keyword}: lists no field")));
        }
        match fields.iter().find(|f| !path::is_valid(f)) {
            Some(bad) => Err(fail(vec![here], format!("{keyword}: invalid field path `{bad}`"))),
            None => Ok(()),
        }
    };

    let action = if let Some(values) = set {
        check_paths(&values.keys().collect::<Vec<_>>())?;
        Action::Set(values.into_iter().collect())
    } else if let Some(Pairs(pairs)) = set_from.or(copy) {
        check_paths(&pairs.iter().flat_map(|(a, b)| [a, b]).collect::<Vec<_>>())?;
        Action::Copy(pairs)
    } else if let Some(Pairs(pairs)) = rename {
        check_paths(&pairs.iter().flat_map(|(a, b)| [a, b]).collect::<Vec<_>>())?;
        Action::Rename(pairs)
    } else if let Some(Strings(fields)) = delete {
        check_paths(&fields.iter().collect::<Vec<_>>())?;
        Action::Delete(fields)
    } else if let Some(Strings(fields)) = lowercase {
        check_paths(&fields.iter().collect::<Vec<_>>())?;
        Action::Lowercase(fields)
    } else if let Some(Strings(fields)) = uppercase {
        check_paths(&fields.iter().collect::<Vec<_>>())?;
        Action::Uppercase(fields)
    } else if let Some(Strings(tags)) = tag {
        if tags.is_empty() {
            return Err(fail(vec![here], "tag: lists no tag".into()));
        }
        if let Some(i) = tags.iter().position(|t| t.is_empty()) {
            return Err(fail(vec![here, Seg::Index(i)], "tag: a tag must not be empty".into()));
        }
        Action::Tag(tags)
    } else if let Some(RawExtract { field, regex, into }) = extract {
        if !path::is_valid(&field) {
            return Err(fail(vec![here, Seg::Key("field")], format!("extract: invalid field path `{field}`")));
        }
        let into = into.unwrap_or_else(|| "details".to_owned());
        if !into.is_empty() && !path::is_valid(&into) {
            return Err(fail(vec![here, Seg::Key("into")], format!("extract: invalid path `{into}` in into")));
        }
        let regex = compile_regex(&regex)
            .map_err(|e| fail(vec![here, Seg::Key("regex")], format!("extract: invalid regex: {e}")))?;
        let targets: Vec<(usize, String)> = regex
            .capture_names()
            .enumerate()
            .filter_map(|(i, name)| name.map(|name| (i, name)))
            .map(|(i, name)| (i, if into.is_empty() { name.to_owned() } else { format!("{into}.{name}") }))
            .collect();
        if targets.is_empty() {
            let message = "extract: the regex has no named group, e.g. (?P<user>\\S+)".to_owned();
            return Err(fail(vec![here, Seg::Key("regex")], message));
        }
        Action::Extract { field, regex, targets }
    } else if drop == Some(true) {
        Action::Drop
    } else {
        return Err(fail(vec![here], "drop: must be true (leave the step out to keep events)".into()));
    };

    let when = match when {
        Some(raw) => Some(compile_condition(raw, vec![Seg::Key("when")]).map_err(|(at, m)| fail(at, m))?),
        None => None,
    };
    Ok(Step { when, action, keyword })
}

fn compile_regex(pattern: &str) -> Result<Regex, String> {
    // One line: the regex crate's multi-line error (pattern, caret, message) reads badly after
    // a file:line prefix.
    Regex::new(pattern).map_err(|e| match e {
        regex::Error::Syntax(text) => text.lines().last().unwrap_or_default().trim().to_owned(),
        other => other.to_string(),
    })
}

/// Compiles a condition found at `at` (relative to its step).
fn compile_condition(raw: RawCondition, at: Vec<Seg>) -> Result<Condition, (Vec<Seg>, String)> {
    let RawCondition { field, equals, in_, matches, exists, contains, all, any, not } = raw;
    let tests = [
        ("equals", equals.is_some()),
        ("in", in_.is_some()),
        ("matches", matches.is_some()),
        ("exists", exists.is_some()),
        ("contains", contains.is_some()),
    ];
    let combinators = [("all", all.is_some()), ("any", any.is_some()), ("not", not.is_some())];
    let tests: Vec<&'static str> = tests.into_iter().filter_map(|(k, is)| is.then_some(k)).collect();
    let combinators: Vec<&'static str> = combinators.into_iter().filter_map(|(k, is)| is.then_some(k)).collect();
    let with = |key: &'static str| {
        let mut at = at.clone();
        at.push(Seg::Key(key));
        at
    };
    const EXPECTED: &str = "a condition is {\"field\": ..., <equals|in|matches|exists|contains>: ...} \
                            or one of {\"all\": [...]}, {\"any\": [...]}, {\"not\": {...}}";

    if let Some(field) = field {
        if !combinators.is_empty() {
            let message = format!("condition: `field` cannot go with `{}`; {EXPECTED}", combinators.join("`, `"));
            return Err((with(combinators[0]), message));
        }
        if !path::is_valid(&field) {
            return Err((with("field"), format!("condition: invalid field path `{field}`")));
        }
        return match (tests.as_slice(), equals, in_, matches, exists, contains) {
            ([_], Some(value), ..) => Ok(Condition::Equals(field, value)),
            ([_], _, Some(values), ..) => Ok(Condition::In(field, values)),
            ([_], _, _, Some(pattern), ..) => match compile_regex(&pattern) {
                Ok(regex) => Ok(Condition::Matches(field, regex)),
                Err(e) => Err((with("matches"), format!("condition: invalid regex: {e}"))),
            },
            ([_], _, _, _, Some(wanted), _) => Ok(Condition::Exists(field, wanted)),
            ([_], _, _, _, _, Some(needle)) => Ok(Condition::Contains(field, needle)),
            ([], ..) => Err((at, format!("condition on `{field}` has no test; {EXPECTED}"))),
            (many, ..) => {
                let message = format!("condition on `{field}` has more than one test ({})", many.join(", "));
                Err((with(many[1]), message))
            }
        };
    }
    if let Some(test) = tests.first() {
        return Err((with(test), format!("condition: `{test}` needs a `field`")));
    }
    match (combinators.as_slice(), all, any, not) {
        ([_], Some(list), ..) => compile_list(list, with("all"), "all").map(Condition::All),
        ([_], _, Some(list), _) => compile_list(list, with("any"), "any").map(Condition::Any),
        ([_], _, _, Some(inner)) => Ok(Condition::Not(Box::new(compile_condition(*inner, with("not"))?))),
        ([], ..) => Err((at, format!("empty condition; {EXPECTED}"))),
        (many, ..) => Err((with(many[1]), format!("condition has more than one of {}; nest them", many.join(", ")))),
    }
}

fn compile_list(list: Vec<RawCondition>, at: Vec<Seg>, key: &str) -> Result<Vec<Condition>, (Vec<Seg>, String)> {
    if list.is_empty() {
        return Err((at, format!("condition: `{key}` lists no condition")));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let mut at = at.clone();
            at.push(Seg::Index(i));
            compile_condition(raw, at)
        })
        .collect()
}
