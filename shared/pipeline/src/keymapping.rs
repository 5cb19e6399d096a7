//! MozDef's `esworker_eventtask.keyMapping` (inventory §1.2): a shipper's JSON object →
//! MozDef's event schema.

use std::borrow::Cow;

use mozdef_model::{Document, isoformat, to_utc};
use serde_json::Value;

use crate::NormalizeContext;
use crate::python::{py_float, py_int, py_str, py_str_value};

/// A value of the input document: owned (moved into the output) or borrowed (cloned only
/// when it is kept), so one mapping routine serves [`key_mapping`] and
/// [`key_mapping_owned`] without needless copies.
pub(crate) trait Input: Sized {
    /// The value, to read it.
    fn get(&self) -> &Value;
    /// The value, to keep it.
    fn take(self) -> Value;
}

impl Input for Value {
    fn get(&self) -> &Value {
        self
    }
    fn take(self) -> Value {
        self
    }
}

impl Input for &Value {
    fn get(&self) -> &Value {
        self
    }
    fn take(self) -> Value {
        self.clone()
    }
}

/// MozDef's `keyMapping`, reproduced: maps a shipper's document onto MozDef's schema.
///
/// The output starts with `receivedtimestamp` (= `ctx.received`), `mozdefhostname`
/// (= `ctx.mozdefhostname`) and `details` (`{}`); then every top-level input key, in input
/// order, has every `@` removed and is lower-cased (`@timestamp` → `timestamp`, `HOST` →
/// `host`) and is mapped by the table of inventory §1.2:
///
/// | key(s) | output |
/// |---|---|
/// | `sourceip` | `details.eventsourceipaddress` (as is) |
/// | `facility`, `source` | `source` (as is) |
/// | `message`, `summary` | `summary` (as text) |
/// | `payload` | `summary` (as text) if the input has no literal `summary` key, else `details.payload` |
/// | `eventtime`, `timestamp`, `utctimestamp`, `date` | `utctimestamp` and `timestamp`, through `toUTC`, as ISO-8601 |
/// | `hostname`, `source_host`, `host` | `hostname` (as text) |
/// | `tags` | appended to `tags` |
/// | `syslogseverity`, `severity`, `severityvalue`, `level`, `priority` | `severity` (as upper-case text) |
/// | `facility`, `syslogfacility` | `facility` (as text) |
/// | `pid`, `processid` | `processid` (as text) |
/// | `pname`, `processname`, `sourcename`, `program` | `processname` (as text) |
/// | `path`, `logger`, `file` | `eventsource` (as text) |
/// | `type`, `eventtype`, `category` | `category` (as text) |
/// | `fields`, `details` | an object merged key by key into `details`; anything else → `details.message` |
/// | `fields.X`, `details.X` | `details.X`: `X_int` cast with Python `int()`, `X_float` with `float()`, else text |
///
/// Every other key is dropped. When several keys map to one field the last one in input
/// order wins (`tags` accumulate). Finally `utctimestamp` defaults to the received time and
/// `type` is set to `event` (an input `type` becomes `category`).
///
/// "As text" is MozDef's `toUnicode`, Python's `str()`: strings as they are, integers as
/// digits, floats as Python prints them (`1.0`), `true` → `True`, `null` → `None`; arrays
/// and objects as compact JSON text (a fix: Python wrote their `repr`).
///
/// Decisions, where MozDef in Rust deliberately departs from the Python:
/// * **Exact key matches.** Python tests `k in ('payload')` and `k in ('tags')`, substring
///   tests on a string (so `tag` or `load` also matched); here only `payload` and `tags` do.
/// * **Deterministic "now".** `receivedtimestamp`, the default `utctimestamp` and the
///   current year of year-less syslog dates all come from `ctx.received`, so a replayed
///   record normalises identically.
/// * **No event is dropped** (MozDef dropped the whole event on any exception):
///   * a timestamp `toUTC` cannot read leaves `utctimestamp`/`timestamp` at the received
///     time (unless an earlier timestamp key was readable), keeps the original value under
///     `details.unparsedtimestamp` and logs a warning;
///   * a failed `_int`/`_float` cast keeps the value as text and logs a warning;
///   * `tags`: a list is concatenated, a non-empty string or object appended, `null` and
///     `""` ignored; other scalars (numbers, booleans) are appended (Python raised on
///     `len()` of them).
/// * **nxlog Windows events** (input has both `Domain` and `SourceModuleType`): every input
///   key is also copied into `details` under its lower-cased, `@`-less name, after its own
///   mapping. Python's code, dedented out of the loop by mistake, copied only the last key.
///
/// The literal checks `'summary' in aDict`, `'Domain' in aDict` and
/// `'SourceModuleType' in aDict` are made on the input keys as sent, as in Python.
pub fn key_mapping(raw: &Document, ctx: &NormalizeContext) -> Document {
    let profile = KeyMappingProfile::EventTask;
    map_entries(raw.iter(), Flags::of(raw, profile), profile, standard_seed(ctx), ctx)
}

/// [`key_mapping`] consuming its input: values are moved into the output, not cloned.
/// This is the variant [`crate::normalize`] uses.
pub fn key_mapping_owned(raw: Document, ctx: &NormalizeContext) -> Document {
    key_mapping_with(raw, KeyMappingProfile::EventTask, ctx)
}

/// Which MozDef worker's copy of `keyMapping` to reproduce. Each worker carried its own
/// variant of the same function; here they are one routine with the differences named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyMappingProfile {
    /// `esworker_eventtask` (inventory §1.2): the full table of [`key_mapping`].
    EventTask,
    /// `esworker_sqs`'s reduced mapping: `sourceip`, `date`, `priority` and `program` are
    /// not mapped (dropped); `facility`, `syslogfacility` and `source` all go to `source`,
    /// as text (no `facility` field); a non-empty `tags` list replaces `tags` as is (the
    /// worker has already appended the queue name to it) instead of being appended.
    Sqs,
    /// `esworker_cloudtrail`'s mapping of one CloudTrail record, over a seed the caller
    /// builds (source, category, process, tags, severity, summary, `details.eventVerb`...):
    /// `sourceip`/`sourceipaddress` → `details.sourceipaddress`; `facility`/`source` →
    /// `source` as is; `eventsource` → `hostname` as is; `type`/`eventtype`/`category` →
    /// `category` plus `type=cloudtrail`; **every other key → `details.<key>`** (lower-cased,
    /// `@`-less) instead of being dropped; no nxlog copy and no default `type`.
    CloudTrail,
}

/// The mapping of `profile` over a standard seed (`receivedtimestamp`, `mozdefhostname`,
/// `details`), consuming the input.
pub(crate) fn key_mapping_with(raw: Document, profile: KeyMappingProfile, ctx: &NormalizeContext) -> Document {
    key_mapping_onto(standard_seed(ctx), raw, profile, ctx)
}

/// The mapping of `profile` onto `seed`: the fields already in `seed` (and the object in its
/// `details`, if any) are the starting point the input's keys are mapped over, in the seed's
/// key order.
pub(crate) fn key_mapping_onto(
    seed: Document,
    raw: Document,
    profile: KeyMappingProfile,
    ctx: &NormalizeContext,
) -> Document {
    let flags = Flags::of(&raw, profile);
    map_entries(raw.into_iter(), flags, profile, seed, ctx)
}

/// `receivedtimestamp`, `mozdefhostname` and an empty `details`: where every worker's
/// `keyMapping` but CloudTrail's starts.
fn standard_seed(ctx: &NormalizeContext) -> Document {
    let mut seed = Document::with_capacity(24);
    put(&mut seed, "receivedtimestamp", Value::String(isoformat(&ctx.received)));
    put(&mut seed, "mozdefhostname", Value::String(ctx.mozdefhostname.clone()));
    put(&mut seed, "details", Value::Object(Document::new()));
    seed
}

/// The whole-document tests `keyMapping` makes on the input as sent.
#[derive(Clone, Copy)]
struct Flags {
    /// `'summary' in aDict`: a `payload` goes to `details.payload` rather than `summary`.
    has_summary: bool,
    /// `'Domain' in aDict and 'SourceModuleType' in aDict`: an nxlog Windows event, whose
    /// keys are all copied into `details` (not by the CloudTrail worker).
    nxlog: bool,
}

impl Flags {
    fn of(raw: &Document, profile: KeyMappingProfile) -> Self {
        // One pass over the keys (comparing a few short names) instead of hashing each name.
        let (mut summary, mut domain, mut source_module_type) = (false, false, false);
        for key in raw.keys() {
            match key.as_str() {
                "summary" => summary = true,
                "Domain" => domain = true,
                "SourceModuleType" => source_module_type = true,
                _ => {}
            }
        }
        Flags { has_summary: summary, nxlog: profile != KeyMappingProfile::CloudTrail && domain && source_module_type }
    }
}

/// Length of the stack buffer used to lower-case keys without allocating.
const KEY_BUF: usize = 64;

/// `removeAt(k).lower()`: every `@` removed, then lower-cased. Keys that are already in that
/// form are borrowed; short ASCII keys are rewritten in `buf`; only long or non-ASCII keys
/// that need a change allocate.
fn normalize_key<'a>(key: &'a str, buf: &'a mut [u8; KEY_BUF]) -> Cow<'a, str> {
    let bytes = key.as_bytes();
    if bytes.iter().all(|&b| b != b'@' && !b.is_ascii_uppercase() && b.is_ascii()) {
        return Cow::Borrowed(key);
    }
    if key.is_ascii() && bytes.len() <= KEY_BUF {
        let mut len = 0;
        for &b in bytes.iter().filter(|&&b| b != b'@') {
            buf[len] = b.to_ascii_lowercase();
            len += 1;
        }
        if let Ok(s) = std::str::from_utf8(&buf[..len]) {
            return Cow::Borrowed(s);
        }
    }
    Cow::Owned(key.replace('@', "").to_lowercase())
}

/// Inserts `value` under the static `key`.
fn put(map: &mut Document, key: &str, value: Value) {
    map.insert(key.to_owned(), value);
}

/// The mapping itself, over the input's entries in order, onto `out` (the seed).
fn map_entries<K, V>(
    entries: impl Iterator<Item = (K, V)>,
    flags: Flags,
    profile: KeyMappingProfile,
    mut out: Document,
    ctx: &NormalizeContext,
) -> Document
where
    K: AsRef<str>,
    V: Input,
{
    use KeyMappingProfile::{CloudTrail, EventTask, Sqs};

    let received = isoformat(&ctx.received);
    // Whether `utctimestamp` and `type` are set, followed here rather than looked up at the
    // end: the seed's few keys are compared once; then only a time key sets `utctimestamp`
    // (`map_timestamp` always leaves one), and only CloudTrail's mapping sets `type`.
    let mut has_utctimestamp = out.keys().any(|k| k == "utctimestamp");
    let has_type = out.keys().any(|k| k == "type");
    // `details` keeps its place in the key order (a placeholder, filled at the end).
    let mut details = match out.insert("details".to_owned(), Value::Null) {
        Some(Value::Object(seeded)) => seeded,
        _ => Document::new(),
    };
    let mut buf = [0u8; KEY_BUF];

    for (raw_key, value) in entries {
        let key = normalize_key(raw_key.as_ref(), &mut buf);
        let k: &str = &key;
        let nxlog_copy = flags.nxlog.then(|| value.get().clone());
        match k {
            // Keys the SQS worker does not map at all.
            "sourceip" | "date" | "priority" | "program" if profile == Sqs => {}
            "sourceip" if profile == EventTask => put(&mut details, "eventsourceipaddress", value.take()),
            "sourceip" | "sourceipaddress" if profile == CloudTrail => {
                put(&mut details, "sourceipaddress", value.take());
            }
            "source" | "facility" | "syslogfacility" if profile == Sqs => {
                put(&mut out, "source", py_str_value(value.take()));
            }
            "source" => put(&mut out, "source", value.take()),
            "facility" if profile == CloudTrail => put(&mut out, "source", value.take()),
            "facility" => {
                let value = value.take();
                let text = py_str(&value).into_owned();
                put(&mut out, "source", value);
                put(&mut out, "facility", Value::String(text));
            }
            "eventsource" if profile == CloudTrail => put(&mut out, "hostname", value.take()),
            "message" | "summary" => put(&mut out, "summary", py_str_value(value.take())),
            "payload" if flags.has_summary => {
                put(&mut details, "payload", py_str_value(value.take()));
            }
            "payload" => put(&mut out, "summary", py_str_value(value.take())),
            "eventtime" | "timestamp" | "utctimestamp" | "date" => {
                map_timestamp(&mut out, &mut details, value, &received, ctx);
                has_utctimestamp = true;
            }
            "hostname" | "source_host" | "host" => {
                put(&mut out, "hostname", py_str_value(value.take()));
            }
            "tags" if profile == Sqs => map_tags_replace(&mut out, value),
            "tags" => map_tags(&mut out, value),
            "syslogseverity" | "severity" | "severityvalue" | "level" | "priority" => {
                put(&mut out, "severity", Value::String(upper(py_str_value(value.take()))));
            }
            "syslogfacility" => put(&mut out, "facility", py_str_value(value.take())),
            "pid" | "processid" => put(&mut out, "processid", py_str_value(value.take())),
            "pname" | "processname" | "sourcename" | "program" => {
                put(&mut out, "processname", py_str_value(value.take()));
            }
            "path" | "logger" | "file" => {
                put(&mut out, "eventsource", py_str_value(value.take()));
            }
            "type" | "eventtype" | "category" => {
                put(&mut out, "category", py_str_value(value.take()));
                if profile == CloudTrail {
                    put(&mut out, "type", Value::String("cloudtrail".to_owned()));
                }
            }
            "fields" | "details" => match value.take() {
                // Taking the whole map when nothing precedes it saves re-hashing every key.
                Value::Object(fields) if details.is_empty() => details = fields,
                Value::Object(fields) => details.extend(fields),
                other => put(&mut details, "message", other),
            },
            _ if k.starts_with("fields.") || k.starts_with("details.") => {
                map_dotted(&mut details, k, value);
            }
            _ if profile == CloudTrail => {
                details.insert(k.to_owned(), value.take());
            }
            _ => {}
        }
        if let Some(copy) = nxlog_copy {
            details.insert(k.to_owned(), copy);
        }
    }

    if let Some(slot) = out.get_mut("details") {
        *slot = Value::Object(details);
    }
    if !has_utctimestamp {
        put(&mut out, "utctimestamp", Value::String(received));
    }
    if profile != CloudTrail && !has_type {
        put(&mut out, "type", Value::String("event".to_owned()));
    }
    out
}

/// Python's `str.upper()` of a text value, without copying text that is already upper case.
fn upper(text: Value) -> String {
    match text {
        Value::String(s) if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_lowercase()) => s,
        Value::String(s) => s.to_uppercase(),
        other => py_str(&other).to_uppercase(),
    }
}

/// `utctimestamp` and `timestamp` from a time key, through `toUTC`; an unreadable value is
/// kept in `details.unparsedtimestamp` instead of dropping the event.
pub(crate) fn map_timestamp<V: Input>(
    out: &mut Document,
    details: &mut Document,
    value: V,
    received: &str,
    ctx: &NormalizeContext,
) {
    match to_utc(value.get(), ctx.received) {
        Ok(when) => {
            let iso = isoformat(&when);
            put(out, "utctimestamp", Value::String(iso.clone()));
            put(out, "timestamp", Value::String(iso));
        }
        Err(err) => {
            tracing::warn!(
                value = %value.get(),
                error = %err,
                "keymapping: unreadable timestamp kept in details.unparsedtimestamp"
            );
            if !out.contains_key("utctimestamp") {
                put(out, "utctimestamp", Value::String(received.to_owned()));
                put(out, "timestamp", Value::String(received.to_owned()));
            }
            put(details, "unparsedtimestamp", value.take());
        }
    }
}

/// `tags`: created empty on first sight; a list is concatenated, a non-empty string or
/// object appended, other non-null scalars appended.
pub(crate) fn map_tags<V: Input>(out: &mut Document, value: V) {
    let slot = out.entry("tags").or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(tags) = slot else {
        return;
    };
    match value.take() {
        Value::Array(items) => tags.extend(items),
        Value::Null => {}
        Value::String(s) if s.is_empty() => {}
        Value::Object(o) if o.is_empty() => {}
        other => tags.push(other),
    }
}

/// The SQS worker's `tags`: a non-empty list replaces `tags` as it is (Python:
/// `if len(v) > 0: returndict['tags'] = v`); any other value is treated as by [`map_tags`],
/// so `tags` stays a list.
fn map_tags_replace<V: Input>(out: &mut Document, value: V) {
    match value.get() {
        Value::Array(items) if !items.is_empty() => put(out, "tags", value.take()),
        _ => map_tags(out, value),
    }
}

/// A dotted `fields.X` / `details.X` key → `details.X`, with the `_int`/`_float` casts.
fn map_dotted<V: Input>(details: &mut Document, key: &str, value: V) {
    // Python: k.replace('fields.', '') then .replace('details.', ''), every occurrence.
    let name = key.replace("fields.", "").replace("details.", "");
    let cast = if name.ends_with("_int") {
        Some(("int", py_int(value.get())))
    } else if name.ends_with("_float") {
        Some(("float", py_float(value.get())))
    } else {
        None
    };
    let mapped = match cast {
        Some((_, Some(number))) => number,
        Some((kind, None)) => {
            tracing::warn!(
                key,
                value = %value.get(),
                "keymapping: cannot cast to {kind}; value kept as text"
            );
            py_str_value(value.take())
        }
        None => py_str_value(value.take()),
    };
    details.insert(name, mapped);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::test_context as ctx;

    fn doc(v: Value) -> Document {
        match v {
            Value::Object(m) => m,
            _ => Document::new(),
        }
    }

    #[test]
    fn keys_are_stripped_of_at_and_lowercased() {
        let mut buf = [0u8; KEY_BUF];
        assert_eq!(normalize_key("summary", &mut buf), "summary");
        assert!(matches!(normalize_key("summary", &mut buf), Cow::Borrowed(_)));
        assert_eq!(normalize_key("@Time@Stamp", &mut buf), "timestamp");
        assert_eq!(normalize_key("HOST_FROM", &mut buf), "host_from");
        let long = "A".repeat(100);
        assert_eq!(normalize_key(&long, &mut buf), "a".repeat(100));
        assert_eq!(normalize_key("@ÉVÉNEMENT", &mut buf), "événement");
    }

    #[test]
    fn borrowed_and_owned_variants_agree() {
        let raw = doc(json!({
            "@message": "hello", "Hostname": "h1", "tags": ["a"], "TAGS": "b",
            "facility": "auth", "details": {"x": 1}, "fields.n_int": "12", "pid": 42,
            "Domain": "CORP", "SourceModuleType": "im_msvistalog", "unmapped": [1, 2]
        }));
        let borrowed = key_mapping(&raw, &ctx());
        let owned = key_mapping_owned(raw, &ctx());
        assert_eq!(borrowed, owned);
        assert_eq!(owned["tags"], json!(["a", "b"]));
        assert_eq!(owned["details"]["unmapped"], json!([1, 2]));
        assert_eq!(owned["details"]["n_int"], json!(12));
    }

    #[test]
    fn output_key_order_follows_python() {
        let raw = doc(json!({"summary": "s", "tags": "t", "category": "c"}));
        let out = key_mapping(&raw, &ctx());
        let keys: Vec<&str> = out.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["receivedtimestamp", "mozdefhostname", "details", "summary", "tags", "category", "utctimestamp", "type"]
        );
    }

    #[test]
    fn unparsable_timestamp_keeps_the_event() {
        let raw = doc(json!({"timestamp": "not a date at all", "summary": "s"}));
        let out = key_mapping(&raw, &ctx());
        assert_eq!(out["utctimestamp"], "2026-11-23T10:00:00+00:00");
        assert_eq!(out["timestamp"], "2026-11-23T10:00:00+00:00");
        assert_eq!(out["details"]["unparsedtimestamp"], "not a date at all");
    }

    #[test]
    fn failed_casts_keep_the_text() {
        let raw = doc(json!({"details.a_int": "twelve", "fields.b_float": [1], "details.c_int": null}));
        let out = key_mapping(&raw, &ctx());
        assert_eq!(out["details"], json!({"a_int": "twelve", "b_float": "[1]", "c_int": "None"}));
    }

    #[test]
    fn profiles_differ_where_the_workers_did() {
        let raw = || {
            doc(json!({"sourceip": "10.0.0.1", "facility": "auth", "date": "Nov 23 09:00:00", "priority": "err",
                "program": "cron", "tags": ["q"], "eventsource": "ec2.amazonaws.com", "extra": 1}))
        };
        let event = key_mapping_with(raw(), KeyMappingProfile::EventTask, &ctx());
        assert_eq!(event["details"], json!({"eventsourceipaddress": "10.0.0.1"}));
        assert_eq!(
            (&event["facility"], &event["severity"], &event["processname"]),
            (&json!("auth"), &json!("ERR"), &json!("cron"))
        );
        assert_eq!(event["type"], "event");

        let sqs = key_mapping_with(raw(), KeyMappingProfile::Sqs, &ctx());
        assert_eq!(sqs["details"], json!({}));
        assert_eq!(sqs["source"], "auth");
        assert_eq!(sqs["tags"], json!(["q"]));
        assert_eq!(sqs["utctimestamp"], "2026-11-23T10:00:00+00:00");
        for absent in ["facility", "severity", "processname", "timestamp"] {
            assert!(!sqs.contains_key(absent), "{absent}");
        }

        let cloudtrail = key_mapping_with(raw(), KeyMappingProfile::CloudTrail, &ctx());
        assert_eq!(cloudtrail["details"], json!({"sourceipaddress": "10.0.0.1", "extra": 1}));
        assert_eq!(cloudtrail["hostname"], "ec2.amazonaws.com");
        assert!(!cloudtrail.contains_key("facility") && !cloudtrail.contains_key("type"));
    }

    #[test]
    fn severity_is_upper_cased_text() {
        for (v, expected) in [(json!("warning"), "WARNING"), (json!(6), "6"), (json!(true), "TRUE")] {
            let out = key_mapping(&doc(json!({ "severity": v })), &ctx());
            assert_eq!(out["severity"], expected);
        }
    }
}
