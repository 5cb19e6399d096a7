//! The path helpers of MozDef's mapping-driven plugins (`zoom_fixup`, `github_webhooks`,
//! `stackdriver_audit`, `stackdriver_gceactivity`, ...): a small JMESPath subset for the
//! sidecar `*_mapping.yml` files, the mapping files themselves, MozDef's `key_exists` and
//! Python's `in` over JSON values.
//!
//! # The JMESPath subset
//!
//! MozDef evaluates every value of its mapping files with `jmespath.search(expr, event)`. The
//! files only use sub-expressions of identifiers (`details.body.sender.login`); this module
//! also accepts quoted identifiers (`details."@type"`) and index expressions (`a[0]`, `a[-1]`),
//! with JMESPath's semantics:
//!
//! * a field of anything but an object, and a missing field, is `null`;
//! * an index of anything but an array, and an index out of range, is `null`; a negative index
//!   counts from the end;
//! * `null` ends the evaluation (`search_map` returns `None`, Python's `None`, which the plugins
//!   skip).
//!
//! Any other JMESPath syntax (projections, filters, functions, pipes, literals...) is refused
//! when the expression is parsed, so a mapping file using it fails its load test instead of
//! being evaluated wrongly.
//!
//! # Mapping files
//!
//! A mapping file is MozDef's YAML converted once to JSON (`yaml.safe_load`, so a duplicated
//! key keeps its first position and its last value) and embedded with `include_str!`:
//! `{"<event type>": {"<details key>": "<expression>", ...}, ...}`, read by [`MappingSet`].

use serde_json::{Map, Value};

/// One step of a path: a field of an object or an element of an array.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Index(i64),
}

/// A parsed JMESPath expression of the supported subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expr {
    steps: Vec<Step>,
}

impl Expr {
    /// Parses `text`, refusing syntax outside the subset (with the reason and position).
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        Parser { text, bytes: text.as_bytes(), pos: 0 }.expression()
    }

    /// `jmespath.search(expr, data)` over an object (an event): the value reached, or `None`
    /// for JMESPath's `null` (a missing field, a step into a value of the wrong type, or a
    /// JSON `null`).
    pub(crate) fn search_map<'a>(&self, data: &'a Map<String, Value>) -> Option<&'a Value> {
        let (first, rest) = self.steps.split_first()?;
        let start = match first {
            Step::Field(name) => data.get(name)?,
            // An index of an object is null.
            Step::Index(_) => return None,
        };
        walk(start, rest)
    }
}

fn walk<'a>(mut current: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    if current.is_null() {
        return None;
    }
    for s in steps {
        current = step(current, s)?;
        if current.is_null() {
            return None;
        }
    }
    Some(current)
}

fn step<'a>(value: &'a Value, step: &Step) -> Option<&'a Value> {
    match (step, value) {
        (Step::Field(name), Value::Object(map)) => map.get(name),
        (Step::Index(i), Value::Array(items)) => {
            let len = i64::try_from(items.len()).ok()?;
            let at = if *i < 0 { len + i } else { *i };
            usize::try_from(at).ok().and_then(|at| items.get(at))
        }
        _ => None,
    }
}

/// A hand-written parser of the subset: `segment ( '.' identifier | '[' index ']' )*`, where a
/// segment is an identifier or an index, with white space allowed between tokens.
struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl Parser<'_> {
    fn expression(mut self) -> Result<Expr, String> {
        let mut steps = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'[') {
            steps.push(self.index()?);
        } else {
            steps.push(Step::Field(self.identifier()?));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                None => break,
                Some(b'.') => {
                    self.pos += 1;
                    self.skip_ws();
                    steps.push(Step::Field(self.identifier()?));
                }
                Some(b'[') => steps.push(self.index()?),
                Some(_) => return Err(self.unsupported()),
            }
        }
        Ok(Expr { steps })
    }

    fn identifier(&mut self) -> Result<String, String> {
        match self.peek() {
            Some(b'"') => self.quoted_identifier(),
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => {
                let start = self.pos;
                while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    self.pos += 1;
                }
                Ok(self.text[start..self.pos].to_owned())
            }
            _ => Err(self.unsupported()),
        }
    }

    fn quoted_identifier(&mut self) -> Result<String, String> {
        let start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => {
                    return serde_json::from_str::<String>(&self.text[start..self.pos])
                        .map_err(|e| format!("bad quoted identifier at {start} in {:?}: {e}", self.text));
                }
                _ => {}
            }
        }
        Err(format!("unterminated quoted identifier at {start} in {:?}", self.text))
    }

    fn index(&mut self) -> Result<Step, String> {
        let open = self.pos;
        self.pos += 1;
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let number = self.text[start..self.pos].parse::<i64>();
        self.skip_ws();
        match (number, self.peek()) {
            (Ok(n), Some(b']')) => {
                self.pos += 1;
                Ok(Step::Index(n))
            }
            _ => {
                self.pos = open;
                Err(self.unsupported())
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn unsupported(&self) -> String {
        format!("unsupported JMESPath syntax at {} in {:?}", self.pos, self.text)
    }
}

/// The expressions of one event type of a mapping file, in the file's order.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    fields: Vec<(String, Expr)>,
}

impl Mapping {
    /// `(details key, expression)` pairs, in the file's order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&str, &Expr)> {
        self.fields.iter().map(|(key, expr)| (key.as_str(), expr))
    }
}

/// A whole mapping file: event type → [`Mapping`].
#[derive(Debug, Clone)]
pub(crate) struct MappingSet {
    types: Vec<(String, Mapping)>,
}

impl MappingSet {
    /// Reads a mapping file converted to JSON, parsing every expression.
    pub(crate) fn from_json(text: &str) -> Result<Self, String> {
        let root: Map<String, Value> = serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
        let mut types = Vec::with_capacity(root.len());
        for (event_type, fields) in root {
            let Value::Object(fields) = fields else {
                return Err(format!("event type {event_type:?} does not map to an object"));
            };
            let mut parsed = Vec::with_capacity(fields.len());
            for (key, expr) in fields {
                let Value::String(expr) = expr else {
                    return Err(format!("{event_type}.{key}: the expression is not a string"));
                };
                let expr = Expr::parse(&expr).map_err(|e| format!("{event_type}.{key}: {e}"))?;
                parsed.push((key, expr));
            }
            types.push((event_type, Mapping { fields: parsed }));
        }
        Ok(MappingSet { types })
    }

    /// The mapping of `event_type` (MozDef's `if source in self.eventtypes`).
    pub(crate) fn get(&self, event_type: &str) -> Option<&Mapping> {
        self.types.iter().find(|(name, _)| name == event_type).map(|(_, mapping)| mapping)
    }

    /// The event types, in the file's order.
    #[cfg(test)]
    pub(crate) fn event_types(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|(name, _)| name.as_str())
    }
}

/// MozDef's `key_exists('a.b.c', event)` followed by `event['a']['b']['c']`: the value at a
/// dotted path of object keys, `null` included (`key_exists` only asked for the keys).
///
/// MozDef tested `key in current` whatever `current` was, so a string on the way matched by
/// substring and a list by element (and the plugin then crashed reading through it); here only
/// objects are walked, which is what every caller goes on to assume.
pub(crate) fn get_key<'a>(event: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut current = event.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    Some(current)
}

/// Python's `needle in container` for a JSON container: a substring of a string, an element
/// (equal string) of a list, a key of an object. For other values, where Python raised a
/// `TypeError`, `false`.
pub(crate) fn py_contains(container: &Value, needle: &str) -> bool {
    match container {
        Value::String(s) => s.contains(needle),
        Value::Array(items) => items.iter().any(|item| item.as_str() == Some(needle)),
        Value::Object(map) => map.contains_key(needle),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn search(expr: &str, data: &Value) -> Option<Value> {
        let data = data.as_object().cloned().unwrap_or_default();
        Expr::parse(expr).map(|e| e.search_map(&data).cloned()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sub_expressions_follow_jmespath() {
        let data = json!({
            "details": {
                "a": {"b": 1, "n": null, "f": false, "e": ""},
                "list": [{"x": 1}, {"x": 2}],
                "s": "text",
                "@type": "t",
            }
        });
        assert_eq!(search("details.a.b", &data), Some(json!(1)));
        assert_eq!(search("details.a", &data), Some(json!({"b": 1, "n": null, "f": false, "e": ""})));
        assert_eq!(search("details.a.f", &data), Some(json!(false)));
        assert_eq!(search("details.a.e", &data), Some(json!("")));
        assert_eq!(search("details.a.n", &data), None);
        assert_eq!(search("details.a.n.deeper", &data), None);
        assert_eq!(search("details.missing.b", &data), None);
        assert_eq!(search("detais.a.b", &data), None);
        // a field of a list or of a string is null
        assert_eq!(search("details.list.x", &data), None);
        assert_eq!(search("details.s.x", &data), None);
        assert_eq!(search("details.list[1].x", &data), Some(json!(2)));
        assert_eq!(search("details.list[-1].x", &data), Some(json!(2)));
        assert_eq!(search("details.list[2].x", &data), None);
        assert_eq!(search("details.list[-3]", &data), None);
        assert_eq!(search("details.a[0]", &data), None);
        assert_eq!(search("details.\"@type\"", &data), Some(json!("t")));
        assert_eq!(search(" details . a . b ", &data), Some(json!(1)));
        assert_eq!(search("[0]", &data), None);
    }

    #[test]
    fn unsupported_syntax_is_refused() {
        for bad in ["", "a.", ".a", "a..b", "a[*]", "a[]", "a.b | c", "a[?x==`1`]", "length(a)", "a.1b", "a[1", "\"a"] {
            assert!(Expr::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn mapping_sets_keep_the_file_order() {
        let set = MappingSet::from_json(r#"{"push": {"b": "x.b", "a": "x.a"}, "create": {}}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.event_types().collect::<Vec<_>>(), ["push", "create"]);
        let keys: Vec<_> = set.get("push").map(|m| m.fields().map(|(k, _)| k).collect()).unwrap_or_default();
        assert_eq!(keys, ["b", "a"]);
        assert!(set.get("delete").is_none());
        assert!(MappingSet::from_json(r#"{"push": {"a": "x[*]"}}"#).is_err());
        assert!(MappingSet::from_json(r#"{"push": {"a": 1}}"#).is_err());
        assert!(MappingSet::from_json(r#"["push"]"#).is_err());
    }

    #[test]
    fn key_exists_walks_objects_only() {
        let event = json!({"details": {"a": {"b": null}, "s": "bcd", "l": ["b"]}});
        let event = event.as_object().cloned().unwrap_or_default();
        assert!(get_key(&event, "details").is_some());
        assert_eq!(get_key(&event, "details.a.b"), Some(&Value::Null));
        assert!(get_key(&event, "details.a.c").is_none());
        assert!(get_key(&event, "details.s.b").is_none());
        assert!(get_key(&event, "details.l.b").is_none());
        assert!(get_key(&event, "").is_none());
    }

    #[test]
    fn python_in() {
        assert!(py_contains(&json!("MozDef-EF-zoom"), "zoom"));
        assert!(py_contains(&json!(["zoom", "x"]), "zoom"));
        assert!(!py_contains(&json!(["zoom-dev"]), "zoom"));
        assert!(py_contains(&json!({"zoom": 1}), "zoom"));
        assert!(!py_contains(&json!(null), "zoom"));
        assert!(!py_contains(&json!(3), "zoom"));
    }
}
