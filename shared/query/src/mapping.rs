//! MozDef's index mapping (inventory §0.2), as field types, and the analysis that goes with
//! it: the `standard` analyzer of `text` fields and the values the other field types index.
//!
//! The mapping template maps every dynamic string, long and double as `keyword`, so numbers
//! compare as their JSON text (`5` → `"5"`, `1.5` → `"1.5"`) and ranges on those fields are
//! lexicographic string ranges, as they are on OpenSearch.

use std::borrow::Cow;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::datemath::PartialDate;

/// The type a field of MozDef's `events`/`alerts` mapping has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Exact, case-sensitive strings (every dynamic string, long and double).
    Keyword,
    /// Analysed with the `standard` analyzer (`summary`).
    Text,
    /// IPv4 or IPv6 addresses (`details.sourceipaddress`, `details.destinationipaddress`).
    Ip,
    /// Points in time (`utctimestamp`, `timestamp`, `receivedtimestamp`).
    Date,
    /// `true`/`false` (`details.success`).
    Boolean,
    /// Geographic points (`details.sourceipgeopoint`, `details.destinationipgeopoint`).
    GeoPoint,
}

/// The type of the field at a dotted `path` in MozDef's mapping template.
pub fn field_type(path: &str) -> FieldType {
    match path {
        "summary" => FieldType::Text,
        "details.sourceipaddress" | "details.destinationipaddress" => FieldType::Ip,
        "details.sourceipgeopoint" | "details.destinationipgeopoint" => FieldType::GeoPoint,
        "utctimestamp" | "timestamp" | "receivedtimestamp" => FieldType::Date,
        "details.success" => FieldType::Boolean,
        _ => FieldType::Keyword,
    }
}

/// Whether a field name (of a query string or an `exists`) names one field: not `*` (every
/// field) and not a pattern over field names (`details.*`).
pub(crate) fn is_single_field(field: &str) -> bool {
    !field.contains('*')
}

/// The string a `keyword` field indexes for a JSON leaf: strings as they are, numbers as
/// their JSON text, booleans as `true`/`false`. `None` for null, arrays and objects.
pub fn keyword_value(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The address an `ip` field indexes for a JSON leaf: an IPv4 or IPv6 address string.
pub fn ip_value(value: &Value) -> Option<IpAddr> {
    value.as_str().and_then(|s| s.parse().ok())
}

/// The value a `boolean` field indexes: `true`, `"true"`, `false`, `"false"` or `""` (false).
pub fn boolean_value(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => parse_boolean(s),
        _ => None,
    }
}

/// Reads a boolean the way Elasticsearch does: `true`, `false`, or `""` (false).
pub(crate) fn parse_boolean(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" | "" => Some(false),
        _ => None,
    }
}

/// The instant a `date` field indexes for a JSON leaf, in epoch milliseconds (the
/// resolution of Elasticsearch's `date` type). Strings are read as RFC 3339, then as
/// `dateOptionalTime` (a missing zone is UTC), then with MozDef's `toUTC`; numbers are epoch
/// milliseconds. `now` only serves `toUTC`'s year-less syslog dates.
pub fn date_millis(value: &Value, now: DateTime<Utc>) -> Option<i64> {
    match value {
        Value::String(s) => {
            string_date_millis(s).or_else(|| mozdef_model::to_utc(value, now).ok().map(|d| d.timestamp_millis()))
        }
        Value::Number(n) => number_millis(n),
        _ => None,
    }
}

/// A date string as RFC 3339 or `dateOptionalTime`, without `toUTC`'s fuzzy fallback.
pub(crate) fn string_date_millis(text: &str) -> Option<i64> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.timestamp_millis());
    }
    PartialDate::parse(text).and_then(|d| d.to_datetime(false)).map(|d| d.timestamp_millis())
}

/// A JSON number as epoch milliseconds (fractions truncated).
pub(crate) fn number_millis(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    // `as` saturates on out-of-range floats; reject those instead of clamping silently.
    (f.is_finite() && f.abs() < 9.0e18).then_some(f.trunc() as i64)
}

/// An approximation of Elasticsearch's `standard` analyzer: UAX #29 word boundaries, then
/// lowercase. Letters, digits and `_` form tokens; `.` and `'` join two letters or two
/// digits (`example.com`, `192.168.1.1`, `don't`), `:` joins two letters, `,` and `;` join
/// two digits; everything else separates tokens. Ideographs and hiragana are one token per
/// character; tokens longer than 255 characters are split, as Lucene does.
pub fn analyze(text: &str) -> Vec<String> {
    let units = units(text);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let class = units[i].class;
        if class == WordClass::Ideographic {
            push_token(&units[i..=i], &mut tokens);
            i += 1;
        } else if class.is_word() {
            let end = word_end(&units, i);
            push_token(&units[i..=end], &mut tokens);
            i = end + 1;
        } else {
            i += 1;
        }
    }
    tokens
}

/// The UAX #29 word-break class of a character (the subset that matters here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordClass {
    Letter,
    Digit,
    Katakana,
    ExtendNumLet,
    MidLetter,
    MidNum,
    MidNumLet,
    Ideographic,
    Extend,
    Other,
}

impl WordClass {
    /// Whether a word token can start with this class.
    fn is_word(self) -> bool {
        matches!(self, Self::Letter | Self::Digit | Self::Katakana | Self::ExtendNumLet)
    }

    /// Whether a token made of this class is emitted (an `_`-only run is not).
    fn is_content(self) -> bool {
        matches!(self, Self::Letter | Self::Digit | Self::Katakana | Self::Ideographic)
    }
}

fn word_class(c: char) -> WordClass {
    match c {
        '_' | '\u{203F}' | '\u{2040}' | '\u{2054}' | '\u{FE33}' | '\u{FE34}' | '\u{FE4D}'..='\u{FE4F}' | '\u{FF3F}' => {
            WordClass::ExtendNumLet
        }
        '.' | '\'' | '\u{2018}' | '\u{2019}' | '\u{2024}' | '\u{FE52}' | '\u{FF07}' | '\u{FF0E}' => {
            WordClass::MidNumLet
        }
        ':' | '\u{00B7}' | '\u{0387}' | '\u{05F4}' | '\u{2027}' | '\u{FE13}' | '\u{FE55}' | '\u{FF1A}' => {
            WordClass::MidLetter
        }
        ',' | ';' | '\u{037E}' | '\u{0589}' | '\u{060C}' | '\u{060D}' | '\u{066C}' | '\u{07F8}' | '\u{2044}'
        | '\u{FE10}' | '\u{FE14}' | '\u{FE50}' | '\u{FE54}' | '\u{FF0C}' | '\u{FF1B}' => WordClass::MidNum,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{200D}'
        | '\u{00AD}' => WordClass::Extend,
        '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => WordClass::Katakana,
        '\u{3040}'..='\u{309F}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}' => WordClass::Ideographic,
        c if c.is_numeric() => WordClass::Digit,
        c if c.is_alphabetic() => WordClass::Letter,
        _ => WordClass::Other,
    }
}

/// A base character with the combining marks that follow it (UAX #29 rule WB4).
struct Unit<'a> {
    class: WordClass,
    text: &'a str,
}

fn units(text: &str) -> Vec<Unit<'_>> {
    let mut units: Vec<Unit<'_>> = Vec::new();
    let mut start = 0;
    let mut class = WordClass::Other;
    for (i, c) in text.char_indices() {
        let cc = word_class(c);
        if cc == WordClass::Extend && i > 0 {
            continue;
        }
        if i > 0 {
            units.push(Unit { class, text: &text[start..i] });
        }
        start = i;
        class = if cc == WordClass::Extend { WordClass::Other } else { cc };
    }
    if !text.is_empty() {
        units.push(Unit { class, text: &text[start..] });
    }
    units
}

/// The index of the last unit of the word starting at `start`.
fn word_end(units: &[Unit<'_>], start: usize) -> usize {
    let mut j = start;
    while j + 1 < units.len() {
        let (a, b) = (units[j].class, units[j + 1].class);
        if joins(a, b) {
            j += 1;
        } else if units.get(j + 2).is_some_and(|c| joins_across(a, b, c.class)) {
            j += 2;
        } else {
            break;
        }
    }
    j
}

/// UAX #29 WB5, WB8–WB10, WB13, WB13a, WB13b: no break between `a` and `b`.
fn joins(a: WordClass, b: WordClass) -> bool {
    use WordClass::{Digit, ExtendNumLet, Katakana, Letter};
    matches!(
        (a, b),
        (Letter | Digit, Letter | Digit)
            | (Katakana, Katakana)
            | (Letter | Digit | Katakana | ExtendNumLet, ExtendNumLet)
            | (ExtendNumLet, Letter | Digit | Katakana)
    )
}

/// UAX #29 WB6/7 and WB11/12: `a mid c` stays one word.
fn joins_across(a: WordClass, mid: WordClass, c: WordClass) -> bool {
    use WordClass::{Digit, Letter, MidLetter, MidNum, MidNumLet};
    matches!((a, mid, c), (Letter, MidLetter | MidNumLet, Letter) | (Digit, MidNum | MidNumLet, Digit))
}

/// Lucene's `StandardTokenizer` maximum token length.
const MAX_TOKEN_CHARS: usize = 255;

fn push_token(units: &[Unit<'_>], tokens: &mut Vec<String>) {
    if !units.iter().any(|u| u.class.is_content()) {
        return;
    }
    let mut current = String::new();
    let mut count = 0;
    for c in units.iter().flat_map(|u| u.text.chars()) {
        if count == MAX_TOKEN_CHARS {
            tokens.push(std::mem::take(&mut current));
            count = 0;
        }
        current.push(lowercase_char(c));
        count += 1;
    }
    tokens.push(current);
}

/// Java's `Character.toLowerCase`: one character for one character.
pub(crate) fn lowercase_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Lowercases `text` character by character, as Lucene's `LowerCaseFilter` does.
pub(crate) fn lowercase(text: &str) -> String {
    text.chars().map(lowercase_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn toks(text: &str) -> Vec<String> {
        analyze(text)
    }

    #[test]
    fn field_types_follow_the_template() {
        assert_eq!(field_type("summary"), FieldType::Text);
        assert_eq!(field_type("details.sourceipaddress"), FieldType::Ip);
        assert_eq!(field_type("details.destinationipaddress"), FieldType::Ip);
        assert_eq!(field_type("details.sourceipgeopoint"), FieldType::GeoPoint);
        assert_eq!(field_type("details.destinationipgeopoint"), FieldType::GeoPoint);
        assert_eq!(field_type("utctimestamp"), FieldType::Date);
        assert_eq!(field_type("timestamp"), FieldType::Date);
        assert_eq!(field_type("receivedtimestamp"), FieldType::Date);
        assert_eq!(field_type("details.success"), FieldType::Boolean);
        assert_eq!(field_type("details.sourceport"), FieldType::Keyword);
        assert_eq!(field_type("category"), FieldType::Keyword);
        assert_eq!(field_type("Summary"), FieldType::Keyword);
    }

    #[test]
    fn keyword_values() {
        assert_eq!(keyword_value(&json!("a b")).as_deref(), Some("a b"));
        assert_eq!(keyword_value(&json!(5)).as_deref(), Some("5"));
        assert_eq!(keyword_value(&json!(-5)).as_deref(), Some("-5"));
        assert_eq!(keyword_value(&json!(1.5)).as_deref(), Some("1.5"));
        assert_eq!(keyword_value(&json!(true)).as_deref(), Some("true"));
        assert_eq!(keyword_value(&json!(false)).as_deref(), Some("false"));
        assert_eq!(keyword_value(&json!(null)), None);
        assert_eq!(keyword_value(&json!([1])), None);
        assert_eq!(keyword_value(&json!({"a": 1})), None);
    }

    #[test]
    fn ip_and_boolean_values() {
        assert_eq!(ip_value(&json!("10.0.0.1")), "10.0.0.1".parse().ok());
        assert_eq!(ip_value(&json!("::1")), "::1".parse().ok());
        assert_eq!(ip_value(&json!("10.0.0")), None);
        assert_eq!(ip_value(&json!(167772161)), None);
        assert_eq!(boolean_value(&json!(true)), Some(true));
        assert_eq!(boolean_value(&json!("true")), Some(true));
        assert_eq!(boolean_value(&json!("false")), Some(false));
        assert_eq!(boolean_value(&json!("")), Some(false));
        assert_eq!(boolean_value(&json!("True")), None);
        assert_eq!(boolean_value(&json!(1)), None);
    }

    #[test]
    fn date_values() {
        let now = Utc::now();
        let ms = 1_468_443_523_000;
        assert_eq!(date_millis(&json!("2016-07-13T20:58:43+00:00"), now), Some(ms));
        assert_eq!(date_millis(&json!("2016-07-13T22:58:43+02:00"), now), Some(ms));
        assert_eq!(date_millis(&json!("2016-07-13T20:58:43.123999Z"), now), Some(ms + 123));
        assert_eq!(date_millis(&json!("2016-07-13T20:58:43"), now), Some(ms));
        assert_eq!(date_millis(&json!("2016-07-13"), now), Some(1_468_368_000_000));
        assert_eq!(date_millis(&json!(ms), now), Some(ms));
        assert_eq!(date_millis(&json!(true), now), None);
    }

    #[test]
    fn analyzer_words_and_numbers() {
        assert_eq!(toks("Hello, World!"), ["hello", "world"]);
        assert_eq!(toks("192.168.1.1"), ["192.168.1.1"]);
        assert_eq!(toks("example.com"), ["example.com"]);
        assert_eq!(toks("don't"), ["don't"]);
        assert_eq!(toks("/var/log/x"), ["var", "log", "x"]);
        assert_eq!(toks("14:01:12"), ["14", "01", "12"]);
        assert_eq!(toks("a:b"), ["a:b"]);
        assert_eq!(toks("1,000;5"), ["1,000;5"]);
        assert_eq!(toks("a,b"), ["a", "b"]);
        assert_eq!(toks("snake_case_name"), ["snake_case_name"]);
        assert_eq!(toks("___"), Vec::<String>::new());
        assert_eq!(toks("_x_"), ["_x_"]);
        assert_eq!(toks("abc123def"), ["abc123def"]);
        assert_eq!(toks("v1.2.3"), ["v1.2.3"]);
        assert_eq!(toks("a1.b"), ["a1", "b"]);
        assert_eq!(toks("end."), ["end"]);
        assert_eq!(toks("x..y"), ["x", "y"]);
        assert_eq!(toks("foo-bar"), ["foo", "bar"]);
        assert_eq!(toks("user@example.com"), ["user", "example.com"]);
        assert_eq!(toks(""), Vec::<String>::new());
        assert_eq!(toks("  \t\n"), Vec::<String>::new());
    }

    #[test]
    fn analyzer_unicode() {
        assert_eq!(toks("ÉCOLE Straße"), ["école", "straße"]);
        assert_eq!(toks("e\u{301}t\u{301}e"), ["e\u{301}t\u{301}e"]);
        assert_eq!(toks("東京"), ["東", "京"]);
        assert_eq!(toks("カタカナ"), ["カタカナ"]);
        assert_eq!(toks("\u{301}a"), ["a"]);
    }

    #[test]
    fn analyzer_splits_long_tokens() {
        let long = "a".repeat(300);
        let t = toks(&long);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].len(), 255);
        assert_eq!(t[1].len(), 45);
    }
}
