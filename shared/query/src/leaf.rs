//! The compiled test of one leaf value: what a matcher asks of a field, independent of the
//! field's type ([`Spec`]), compiled for a field type into a [`LeafTest`].
//!
//! This answers "does this value fit this field's type, and what exactly does it test?" —
//! the question both the query-string parser (to reject values of named fields, see
//! [`check`]) and the compiler of whole queries (`compiled`) ask. Testing documents against
//! a [`LeafTest`] is the evaluator's part (`eval`); reading index terms off it the
//! prefilter's.

use std::net::IpAddr;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::datemath::DateMath;
use crate::mapping::{FieldType, keyword_value, lowercase, number_millis, parse_boolean};
use crate::network::ip_bits;
use crate::pattern::{TermPattern, lucene_pattern, wildcard_pattern};
use crate::{IpNetwork, QueryError};

/// What a matcher asks of a field, independent of the field's type.
#[derive(Debug, Clone)]
pub(crate) enum Spec {
    /// `match`: analysed on text, exact elsewhere.
    Term(Value),
    /// `terms`: exact, any of the values.
    Terms(Vec<Value>),
    /// `match_phrase` with a slop.
    Phrase(String, u32),
    /// A Lucene wildcard.
    Wildcard(String),
    /// A Lucene regular expression.
    Regex(String),
    /// Terms within so many edits.
    Fuzzy(String, u8),
    /// A range.
    Range(Bound<Value>, Bound<Value>),
}

/// Why a value cannot be read as its field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueError {
    /// The offending value or pattern.
    pub(crate) subject: String,
    /// What is wrong.
    pub(crate) message: String,
    /// Whether an IP address or network was expected.
    pub(crate) network: bool,
}

impl ValueError {
    fn new(subject: impl Into<String>, message: impl Into<String>) -> Self {
        ValueError { subject: subject.into(), message: message.into(), network: false }
    }

    fn network(subject: impl Into<String>) -> Self {
        let subject = subject.into();
        let message = format!("{subject:?} is not an IP address or CIDR block");
        ValueError { subject, message, network: true }
    }

    fn from_pattern(e: QueryError) -> Self {
        match e {
            QueryError::Pattern { pattern, message } => ValueError::new(pattern, message),
            other => ValueError::new(String::new(), other.to_string()),
        }
    }

    /// The error of a structured matcher.
    pub(crate) fn into_query_error(self) -> QueryError {
        if self.network {
            QueryError::Network(self.subject)
        } else {
            QueryError::Pattern { pattern: self.subject, message: self.message }
        }
    }
}

/// A test on strings: keyword values, or the tokens of text values.
#[derive(Debug, Clone)]
pub(crate) enum StrTest {
    Eq(String),
    /// Sorted, for binary search.
    OneOf(Vec<String>),
    Pattern(TermPattern),
    Fuzzy(String, u8),
    Range(Bound<String>, Bound<String>),
}

impl StrTest {
    fn one_of(mut values: Vec<String>) -> Self {
        values.sort_unstable();
        values.dedup();
        StrTest::OneOf(values)
    }
}

/// Whether `v` lies within the bounds.
pub(crate) fn in_bounds<T: PartialOrd + ?Sized>(v: &T, lower: Bound<&T>, upper: Bound<&T>) -> bool {
    let above = match lower {
        Bound::Included(l) => v >= l,
        Bound::Excluded(l) => v > l,
        Bound::Unbounded => true,
    };
    let below = match upper {
        Bound::Included(u) => v <= u,
        Bound::Excluded(u) => v < u,
        Bound::Unbounded => true,
    };
    above && below
}

/// One end of a date span.
#[derive(Debug, Clone)]
enum DateLimit {
    Open,
    Fixed(i64),
    /// Depends on `now`: resolved at evaluation, then moved by `adjust` milliseconds.
    Now {
        math: DateMath,
        round_up: bool,
        adjust: i64,
    },
}

impl DateLimit {
    fn resolve(&self, now: DateTime<Utc>, open: i64) -> Option<i64> {
        match self {
            DateLimit::Open => Some(open),
            DateLimit::Fixed(ms) => Some(*ms),
            DateLimit::Now { math, round_up, adjust } => math.resolve(now, *round_up)?.checked_add(*adjust),
        }
    }
}

/// An inclusive span of instants.
#[derive(Debug, Clone)]
pub(crate) struct DateSpan {
    lower: DateLimit,
    upper: DateLimit,
}

impl DateSpan {
    /// The span's bounds at `now`, in epoch milliseconds (`None` when a bound cannot resolve).
    pub(crate) fn bounds(&self, now: DateTime<Utc>) -> Option<(i64, i64)> {
        Some((self.lower.resolve(now, i64::MIN)?, self.upper.resolve(now, i64::MAX)?))
    }
}

/// A compiled test of one leaf value.
#[derive(Debug, Clone)]
pub(crate) enum LeafTest {
    Never,
    /// On the keyword form of the value.
    Keyword(StrTest),
    /// On any token of the analysed value.
    Tokens(StrTest),
    /// Consecutive tokens (with a slop).
    Phrase(Vec<String>, u32),
    /// The value is an address in one of these inclusive 128-bit ranges.
    Ip(Vec<(u128, u128)>),
    /// The value is an instant in one of these spans.
    Date(Vec<DateSpan>),
    /// Accepted booleans: `[false, true]`.
    Bool([bool; 2]),
}

impl LeafTest {
    /// `SubnetMatch`: the value is an address inside `network`, whatever the field's type.
    pub(crate) fn subnet(network: &IpNetwork) -> Self {
        LeafTest::Ip(vec![network.bit_range()])
    }
}

/// Compiles `spec` for a field of type `ty`. `normalize` lowercases wildcards, regexes,
/// fuzzy terms and range bounds on text fields, as query strings do.
pub(crate) fn compile(ty: FieldType, spec: &Spec, normalize: bool) -> Result<LeafTest, ValueError> {
    match ty {
        FieldType::Keyword => keyword(spec),
        FieldType::Text => text(spec, normalize),
        FieldType::Ip => ip(spec),
        FieldType::Date => date(spec),
        FieldType::Boolean => boolean(spec),
        FieldType::GeoPoint => Ok(LeafTest::Never),
    }
}

/// Checks a value against a field's type the way a query string writes it (normalised, as
/// [`compile`] with `normalize`), keeping no test: the problem's message if it does not fit.
pub(crate) fn check(ty: FieldType, spec: &Spec) -> Result<(), String> {
    compile(ty, spec, true).map(|_| ()).map_err(|e| e.message)
}

fn scalar_text(v: &Value) -> Result<String, ValueError> {
    keyword_value(v)
        .map(|s| s.into_owned())
        .ok_or_else(|| ValueError::new(v.to_string(), "expected a string, a number or a boolean"))
}

fn text_bounds(lower: &Bound<Value>, upper: &Bound<Value>, lower_case: bool) -> Result<StrTest, ValueError> {
    let convert = |b: &Bound<Value>| -> Result<Bound<String>, ValueError> {
        let f = |v: &Value| scalar_text(v).map(|s| if lower_case { lowercase(&s) } else { s });
        Ok(match b {
            Bound::Included(v) => Bound::Included(f(v)?),
            Bound::Excluded(v) => Bound::Excluded(f(v)?),
            Bound::Unbounded => Bound::Unbounded,
        })
    };
    Ok(StrTest::Range(convert(lower)?, convert(upper)?))
}

fn keyword(spec: &Spec) -> Result<LeafTest, ValueError> {
    let test = match spec {
        Spec::Term(v) => StrTest::Eq(scalar_text(v)?),
        Spec::Phrase(p, _) => StrTest::Eq(p.clone()),
        Spec::Terms(vs) => StrTest::one_of(vs.iter().map(scalar_text).collect::<Result<_, _>>()?),
        Spec::Wildcard(p) => StrTest::Pattern(wildcard_pattern(p, false).map_err(ValueError::from_pattern)?),
        Spec::Regex(p) => StrTest::Pattern(lucene_pattern(p, false).map_err(ValueError::from_pattern)?),
        Spec::Fuzzy(t, n) => StrTest::Fuzzy(t.clone(), *n),
        Spec::Range(lower, upper) => text_bounds(lower, upper, false)?,
    };
    Ok(LeafTest::Keyword(test))
}

fn text(spec: &Spec, normalize: bool) -> Result<LeafTest, ValueError> {
    let test = match spec {
        Spec::Term(v) => {
            let tokens = crate::mapping::analyze(&scalar_text(v)?);
            if tokens.is_empty() {
                return Ok(LeafTest::Never);
            }
            StrTest::one_of(tokens)
        }
        Spec::Phrase(p, slop) => {
            let mut tokens = crate::mapping::analyze(p);
            return Ok(match tokens.len() {
                0 => LeafTest::Never,
                1 => LeafTest::Tokens(StrTest::Eq(tokens.remove(0))),
                _ => LeafTest::Phrase(tokens, *slop),
            });
        }
        Spec::Terms(vs) => StrTest::one_of(vs.iter().map(scalar_text).collect::<Result<_, _>>()?),
        Spec::Wildcard(p) => StrTest::Pattern(wildcard_pattern(p, normalize).map_err(ValueError::from_pattern)?),
        Spec::Regex(p) => StrTest::Pattern(lucene_pattern(p, normalize).map_err(ValueError::from_pattern)?),
        Spec::Fuzzy(t, n) => StrTest::Fuzzy(if normalize { lowercase(t) } else { t.clone() }, *n),
        Spec::Range(lower, upper) => text_bounds(lower, upper, normalize)?,
    };
    Ok(LeafTest::Tokens(test))
}

/// An address or CIDR block as a 128-bit range.
fn ip_range(v: &Value) -> Result<(u128, u128), ValueError> {
    let text = scalar_text(v)?;
    IpNetwork::parse(&text).map(|n| n.bit_range()).map_err(|_| ValueError::network(text))
}

fn ip_bound(b: &Bound<Value>, lower: bool) -> Result<Option<u128>, ValueError> {
    let parse = |v: &Value| -> Result<u128, ValueError> {
        let text = scalar_text(v)?;
        text.parse::<IpAddr>().map(ip_bits).map_err(|_| ValueError::network(text))
    };
    Ok(match (b, lower) {
        (Bound::Unbounded, true) => Some(0),
        (Bound::Unbounded, false) => Some(u128::MAX),
        (Bound::Included(v), _) => Some(parse(v)?),
        (Bound::Excluded(v), true) => parse(v)?.checked_add(1),
        (Bound::Excluded(v), false) => parse(v)?.checked_sub(1),
    })
}

fn ip(spec: &Spec) -> Result<LeafTest, ValueError> {
    let ranges = match spec {
        Spec::Term(v) => vec![ip_range(v)?],
        Spec::Phrase(p, _) => vec![ip_range(&Value::String(p.clone()))?],
        Spec::Terms(vs) => vs.iter().map(ip_range).collect::<Result<_, _>>()?,
        Spec::Range(lower, upper) => match (ip_bound(lower, true)?, ip_bound(upper, false)?) {
            (Some(lo), Some(hi)) if lo <= hi => vec![(lo, hi)],
            _ => return Ok(LeafTest::Never),
        },
        Spec::Wildcard(_) | Spec::Regex(_) | Spec::Fuzzy(..) => return Ok(LeafTest::Never),
    };
    Ok(LeafTest::Ip(ranges))
}

/// A date bound: `round_up` for `lte`/`gt`, then `adjust` (+1 for `gt`, −1 for `lt`).
fn date_limit(v: &Value, round_up: bool, adjust: i64) -> Result<DateLimit, ValueError> {
    let ms = match v {
        Value::Number(n) => number_millis(n).ok_or_else(|| ValueError::new(n.to_string(), "date out of range"))?,
        Value::String(s) => match DateMath::parse(s) {
            Ok(math) if math.uses_now() => return Ok(DateLimit::Now { math, round_up, adjust }),
            Ok(math) => math
                .resolve(DateTime::<Utc>::UNIX_EPOCH, round_up)
                .ok_or_else(|| ValueError::new(s.clone(), "date out of range"))?,
            Err(_) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<i64>().map_err(|_| ValueError::new(s.clone(), "date out of range"))?
            }
            Err(message) => return Err(ValueError::new(s.clone(), message)),
        },
        other => return Err(ValueError::new(other.to_string(), "expected a date string or epoch milliseconds")),
    };
    ms.checked_add(adjust).map(DateLimit::Fixed).ok_or_else(|| ValueError::new(v.to_string(), "date out of range"))
}

/// `match` on a date: Elasticsearch's term query is the range [value, value] with the
/// upper end rounded up (so `2016-07-13` covers the day).
fn date_term(v: &Value) -> Result<DateSpan, ValueError> {
    Ok(DateSpan { lower: date_limit(v, false, 0)?, upper: date_limit(v, true, 0)? })
}

fn date_range_limit(b: &Bound<Value>, lower: bool) -> Result<DateLimit, ValueError> {
    match (b, lower) {
        (Bound::Unbounded, _) => Ok(DateLimit::Open),
        (Bound::Included(v), true) => date_limit(v, false, 0),
        (Bound::Excluded(v), true) => date_limit(v, true, 1),
        (Bound::Included(v), false) => date_limit(v, true, 0),
        (Bound::Excluded(v), false) => date_limit(v, false, -1),
    }
}

fn date(spec: &Spec) -> Result<LeafTest, ValueError> {
    let spans = match spec {
        Spec::Term(v) => vec![date_term(v)?],
        Spec::Phrase(p, _) => vec![date_term(&Value::String(p.clone()))?],
        Spec::Terms(vs) => vs.iter().map(date_term).collect::<Result<_, _>>()?,
        Spec::Range(lower, upper) => {
            vec![DateSpan { lower: date_range_limit(lower, true)?, upper: date_range_limit(upper, false)? }]
        }
        Spec::Wildcard(_) | Spec::Regex(_) | Spec::Fuzzy(..) => return Ok(LeafTest::Never),
    };
    Ok(LeafTest::Date(spans))
}

fn bool_of(v: &Value) -> Result<bool, ValueError> {
    let parsed = match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => parse_boolean(s),
        _ => None,
    };
    parsed.ok_or_else(|| ValueError::new(v.to_string(), "expected true or false"))
}

fn boolean(spec: &Spec) -> Result<LeafTest, ValueError> {
    let mut accepted = [false; 2];
    match spec {
        Spec::Term(v) => accepted[usize::from(bool_of(v)?)] = true,
        Spec::Phrase(p, _) => accepted[usize::from(bool_of(&Value::String(p.clone()))?)] = true,
        Spec::Terms(vs) => {
            for v in vs {
                accepted[usize::from(bool_of(v)?)] = true;
            }
        }
        Spec::Range(lower, upper) => {
            let convert = |b: &Bound<Value>| -> Result<Bound<bool>, ValueError> {
                Ok(match b {
                    Bound::Included(v) => Bound::Included(bool_of(v)?),
                    Bound::Excluded(v) => Bound::Excluded(bool_of(v)?),
                    Bound::Unbounded => Bound::Unbounded,
                })
            };
            let (lower, upper) = (convert(lower)?, convert(upper)?);
            for b in [false, true] {
                accepted[usize::from(b)] = in_bounds(&b, lower.as_ref(), upper.as_ref());
            }
        }
        Spec::Wildcard(_) | Spec::Regex(_) | Spec::Fuzzy(..) => return Ok(LeafTest::Never),
    }
    Ok(LeafTest::Bool(accepted))
}
