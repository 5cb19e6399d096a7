//! Random documents and queries over MozDef's field types, for property tests of every
//! backend against the evaluator (the prefilter's and the index plans' here, the stores'
//! beside them): documents mix types, arrays, nulls, dotted keys and cut-length values;
//! queries mix every matcher, bool nesting and query strings.

use serde_json::{Map, Value, json};

use crate::querystring::QueryString;
use crate::{Match, SearchQuery};

/// The generator the random values come from.
pub use mozdef_model::rng::SplitMix64 as Rng;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Keyword,
    Number,
    Ip,
    Bool,
    Date,
    Geo,
}

const FIELDS: &[(&str, Kind)] = &[
    ("summary", Kind::Text),
    ("hostname", Kind::Keyword),
    ("category", Kind::Keyword),
    ("tags", Kind::Keyword),
    ("details.user", Kind::Keyword),
    ("details.a.b", Kind::Keyword),
    ("details.list.x", Kind::Keyword),
    ("details.", Kind::Keyword),
    ("details.count", Kind::Number),
    ("details.sourceipaddress", Kind::Ip),
    ("details.destinationipaddress", Kind::Ip),
    ("details.success", Kind::Bool),
    ("utctimestamp", Kind::Date),
    ("details.sourceipgeopoint", Kind::Geo),
    ("details.sourceipgeopoint.lat", Kind::Number),
];

const SUMMARY_WORDS: &[&str] =
    &["Failed", "login", "foo", "FOO", "bar", "10.0.0.1", "example.com", "don't", "x", "東京", "a_b", "42"];
const SEPARATORS: &[&str] = &[" ", " ", " ", "-", ", ", "/", ".", "_", ": "];
const KEYWORDS: &[&str] = &["foo", "bar", "Foo", "foo bar", "x", "1", "1.5", "true", "", "10.0.0.1", "é", "a.b"];
const IPS: &[&str] = &[
    "10.0.0.1",
    "10.0.0.2",
    "::ffff:10.0.0.1",
    "::1",
    "0:0:0:0:0:0:0:1",
    "2001:db8::1",
    "2001:DB8:0::1",
    "bogus",
    "10.0.0.1/32",
];
const CIDRS: &[&str] = &["10.0.0.0/8", "10.0.0.1/32", "::1/128", "2001:db8::/32", "10.0.0.1", "::ffff:10.0.0.0/104"];
const DATES: &[&str] = &["2016-07-13T20:58:43+00:00", "2016-07-13", "2016-07-14T00:00:00Z", "now-1d", "garbage"];

fn long_value(rng: &mut Rng) -> String {
    format!("{}{}", "a".repeat(199 + rng.index(3)), *rng.pick(&["x", "y", "é"]))
}

fn summary_text(rng: &mut Rng, max_words: usize) -> String {
    let n = rng.index(max_words + 1);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            let separator: &str = rng.pick::<&str>(SEPARATORS);
            s.push_str(separator);
        }
        let word: &str = rng.pick::<&str>(SUMMARY_WORDS);
        s.push_str(word);
    }
    s
}

/// A scalar of the given kind, as documents and queries hold them.
fn scalar(rng: &mut Rng, kind: Kind) -> Value {
    match kind {
        Kind::Text => match rng.index(10) {
            0 => json!(rng.index(50)),
            1 => json!(rng.chance(0.50)),
            _ => json!(summary_text(rng, 5)),
        },
        Kind::Keyword => match rng.index(12) {
            0 => json!(rng.index(3)),
            1 => json!(1.5),
            2 => json!(rng.chance(0.50)),
            3 => json!(long_value(rng)),
            _ => json!(*rng.pick(KEYWORDS)),
        },
        Kind::Number => match rng.index(6) {
            0 => json!(*rng.pick(&["1", "2", "x"])),
            1 => json!(1.5),
            2 => json!(-3),
            _ => json!(rng.index(4)),
        },
        Kind::Ip => match rng.index(12) {
            0 => json!(167_772_161),
            _ => json!(*rng.pick(IPS)),
        },
        Kind::Bool => rng
            .pick(&[json!(true), json!(false), json!("true"), json!("false"), json!(""), json!("True"), json!(1)])
            .clone(),
        Kind::Date => match rng.index(5) {
            0 => json!(1_468_443_523_000_i64),
            _ => json!(*rng.pick(DATES)),
        },
        Kind::Geo => rng.pick(&[json!({"lat": 1.5, "lon": 2}), json!("1.5,2"), json!([2, 1.5])]).clone(),
    }
}

fn any_kind(rng: &mut Rng) -> Kind {
    *rng.pick(&[Kind::Text, Kind::Keyword, Kind::Number, Kind::Ip, Kind::Bool, Kind::Date])
}

/// A field's value in a document: mostly its own kind, sometimes another, an array or null.
fn doc_value(rng: &mut Rng, kind: Kind) -> Value {
    let one = |rng: &mut Rng| {
        let k = if rng.chance(0.10) { any_kind(rng) } else { kind };
        scalar(rng, k)
    };
    match rng.index(10) {
        0 => Value::Null,
        1 | 2 => {
            let mut items: Vec<Value> = (0..rng.index(4)).map(|_| one(rng)).collect();
            if rng.chance(0.30) {
                items.push(json!([one(rng), null]));
            }
            Value::Array(items)
        }
        _ => one(rng),
    }
}

/// Deep-merges `value` into `map[key]`: objects merge, anything else turns into an array.
fn merge(map: &mut Map<String, Value>, key: String, value: Value) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, value);
        }
        Some(Value::Object(existing)) if value.is_object() => {
            if let Value::Object(new) = value {
                for (k, v) in new {
                    merge(existing, k, v);
                }
            }
        }
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let old = existing.take();
            *existing = json!([old, value]);
        }
    }
}

/// Places `value` at `path`, splitting the path into keys at random (literal dotted keys)
/// and sometimes wrapping objects into arrays.
fn place(rng: &mut Rng, doc: &mut Map<String, Value>, path: &str, value: Value) {
    let mut keys: Vec<String> = Vec::new();
    for (i, seg) in path.split('.').enumerate() {
        match keys.last_mut() {
            Some(last) if i > 0 && rng.chance(0.30) => {
                last.push('.');
                last.push_str(seg);
            }
            _ => keys.push(seg.to_owned()),
        }
    }
    let mut v = value;
    while keys.len() > 1 {
        let key = keys.pop().unwrap_or_default();
        let mut obj = Map::new();
        obj.insert(key, v);
        v = if rng.chance(0.15) { json!([Value::Object(obj), {"other": "x"}]) } else { Value::Object(obj) };
    }
    merge(doc, keys.pop().unwrap_or_default(), v);
}

/// A random document over the test vocabulary (sometimes wrapped in an array, as a root
/// array of one object).
pub fn random_doc(rng: &mut Rng) -> Value {
    let mut doc = Map::new();
    for &(path, kind) in FIELDS {
        if rng.chance(0.45) {
            let v = doc_value(rng, kind);
            place(rng, &mut doc, path, v);
        }
    }
    if rng.chance(0.05) { json!([Value::Object(doc)]) } else { Value::Object(doc) }
}

/// A field of a query: mostly from the vocabulary, sometimes a pattern or an unknown field.
fn query_field(rng: &mut Rng) -> (&'static str, Kind) {
    if rng.chance(0.08) {
        return *rng.pick(&[("details.*", Kind::Keyword), ("*", Kind::Keyword), ("nope", Kind::Keyword)]);
    }
    *rng.pick(FIELDS)
}

/// A query value for a field of `kind`: mostly of that kind, sometimes of another.
fn query_value(rng: &mut Rng, kind: Kind) -> Value {
    let k = if rng.chance(0.15) { any_kind(rng) } else { kind };
    match k {
        Kind::Text => json!(summary_text(rng, 2)),
        Kind::Ip if rng.chance(0.25) => json!(*rng.pick(CIDRS)),
        _ => scalar(rng, k),
    }
}

fn phrase_value(rng: &mut Rng, kind: Kind) -> String {
    if kind == Kind::Text {
        return summary_text(rng, 3);
    }
    match query_value(rng, kind) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

fn random_match(rng: &mut Rng, depth: usize) -> Match {
    let (field, kind) = query_field(rng);
    let choice = rng.index(if depth < 3 { 100 } else { 80 });
    match choice {
        0..=19 => Match::term(field, query_value(rng, kind)),
        20..=29 => Match::terms(field, (0..rng.index(4)).map(|_| query_value(rng, kind)).collect::<Vec<_>>()),
        30..=39 => Match::phrase(field, phrase_value(rng, kind)),
        40..=43 => {
            let base = phrase_value(rng, kind);
            let cut: String = base.chars().take(rng.index(4)).collect();
            Match::wildcard(field, format!("{cut}{}", *rng.pick(&["*", "?", "*o*", ""])))
        }
        44..=47 => Match::exists(field),
        48..=51 => Match::missing(field),
        52..=56 => {
            let bound = |rng: &mut Rng| rng.chance(0.70).then(|| query_value(rng, kind));
            let gte = bound(rng);
            Match::range(field, gte, bound(rng))
        }
        57..=58 => Match::less_than(field, query_value(rng, kind)),
        59..=61 => Match::subnet(field, rng.pick::<&str>(CIDRS)).unwrap_or_else(|_| Match::exists(field)),
        62..=79 => Match::QueryString(random_query_string(rng)),
        _ => {
            let list =
                |rng: &mut Rng, max: usize| (0..rng.index(max + 1)).map(|_| random_match(rng, depth + 1)).collect();
            let must = list(rng, 2);
            let must_not = list(rng, 1);
            Match::boolean(must, must_not, list(rng, 3))
        }
    }
}

/// Backslash-escapes Lucene's special characters and whitespace.
fn qs_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "+-&|!(){}[]^\"~*?:\\/ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn qs_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn qs_value(rng: &mut Rng, kind: Kind) -> String {
    let text = match query_value(rng, kind) {
        Value::String(s) => s,
        other => other.to_string(),
    };
    match rng.index(20) {
        0..=8 if !text.is_empty() => qs_escape(&text),
        0..=12 => format!("{}{}", qs_quote(&phrase_value(rng, kind)), *rng.pick(&["", "", "~1", "~3"])),
        13 => format!("{}*", qs_escape(&text.chars().take(2).collect::<String>())),
        14 => format!("{}~1", qs_escape(&text)),
        15 => format!("[{} TO {}]", qs_quote(&text), *rng.pick(&["*", "z", "\"2\""])),
        16 => format!(">={}", qs_escape(&text)),
        17 => "*".to_owned(),
        _ => {
            let a = qs_value(rng, kind);
            let b = qs_value(rng, kind);
            format!("({a}{}{b})", *rng.pick(&[" ", " AND ", " OR ", " -", " +"]))
        }
    }
}

fn qs_field(rng: &mut Rng) -> (String, Kind) {
    let (field, kind) = query_field(rng);
    // `details.` cannot be written before a colon without escaping the dot's emptiness away.
    let name = if field.ends_with('.') { "details.user".to_owned() } else { field.to_owned() };
    (name, kind)
}

fn qs_text(rng: &mut Rng, depth: usize) -> String {
    let n = 1 + rng.index(4);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push_str(rng.pick::<&str>(&[" ", " ", " AND ", " OR ", " && ", " || "]));
        }
        s.push_str(rng.pick::<&str>(&["", "", "", "+", "-", "NOT ", "!"]));
        match rng.index(10) {
            0 if depth < 2 => {
                s.push('(');
                s.push_str(&qs_text(rng, depth + 1));
                s.push(')');
            }
            1 => s.push_str(&qs_value(rng, Kind::Text)),
            2 => {
                let (field, _) = qs_field(rng);
                s.push_str(&format!("_exists_:{}", qs_escape(&field)));
            }
            _ => {
                let (field, kind) = qs_field(rng);
                s.push_str(&format!("{}:{}", qs_escape(&field), qs_value(rng, kind)));
            }
        }
    }
    s
}

fn random_query_string(rng: &mut Rng) -> QueryString {
    loop {
        if let Ok(q) = QueryString::parse(&qs_text(rng, 0)) {
            return q;
        }
    }
}

/// A random query: a query string, or `must`, `must_not` and `should` lists of random
/// matchers; no window.
pub fn random_query(rng: &mut Rng) -> SearchQuery {
    let mut q = SearchQuery::new(None);
    if rng.chance(0.30) {
        q.add_must(Match::QueryString(random_query_string(rng)));
        return q;
    }
    for _ in 0..rng.index(3) {
        q.add_must(random_match(rng, 0));
    }
    for _ in 0..rng.index(2) {
        q.add_must_not(random_match(rng, 0));
    }
    for _ in 0..rng.index(3) {
        q.add_should(random_match(rng, 0));
    }
    q
}
