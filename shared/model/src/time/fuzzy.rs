//! A port of python-dateutil's `parser.parse(timestr, fuzzy=True)` (`dateutil/parser/_parser.py`,
//! 2.8/2.9) as MozDef's `toUTC` calls it: the default `parserinfo` (month first, year last,
//! English names), `default` = today at 00:00:00, and a process running with `TZ=UTC` (so the
//! only local zone name is `UTC`).
//!
//! The structure follows the Python code closely (`_timelex`, `_parse`, `_parse_numeric_token`,
//! `_ymd.resolve_ymd`, `parserinfo.validate`, `_build_naive`, `_build_tzaware`) so that its
//! quirks carry over: unknown words are skipped, but a stray `+`/`-` after a time, a fourth
//! year/month/day number or a `nan`/`inf` word makes the whole string fail, exactly as in
//! dateutil. Every Python `IndexError`/`ValueError` becomes `Err`.
//!
//! Known, deliberate differences (non-ASCII only): only ASCII digits are digits (Python's
//! `str.isdigit`/`float`/`int` also accept other Unicode decimal digits), and letters are
//! Rust's `char::is_alphabetic` (Python's `str.isalpha` excludes a few combining marks and
//! letter-like numerals that Rust includes).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

/// Why a string could not be read.
pub(super) type Reason = &'static str;

const UNKNOWN_FORMAT: Reason = "unknown string format";
const NO_DATE: Reason = "string does not contain a date";
const OUT_OF_RANGE: Reason = "a date or time field is out of range";
const BAD_OFFSET: Reason = "time zone offset out of range";

/// `parserinfo.JUMP`: tokens that may separate date parts.
const JUMP: [&str; 18] =
    [" ", ".", ",", ";", "-", "/", "'", "at", "on", "and", "ad", "m", "t", "of", "st", "nd", "rd", "th"];
/// `parserinfo.WEEKDAYS`, Monday = 0.
const WEEKDAYS: [&[&str]; 7] = [
    &["mon", "monday"],
    &["tue", "tuesday"],
    &["wed", "wednesday"],
    &["thu", "thursday"],
    &["fri", "friday"],
    &["sat", "saturday"],
    &["sun", "sunday"],
];
/// `parserinfo.MONTHS`, January = 0.
const MONTHS: [&[&str]; 12] = [
    &["jan", "january"],
    &["feb", "february"],
    &["mar", "march"],
    &["apr", "april"],
    &["may"],
    &["jun", "june"],
    &["jul", "july"],
    &["aug", "august"],
    &["sep", "sept", "september"],
    &["oct", "october"],
    &["nov", "november"],
    &["dec", "december"],
];
/// `parserinfo.HMS`: hour = 0, minute = 1, second = 2.
const HMS: [&[&str]; 3] = [&["h", "hour", "hours"], &["m", "minute", "minutes"], &["s", "second", "seconds"]];
/// `parserinfo.AMPM`: am = 0, pm = 1.
const AMPM: [&[&str]; 2] = [&["am", "a"], &["pm", "p"]];
/// `parserinfo.UTCZONE`.
const UTCZONE: [&str; 4] = ["UTC", "GMT", "Z", "z"];

/// The parse failed (a Python `ValueError`/`IndexError` inside `_parse`, or an uncaught
/// `decimal` exception).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fail;

type Step<T> = Result<T, Fail>;

/// Parses `timestr` like `dateutil.parser.parse(timestr, fuzzy=True, default=...)` with
/// `default` = `today` at midnight, and returns the wall time with its offset east of UTC
/// in seconds (0 for a naive result, which `toUTC` takes as local = UTC).
pub(super) fn parse(timestr: &str, today: NaiveDate) -> Result<(NaiveDateTime, i64), Reason> {
    let res = parse_tokens(timestr, today.year()).map_err(|Fail| UNKNOWN_FORMAT)?;
    if res.is_empty() {
        return Err(NO_DATE);
    }
    let naive = build_naive(&res, today)?;
    // `_build_tzaware` under TZ=UTC: the name `UTC` means tzlocal() = UTC (and `validate`
    // has already zeroed its offset); an offset gives a fixed zone; anything else stays naive.
    let offset = res.tzoffset.unwrap_or(0);
    // Python refuses a utcoffset() of a day or more when the value is converted to UTC.
    if offset.unsigned_abs() >= 86_400 {
        return Err(BAD_OFFSET);
    }
    Ok((naive, offset))
}

// ---------------------------------------------------------------------------------------
// Character classes and the lexer (`_timelex`)
// ---------------------------------------------------------------------------------------

fn is_word(c: char) -> bool {
    c.is_alphabetic()
}

fn is_num(c: char) -> bool {
    c.is_ascii_digit()
}

/// Python's `str.isspace` (Rust's `is_whitespace` lacks the ASCII separators 0x1C-0x1F).
pub(super) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Word,
    Num,
    WordDot,
    NumDot,
}

/// `_timelex.split`: letters, digits (with `.`/`,` decimal or separator dots), one `" "`
/// per whitespace character, and any other character alone. NULs are dropped.
fn split(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().filter(|&c| c != '\0').collect();
    let mut tokens = Vec::new();
    let mut pos = 0;
    while pos < chars.len() {
        let mut token = String::new();
        let mut state: Option<Lex> = None;
        let mut seen_letters = false;
        while let Some(&c) = chars.get(pos) {
            pos += 1;
            match state {
                None => {
                    token.push(c);
                    if is_word(c) {
                        state = Some(Lex::Word);
                    } else if is_num(c) {
                        state = Some(Lex::Num);
                    } else {
                        if is_py_space(c) {
                            token = " ".to_owned();
                        }
                        break;
                    }
                }
                Some(Lex::Word) => {
                    seen_letters = true;
                    if is_word(c) {
                        token.push(c);
                    } else if c == '.' {
                        token.push(c);
                        state = Some(Lex::WordDot);
                    } else {
                        pos -= 1;
                        break;
                    }
                }
                Some(Lex::Num) => {
                    if is_num(c) {
                        token.push(c);
                    } else if c == '.' || (c == ',' && token.chars().count() >= 2) {
                        token.push(c);
                        state = Some(Lex::NumDot);
                    } else {
                        pos -= 1;
                        break;
                    }
                }
                Some(Lex::WordDot) => {
                    seen_letters = true;
                    if c == '.' || is_word(c) {
                        token.push(c);
                    } else if is_num(c) && token.ends_with('.') {
                        token.push(c);
                        state = Some(Lex::NumDot);
                    } else {
                        pos -= 1;
                        break;
                    }
                }
                Some(Lex::NumDot) => {
                    if c == '.' || is_num(c) {
                        token.push(c);
                    } else if is_word(c) && token.ends_with('.') {
                        token.push(c);
                        state = Some(Lex::WordDot);
                    } else {
                        pos -= 1;
                        break;
                    }
                }
            }
        }
        let mut rest = Vec::new();
        if matches!(state, Some(Lex::WordDot | Lex::NumDot))
            && (seen_letters || token.matches('.').count() > 1 || token.ends_with(['.', ',']))
        {
            // re.split("([.,])", token): pieces and separators; empty pieces dropped
            // (except the first, which is never empty here).
            let mut pieces = Vec::new();
            let mut piece = String::new();
            for c in token.chars() {
                if c == '.' || c == ',' {
                    pieces.push(std::mem::take(&mut piece));
                    pieces.push(c.to_string());
                } else {
                    piece.push(c);
                }
            }
            pieces.push(piece);
            let mut pieces = pieces.into_iter();
            token = pieces.next().unwrap_or_default();
            rest.extend(pieces.filter(|p| !p.is_empty()));
        }
        if state == Some(Lex::NumDot) && !token.contains('.') {
            token = token.replace(',', ".");
        }
        tokens.push(token);
        tokens.extend(rest);
    }
    tokens
}

// ---------------------------------------------------------------------------------------
// parserinfo look-ups
// ---------------------------------------------------------------------------------------

fn lookup(table: &[&[&str]], name: &str) -> Option<usize> {
    let lower = name.to_lowercase();
    table.iter().position(|names| names.contains(&lower.as_str()))
}

fn jump(name: &str) -> bool {
    JUMP.contains(&name.to_lowercase().as_str())
}

fn weekday(name: &str) -> Option<usize> {
    lookup(&WEEKDAYS, name)
}

/// Month number, 1-12.
fn month(name: &str) -> Option<u64> {
    lookup(&MONTHS, name).map(|m| m as u64 + 1)
}

fn hms(name: &str) -> Option<usize> {
    lookup(&HMS, name)
}

fn ampm(name: &str) -> Option<usize> {
    lookup(&AMPM, name)
}

fn pertain(name: &str) -> bool {
    name.to_lowercase() == "of"
}

fn utczone(name: &str) -> bool {
    matches!(name.to_lowercase().as_str(), "utc" | "gmt" | "z")
}

/// `parserinfo.tzoffset`: `name in self._utczone` compares against the *lower-cased* keys,
/// so only lower-case names match; `TZOFFSET` is empty.
fn tzoffset(name: &str) -> Option<i64> {
    matches!(name, "utc" | "gmt" | "z").then_some(0)
}

/// `parserinfo.convertyear`: a two-digit year lands within 50 years of the current one.
fn convertyear(year: u64, century_specified: bool, current_year: i32) -> u64 {
    let current = i64::from(current_year);
    if year < 100 && !century_specified {
        let century = current.div_euclid(100) * 100;
        let mut y = year as i64 + century;
        if y >= current + 50 {
            y -= 100;
        } else if y < current - 50 {
            y += 100;
        }
        // A negative result is impossible for years 1..=9999; clamp defensively.
        return u64::try_from(y).unwrap_or(0);
    }
    year
}

// ---------------------------------------------------------------------------------------
// Python int(), Decimal() and float() on tokens
// ---------------------------------------------------------------------------------------

/// Characters `i..j` (Python `s[i:j]`, `None` = to the end), by code point.
fn slice(s: &str, start: usize, end: Option<usize>) -> String {
    let it = s.chars().skip(start);
    match end {
        Some(end) => it.take(end.saturating_sub(start)).collect(),
        None => it.collect(),
    }
}

/// Python `str.isdigit()` (ASCII digits only; see the module note).
fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Python `int(s)` for a token: digits only (tokens never hold signs, spaces or `_`).
/// Values beyond `u64` saturate; they are always rejected later as out of range.
fn py_int(s: &str) -> Step<u64> {
    if !is_digits(s) {
        return Err(Fail);
    }
    Ok(digits_value(s))
}

fn digits_value(s: &str) -> u64 {
    s.bytes().fold(0u64, |acc, b| acc.saturating_mul(10).saturating_add(u64::from(b - b'0')))
}

/// Python `float(s)` (used by `toUTC` itself and by `_parse` to spot numeric tokens):
/// surrounding whitespace, a sign, `inf`/`infinity`/`nan` in any case, digits with single
/// `_` between them, a fraction and an exponent. Unlike `str.isspace`, `float()` does not
/// strip the separators 0x1C-0x1F, which is exactly Rust's `char::is_whitespace`.
pub(super) fn py_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(char::is_whitespace);
    let bytes = t.as_bytes();
    let mut cleaned = String::with_capacity(t.len());
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let before = i > 0 && bytes[i - 1].is_ascii_digit();
            let after = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !(before && after) {
                return None;
            }
        } else if b.is_ascii() {
            cleaned.push(char::from(b));
        } else {
            return None;
        }
    }
    cleaned.parse::<f64>().ok()
}

/// A finite `decimal.Decimal` read from a token: `digits[.digits]`.
#[derive(Debug, Clone)]
struct Dec {
    /// Integer part without leading zeros (empty for 0).
    int: String,
    /// Fraction digits as written.
    frac: String,
}

impl Dec {
    /// `Decimal(token)`, refusing what dateutil's `_to_decimal` refuses (non-finite values,
    /// anything that is not a number).
    fn parse(s: &str) -> Step<Dec> {
        let t = s.trim_matches(is_py_space);
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
            return Err(Fail);
        }
        Ok(Dec { int: int.trim_start_matches('0').to_owned(), frac: frac.to_owned() })
    }

    /// `int(value)`: truncation (saturating).
    fn int(&self) -> u64 {
        digits_value(&self.int)
    }

    fn frac_is_zero(&self) -> bool {
        self.frac.bytes().all(|b| b == b'0')
    }

    /// `value > n`
    fn gt(&self, n: u64) -> bool {
        let i = self.int();
        i > n || (i == n && !self.frac_is_zero())
    }

    /// `value < n`
    fn lt(&self, n: u64) -> bool {
        self.int() < n
    }

    /// `int(60 * (value % 1))` under Python's default decimal context (28 significant
    /// digits, half-even), or `None` when `value % 1` is zero. `value % 1` raises
    /// `DivisionImpossible` when the integer part has more than 28 digits.
    fn frac_times_60(&self) -> Step<Option<u64>> {
        if self.int.len() > 28 {
            return Err(Fail);
        }
        let f = self.frac.trim_end_matches('0');
        if f.is_empty() {
            return Ok(None);
        }
        let lead = f.len() - f.trim_start_matches('0').len();
        let sig = &f[lead..];
        // remainder r = k * 10^-e, rounded to 28 significant digits
        let (k, e) = if sig.len() <= 28 {
            (digits_u128(sig), f.len())
        } else {
            let kept = &sig[..28];
            let mut k = digits_u128(kept);
            let dropped = &sig.as_bytes()[28..];
            let first = dropped[0];
            let tail = dropped[1..].iter().any(|&b| b != b'0');
            if first > b'5' || (first == b'5' && (tail || k % 2 == 1)) {
                k += 1;
            }
            (k, lead + 28)
        };
        // 60 * r, rounded to 28 significant digits
        let p = k * 60;
        let digits = p.checked_ilog10().map_or(1, |d| d as usize + 1);
        let (mut q, d) = (p, digits.saturating_sub(28));
        if d > 0 {
            let div = 10u128.pow(d as u32);
            let (qq, rr) = (p / div, p % div);
            let half = div / 2;
            q = if rr > half || (rr == half && qq % 2 == 1) { qq + 1 } else { qq };
        }
        // int(q * 10^(d - e))
        let value = if d >= e {
            q * 10u128.pow((d - e) as u32)
        } else if e - d > 38 {
            0
        } else {
            q / 10u128.pow((e - d) as u32)
        };
        Ok(Some(u64::try_from(value).unwrap_or(u64::MAX)))
    }
}

/// The value of at most 38 ASCII digits.
fn digits_u128(s: &str) -> u128 {
    s.bytes().fold(0u128, |acc, b| acc * 10 + u128::from(b - b'0'))
}

/// `parser._parsems`: `"S[.F]"` to (seconds, microseconds), keeping six fraction digits.
fn parsems(value: &str) -> Step<(u64, u64)> {
    if !value.contains('.') {
        return Ok((py_int(value)?, 0));
    }
    let mut parts = value.split('.');
    let (Some(i), Some(f), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Fail);
    };
    let mut f: String = f.chars().take(6).collect();
    while f.chars().count() < 6 {
        f.push('0');
    }
    Ok((py_int(i)?, py_int(&f)?))
}

/// `parser._parse_min_sec`: (int(value), int(60 * (value % 1)) or None).
fn parse_min_sec(value: &Dec) -> Step<(u64, Option<u64>)> {
    Ok((value.int(), value.frac_times_60()?))
}

// ---------------------------------------------------------------------------------------
// The year/month/day accumulator (`_ymd`)
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Y,
    M,
    D,
}

#[derive(Debug, Default)]
struct Ymd {
    vals: Vec<u64>,
    century_specified: bool,
    dstridx: Option<usize>,
    mstridx: Option<usize>,
    ystridx: Option<usize>,
}

/// What `_ymd.append` was given: a string, an int, or a Decimal.
enum YmdVal<'a> {
    Str(&'a str),
    Int(u64),
    Dec(&'a Dec),
}

impl Ymd {
    fn len(&self) -> usize {
        self.vals.len()
    }

    fn append(&mut self, val: YmdVal<'_>, mut label: Option<Label>) -> Step<()> {
        let century = match &val {
            YmdVal::Str(s) => is_digits(s) && s.chars().count() > 2,
            YmdVal::Int(v) => *v > 100,
            YmdVal::Dec(d) => d.gt(100),
        };
        if century {
            self.century_specified = true;
            if !matches!(label, None | Some(Label::Y)) {
                return Err(Fail);
            }
            label = Some(Label::Y);
        }
        let v = match val {
            YmdVal::Str(s) => py_int(s)?,
            YmdVal::Int(v) => v,
            YmdVal::Dec(d) => d.int(),
        };
        self.vals.push(v);
        let idx = self.vals.len() - 1;
        let slot = match label {
            Some(Label::M) => &mut self.mstridx,
            Some(Label::D) => &mut self.dstridx,
            Some(Label::Y) => &mut self.ystridx,
            None => return Ok(()),
        };
        if slot.is_some() {
            return Err(Fail);
        }
        *slot = Some(idx);
        Ok(())
    }

    fn could_be_day(&self, value: &Dec) -> bool {
        if self.dstridx.is_some() {
            return false;
        }
        let max = match (self.mstridx, self.ystridx) {
            (None, _) => 31,
            (Some(m), None) => days_in_month(2000, self.vals[m]).unwrap_or(0),
            (Some(m), Some(y)) => days_in_month(self.vals[y], self.vals[m]).unwrap_or(0),
        };
        !value.lt(1) && !value.gt(max)
    }

    /// `_ymd.resolve_ymd(yearfirst=False, dayfirst=False)`.
    fn resolve(&self) -> Step<(Option<u64>, Option<u64>, Option<u64>)> {
        let v = &self.vals;
        let n = v.len();
        let strids: Vec<(Label, usize)> =
            [(Label::Y, self.ystridx), (Label::M, self.mstridx), (Label::D, self.dstridx)]
                .into_iter()
                .filter_map(|(l, i)| i.map(|i| (l, i)))
                .collect();
        if (n == strids.len() && n > 0) || (n == 3 && strids.len() == 2) {
            let mut out = (None, None, None);
            let mut strids = strids;
            if n == 3 && strids.len() == 2 {
                let missing = (0..3).find(|x| strids.iter().all(|(_, i)| i != x)).ok_or(Fail)?;
                let key = [Label::Y, Label::M, Label::D]
                    .into_iter()
                    .find(|k| strids.iter().all(|(l, _)| l != k))
                    .ok_or(Fail)?;
                strids.push((key, missing));
            }
            for (label, i) in strids {
                let val = Some(*v.get(i).ok_or(Fail)?);
                match label {
                    Label::Y => out.0 = val,
                    Label::M => out.1 = val,
                    Label::D => out.2 = val,
                }
            }
            return Ok(out);
        }
        let (mut year, mut month, mut day) = (None, None, None);
        let mstridx = self.mstridx;
        if n > 3 {
            return Err(Fail);
        } else if n == 1 || (mstridx.is_some() && n == 2) {
            let other = if let Some(m) = mstridx {
                month = Some(v[m]);
                // self[mstridx - 1], with Python's negative index
                v[if m == 0 { n - 1 } else { m - 1 }]
            } else {
                v[0]
            };
            if n > 1 || mstridx.is_none() {
                if other > 31 {
                    year = Some(other);
                } else {
                    day = Some(other);
                }
            }
        } else if n == 2 {
            if v[0] > 31 {
                (year, month) = (Some(v[0]), Some(v[1]));
            } else if v[1] > 31 {
                (month, year) = (Some(v[0]), Some(v[1]));
            } else {
                (month, day) = (Some(v[0]), Some(v[1]));
            }
        } else if n == 3 {
            let (a, b, c) = (Some(v[0]), Some(v[1]), Some(v[2]));
            match mstridx {
                Some(0) => {
                    if v[1] > 31 {
                        (month, year, day) = (a, b, c);
                    } else {
                        (month, day, year) = (a, b, c);
                    }
                }
                Some(1) => {
                    if v[0] > 31 {
                        (year, month, day) = (a, b, c);
                    } else {
                        (day, month, year) = (a, b, c);
                    }
                }
                Some(_) => {
                    if v[1] > 31 {
                        (day, year, month) = (a, b, c);
                    } else {
                        (year, day, month) = (a, b, c);
                    }
                }
                None => {
                    if v[0] > 31 || self.ystridx == Some(0) {
                        (year, month, day) = (a, b, c);
                    } else if v[0] > 12 {
                        (day, month, year) = (a, b, c);
                    } else {
                        (month, day, year) = (a, b, c);
                    }
                }
            }
        }
        Ok((year, month, day))
    }
}

/// `calendar.monthrange(year, month)[1]`, or `None` for a month outside 1-12.
fn days_in_month(year: u64, month: u64) -> Option<u64> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// The parser proper (`parser._parse` and helpers)
// ---------------------------------------------------------------------------------------

/// `parser._result`, plus `century_specified`.
#[derive(Debug, Default)]
struct Res {
    year: Option<u64>,
    month: Option<u64>,
    day: Option<u64>,
    weekday: Option<usize>,
    hour: Option<u64>,
    minute: Option<u64>,
    second: Option<u64>,
    microsecond: Option<u64>,
    tzname: Option<String>,
    tzoffset: Option<i64>,
    ampm: Option<usize>,
    century_specified: bool,
}

impl Res {
    /// `len(res) == 0`: no attribute was set.
    fn is_empty(&self) -> bool {
        self.year.is_none()
            && self.month.is_none()
            && self.day.is_none()
            && self.weekday.is_none()
            && self.hour.is_none()
            && self.minute.is_none()
            && self.second.is_none()
            && self.microsecond.is_none()
            && self.tzname.is_none()
            && self.tzoffset.is_none()
            && self.ampm.is_none()
    }
}

fn token(tokens: &[String], i: usize) -> Step<&str> {
    tokens.get(i).map(String::as_str).ok_or(Fail)
}

fn adjust_ampm(hour: u64, ampm: usize) -> u64 {
    if hour < 12 && ampm == 1 {
        hour + 12
    } else if hour == 12 && ampm == 0 {
        0
    } else {
        hour
    }
}

/// `parser._could_be_tzname`.
fn could_be_tzname(hour: Option<u64>, tzname: &Option<String>, tzoffset: Option<i64>, tok: &str) -> bool {
    hour.is_some()
        && tzname.is_none()
        && tzoffset.is_none()
        && tok.chars().count() <= 5
        && (tok.chars().all(|c| c.is_ascii_uppercase()) || UTCZONE.contains(&tok))
}

/// `parser._parse(timestr, fuzzy=True)` followed by `parserinfo.validate`.
fn parse_tokens(timestr: &str, current_year: i32) -> Step<Res> {
    let mut l = split(timestr);
    let len_l = l.len();
    let mut res = Res::default();
    let mut ymd = Ymd::default();
    let mut i = 0;
    while i < len_l {
        let tok = l[i].clone();
        if py_float(&tok).is_some() {
            i = parse_numeric_token(&l, i, &mut ymd, &mut res)?;
        } else if let Some(wd) = weekday(&tok) {
            res.weekday = Some(wd);
        } else if let Some(m) = month(&tok) {
            ymd.append(YmdVal::Int(m), Some(Label::M))?;
            if i + 1 < len_l {
                if l[i + 1] == "-" || l[i + 1] == "/" {
                    // Jan-01[-99]
                    let sep = l[i + 1].clone();
                    ymd.append(YmdVal::Str(token(&l, i + 2)?), None)?;
                    if i + 3 < len_l && l[i + 3] == sep {
                        ymd.append(YmdVal::Str(token(&l, i + 4)?), None)?;
                        i += 2;
                    }
                    i += 2;
                } else if i + 4 < len_l && l[i + 1] == " " && l[i + 3] == " " && pertain(&l[i + 2]) {
                    // Jan of 01: 01 is the year
                    if is_digits(&l[i + 4]) {
                        let year = convertyear(py_int(&l[i + 4])?, false, current_year);
                        ymd.append(YmdVal::Str(&year.to_string()), Some(Label::Y))?;
                    }
                    i += 4;
                }
            }
        } else if let Some(value) = ampm(&tok) {
            // _ampm_valid with fuzzy=True: only the first am/pm after an hour of 0-12 counts.
            if let (Some(hour), None) = (res.hour, res.ampm)
                && hour <= 12
            {
                res.hour = Some(adjust_ampm(hour, value));
                res.ampm = Some(value);
            }
        } else if could_be_tzname(res.hour, &res.tzname, res.tzoffset, &tok) {
            res.tzoffset = tzoffset(&tok);
            res.tzname = Some(tok.clone());
            // GMT+3 means "my time +3 is GMT": flip the sign for the offset parser below.
            if i + 1 < len_l && (l[i + 1] == "+" || l[i + 1] == "-") {
                l[i + 1] = if l[i + 1] == "+" { "-".to_owned() } else { "+".to_owned() };
                res.tzoffset = None;
                if utczone(&tok) {
                    res.tzname = None;
                }
            }
        } else if res.hour.is_some() && (tok == "+" || tok == "-") {
            let signal: i64 = if tok == "+" { 1 } else { -1 };
            let next = token(&l, i + 1)?.to_owned();
            let len_li = next.chars().count();
            let (hour_offset, min_offset);
            if len_li == 4 {
                // -0300
                hour_offset = py_int(&slice(&next, 0, Some(2)))?;
                min_offset = py_int(&slice(&next, 2, None))?;
            } else if i + 2 < len_l && l[i + 2] == ":" {
                // -03:00
                hour_offset = py_int(&next)?;
                min_offset = py_int(token(&l, i + 3)?)?;
                i += 2;
            } else if len_li <= 2 {
                // -[0]3
                hour_offset = py_int(&slice(&next, 0, Some(2)))?;
                min_offset = 0;
            } else {
                return Err(Fail);
            }
            let magnitude = i64::try_from(hour_offset)
                .unwrap_or(i64::MAX)
                .saturating_mul(3600)
                .saturating_add(i64::try_from(min_offset).unwrap_or(i64::MAX).saturating_mul(60));
            res.tzoffset = Some(signal * magnitude);
            // a zone name in parentheses: -0300 (BRST)
            if i + 5 < len_l
                && jump(&l[i + 2])
                && l[i + 3] == "("
                && l[i + 5] == ")"
                && l[i + 4].chars().count() >= 3
                && could_be_tzname(res.hour, &res.tzname, None, &l[i + 4])
            {
                res.tzname = Some(l[i + 4].clone());
                i += 4;
            }
            i += 1;
        }
        // Anything else is a jump word or, with fuzzy=True, skipped.
        i += 1;
    }

    let (year, month, day) = ymd.resolve()?;
    res.century_specified = ymd.century_specified;
    res.year = year;
    res.month = month;
    res.day = day;

    // parserinfo.validate
    if let Some(y) = res.year {
        res.year = Some(convertyear(y, res.century_specified, current_year));
    }
    let name_is_z = matches!(res.tzname.as_deref(), Some("Z" | "z"));
    if (res.tzoffset == Some(0) && res.tzname.is_none()) || name_is_z {
        res.tzname = Some("UTC".to_owned());
        res.tzoffset = Some(0);
    } else if res.tzoffset != Some(0) && res.tzname.as_deref().is_some_and(utczone) {
        res.tzoffset = Some(0);
    }
    Ok(res)
}

/// `parser._parse_numeric_token`; returns the index of the last token consumed.
fn parse_numeric_token(tokens: &[String], mut idx: usize, ymd: &mut Ymd, res: &mut Res) -> Step<usize> {
    let value_repr = tokens[idx].as_str();
    let value = Dec::parse(value_repr)?;
    let len_li = value_repr.chars().count();
    let len_l = tokens.len();
    let next = tokens.get(idx + 1).map(String::as_str);

    if ymd.len() == 3
        && (len_li == 2 || len_li == 4)
        && res.hour.is_none()
        && next.is_none_or(|n| n != ":" && hms(n).is_none())
    {
        // 19990101T23[59]
        res.hour = Some(py_int(&slice(value_repr, 0, Some(2)))?);
        if len_li == 4 {
            res.minute = Some(py_int(&slice(value_repr, 2, None))?);
        }
    } else if len_li == 6 || (len_li > 6 && value_repr.chars().position(|c| c == '.') == Some(6)) {
        // YYMMDD or HHMMSS[.ss]
        if ymd.len() == 0 && !value_repr.contains('.') {
            ymd.append(YmdVal::Str(&slice(value_repr, 0, Some(2))), None)?;
            ymd.append(YmdVal::Str(&slice(value_repr, 2, Some(4))), None)?;
            ymd.append(YmdVal::Str(&slice(value_repr, 4, None)), None)?;
        } else {
            // 19990101T235959[.59]
            res.hour = Some(py_int(&slice(value_repr, 0, Some(2)))?);
            res.minute = Some(py_int(&slice(value_repr, 2, Some(4)))?);
            let (s, us) = parsems(&slice(value_repr, 4, None))?;
            res.second = Some(s);
            res.microsecond = Some(us);
        }
    } else if matches!(len_li, 8 | 12 | 14) {
        // YYYYMMDD[hhmm[ss]]
        ymd.append(YmdVal::Str(&slice(value_repr, 0, Some(4))), Some(Label::Y))?;
        ymd.append(YmdVal::Str(&slice(value_repr, 4, Some(6))), None)?;
        ymd.append(YmdVal::Str(&slice(value_repr, 6, Some(8))), None)?;
        if len_li > 8 {
            res.hour = Some(py_int(&slice(value_repr, 8, Some(10)))?);
            res.minute = Some(py_int(&slice(value_repr, 10, Some(12)))?);
            if len_li > 12 {
                res.second = Some(py_int(&slice(value_repr, 12, None))?);
            }
        }
    } else if let Some(hms_idx) = find_hms_idx(idx, tokens) {
        // HH[ ]h or MM[ ]m or SS[.ss][ ]s
        let hms_value = if hms_idx > idx {
            let h = hms(&tokens[hms_idx]);
            idx = hms_idx;
            h
        } else {
            hms(&tokens[hms_idx]).map(|h| h + 1)
        };
        match hms_value {
            Some(0) => {
                res.hour = Some(value.int());
                if let Some(m) = value.frac_times_60()? {
                    res.minute = Some(m);
                }
            }
            Some(1) => {
                let (m, s) = parse_min_sec(&value)?;
                res.minute = Some(m);
                res.second = s;
            }
            Some(2) => {
                let (s, us) = parsems(value_repr)?;
                res.second = Some(s);
                res.microsecond = Some(us);
            }
            _ => {}
        }
    } else if idx + 2 < len_l && tokens[idx + 1] == ":" {
        // HH:MM[:SS[.ss]]
        res.hour = Some(value.int());
        let minutes = Dec::parse(&tokens[idx + 2])?;
        let (m, s) = parse_min_sec(&minutes)?;
        res.minute = Some(m);
        res.second = s;
        if idx + 4 < len_l && tokens[idx + 3] == ":" {
            let (s, us) = parsems(&tokens[idx + 4])?;
            res.second = Some(s);
            res.microsecond = Some(us);
            idx += 2;
        }
        idx += 2;
    } else if idx + 1 < len_l && matches!(tokens[idx + 1].as_str(), "-" | "/" | ".") {
        let sep = tokens[idx + 1].as_str();
        ymd.append(YmdVal::Str(value_repr), None)?;
        if idx + 2 < len_l && !jump(&tokens[idx + 2]) {
            if is_digits(&tokens[idx + 2]) {
                // 01-01[-01]
                ymd.append(YmdVal::Str(&tokens[idx + 2]), None)?;
            } else if let Some(m) = month(&tokens[idx + 2]) {
                // 01-Jan[-01]
                ymd.append(YmdVal::Int(m), Some(Label::M))?;
            } else {
                return Err(Fail);
            }
            if idx + 3 < len_l && tokens[idx + 3] == sep {
                // We have three members
                let fourth = token(tokens, idx + 4)?;
                match month(fourth) {
                    Some(m) => ymd.append(YmdVal::Int(m), Some(Label::M))?,
                    None => ymd.append(YmdVal::Str(fourth), None)?,
                }
                idx += 2;
            }
            idx += 1;
        }
        idx += 1;
    } else if idx + 1 >= len_l || jump(&tokens[idx + 1]) {
        if let Some(a) = tokens.get(idx + 2).and_then(|t| ampm(t)) {
            // 12 am
            res.hour = Some(adjust_ampm(value.int(), a));
            idx += 1;
        } else {
            // Year, month or day
            ymd.append(YmdVal::Dec(&value), None)?;
        }
        idx += 1;
    } else if let Some(a) = ampm(&tokens[idx + 1])
        && value.lt(24)
    {
        // 12am
        res.hour = Some(adjust_ampm(value.int(), a));
        idx += 1;
    } else if ymd.could_be_day(&value) {
        ymd.append(YmdVal::Dec(&value), None)?;
    }
    // else: fuzzy, skipped
    Ok(idx)
}

/// `parser._find_hms_idx(..., allow_jump=True)`.
fn find_hms_idx(idx: usize, tokens: &[String]) -> Option<usize> {
    let len_l = tokens.len();
    let is_hms = |i: usize| tokens.get(i).is_some_and(|t| hms(t).is_some());
    if idx + 1 < len_l && is_hms(idx + 1) {
        // "12h"
        Some(idx + 1)
    } else if idx + 2 < len_l && tokens[idx + 1] == " " && is_hms(idx + 2) {
        // "12 h"
        Some(idx + 2)
    } else if idx > 0 && is_hms(idx - 1) {
        // the "04" in "12h04"
        Some(idx - 1)
    } else if idx > 1 && idx == len_l - 1 && tokens[idx - 1] == " " && is_hms(idx - 2) {
        // the final "04" in "12h 04"
        Some(idx - 2)
    } else {
        None
    }
}

/// `parser._build_naive`: fields missing from the string come from `default` (today at
/// midnight), a default day beyond the month's end falls back to the last day, and a lone
/// weekday moves forward to the next such day.
fn build_naive(res: &Res, today: NaiveDate) -> Result<NaiveDateTime, Reason> {
    let year = res.year.unwrap_or(u64::try_from(today.year()).unwrap_or(0));
    let month = res.month.unwrap_or(u64::from(today.month()));
    let day = match res.day {
        Some(d) => d,
        None => {
            let dim = days_in_month(year, month).ok_or(OUT_OF_RANGE)?;
            u64::from(today.day()).min(dim)
        }
    };
    let (hour, minute, second) = (res.hour.unwrap_or(0), res.minute.unwrap_or(0), res.second.unwrap_or(0));
    let micro = res.microsecond.unwrap_or(0);
    if !(1..=9999).contains(&year) || hour > 23 || minute > 59 || second > 59 || micro > 999_999 {
        return Err(OUT_OF_RANGE);
    }
    let small = |v: u64| u32::try_from(v).map_err(|_| OUT_OF_RANGE);
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).map_err(|_| OUT_OF_RANGE)?, small(month)?, small(day)?)
        .ok_or(OUT_OF_RANGE)?;
    let mut naive =
        date.and_hms_micro_opt(small(hour)?, small(minute)?, small(second)?, small(micro)?).ok_or(OUT_OF_RANGE)?;
    if let (Some(wd), None) = (res.weekday, res.day) {
        // relativedelta(weekday=wd): the next such weekday, today included
        let current = naive.weekday().num_days_from_monday() as i64;
        let jump_days = (7 - current + wd as i64) % 7;
        naive += Duration::days(jump_days);
        if naive.year() > 9999 {
            return Err(OUT_OF_RANGE);
        }
    }
    Ok(naive)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        split(s)
    }

    #[test]
    fn lexer_matches_timelex() {
        assert_eq!(
            toks("2016-07-13T20:58:43.123Z"),
            ["2016", "-", "07", "-", "13", "T", "20", ":", "58", ":", "43.123", "Z"]
        );
        assert_eq!(toks("Jan  2 08:01:57"), ["Jan", " ", " ", "2", " ", "08", ":", "01", ":", "57"]);
        assert_eq!(toks("Sep.20.2009"), ["Sep", ".", "20", ".", "2009"]);
        assert_eq!(toks("10.0.0.1"), ["10", ".", "0", ".", "0", ".", "1"]);
        assert_eq!(toks("4:30:21,447"), ["4", ":", "30", ":", "21.447"]);
        assert_eq!(toks("1,5"), ["1", ",", "5"]);
        assert_eq!(toks("12,5,6"), ["12.5", ",", "6"]);
        assert_eq!(toks("a.m."), ["a", ".", "m", "."]);
        assert_eq!(toks("5.a"), ["5.a"]);
        assert_eq!(toks("5.a "), ["5", ".", "a", " "]);
        assert_eq!(toks("x\0y"), ["xy"]);
        assert_eq!(toks("\t\n"), [" ", " "]);
        assert_eq!(toks("[pid]:"), ["[", "pid", "]", ":"]);
        assert!(toks("").is_empty());
    }

    #[test]
    fn python_float_grammar() {
        assert_eq!(py_float(" 1_000.5 "), Some(1000.5));
        assert_eq!(py_float("\u{3000}5\u{a0}"), Some(5.0));
        assert_eq!(py_float("\u{1c}5"), None);
        assert_eq!(py_float("-86400.000000"), Some(-86400.0));
        assert_eq!(py_float("1e3"), Some(1000.0));
        assert_eq!(py_float(".5"), Some(0.5));
        assert_eq!(py_float("5."), Some(5.0));
        assert!(py_float("NaN").is_some_and(f64::is_nan));
        assert_eq!(py_float("-Infinity"), Some(f64::NEG_INFINITY));
        for bad in ["", " ", "1__0", "_1", "1_", "1_.5", "e5", ".", "1-2", "0x10", "1 2", "²"] {
            assert_eq!(py_float(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn decimal_remainder_times_60() {
        let f = |s: &str| Dec::parse(s).and_then(|d| d.frac_times_60());
        assert_eq!(f("30"), Ok(None));
        assert_eq!(f("30.000"), Ok(None));
        assert_eq!(f("30.5"), Ok(Some(30)));
        assert_eq!(f("1.25"), Ok(Some(15)));
        assert_eq!(f("0.999"), Ok(Some(59)));
        // 29 nines round to 1 in a 28-digit context, so 60 * r == 60
        assert_eq!(f(&format!("0.{}", "9".repeat(29))), Ok(Some(60)));
        assert_eq!(f(&format!("0.{}", "9".repeat(27))), Ok(Some(59)));
        assert_eq!(f(&format!("0.{}1", "0".repeat(60))), Ok(Some(0)));
        // more than 28 integer digits: DivisionImpossible
        assert_eq!(f(&format!("{}.5", "1".repeat(29))), Err(Fail));
        assert_eq!(f(&format!("{}.5", "1".repeat(28))), Ok(Some(30)));
    }

    #[test]
    fn ymd_resolution_follows_dateutil() {
        let resolve = |vals: &[u64]| {
            let mut y = Ymd::default();
            for v in vals {
                y.vals.push(*v);
            }
            y.resolve()
        };
        assert_eq!(resolve(&[1, 2, 2016]), Ok((Some(2016), Some(1), Some(2))));
        assert_eq!(resolve(&[13, 2, 2016]), Ok((Some(2016), Some(2), Some(13))));
        assert_eq!(resolve(&[2016, 7, 13]), Ok((Some(2016), Some(7), Some(13))));
        assert_eq!(resolve(&[99, 1]), Ok((Some(99), Some(1), None)));
        assert_eq!(resolve(&[1, 99]), Ok((Some(99), Some(1), None)));
        assert_eq!(resolve(&[5, 6]), Ok((None, Some(5), Some(6))));
        assert_eq!(resolve(&[15]), Ok((None, None, Some(15))));
        assert_eq!(resolve(&[2016]), Ok((Some(2016), None, None)));
        assert_eq!(resolve(&[1, 2, 3, 4]), Err(Fail));
        assert_eq!(resolve(&[]), Ok((None, None, None)));
    }

    #[test]
    fn convertyear_window() {
        assert_eq!(convertyear(16, false, 2024), 2016);
        assert_eq!(convertyear(73, false, 2024), 2073);
        assert_eq!(convertyear(74, false, 2024), 1974);
        assert_eq!(convertyear(99, false, 2024), 1999);
        assert_eq!(convertyear(16, true, 2024), 16);
        assert_eq!(convertyear(2016, false, 2024), 2016);
    }
}
