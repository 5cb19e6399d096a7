//! The few Python conversions `keyMapping` relies on: `toUnicode` (`str()`), `int()` and
//! `float()`, over JSON values.

use std::borrow::Cow;

use serde_json::{Number, Value};

/// MozDef's `toUnicode`, i.e. Python's `str()` of a value decoded by `json.loads`, as text.
///
/// Strings are returned as they are, integers as their digits, floats as Python's `repr`
/// (`1.0`, `1e+16`, `1.5e-07`), booleans as `True`/`False` and `null` as `None`.
/// Arrays and objects become compact JSON text: a deliberate fix over Python, whose
/// `repr` (`{'a': 1}`) no consumer can parse back.
pub(crate) fn py_str(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(s) => Cow::Borrowed(s),
        Value::Null => Cow::Borrowed("None"),
        Value::Bool(true) => Cow::Borrowed("True"),
        Value::Bool(false) => Cow::Borrowed("False"),
        Value::Number(n) => Cow::Owned(py_number(n)),
        Value::Array(_) | Value::Object(_) => Cow::Owned(value.to_string()),
    }
}

/// [`py_str`] as an owned JSON string, moving a string value instead of copying it.
pub(crate) fn py_str_value(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(s),
        other => Value::String(py_str(&other).into_owned()),
    }
}

/// Python's `str()` of a number decoded by `json.loads`: integers as digits, floats as
/// `repr(float)`.
fn py_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        n.as_f64().map(py_float_repr).unwrap_or_else(|| n.to_string())
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, in positional notation when
/// the decimal exponent is in `-4 <= e < 16`, scientific otherwise (`1e+16`, `1.5e-07`);
/// positional values always carry a fraction (`1.0`).
pub(crate) fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let sci = shortest_sci(x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let ndigits = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    // Python's `decpt`: the value is 0.<digits> * 10^decpt.
    let decpt = exp + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if x.is_sign_negative() {
        out.push('-');
    }
    if !(-4 < decpt && decpt <= 16) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    } else if decpt <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', decpt.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if decpt >= ndigits {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (decpt - ndigits) as usize));
        out.push_str(".0");
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// The shortest digits that round-trip to `x` (non-negative, finite) in scientific notation
/// (`d.ddde<exp>`), chosen as Python's `repr` does: among the shortest strings, the one
/// closest to `x`, ties to even. Rust's `{:e}` finds the shortest length but may pick the
/// other candidate on a tie (`74185958661231.125` → `…31.13`, Python `…31.12`); the exact
/// formatting at that length rounds half to even, and is used whenever it round-trips.
fn shortest_sci(x: f64) -> String {
    let shortest = format!("{x:e}");
    let mantissa = shortest.split_once('e').map_or(shortest.as_str(), |(m, _)| m);
    let ndigits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    if ndigits <= 1 {
        return shortest;
    }
    let nearest = format!("{:.*e}", ndigits - 1, x);
    if nearest.parse::<f64>() == Ok(x) { nearest } else { shortest }
}

/// Python's `int(v)` for a value decoded by `json.loads`, as far as JSON can hold the
/// result: integers as they are, floats truncated towards zero, booleans as 1/0 and strings
/// that are base-10 integer literals (surrounding white space, a sign and `_` between digits
/// allowed, as in Python). `None` when Python would raise, or when the result does not fit
/// in 64 bits.
pub(crate) fn py_int(value: &Value) -> Option<Value> {
    match value {
        Value::Bool(b) => Some(Value::from(i64::from(*b))),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(Value::Number(n.clone())),
        Value::Number(n) => n.as_f64().and_then(truncate_f64),
        Value::String(s) => {
            let s = s.trim();
            let (negative, unsigned) = match s.as_bytes().first() {
                Some(b'-') => (true, &s[1..]),
                Some(b'+') => (false, &s[1..]),
                _ => (false, s),
            };
            let digits = without_py_underscores(unsigned)?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if negative {
                format!("-{digits}").parse::<i64>().ok().map(Value::from)
            } else {
                digits.parse::<u64>().ok().map(Value::from)
            }
        }
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// `int(f)` for a float, when the result fits in an `i64`.
fn truncate_f64(f: f64) -> Option<Value> {
    let t = f.trunc();
    // 2^63 is exactly representable; every float in [-2^63, 2^63) fits.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (t.is_finite() && (-LIMIT..LIMIT).contains(&t)).then(|| Value::from(t as i64))
}

/// Python's `float(v)` for a value decoded by `json.loads`: numbers and booleans converted,
/// strings parsed as Python float literals (white space, sign, exponent, `_` between digits).
/// `None` when Python would raise, and for results JSON cannot hold (`inf`, `nan`).
pub(crate) fn py_float(value: &Value) -> Option<Value> {
    let f = match value {
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => without_py_underscores(s.trim())?.parse::<f64>().ok()?,
        Value::Null | Value::Array(_) | Value::Object(_) => return None,
    };
    Number::from_f64(f).map(Value::Number)
}

/// Removes the `_` digit separators Python accepts in numeric literals (only between two
/// digits); `None` when an underscore is misplaced.
fn without_py_underscores(s: &str) -> Option<Cow<'_, str>> {
    if !s.contains('_') {
        return Some(Cow::Borrowed(s));
    }
    let bytes = s.as_bytes();
    for (i, _) in s.match_indices('_') {
        let before = i.checked_sub(1).and_then(|j| bytes.get(j));
        let after = bytes.get(i + 1);
        if !before.is_some_and(u8::is_ascii_digit) || !after.is_some_and(u8::is_ascii_digit) {
            return None;
        }
    }
    Some(Cow::Owned(s.replace('_', "")))
}

/// Python's truthiness of a JSON value (`if body['customendpoint']:`).
pub(crate) fn py_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The JSON type name of a value, for error messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    #[allow(clippy::excessive_precision)] // exact binary ties are the point of two cases
    fn str_of_scalars_is_pythons() {
        let cases = [
            (json!("abc"), "abc"),
            (json!(12), "12"),
            (json!(-7), "-7"),
            (json!(18446744073709551615u64), "18446744073709551615"),
            (json!(1.0), "1.0"),
            (json!(-0.0), "-0.0"),
            (json!(0.0), "0.0"),
            (json!(1.5), "1.5"),
            (json!(24.437), "24.437"),
            (json!(0.1), "0.1"),
            (json!(0.0001), "0.0001"),
            (json!(0.00001), "1e-05"),
            (json!(1.5e-7), "1.5e-07"),
            (json!(123456789012345.6), "123456789012345.6"),
            (json!(1e15), "1000000000000000.0"),
            (json!(1e16), "1e+16"),
            (json!(1.2345e20), "1.2345e+20"),
            (json!(1e300), "1e+300"),
            // ties between two shortest candidates go to even, as in Python
            (json!(74185958661231.125), "74185958661231.12"),
            (json!(572883629989606.25), "572883629989606.2"),
            (json!(true), "True"),
            (json!(false), "False"),
            (json!(null), "None"),
            (json!([1, "a"]), r#"[1,"a"]"#),
            (json!({"a": {"b": 1}}), r#"{"a":{"b":1}}"#),
        ];
        for (value, expected) in cases {
            assert_eq!(py_str(&value), expected, "str({value})");
        }
    }

    #[test]
    fn int_casts_follow_python() {
        let ok = [
            (json!("12"), json!(12)),
            (json!(" -12 "), json!(-12)),
            (json!("+5"), json!(5)),
            (json!("007"), json!(7)),
            (json!("1_000"), json!(1000)),
            (json!(12.7), json!(12)),
            (json!(-12.7), json!(-12)),
            (json!(3), json!(3)),
            (json!(true), json!(1)),
            (json!("18446744073709551615"), json!(18446744073709551615u64)),
        ];
        for (value, expected) in ok {
            assert_eq!(py_int(&value), Some(expected), "int({value})");
        }
        for bad in [
            json!("12.7"),
            json!("abc"),
            json!(""),
            json!("-"),
            json!("1__0"),
            json!("_1"),
            json!("0x10"),
            json!(null),
            json!([1]),
            json!({}),
            json!(1e300),
        ] {
            assert_eq!(py_int(&bad), None, "int({bad})");
        }
    }

    #[test]
    fn float_casts_follow_python() {
        let ok = [
            (json!("24.437"), 24.437),
            (json!(" 1e3 "), 1000.0),
            (json!("-.5"), -0.5),
            (json!("1_0.5"), 10.5),
            (json!(7), 7.0),
            (json!(false), 0.0),
        ];
        for (value, expected) in ok {
            assert_eq!(py_float(&value), Some(json!(expected)), "float({value})");
        }
        for bad in [json!("abc"), json!("inf"), json!("nan"), json!("1e400"), json!(null), json!([])] {
            assert_eq!(py_float(&bad), None, "float({bad})");
        }
    }

    #[test]
    fn truthiness_follows_python() {
        for v in [json!(true), json!(1), json!("x"), json!([0]), json!({"a": 1}), json!(0.5)] {
            assert!(py_truthy(&v), "{v}");
        }
        for v in [json!(false), json!(0), json!(0.0), json!(""), json!([]), json!({}), json!(null)] {
            assert!(!py_truthy(&v), "{v}");
        }
    }
}
