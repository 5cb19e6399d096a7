//! What the JSON-record decoders of AWS logs ([`super::waf`], [`super::route53_resolver`],
//! [`super::security_hub`]) share: the MozDef event around a `details` object, with its keys in
//! MozDef's order, and typed access to a record's fields whose errors name the field by its
//! full path (`httpRequest.headers[2].name`, `detail.findings[1].Id`).

use std::fmt;

use chrono::{DateTime, Utc};
use mozdef_model::{Document, isoformat};
use serde_json::Value;

use crate::NormalizeContext;
use crate::decode::DecodeError;
use crate::python::json_type;

/// The top-level fields of one event; [`Head::event`] writes them in MozDef's order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Head {
    /// The record's time: `utctimestamp` and `timestamp`.
    pub(crate) when: DateTime<Utc>,
    /// `category`.
    pub(crate) category: &'static str,
    /// `source`.
    pub(crate) source: &'static str,
    /// `tags`.
    pub(crate) tags: Vec<String>,
    /// `severity` (MozDef's upper-case RFC 5424 names).
    pub(crate) severity: &'static str,
    /// `hostname`; the key is left out when `None`.
    pub(crate) hostname: Option<String>,
    /// `summary`.
    pub(crate) summary: String,
}

impl Head {
    /// The event: `utctimestamp`, `timestamp`, `receivedtimestamp`, `mozdefhostname`,
    /// `category`, `source`, `tags`, `severity`, `hostname`, `summary`, `details`.
    pub(crate) fn event(self, details: Document, ctx: &NormalizeContext) -> Document {
        let when = isoformat(&self.when);
        let mut event = Document::with_capacity(11);
        let mut put = |key: &str, value: Value| event.insert(key.to_owned(), value);
        put("utctimestamp", Value::String(when.clone()));
        put("timestamp", Value::String(when));
        put("receivedtimestamp", Value::String(isoformat(&ctx.received)));
        put("mozdefhostname", Value::String(ctx.mozdefhostname.clone()));
        put("category", Value::from(self.category));
        put("source", Value::from(self.source));
        put("tags", Value::Array(self.tags.into_iter().map(Value::String).collect()));
        put("severity", Value::from(self.severity));
        if let Some(hostname) = self.hostname {
            put("hostname", Value::String(hostname));
        }
        put("summary", Value::String(self.summary));
        put("details", Value::Object(details));
        event
    }
}

/// `details` under construction: values that are absent are simply not written.
#[derive(Debug, Default)]
pub(crate) struct Details(Document);

impl Details {
    /// Writes `key` when `value` is present.
    pub(crate) fn put(&mut self, key: &str, value: Option<Value>) {
        if let Some(value) = value {
            self.0.insert(key.to_owned(), value);
        }
    }

    /// Writes `key` when `value` is present and `key` is not written yet.
    pub(crate) fn put_new(&mut self, key: &str, value: Option<Value>) {
        if !self.0.contains_key(key) {
            self.put(key, value);
        }
    }

    /// Writes `key` as a string when `value` is present.
    pub(crate) fn put_str(&mut self, key: &str, value: Option<&str>) {
        self.put(key, value.map(Value::from));
    }

    /// The finished `details`.
    pub(crate) fn into_document(self) -> Document {
        self.0
    }
}

/// A field of a record that is missing or unusable, named by its full path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    field: String,
    /// `None` for a missing field.
    problem: Option<String>,
}

impl FieldError {
    /// `field` is required and absent (or null).
    pub(crate) fn missing(field: impl Into<String>) -> Self {
        FieldError { field: field.into(), problem: None }
    }

    /// `field` is present but unusable: `problem` says why (`must be ..., got ...`).
    pub(crate) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        FieldError { field: field.into(), problem: Some(problem.into()) }
    }

    /// `field` holds `found` where `expected` (`a string`, `an object`...) was required.
    pub(crate) fn wrong_type(field: impl Into<String>, expected: &str, found: &Value) -> Self {
        Self::invalid(field, format!("must be {expected}, got {}", json_type(found)))
    }

    /// The same error as a [`DecodeError`] of the part `what`.
    pub(crate) fn into_decode(self, what: &'static str) -> DecodeError {
        match self.problem {
            None => DecodeError::MissingField { what, field: self.field },
            Some(problem) => DecodeError::InvalidField { what, field: self.field, problem },
        }
    }

    /// The message of [`FieldError::into_decode`], for decoders whose errors are text.
    pub(crate) fn describe(self, what: &'static str) -> String {
        self.into_decode(what).to_string()
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            None => write!(f, "`{}` is missing", self.field),
            Some(problem) => write!(f, "`{}` {problem}", self.field),
        }
    }
}

/// Typed, path-aware reads of one JSON object. A `null` value counts as absent everywhere.
#[derive(Debug, Clone)]
pub(crate) struct Fields<'a> {
    map: &'a Document,
    /// The object's own path (empty at the root), prefixed to every field named in errors.
    path: String,
}

impl<'a> Fields<'a> {
    /// The fields of `map`, whose own path is `path` (`""` for a record's top level).
    pub(crate) fn new(map: &'a Document, path: impl Into<String>) -> Self {
        Fields { map, path: path.into() }
    }

    /// The full path of `key`.
    pub(crate) fn name(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
    }

    /// The value of `key`, unless absent or null.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// The value of `key`, which is required.
    pub(crate) fn require(&self, key: &str) -> Result<&'a Value, FieldError> {
        self.get(key).ok_or_else(|| FieldError::missing(self.name(key)))
    }

    /// The string `key`, if present.
    pub(crate) fn str(&self, key: &str) -> Result<Option<&'a str>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(FieldError::wrong_type(self.name(key), "a string", other)),
        }
    }

    /// The string `key`, if present and not empty.
    pub(crate) fn text(&self, key: &str) -> Result<Option<&'a str>, FieldError> {
        Ok(self.str(key)?.filter(|s| !s.is_empty()))
    }

    /// The string `key`, which is required (it may be empty).
    pub(crate) fn require_str(&self, key: &str) -> Result<&'a str, FieldError> {
        self.str(key)?.ok_or_else(|| FieldError::missing(self.name(key)))
    }

    /// The object `key`, if present.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Fields<'a>>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields::new(map, self.name(key)))),
            Some(other) => Err(FieldError::wrong_type(self.name(key), "an object", other)),
        }
    }

    /// The array `key` (empty when absent).
    pub(crate) fn array(&self, key: &str) -> Result<&'a [Value], FieldError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(FieldError::wrong_type(self.name(key), "an array", other)),
        }
    }

    /// The fields that are not `null`, in the record's order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
        let map = self.map;
        map.iter().filter(|(_, value)| !value.is_null())
    }

    /// The objects of the array `key`, each with its path (`key[n]`); empty when absent.
    pub(crate) fn objects(&self, key: &str) -> Result<Vec<Fields<'a>>, FieldError> {
        self.array(key)?
            .iter()
            .enumerate()
            .map(|(n, item)| {
                let path = format!("{}[{n}]", self.name(key));
                match item {
                    Value::Object(map) => Ok(Fields::new(map, path)),
                    other => Err(FieldError::wrong_type(path, "an object", other)),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn doc(value: Value) -> Document {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_event_keys_come_in_mozdefs_order() {
        let when = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap();
        let ctx = NormalizeContext { received: when, mozdefhostname: "m".to_owned() };
        let head = Head {
            when,
            category: "c",
            source: "s",
            tags: vec!["t".to_owned()],
            severity: "INFO",
            hostname: None,
            summary: "x".to_owned(),
        };
        let event = head.event(Document::new(), &ctx);
        let keys: Vec<&str> = event.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "utctimestamp",
                "timestamp",
                "receivedtimestamp",
                "mozdefhostname",
                "category",
                "source",
                "tags",
                "severity",
                "summary",
                "details"
            ]
        );
        assert_eq!(event["utctimestamp"], json!("2026-12-07T10:00:00+00:00"));
    }

    #[test]
    fn errors_name_the_full_path() {
        let record = doc(json!({"a": {"b": [{"c": 1}, 2]}, "n": null}));
        let root = Fields::new(&record, "");
        let a = root.object("a").unwrap().unwrap();
        assert_eq!(a.objects("b").unwrap_err().to_string(), "`a.b[1]` must be an object, got number");
        let first = Fields::new(a.get("b").unwrap()[0].as_object().unwrap(), "a.b[0]");
        assert_eq!(first.str("c").unwrap_err().to_string(), "`a.b[0].c` must be a string, got number");
        assert_eq!(root.require_str("n").unwrap_err().to_string(), "`n` is missing");
        assert_eq!(root.str("n"), Ok(None));
        assert_eq!(
            FieldError::missing("x.y").describe("the record"),
            "the record has no `x.y`",
            "missing fields read like DecodeError::MissingField"
        );
        assert!(matches!(
            FieldError::invalid("x", "is bad").into_decode("r"),
            DecodeError::InvalidField { field, .. } if field == "x"
        ));
    }
}
