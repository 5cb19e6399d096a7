//! MozDef's `toUTC` (inventory §0.4), reproduced exactly, and `.isoformat()` output.
//!
//! The Python original (`mozdef_util.utilities.toUTC`, run with `TZ=UTC`):
//!
//! * a float is an epoch; when `int(log10(int(x))) > 9` it is scaled down to seconds (so
//!   millisecond, microsecond and nanosecond floats work); `<= 0` gives 1970-01-01;
//! * an int or a digit-only string is an epoch whose divisor is `10 ** (digits % 10)`
//!   (10 digits: seconds, 13: milliseconds, 16: microseconds, 19: nanoseconds); `<= 0`
//!   gives 1970-01-01;
//! * a string that Python's `float()` reads as `<= 0` (`"-86400.0"`, `"0.0"`) gives
//!   1970-01-01;
//! * any other string goes through `dateutil.parser.parse(s, fuzzy=True)` (ported in the
//!   private `fuzzy` module): missing fields come from today at 00:00:00, a naive result
//!   is UTC; non-ASCII digits are not read as digits (Python reads them);
//! * epochs become datetimes with `datetime.fromtimestamp`, which keeps microseconds and
//!   rounds half-even.
//!
//! Deliberate fixes, where MozDef raised an exception:
//!
//! * a positive digit-only string (MozDef: `TypeError` from `str / int`) is read like the
//!   same int;
//! * a positive, finite float-looking string (`"1468443523.5"`, `" 1468443523 "`,
//!   `"1.468443523e9"`; MozDef handed it to dateutil, which mostly failed) is read like the
//!   same float;
//! * a float epoch between 0 and 1 (MozDef: `math domain error` from `log10(0)`) is that
//!   many seconds after 1970-01-01;
//! * a negative int (MozDef: `UnboundLocalError`) gives 1970-01-01, like other values
//!   `<= 0`.
//!
//! Limits of the JSON model: integers beyond `u64` reach us as floats (serde_json without
//! `arbitrary_precision`), so they follow the float rule rather than the digit-count rule.

mod fuzzy;
mod iso;

pub use iso::isoformat;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::ModelError;

/// 9999-12-31T23:59:59, the last second Python's `datetime` can hold.
const MAX_TIMESTAMP: f64 = 253_402_300_799.0;
/// 0001-01-01T00:00:00.
const MIN_TIMESTAMP: f64 = -62_135_596_800.0;
/// `EPOCH_MAGNITUDE` in MozDef: floats of more than ten integer digits are scaled down.
const EPOCH_MAGNITUDE: f64 = 9.0;

/// Reads `value` as a point in time the way MozDef's `toUTC` does (with the fixes listed
/// in the module documentation).
///
/// Numbers and digit-only strings are Unix epochs in seconds, milliseconds, microseconds
/// or nanoseconds; other strings are parsed like `dateutil.parser.parse(s, fuzzy=True)`:
/// ISO 8601, RFC 2822, syslog, Apache, US month-first dates and more, with unknown words
/// skipped. `now` stands for the current time: a string without a year, month or day takes
/// it from `now`'s date, and a missing time of day is 00:00:00. Times without a zone are
/// UTC.
///
/// # Errors
///
/// [`ModelError::Timestamp`] for booleans, null, arrays and objects, for strings with no
/// date or time in them (or that dateutil refuses), and for values outside the years
/// 1-9999.
pub fn to_utc(value: &Value, now: DateTime<Utc>) -> Result<DateTime<Utc>, ModelError> {
    let result = match value {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                if u == 0 { Ok(DateTime::UNIX_EPOCH) } else { int_epoch(&u.to_string()) }
            } else if n.is_i64() {
                // a negative int
                Ok(DateTime::UNIX_EPOCH)
            } else if let Some(f) = n.as_f64() {
                float_epoch(f)
            } else {
                Err("number is not representable")
            }
        }
        Value::String(s) => string_to_utc(s, now),
        Value::Bool(_) => Err("a boolean is not a timestamp"),
        Value::Null => Err("null is not a timestamp"),
        Value::Array(_) => Err("an array is not a timestamp"),
        Value::Object(_) => Err("an object is not a timestamp"),
    };
    result.map_err(|reason| ModelError::Timestamp { value: value.to_string(), reason })
}

/// The string branches of `toUTC`.
fn string_to_utc(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, &'static str> {
    // The common ISO-8601 shapes are read directly; everything else (and anything odd about
    // them, like an invalid date) goes through the full parser below.
    let Some((naive, offset)) = iso_fast(s).or_else(|| syslog_fast(s, now)) else {
        return string_to_utc_general(s, now);
    };
    to_utc_wall(naive, offset)
}

/// The syslog date `Mmm DD HH:MM:SS` (English month abbreviation, day of one or two digits
/// after one or two spaces) in the year of `now`, exactly as the fuzzy parser reads it, or
/// `None` for any other string (or an invalid date).
fn syslog_fast(s: &str, now: DateTime<Utc>) -> Option<(chrono::NaiveDateTime, i64)> {
    const MONTHS: [&[u8; 3]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let b = s.as_bytes();
    let (name, rest) = (b.get(..3)?, b.get(3..)?);
    let month = MONTHS.iter().position(|m| m.as_slice() == name)?;
    let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
    let (day, time) = match rest {
        [b' ', b' ', d, b' ', time @ ..] | [b' ', d, b' ', time @ ..] => (digit(*d)?, time),
        [b' ', d1, d2, b' ', time @ ..] => (digit(*d1)? * 10 + digit(*d2)?, time),
        _ => return None,
    };
    let [h1, h2, b':', m1, m2, b':', s1, s2] = *time else { return None };
    let (hour, minute, second) =
        (digit(h1)? * 10 + digit(h2)?, digit(m1)? * 10 + digit(m2)?, digit(s1)? * 10 + digit(s2)?);
    let year = chrono::Datelike::year(&now.date_naive());
    let date = chrono::NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()? + 1, day)?;
    let time = chrono::NaiveTime::from_hms_opt(hour, minute, second)?;
    Some((date.and_time(time), 0))
}

/// A wall time at `offset` seconds east of UTC, in UTC (years 1 to 9999 only).
fn to_utc_wall(naive: chrono::NaiveDateTime, offset: i64) -> Result<DateTime<Utc>, &'static str> {
    let utc = naive
        .checked_sub_signed(chrono::Duration::seconds(offset))
        .filter(|t| (1..=9999).contains(&chrono::Datelike::year(t)))
        .ok_or("date out of range once converted to UTC")?;
    Ok(utc.and_utc())
}

/// `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD HH:MM:SS`, with an optional fraction of 1 to 6
/// digits and an optional `±HH:MM` offset: the wall time and the offset in seconds, exactly
/// as the fuzzy parser reads them, or `None` for any other string (or an invalid value).
fn iso_fast(s: &str) -> Option<(chrono::NaiveDateTime, i64)> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0')))
    };
    let at = |i: usize| b.get(i).copied();
    if at(4) != Some(b'-') || at(7) != Some(b'-') || !matches!(at(10), Some(b'T' | b' ')) {
        return None;
    }
    if at(13) != Some(b':') || at(16) != Some(b':') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut micros = 0;
    if at(i) == Some(b'.') {
        let start = i + 1;
        let mut end = start;
        while at(end).is_some_and(|d| d.is_ascii_digit()) {
            end += 1;
        }
        let digits = end - start;
        if !(1..=6).contains(&digits) {
            return None;
        }
        micros = num(start..end)? * 10u32.pow(u32::try_from(6 - digits).ok()?);
        i = end;
    }
    let offset = match at(i) {
        None => 0,
        Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && at(i + 3) == Some(b':') => {
            let (hours, minutes) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if hours >= 24 || minutes >= 60 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' { -seconds } else { seconds }
        }
        Some(_) => return None,
    };
    if year == 0 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = chrono::NaiveTime::from_hms_micro_opt(hour, minute, second, micros)?;
    Some((date.and_time(time), offset))
}

/// The string branches of `toUTC`, for every string.
fn string_to_utc_general(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, &'static str> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        // `str(x).isdigit()`: an epoch whose digit count picks the unit.
        if s.bytes().all(|b| b == b'0') {
            return Ok(DateTime::UNIX_EPOCH);
        }
        // Deliberate fix: MozDef divided the *string* here and raised a TypeError.
        return int_epoch(s);
    }
    if let Some(f) = fuzzy::py_float(s) {
        if f <= 0.0 {
            return Ok(DateTime::UNIX_EPOCH);
        }
        if f.is_finite() {
            // Deliberate fix: MozDef sent positive float-looking strings to dateutil, which
            // rejects most of them ("1468443523.5" reads as year 1468, month 44...). They
            // are read as float epochs instead. NaN and infinities still go to dateutil,
            // which refuses them, as in MozDef.
            return float_epoch(f);
        }
    }
    let (naive, offset) = fuzzy::parse(s, now.date_naive())?;
    to_utc_wall(naive, offset)
}

/// The int branch: `fromtimestamp(n / 10 ** (len(digits) % 10))` for the positive integer
/// written as `digits` (ASCII, not all zeros).
fn int_epoch(digits: &str) -> Result<DateTime<Utc>, &'static str> {
    let k = digits.len() % 10;
    let (whole, frac) = digits.split_at(digits.len() - k);
    let whole = if whole.is_empty() { "0" } else { whole };
    // Python's int / int is correctly rounded; so is parsing the exact decimal quotient.
    let seconds: f64 = format!("{whole}.{frac}0").parse().map_err(|_| "invalid epoch")?;
    from_timestamp(seconds)
}

/// The float branch: epochs of more than ten integer digits are scaled down to seconds.
fn float_epoch(x: f64) -> Result<DateTime<Utc>, &'static str> {
    if x <= 0.0 {
        return Ok(DateTime::UNIX_EPOCH);
    }
    if !x.is_finite() {
        return Err("epoch is not a finite number");
    }
    let whole = x.trunc();
    let mut seconds = x;
    // `int(math.log10(int(x)))`; below 1 MozDef failed on log10(0): no scaling here.
    if whole >= 1.0 {
        let magnitude = whole.log10().trunc();
        if magnitude > EPOCH_MAGNITUDE {
            // float / int: the power of ten is converted to the nearest double first.
            let divisor: f64 = format!("1e{}", magnitude - EPOCH_MAGNITUDE).parse().map_err(|_| "invalid epoch")?;
            seconds = x / divisor;
        }
    }
    from_timestamp(seconds)
}

/// Python's `datetime.fromtimestamp(ts, UTC)` (CPython `_PyTime_DoubleToDenominator` with
/// `_PyTime_ROUND_HALF_EVEN`): split off the fraction, scale it to microseconds, round half
/// to even, carry, and refuse anything outside the years 1-9999.
fn from_timestamp(ts: f64) -> Result<DateTime<Utc>, &'static str> {
    const OUT_OF_RANGE: &str = "epoch out of range (years 1-9999)";
    if !ts.is_finite() {
        return Err(OUT_OF_RANGE);
    }
    let mut whole = ts.trunc();
    let mut micros = (ts.fract() * 1e6).round_ties_even();
    if micros >= 1e6 {
        micros -= 1e6;
        whole += 1.0;
    } else if micros < 0.0 {
        micros += 1e6;
        whole -= 1.0;
    }
    if !(MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&whole) {
        return Err(OUT_OF_RANGE);
    }
    // Both casts are exact: the range checks above bound them.
    DateTime::from_timestamp(whole as i64, micros as u32 * 1000).ok_or(OUT_OF_RANGE)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    /// The ISO-8601 fast path reads exactly what the general parser reads, and declines
    /// whatever it does not read the same way.
    #[test]
    fn iso_fast_path_agrees_with_the_general_parser() {
        let mut checked = 0;
        let mut fast = 0;
        for year in ["0000", "0001", "1970", "2024", "2026", "9999"] {
            for month in ["00", "01", "02", "12", "13"] {
                for day in ["00", "01", "29", "30", "31", "32"] {
                    for (hour, minute, second) in [
                        ("00", "00", "00"),
                        ("23", "59", "59"),
                        ("24", "00", "00"),
                        ("12", "60", "00"),
                        ("12", "30", "60"),
                        ("07", "05", "09"),
                    ] {
                        for fraction in ["", ".", ".5", ".123456", ".1234567", ".000001", ".12a"] {
                            for sep in ["T", " ", "t", "_"] {
                                for offset in [
                                    "", "+00:00", "-07:30", "+23:59", "+24:00", "-00:60", "Z", "+0530", "+05:30 ",
                                    " +05:30", "+5:30", "UTC",
                                ] {
                                    let s =
                                        format!("{year}-{month}-{day}{sep}{hour}:{minute}:{second}{fraction}{offset}");
                                    let general = string_to_utc_general(&s, now());
                                    assert_eq!(string_to_utc(&s, now()), general, "{s}");
                                    if let Some((naive, off)) = iso_fast(&s) {
                                        assert_eq!(fuzzy::parse(&s, now().date_naive()), Ok((naive, off)), "{s}");
                                        fast += 1;
                                    }
                                    checked += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(fast > 1000 && checked > fast, "{fast} of {checked}");
        let mut fast = 0;
        for month in [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "NOV", "nov", "Sept",
            "Xyz",
        ] {
            for day in ["0", "1", "9", "00", "01", "09", "10", "28", "29", "30", "31", "32", "99", "123"] {
                for sep in [" ", "  ", "   ", "\t"] {
                    for time in [
                        "00:00:00",
                        "23:59:59",
                        "24:00:00",
                        "12:60:00",
                        "12:00:60",
                        "1:02:03",
                        "12:00",
                        "12:00:00 ",
                        "12:00:00.5",
                        "12:00:00 2019",
                    ] {
                        let s = format!("{month}{sep}{day} {time}");
                        for today in [now(), Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).single().unwrap_or_default()] {
                            let general = string_to_utc_general(&s, today);
                            assert_eq!(string_to_utc(&s, today), general, "{s}");
                            if let Some((naive, off)) = syslog_fast(&s, today) {
                                assert_eq!(fuzzy::parse(&s, today.date_naive()), Ok((naive, off)), "{s}");
                                fast += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(fast > 500, "{fast}");
        for s in [
            "2016-07-13T20:58:43",
            "2016-07-13 20:58:43.1+02:00",
            "2016-07-13T20:58:43-00:00",
            "1-2-3",
            "2016-07-13T20:58:43.+02:00",
            "２016-07-13T20:58:43",
            "2016-07-13T20:58:43+02:00:00",
        ] {
            assert_eq!(string_to_utc(s, now()), string_to_utc_general(s, now()), "{s}");
        }
    }

    /// The fixed "current time" of the vectors: a 31st, so that a missing day shows the
    /// end-of-month fallback.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 31, 10, 20, 30).single().unwrap_or_default()
    }

    fn iso(value: &Value, now: DateTime<Utc>) -> Option<String> {
        to_utc(value, now).ok().map(|dt| isoformat(&dt))
    }

    fn iso_str(s: &str) -> Option<String> {
        iso(&json!(s), now())
    }

    /// Expected outputs generated with python-dateutil 2.9 (`TZ=UTC`, parser `default` and
    /// two-digit-year window pinned to [`now`]) through MozDef's `toUTC` with the fixes this
    /// module documents. `None` means Python raised.
    const VECTORS: &[(&str, Option<&str>)] = &[
        (r#""2016-07-13T20:58:43+00:00""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""2016-07-13T20:58:43Z""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""2016-07-13T20:58:43.123456Z""#, Some("2016-07-13T20:58:43.123456+00:00")),
        (r#""2016-07-13T20:58:43.123Z""#, Some("2016-07-13T20:58:43.123000+00:00")),
        (r#""2016-07-13T20:58:43.1234567Z""#, Some("2016-07-13T20:58:43.123456+00:00")),
        (r#""2016-07-13T20:58:43.123456789+00:00""#, Some("2016-07-13T20:58:43.123456+00:00")),
        (r#""2016-07-13T22:58:43+02:00""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""2016-07-13T13:58:43-0700""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""2016-07-13T13:58:43-07""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""2016-07-13 20:58:43""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""2016-07-13 14:33:31.625443""#, Some("2016-07-13T14:33:31.625443+00:00")),
        (r#""2016-07-13 22:33:31.625443+00:00""#, Some("2016-07-13T22:33:31.625443+00:00")),
        (r#""2016-07-13 14:33:31.625443-08:00""#, Some("2016-07-13T22:33:31.625443+00:00")),
        (r#""2016-01-02 08:01:57+06:00""#, Some("2016-01-02T02:01:57+00:00")),
        (r#""2016-07-13""#, Some("2016-07-13T00:00:00+00:00")),
        (r#""2016-02-29""#, Some("2016-02-29T00:00:00+00:00")),
        (r#""2016-02-30""#, None),
        (r#""2015-02-29""#, None),
        (r#""2016-07-13T20:58""#, Some("2016-07-13T20:58:00+00:00")),
        (r#""20160713T205843""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""20160713T205843Z""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""20160713""#, Some("1970-01-01T00:00:00.201607+00:00")),
        (r#""2016-07-13T20:58:43,5Z""#, Some("2016-07-13T20:58:43.500000+00:00")),
        (r#""Jan  2 08:01:57""#, Some("2024-01-02T08:01:57+00:00")),
        (r#""Oct 27 14:01:12""#, Some("2024-10-27T14:01:12+00:00")),
        (r#""oct 27 14:01:12""#, Some("2024-10-27T14:01:12+00:00")),
        (r#""OCTOBER 27 14:01:12""#, Some("2024-10-27T14:01:12+00:00")),
        (r#""Feb 29 12:00:00""#, Some("2024-02-29T12:00:00+00:00")),
        (r#""Dec 31 23:59:59""#, Some("2024-12-31T23:59:59+00:00")),
        (r#""Tue, 13 Jul 2016 20:58:43 -0700""#, Some("2016-07-14T03:58:43+00:00")),
        (r#""Tue, 13 Jul 2016 20:58:43 +0000""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""Tue, 13 Jul 2016 20:58:43 GMT""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""Tue, 13 Jul 2016 20:58:43 UTC""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""tuesday, 13 july 2016 20:58:43 gmt""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""Wed Jul 13 20:58:43 2016""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""Wed Jul 13 20:58:43 UTC 2016""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""13/Jul/2016:20:58:43 +0000""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""13/Jul/2016:20:58:43 -0700""#, Some("2016-07-14T03:58:43+00:00")),
        (r#""[13/Jul/2016:20:58:43 +0000]""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""2016/07/13 20:58:43""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""07/13/2016 08:58:43 PM""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""07/13/2016 8:58 pm""#, Some("2016-07-13T20:58:00+00:00")),
        (r#""07/13/2016 12:00 AM""#, Some("2016-07-13T00:00:00+00:00")),
        (r#""07/13/2016 12:30 pm""#, Some("2016-07-13T12:30:00+00:00")),
        (r#""01/02/2016""#, Some("2016-01-02T00:00:00+00:00")),
        (r#""13/02/2016""#, Some("2016-02-13T00:00:00+00:00")),
        (r#""01/02/16""#, Some("2016-01-02T00:00:00+00:00")),
        (r#""01-02-99""#, Some("1999-01-02T00:00:00+00:00")),
        (r#""01.02.2016""#, Some("2016-01-02T00:00:00+00:00")),
        (r#""1 Jan 2016""#, Some("2016-01-01T00:00:00+00:00")),
        (r#""January 1, 2016""#, Some("2016-01-01T00:00:00+00:00")),
        (r#""January 1st, 2016 at 10am""#, Some("2016-01-01T10:00:00+00:00")),
        (r#""Today is January 1, 2047 at 8:21:00AM""#, Some("2047-01-01T08:21:00+00:00")),
        (r#""Jan of 16""#, Some("2016-01-31T00:00:00+00:00")),
        (r#""Jan 2016""#, Some("2016-01-31T00:00:00+00:00")),
        (r#""July""#, Some("2024-07-31T00:00:00+00:00")),
        (r#""Monday""#, Some("2024-04-01T00:00:00+00:00")),
        (r#""mon 10:00""#, Some("2024-04-01T10:00:00+00:00")),
        (r#""10:00""#, Some("2024-03-31T10:00:00+00:00")),
        (r#""10:00:30""#, Some("2024-03-31T10:00:30+00:00")),
        (r#""10h30m""#, Some("2024-03-31T10:30:00+00:00")),
        (r#""10h""#, Some("2024-03-31T10:00:00+00:00")),
        (r#""12h04""#, Some("2024-03-31T12:04:00+00:00")),
        (r#""5 minutes""#, Some("2024-03-31T00:05:00+00:00")),
        (r#""10:30 +05:30""#, Some("2024-03-31T05:00:00+00:00")),
        (r#""10:30 GMT+3""#, Some("2024-03-31T13:30:00+00:00")),
        (r#""10:30 UTC-5""#, Some("2024-03-31T05:30:00+00:00")),
        (r#""10:30 BRST+3""#, Some("2024-03-31T13:30:00+00:00")),
        (r#""10:30 -0300 (BRST)""#, Some("2024-03-31T13:30:00+00:00")),
        (r#""10:30 PST""#, Some("2024-03-31T10:30:00+00:00")),
        (r#""10:30 EST""#, Some("2024-03-31T10:30:00+00:00")),
        (r#""10:30 Z""#, Some("2024-03-31T10:30:00+00:00")),
        (r#""10:30 z""#, Some("2024-03-31T10:30:00+00:00")),
        (r#""10am""#, Some("2024-03-31T10:00:00+00:00")),
        (r#""10 am""#, Some("2024-03-31T10:00:00+00:00")),
        (r#""13 am""#, Some("2024-03-31T13:00:00+00:00")),
        (r#""2016-07-13 25:00:00""#, None),
        (r#""2016-07-13 23:60:00""#, None),
        (r#""2016-07-13 23:59:60""#, None),
        (r#""2016-13-01""#, None),
        (r#""2016-00-10""#, None),
        (r#""0000-01-01""#, None),
        (r#""0001-01-01T00:00:00+01:00""#, None),
        (r#""9999-12-31T23:30:00-01:00""#, None),
        (r#""9999-12-31T23:30:00+01:00""#, Some("9999-12-31T22:30:00+00:00")),
        (r#""10000-01-01""#, None),
        (r#""2016-07-13T20:58:43+24:00""#, None),
        (r#""2016-07-13T20:58:43+23:59""#, Some("2016-07-12T20:59:43+00:00")),
        (r#""2016-07-13 10:00 - something""#, None),
        (r#""2016-07-13 10:00 +""#, None),
        (r#""host sshd[1234]: Accepted publickey""#, None),
        (r#""Oct 27 14:01:12 host sshd[1234]: foo""#, Some("2024-10-27T14:01:12+00:00")),
        (r#""Oct 27 14:01:12 host sshd: session opened""#, Some("2024-10-27T14:01:12+00:00")),
        (r#""Oct 27 14:01:12 10.0.0.1 port 22 ssh2""#, None),
        (r#""hello""#, None),
        (r#""a""#, None),
        (r#""hello world foo bar""#, None),
        (r#""""#, None),
        (r#""   ""#, None),
        (r#""\t""#, None),
        (r#""nan""#, None),
        (r#""NaN""#, None),
        (r#""inf""#, None),
        (r#""-inf""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""Infinity""#, None),
        (r#""Jan 2 2016 nan""#, None),
        (r#""2016 is a leap year""#, Some("2016-03-31T00:00:00+00:00")),
        (r#""in 2016""#, Some("2016-03-31T00:00:00+00:00")),
        (r#""1468443523""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""1468443523000""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""1468443523000000""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""1468443523000000000""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""1468443523123""#, Some("2016-07-13T20:58:43.123000+00:00")),
        (r#""1468443523123456""#, Some("2016-07-13T20:58:43.123456+00:00")),
        (r#""1468443523123456789""#, Some("2016-07-13T20:58:43.123457+00:00")),
        (r#""14684435230""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""20160713""#, Some("1970-01-01T00:00:00.201607+00:00")),
        (r#""0""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""000""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""00001468443523""#, Some("1970-01-02T16:47:24.352300+00:00")),
        (r#""5""#, Some("1970-01-01T00:00:00.500000+00:00")),
        (r#""12345678901234567890""#, None),
        (r#""99999999999999999999999999999""#, None),
        (r#""1468443523.5""#, Some("2016-07-13T20:58:43.500000+00:00")),
        (r#""1468443523.123456""#, Some("2016-07-13T20:58:43.123456+00:00")),
        (r#""1468443523123.456""#, Some("2016-07-13T20:58:43.123456+00:00")),
        (r#"" 1468443523 ""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""1.468443523e9""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""1e5""#, Some("1970-01-02T03:46:40+00:00")),
        (r#""1_468_443_523""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""+1468443523""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""0.5""#, Some("1970-01-01T00:00:00.500000+00:00")),
        (r#""-86400.0""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""-86400.000000""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""-12345""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""0.0000""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""-0""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""-1e400""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""1e400""#, Some("0400-01-31T00:00:00+00:00")),
        (r#""2016-07-13\u00a0T20:58:43""#, Some("2016-07-13T20:58:43+00:00")),
        (r#""Jan\u00002 08:01:57""#, Some("2024-01-02T08:01:57+00:00")),
        (r#""MAR 3 2016""#, Some("2016-03-03T00:00:00+00:00")),
        (r#""mArCh 3 2016""#, Some("2016-03-03T00:00:00+00:00")),
        (r#""Sept 3 2016""#, Some("2016-09-03T00:00:00+00:00")),
        (r#""3rd of March 2016""#, Some("2016-03-03T00:00:00+00:00")),
        (r#""2016-07-13T20:58:43.999999999Z""#, Some("2016-07-13T20:58:43.999999+00:00")),
        (r#""2016-07-13T20:58:43.9999995Z""#, Some("2016-07-13T20:58:43.999999+00:00")),
        (r#""12:30:45.5""#, Some("2024-03-31T12:30:45.500000+00:00")),
        (r#""12.5h""#, Some("2024-03-31T12:30:00+00:00")),
        (r#""10:30.5""#, Some("2024-03-31T10:30:30+00:00")),
        (r#""1:2:3""#, Some("2024-03-31T01:02:03+00:00")),
        (r#""Thu Jan  1 00:00:00 1970""#, Some("1970-01-01T00:00:00+00:00")),
        (r#""Sat Dec 31 23:59:59 9999""#, Some("9999-12-31T23:59:59+00:00")),
        (r#""2016-07-13T20:58:43+00:00 extra words 2017""#, None),
        (r#""2016-07-13 and 2017-01-01""#, Some("2016-07-13T21:17:00+00:00")),
        (r#""Jan Feb 2016""#, None),
        (r#""2016-W28""#, None),
        (r#""99-01-01""#, Some("1999-01-01T00:00:00+00:00")),
        (r#""1999-01""#, Some("1999-01-31T00:00:00+00:00")),
        (r#""01-1999""#, Some("1999-01-31T00:00:00+00:00")),
        (r#""16:00 13 Jul 16""#, Some("2016-07-13T16:00:00+00:00")),
        (r#""20160713205843""#, Some("2033-11-20T03:48:40.584300+00:00")),
        (r#""201607132058""#, Some("2033-11-20T03:48:40.580000+00:00")),
        (r#""160713""#, Some("1970-01-01T00:00:00.160713+00:00")),
        (r#""205843.5""#, Some("1970-01-03T09:10:43.500000+00:00")),
        (r#""T20:58""#, Some("2024-03-31T20:58:00+00:00")),
        (r#"0"#, Some("1970-01-01T00:00:00+00:00")),
        (r#"-1"#, Some("1970-01-01T00:00:00+00:00")),
        (r#"-86400"#, Some("1970-01-01T00:00:00+00:00")),
        (r#"1"#, Some("1970-01-01T00:00:00.100000+00:00")),
        (r#"5"#, Some("1970-01-01T00:00:00.500000+00:00")),
        (r#"1468443523"#, Some("2016-07-13T20:58:43+00:00")),
        (r#"1468443523000"#, Some("2016-07-13T20:58:43+00:00")),
        (r#"1468443523000000"#, Some("2016-07-13T20:58:43+00:00")),
        (r#"1468443523000000000"#, Some("2016-07-13T20:58:43+00:00")),
        (r#"1468443523123456789"#, Some("2016-07-13T20:58:43.123457+00:00")),
        (r#"10000000000000000000"#, None),
        (r#"18446744073709551615"#, None),
        (r#"1468443523.0"#, Some("2016-07-13T20:58:43+00:00")),
        (r#"1468443523.5"#, Some("2016-07-13T20:58:43.500000+00:00")),
        (r#"1468443523.123456"#, Some("2016-07-13T20:58:43.123456+00:00")),
        (r#"1.468443523e+18"#, Some("2016-07-13T20:58:43+00:00")),
        (r#"146844352300.0"#, Some("2016-07-13T20:58:43+00:00")),
        (r#"1468443523000000.0"#, Some("2016-07-13T20:58:43+00:00")),
        (r#"1468443523123.456"#, Some("2016-07-13T20:58:43.123456+00:00")),
        (r#"0.0"#, Some("1970-01-01T00:00:00+00:00")),
        (r#"-0.0"#, Some("1970-01-01T00:00:00+00:00")),
        (r#"-1.5"#, Some("1970-01-01T00:00:00+00:00")),
        (r#"0.5"#, Some("1970-01-01T00:00:00.500000+00:00")),
        (r#"1e-07"#, Some("1970-01-01T00:00:00+00:00")),
        (r#"5e-07"#, Some("1970-01-01T00:00:00+00:00")),
        (r#"1.5e-06"#, Some("1970-01-01T00:00:00.000002+00:00")),
        (r#"10000000000.0"#, Some("2001-09-09T01:46:40+00:00")),
        (r#"1e+300"#, Some("2001-09-09T01:46:40+00:00")),
        (r#"1.7976931348623157e+308"#, Some("2026-12-19T15:12:14.862316+00:00")),
        (r#"true"#, None),
        (r#"false"#, None),
        (r#"null"#, None),
        (r#"[]"#, None),
        (r#"["2016-07-13"]"#, None),
        (r#"{}"#, None),
        (r#"{"a": 1}"#, None),
    ];

    #[test]
    fn reference_vectors() {
        let mut failures = Vec::new();
        for (input, expected) in VECTORS {
            let value: Value = match serde_json::from_str(input) {
                Ok(v) => v,
                Err(e) => panic!("bad vector {input}: {e}"),
            };
            let got = iso(&value, now());
            if got.as_deref() != *expected {
                failures.push(format!("{input}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    }

    /// The vectors of MozDef's own `tests/mozdef_util/utilities/test_toUTC.py`.
    #[test]
    fn mozdef_test_suite_vectors() {
        let n = now();
        let cases: [(Value, &str); 16] = [
            (json!("2016-07-13 14:33:31.625443"), "2016-07-13T14:33:31.625443+00:00"),
            (json!("2016-07-13 22:33:31.625443+00:00"), "2016-07-13T22:33:31.625443+00:00"),
            (json!("2016-07-13 14:33:31.625443-08:00"), "2016-07-13T22:33:31.625443+00:00"),
            (json!("Jan  2 08:01:57"), "2024-01-02T08:01:57+00:00"),
            (json!("2016-01-02 08:01:57+06:00"), "2016-01-02T02:01:57+00:00"),
            (json!(1468443523000000000u64), "2016-07-13T20:58:43+00:00"),
            (json!(1468443523), "2016-07-13T20:58:43+00:00"),
            (json!(1468443523.0), "2016-07-13T20:58:43+00:00"),
            (json!(1.468443523e+18), "2016-07-13T20:58:43+00:00"),
            (json!(1.468443523e+11), "2016-07-13T20:58:43+00:00"),
            (json!("-86400.000000"), "1970-01-01T00:00:00+00:00"),
            (json!("-12345"), "1970-01-01T00:00:00+00:00"),
            (json!(0), "1970-01-01T00:00:00+00:00"),
            (json!("0"), "1970-01-01T00:00:00+00:00"),
            (json!("0.0000"), "1970-01-01T00:00:00+00:00"),
            (json!(0.0), "1970-01-01T00:00:00+00:00"),
        ];
        for (value, expected) in cases {
            assert_eq!(iso(&value, n).as_deref(), Some(expected), "{value}");
        }
    }

    #[test]
    fn syslog_dates_take_the_year_of_now() {
        for year in [1999, 2017, 2024, 2031] {
            let n = Utc.with_ymd_and_hms(year, 6, 15, 12, 0, 0).single().unwrap_or_default();
            assert_eq!(iso(&json!("Oct 27 14:01:12"), n), Some(format!("{year}-10-27T14:01:12+00:00")));
            assert_eq!(iso(&json!("Jan  2 08:01:57"), n), Some(format!("{year}-01-02T08:01:57+00:00")));
        }
        // MozDef's alert tests freeze time at 2017-01-01 01:00:00 UTC.
        let frozen = Utc.with_ymd_and_hms(2017, 1, 1, 1, 0, 0).single().unwrap_or_default();
        assert_eq!(iso(&json!("Dec 31 23:59:59"), frozen).as_deref(), Some("2017-12-31T23:59:59+00:00"));
        // Feb 29 exists only in leap years.
        let leap = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).single().unwrap_or_default();
        let plain = Utc.with_ymd_and_hms(2023, 6, 1, 0, 0, 0).single().unwrap_or_default();
        assert_eq!(iso(&json!("Feb 29 12:00:00"), leap).as_deref(), Some("2024-02-29T12:00:00+00:00"));
        assert_eq!(iso(&json!("Feb 29 12:00:00"), plain), None);
    }

    #[test]
    fn missing_fields_default_to_today_at_midnight() {
        let n = Utc.with_ymd_and_hms(2019, 8, 20, 17, 45, 12).single().unwrap_or_default();
        assert_eq!(iso(&json!("10:00"), n).as_deref(), Some("2019-08-20T10:00:00+00:00"));
        assert_eq!(iso(&json!("2016"), n).as_deref(), Some("1970-01-01T00:00:00.201600+00:00"));
        assert_eq!(iso(&json!("in 2016"), n).as_deref(), Some("2016-08-20T00:00:00+00:00"));
        assert_eq!(iso(&json!("March"), n).as_deref(), Some("2019-03-20T00:00:00+00:00"));
        assert_eq!(iso(&json!("the 5th"), n).as_deref(), Some("2019-08-05T00:00:00+00:00"));
        // 2019-08-20 is a Tuesday: a weekday alone moves forward, today included.
        assert_eq!(iso(&json!("Tuesday"), n).as_deref(), Some("2019-08-20T00:00:00+00:00"));
        assert_eq!(iso(&json!("Monday"), n).as_deref(), Some("2019-08-26T00:00:00+00:00"));
        // A weekday that contradicts an explicit date is ignored, as in dateutil.
        assert_eq!(iso(&json!("Mon, 13 Jul 2016"), n).as_deref(), Some("2016-07-13T00:00:00+00:00"));
    }

    #[test]
    fn two_digit_years_stay_within_fifty_years_of_now() {
        let n = Utc.with_ymd_and_hms(2024, 1, 10, 0, 0, 0).single().unwrap_or_default();
        assert_eq!(iso(&json!("01/02/73"), n).as_deref(), Some("2073-01-02T00:00:00+00:00"));
        assert_eq!(iso(&json!("01/02/74"), n).as_deref(), Some("1974-01-02T00:00:00+00:00"));
        let later = Utc.with_ymd_and_hms(2090, 1, 10, 0, 0, 0).single().unwrap_or_default();
        assert_eq!(iso(&json!("01/02/16"), later).as_deref(), Some("2116-01-02T00:00:00+00:00"));
    }

    #[test]
    fn epochs_in_every_unit_as_ints_and_strings() {
        let n = now();
        let expect = "2016-07-13T20:58:43.123000+00:00";
        assert_eq!(iso(&json!(1468443523123u64), n).as_deref(), Some(expect));
        assert_eq!(iso(&json!("1468443523123"), n).as_deref(), Some(expect));
        assert_eq!(iso(&json!(1468443523123000u64), n).as_deref(), Some(expect));
        assert_eq!(iso(&json!("1468443523123000"), n).as_deref(), Some(expect));
        assert_eq!(iso(&json!(1468443523123000000u64), n).as_deref(), Some(expect));
        assert_eq!(iso(&json!("1468443523123000000"), n).as_deref(), Some(expect));
        // ns precision is lost to the double, then rounded half-even to microseconds.
        assert_eq!(iso(&json!(1468443523123456789u64), n).as_deref(), Some("2016-07-13T20:58:43.123457+00:00"));
        // Leading zeros count as digits.
        assert_eq!(iso(&json!("0001468443523"), n).as_deref(), Some("1970-01-17T23:54:03.523000+00:00"));
        // Leap day.
        assert_eq!(iso(&json!(1456704000), n).as_deref(), Some("2016-02-29T00:00:00+00:00"));
        assert_eq!(iso(&json!("1456790399999"), n).as_deref(), Some("2016-02-29T23:59:59.999000+00:00"));
        // 12 digits: hundredths of a second.
        assert_eq!(iso(&json!("253402300799"), n).as_deref(), Some("2050-04-19T23:16:47.990000+00:00"));
    }

    #[test]
    fn fromtimestamp_range_and_rounding() {
        let iso_ts = |ts: f64| from_timestamp(ts).ok().map(|dt| isoformat(&dt));
        assert_eq!(iso_ts(253_402_300_799.0).as_deref(), Some("9999-12-31T23:59:59+00:00"));
        assert_eq!(iso_ts(253_402_300_799.5).as_deref(), Some("9999-12-31T23:59:59.500000+00:00"));
        assert_eq!(iso_ts(253_402_300_800.0), None);
        assert_eq!(iso_ts(f64::INFINITY), None);
        assert_eq!(iso_ts(f64::NAN), None);
        assert_eq!(iso_ts(1e300), None);
        // half to even: 0.5 us -> 0, 2.5 us -> 2 (as exactly as doubles allow)
        assert_eq!(iso_ts(1.0 + 0.999_999_9).as_deref(), Some("1970-01-01T00:00:02+00:00"));
        assert_eq!(iso_ts(0.000_000_5).as_deref(), Some("1970-01-01T00:00:00+00:00"));
    }

    #[test]
    fn float_epochs() {
        let n = now();
        assert_eq!(iso(&json!(1468443523.5), n).as_deref(), Some("2016-07-13T20:58:43.500000+00:00"));
        assert_eq!(iso(&json!(1468443523123.0), n).as_deref(), Some("2016-07-13T20:58:43.123000+00:00"));
        assert_eq!(iso(&json!(1468443523123456.0), n).as_deref(), Some("2016-07-13T20:58:43.123456+00:00"));
        assert_eq!(iso(&json!(1.468443523123e18), n).as_deref(), Some("2016-07-13T20:58:43.123000+00:00"));
        // Deliberate fix: float-looking strings are float epochs.
        assert_eq!(iso(&json!("1468443523.5"), n).as_deref(), Some("2016-07-13T20:58:43.500000+00:00"));
        assert_eq!(iso(&json!("1468443523123.0"), n).as_deref(), Some("2016-07-13T20:58:43.123000+00:00"));
        // Deliberate fix: (0, 1) is that fraction of a second (MozDef: log10(0) failed).
        assert_eq!(iso(&json!(0.25), n).as_deref(), Some("1970-01-01T00:00:00.250000+00:00"));
        // fromtimestamp rounds half to even at the microsecond.
        assert_eq!(iso(&json!(0.0000005), n).as_deref(), Some("1970-01-01T00:00:00+00:00"));
        assert_eq!(iso(&json!(0.0000015), n).as_deref(), Some("1970-01-01T00:00:00.000002+00:00"));
        // Huge floats are scaled down to ten integer digits and never overflow.
        assert!(to_utc(&json!(f64::MAX), n).is_ok());
    }

    #[test]
    fn zero_and_negative_values_are_the_epoch() {
        let n = now();
        for value in [
            json!(0),
            json!(-1),
            json!(i64::MIN),
            json!(0.0),
            json!(-0.0),
            json!(-1e300),
            json!("0"),
            json!("00000"),
            json!("-1"),
            json!("-86400.0"),
            json!(" -5 "),
            json!("-inf"),
            json!("-0.0"),
        ] {
            assert_eq!(iso(&value, n).as_deref(), Some("1970-01-01T00:00:00+00:00"), "{value}");
        }
    }

    #[test]
    fn values_past_year_9999_are_errors_not_panics() {
        let n = now();
        for value in [
            json!(u64::MAX),
            json!(10_000_000_000_000_000_000u64),
            json!("12345678901234567890"),
            json!("9".repeat(400)),
            json!("9".repeat(25)),
            json!("2".repeat(30)),
            json!("10000-01-01"),
            json!("9999-12-31T23:30:00-01:00"),
            json!("0001-01-01T00:30:00+01:00"),
        ] {
            assert!(to_utc(&value, n).is_err(), "{value}");
        }
        // A date-less string pushed past 9999 by the weekday search.
        let end = Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).single().unwrap_or_default();
        assert!(to_utc(&json!("Saturday"), end).is_err());
        assert_eq!(iso(&json!("Friday"), end).as_deref(), Some("9999-12-31T00:00:00+00:00"));
        assert_eq!(iso(&json!("Sat Dec 31 9999 Sunday"), n).as_deref(), Some("9999-12-31T00:00:00+00:00"));
    }

    #[test]
    fn non_date_values_are_errors_naming_the_problem() {
        let n = now();
        let reason = |v: Value| match to_utc(&v, n) {
            Err(ModelError::Timestamp { reason, .. }) => reason,
            other => panic!("{v}: unexpected {other:?}"),
        };
        assert_eq!(reason(json!(true)), "a boolean is not a timestamp");
        assert_eq!(reason(json!(false)), "a boolean is not a timestamp");
        assert_eq!(reason(Value::Null), "null is not a timestamp");
        assert_eq!(reason(json!([1468443523])), "an array is not a timestamp");
        assert_eq!(reason(json!({"utctimestamp": 1})), "an object is not a timestamp");
        assert_eq!(reason(json!("hello")), "string does not contain a date");
        assert_eq!(reason(json!("")), "string does not contain a date");
        assert_eq!(reason(json!(" \t\n")), "string does not contain a date");
        assert_eq!(reason(json!("2016-02-30")), "a date or time field is out of range");
        assert_eq!(reason(json!("10:00 +25:00")), "time zone offset out of range");
        assert_eq!(reason(json!("Jan Feb 2016")), "unknown string format");
        assert_eq!(reason(json!("12345678901234567890")), "epoch out of range (years 1-9999)");
        let err = to_utc(&json!("hello"), n).map_err(|e| e.to_string());
        assert_eq!(err, Err(r#"cannot parse "\"hello\"" as a timestamp: string does not contain a date"#.to_owned()));
    }

    #[test]
    fn unknown_words_are_skipped() {
        assert_eq!(
            iso_str("Accepted publickey on 2016-07-13 at 20:58:43 from somewhere").as_deref(),
            Some("2016-07-13T20:58:43+00:00")
        );
        assert_eq!(iso_str("date: 13 July 2016, approx.").as_deref(), Some("2016-07-13T00:00:00+00:00"));
        assert_eq!(iso_str("logged 2016-07-13T20:58:43Z by host").as_deref(), Some("2016-07-13T20:58:43+00:00"));
    }

    #[test]
    fn whitespace_and_case_variants() {
        assert_eq!(iso_str("  2016-07-13T20:58:43Z  ").as_deref(), Some("2016-07-13T20:58:43+00:00"));
        assert_eq!(iso_str("2016-07-13\t20:58:43").as_deref(), Some("2016-07-13T20:58:43+00:00"));
        assert_eq!(iso_str("2016-07-13\n20:58:43").as_deref(), Some("2016-07-13T20:58:43+00:00"));
        assert_eq!(iso_str("JUL 13 2016 8:58:43 PM").as_deref(), Some("2016-07-13T20:58:43+00:00"));
        assert_eq!(iso_str("jul 13 2016 8:58:43 pm utc").as_deref(), Some("2016-07-13T20:58:43+00:00"));
        assert_eq!(iso_str("13 JULY 2016 20:58:43 gmt").as_deref(), Some("2016-07-13T20:58:43+00:00"));
    }

    #[test]
    fn non_ascii_digits_are_not_digits() {
        // Documented difference: Python reads the full-width year (2016-07-13); here the
        // full-width characters are skipped like unknown words, leaving "-07-13".
        assert_eq!(iso_str("２０１６-07-13").as_deref(), Some("2024-07-13T00:00:00+00:00"));
        // Non-ASCII letters and spaces are fine.
        assert_eq!(iso_str("13 Jul 2016\u{a0}20:58:43 été").as_deref(), Some("2016-07-13T20:58:43+00:00"));
    }

    /// A tiny deterministic generator (Knuth's MMIX LCG).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn random_input_never_panics() {
        const PIECES: &[&str] = &[
            "2016",
            "07",
            "13",
            "-",
            "/",
            ":",
            ".",
            ",",
            " ",
            "  ",
            "T",
            "Z",
            "+",
            "-0700",
            "+02:00",
            "Jan",
            "jul",
            "Sept",
            "of",
            "Mon",
            "am",
            "PM",
            "a",
            "h",
            "m",
            "s",
            "UTC",
            "GMT",
            "BRST",
            "(",
            ")",
            "[",
            "]",
            "1468443523",
            "123456",
            "20160713",
            "99",
            "0",
            "00",
            "999999999999",
            "nan",
            "inf",
            "e",
            "_",
            "\0",
            "\t",
            "é",
            "２",
            "𝟙",
            "9999999999999999999999999999999999999999",
            ".5",
            "st",
        ];
        let n = now();
        let mut rng = Lcg(0x5eed);
        for _ in 0..20_000 {
            // random bytes, lossily decoded
            let len = rng.below(40);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let _ = to_utc(&json!(String::from_utf8_lossy(&bytes)), n);
            // random printable ASCII
            let s: String = (0..rng.below(30)).map(|_| char::from(32 + rng.below(95) as u8)).collect();
            let _ = to_utc(&json!(s), n);
            // random date-like fragments
            let s: String = (0..rng.below(12)).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            let _ = to_utc(&json!(s), n);
            // random numbers
            let bits = rng.next() << 31 ^ rng.next();
            let _ = to_utc(&json!(bits), n);
            if let Some(num) = serde_json::Number::from_f64(f64::from_bits(bits)) {
                let _ = to_utc(&Value::Number(num), n);
            }
        }
    }
}
