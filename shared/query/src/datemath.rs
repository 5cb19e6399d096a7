//! Elasticsearch dates in queries: the `dateOptionalTime` format, with the rounding of
//! missing fields that range bounds get, and date math (`now-5m`, `now-1d/d`,
//! `2016-07-13||+1M/M`).

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};

/// A `dateOptionalTime` value, keeping which fields were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartialDate {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    minute: Option<u32>,
    second: Option<u32>,
    millis: Option<u32>,
    /// Seconds east of UTC.
    offset: i32,
}

/// A tiny ASCII cursor.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Up to `max` digits (at least one) as a number.
    fn digits(&mut self, max: usize) -> Option<u32> {
        let start = self.pos;
        let mut value: u32 = 0;
        while self.pos - start < max {
            match self.peek() {
                Some(b @ b'0'..=b'9') => {
                    value = value.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
                    self.pos += 1;
                }
                _ => break,
            }
        }
        (self.pos > start).then_some(value)
    }

    /// A fraction of a second, as milliseconds (digits beyond the third are truncated).
    fn fraction_millis(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut millis = 0;
        while let Some(b @ b'0'..=b'9') = self.peek() {
            let n = self.pos - start;
            if n < 3 {
                millis = millis * 10 + u32::from(b - b'0');
            }
            self.pos += 1;
        }
        let n = self.pos - start;
        match n {
            0 => None,
            1 => Some(millis * 100),
            2 => Some(millis * 10),
            _ => Some(millis),
        }
    }
}

impl PartialDate {
    /// Parses `yyyy[-MM[-dd]][T[HH[:mm[:ss]]][.SSS][Z|±HH[:mm]]]`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut c = Cursor { bytes: text.as_bytes(), pos: 0 };
        let year = i32::try_from(c.digits(9)?).ok()?;
        let mut date = PartialDate {
            year,
            month: None,
            day: None,
            hour: None,
            minute: None,
            second: None,
            millis: None,
            offset: 0,
        };
        if c.eat(b'-') {
            date.month = Some(c.digits(2)?);
            if c.eat(b'-') {
                date.day = Some(c.digits(2)?);
            }
        }
        if c.eat(b'T') {
            date.parse_time(&mut c)?;
            date.offset = parse_offset(&mut c)?;
        }
        c.done().then_some(date)
    }

    fn parse_time(&mut self, c: &mut Cursor<'_>) -> Option<()> {
        if let Some(hour) = c.digits(2) {
            self.hour = Some(hour);
            if c.eat(b':') {
                self.minute = Some(c.digits(2)?);
                if c.eat(b':') {
                    self.second = Some(c.digits(2)?);
                }
            }
        }
        if c.eat(b'.') || c.eat(b',') {
            self.millis = Some(c.fraction_millis()?);
        }
        Some(())
    }

    /// The instant, with missing fields filled as Elasticsearch fills them: month and day 1;
    /// time fields 0, or when `round_up`, 23:59:59.999 (so `lte: 2016-07-13` covers the day).
    pub(crate) fn to_datetime(self, round_up: bool) -> Option<DateTime<Utc>> {
        let date = NaiveDate::from_ymd_opt(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))?;
        let (h, m, s, ms) = if round_up { (23, 59, 59, 999) } else { (0, 0, 0, 0) };
        let time = NaiveTime::from_hms_milli_opt(
            self.hour.unwrap_or(h),
            self.minute.unwrap_or(m),
            self.second.unwrap_or(s),
            self.millis.unwrap_or(ms),
        )?;
        let local = NaiveDateTime::new(date, time);
        let utc = local.checked_sub_signed(Duration::try_seconds(i64::from(self.offset))?)?;
        Some(Utc.from_utc_datetime(&utc))
    }
}

/// `Z`, `±HH`, `±HHmm` or `±HH:mm`, or nothing (UTC).
fn parse_offset(c: &mut Cursor<'_>) -> Option<i32> {
    if c.eat(b'Z') {
        return Some(0);
    }
    let sign = if c.eat(b'+') {
        1
    } else if c.eat(b'-') {
        -1
    } else {
        return Some(0);
    };
    let hours = c.digits(2)?;
    c.eat(b':');
    let minutes = if c.done() { 0 } else { c.digits(2)? };
    if hours > 23 || minutes > 59 {
        return None;
    }
    i32::try_from(hours * 3600 + minutes * 60).ok().map(|s| sign * s)
}

/// A unit of date math.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
}

impl Unit {
    fn from_char(c: char) -> Option<Self> {
        Some(match c {
            'y' => Unit::Year,
            'M' => Unit::Month,
            'w' => Unit::Week,
            'd' => Unit::Day,
            'h' | 'H' => Unit::Hour,
            'm' => Unit::Minute,
            's' => Unit::Second,
            _ => return None,
        })
    }
}

/// One step of date math.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add(i64, Unit),
    Round(Unit),
}

/// What date math starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Now,
    /// A date followed by `||` and math: parsed without rounding up.
    DateThenMath(PartialDate),
    /// A plain date: missing fields round up for upper bounds.
    Date(PartialDate),
}

/// A date expression of a query: a date or `now`, then date math.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DateMath {
    anchor: Anchor,
    ops: Vec<Op>,
}

impl DateMath {
    /// Parses `now[math]`, `<date>||[math]` or `<date>`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if let Some(math) = text.strip_prefix("now") {
            return Ok(DateMath { anchor: Anchor::Now, ops: parse_math(math)? });
        }
        if let Some((date, math)) = text.split_once("||") {
            let date = PartialDate::parse(date).ok_or_else(|| bad_date(date))?;
            return Ok(DateMath { anchor: Anchor::DateThenMath(date), ops: parse_math(math)? });
        }
        let date = PartialDate::parse(text).ok_or_else(|| bad_date(text))?;
        Ok(DateMath { anchor: Anchor::Date(date), ops: Vec::new() })
    }

    /// Whether the value depends on `now`.
    pub(crate) fn uses_now(&self) -> bool {
        self.anchor == Anchor::Now
    }

    /// The instant, in epoch milliseconds. `round_up` (for `lte` and `gt` bounds) rounds
    /// missing date fields and `/unit` rounding up to the last millisecond of the unit.
    pub(crate) fn resolve(&self, now: DateTime<Utc>, round_up: bool) -> Option<i64> {
        let mut t = match self.anchor {
            Anchor::Now => now,
            Anchor::DateThenMath(d) => d.to_datetime(false)?,
            Anchor::Date(d) => d.to_datetime(round_up)?,
        };
        for op in &self.ops {
            t = match *op {
                Op::Add(n, unit) => add(t, n, unit)?,
                Op::Round(unit) if round_up => {
                    add(floor(t, unit)?, 1, unit)?.checked_sub_signed(Duration::milliseconds(1))?
                }
                Op::Round(unit) => floor(t, unit)?,
            };
        }
        Some(t.timestamp_millis())
    }
}

fn bad_date(text: &str) -> String {
    format!("cannot parse date {text:?}: expected yyyy-MM-dd'T'HH:mm:ss.SSSZ, now or date math")
}

/// Elasticsearch's `parseMath`: `(+|-)N<unit>` steps and `/<unit>` rounding.
fn parse_math(math: &str) -> Result<Vec<Op>, String> {
    let chars: Vec<char> = math.chars().collect();
    let mut ops = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (round, sign) = match chars[i] {
            '/' => (true, 1),
            '+' => (false, 1),
            '-' => (false, -1),
            c => return Err(format!("date math operator {c:?} is not supported")),
        };
        i += 1;
        let digits_start = i;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        let num = if i == digits_start {
            1
        } else {
            let digits: String = chars[digits_start..i].iter().collect();
            digits.parse::<i64>().map_err(|_| format!("date math number {digits} is too large"))?
        };
        if round && num != 1 {
            return Err("date math rounding `/` takes a single unit, e.g. /d".to_owned());
        }
        let unit = chars
            .get(i)
            .copied()
            .ok_or_else(|| format!("truncated date math {math:?}"))
            .and_then(|c| Unit::from_char(c).ok_or_else(|| format!("unknown date math unit {c:?}")))?;
        i += 1;
        ops.push(if round { Op::Round(unit) } else { Op::Add(sign * num, unit) });
    }
    Ok(ops)
}

fn add(t: DateTime<Utc>, n: i64, unit: Unit) -> Option<DateTime<Utc>> {
    match unit {
        Unit::Year => add_months(t, n.checked_mul(12)?),
        Unit::Month => add_months(t, n),
        Unit::Week => t.checked_add_signed(Duration::try_weeks(n)?),
        Unit::Day => t.checked_add_signed(Duration::try_days(n)?),
        Unit::Hour => t.checked_add_signed(Duration::try_hours(n)?),
        Unit::Minute => t.checked_add_signed(Duration::try_minutes(n)?),
        Unit::Second => t.checked_add_signed(Duration::try_seconds(n)?),
    }
}

fn add_months(t: DateTime<Utc>, n: i64) -> Option<DateTime<Utc>> {
    let months = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 { t.checked_add_months(months) } else { t.checked_sub_months(months) }
}

/// The start of the `unit` holding `t` (weeks start on Monday).
fn floor(t: DateTime<Utc>, unit: Unit) -> Option<DateTime<Utc>> {
    let date = t.date_naive();
    let start = match unit {
        Unit::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1)?.and_hms_opt(0, 0, 0)?,
        Unit::Month => NaiveDate::from_ymd_opt(date.year(), date.month(), 1)?.and_hms_opt(0, 0, 0)?,
        Unit::Week => {
            let back = i64::from(date.weekday().num_days_from_monday());
            date.checked_sub_signed(Duration::try_days(back)?)?.and_hms_opt(0, 0, 0)?
        }
        Unit::Day => date.and_hms_opt(0, 0, 0)?,
        Unit::Hour => date.and_hms_opt(t.hour(), 0, 0)?,
        Unit::Minute => date.and_hms_opt(t.hour(), t.minute(), 0)?,
        Unit::Second => date.and_hms_opt(t.hour(), t.minute(), t.second())?,
    };
    Some(Utc.from_utc_datetime(&start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text).map(|d| d.timestamp_millis()).unwrap_or(i64::MIN)
    }

    fn now() -> DateTime<Utc> {
        // Wednesday 2016-07-13 20:58:43.250 UTC
        Utc.timestamp_millis_opt(ms("2016-07-13T20:58:43.250Z")).single().unwrap_or_default()
    }

    fn resolve(text: &str, up: bool) -> Option<i64> {
        DateMath::parse(text).ok()?.resolve(now(), up)
    }

    #[test]
    fn partial_dates_round_like_elasticsearch() {
        assert_eq!(resolve("2016-07-13", false), Some(ms("2016-07-13T00:00:00Z")));
        assert_eq!(resolve("2016-07-13", true), Some(ms("2016-07-13T23:59:59.999Z")));
        assert_eq!(resolve("2016", true), Some(ms("2016-01-01T23:59:59.999Z")));
        assert_eq!(resolve("2016-07", false), Some(ms("2016-07-01T00:00:00Z")));
        assert_eq!(resolve("2016-07-13T10", true), Some(ms("2016-07-13T10:59:59.999Z")));
        assert_eq!(resolve("2016-07-13T10:30:00", true), Some(ms("2016-07-13T10:30:00.999Z")));
        assert_eq!(resolve("2016-07-13T10:30:00.5", true), Some(ms("2016-07-13T10:30:00.500Z")));
        assert_eq!(resolve("2016-07-13T10:30:00.123456Z", false), Some(ms("2016-07-13T10:30:00.123Z")));
        assert_eq!(resolve("2016-07-13T12:00:00+02:00", false), Some(ms("2016-07-13T10:00:00Z")));
        assert_eq!(resolve("2016-07-13T12:00:00-0130", false), Some(ms("2016-07-13T13:30:00Z")));
        assert_eq!(resolve("2016-07-13T12:00:00+02", false), Some(ms("2016-07-13T10:00:00Z")));
    }

    #[test]
    fn invalid_dates() {
        for bad in
            ["", "x", "2016-13-01", "2016-02-30", "2016-07-13 10:00", "2016-07-13T25", "2016-07-13Tx", "2016/07/13"]
        {
            assert!(DateMath::parse(bad).ok().and_then(|d| d.resolve(now(), false)).is_none(), "{bad}");
        }
    }

    #[test]
    fn now_and_math() {
        assert_eq!(resolve("now", false), Some(ms("2016-07-13T20:58:43.250Z")));
        assert_eq!(resolve("now-5m", false), Some(ms("2016-07-13T20:53:43.250Z")));
        assert_eq!(resolve("now+1h", false), Some(ms("2016-07-13T21:58:43.250Z")));
        assert_eq!(resolve("now-1d/d", false), Some(ms("2016-07-12T00:00:00Z")));
        assert_eq!(resolve("now-1d/d", true), Some(ms("2016-07-12T23:59:59.999Z")));
        assert_eq!(resolve("now/w", false), Some(ms("2016-07-11T00:00:00Z")));
        assert_eq!(resolve("now/M", true), Some(ms("2016-07-31T23:59:59.999Z")));
        assert_eq!(resolve("now/y", false), Some(ms("2016-01-01T00:00:00Z")));
        assert_eq!(resolve("now-1y-2M", false), Some(ms("2015-05-13T20:58:43.250Z")));
        assert_eq!(resolve("now/H", false), Some(ms("2016-07-13T20:00:00Z")));
        assert_eq!(resolve("now-30s/m", false), Some(ms("2016-07-13T20:58:00Z")));
        assert_eq!(resolve("2016-01-31||+1M", false), Some(ms("2016-02-29T00:00:00Z")));
        assert_eq!(resolve("2016-07-13||/d", true), Some(ms("2016-07-13T23:59:59.999Z")));
        assert_eq!(resolve("2016-07-13||", true), Some(ms("2016-07-13T00:00:00Z")));
        assert!(DateMath::parse("now").is_ok_and(|d| d.uses_now()));
        assert!(DateMath::parse("2016").is_ok_and(|d| !d.uses_now()));
    }

    #[test]
    fn bad_math() {
        for bad in ["now-", "now*1d", "now-1x", "now/2d", "now-99999999999999999999d", "nowx"] {
            assert!(DateMath::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(resolve("now-9999999999999d", false), None);
        assert_eq!(resolve("now+999999999y", false), None);
    }
}
