//! `datetime.isoformat()` of an aware UTC datetime, written digit by digit.

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

/// Python's `datetime.isoformat()` of an aware UTC datetime: `2016-07-13T20:58:43+00:00`,
/// with six fractional digits when the microseconds are not zero.
///
/// The digits are written directly (this runs several times per ingested event); years
/// outside 0..=9999 and leap seconds, which chrono writes its own way, go through chrono's
/// RFC 3339 writer, as everything did before.
pub fn isoformat(dt: &DateTime<Utc>) -> String {
    let micros = dt.timestamp_subsec_micros();
    let year = match u32::try_from(dt.year()) {
        Ok(year) if year <= 9999 && dt.nanosecond() < 1_000_000_000 => year,
        _ => {
            let format = if micros == 0 { SecondsFormat::Secs } else { SecondsFormat::Micros };
            return dt.to_rfc3339_opts(format, false);
        }
    };
    let mut out = String::with_capacity(32);
    push_digits(&mut out, year, 4);
    out.push('-');
    push_digits(&mut out, dt.month(), 2);
    out.push('-');
    push_digits(&mut out, dt.day(), 2);
    out.push('T');
    push_digits(&mut out, dt.hour(), 2);
    out.push(':');
    push_digits(&mut out, dt.minute(), 2);
    out.push(':');
    push_digits(&mut out, dt.second(), 2);
    if micros != 0 {
        out.push('.');
        push_digits(&mut out, micros, 6);
    }
    out.push_str("+00:00");
    out
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nano: u32) -> DateTime<Utc> {
        let naive = NaiveDate::from_ymd_opt(y, mo, d).and_then(|date| date.and_hms_nano_opt(h, mi, s, nano));
        naive.map(|n| Utc.from_utc_datetime(&n)).unwrap_or_default()
    }

    #[test]
    fn python_isoformat() {
        assert_eq!(isoformat(&at(2016, 7, 13, 20, 58, 43, 0)), "2016-07-13T20:58:43+00:00");
        assert_eq!(isoformat(&at(2016, 7, 13, 20, 58, 43, 123_456_000)), "2016-07-13T20:58:43.123456+00:00");
        // Microseconds, truncated: a nanosecond remainder is not written.
        assert_eq!(isoformat(&at(2016, 7, 13, 20, 58, 43, 1_999)), "2016-07-13T20:58:43.000001+00:00");
        // Less than a microsecond is none.
        assert_eq!(isoformat(&at(2016, 7, 13, 20, 58, 43, 999)), "2016-07-13T20:58:43+00:00");
        assert_eq!(isoformat(&at(1, 1, 2, 3, 4, 5, 6_000)), "0001-01-02T03:04:05.000006+00:00");
        assert_eq!(isoformat(&at(0, 1, 1, 0, 0, 0, 0)), "0000-01-01T00:00:00+00:00");
        assert_eq!(isoformat(&at(9999, 12, 31, 23, 59, 59, 999_999_000)), "9999-12-31T23:59:59.999999+00:00");
    }

    #[test]
    fn years_chrono_writes_with_a_sign_and_leap_seconds() {
        assert_eq!(isoformat(&at(10000, 1, 1, 0, 0, 0, 0)), "+10000-01-01T00:00:00+00:00");
        assert_eq!(isoformat(&at(-1, 1, 1, 0, 0, 0, 0)), "-0001-01-01T00:00:00+00:00");
        assert_eq!(isoformat(&at(2016, 12, 31, 23, 59, 59, 1_000_000_000)), "2016-12-31T23:59:60.000000+00:00");
        assert_eq!(isoformat(&at(2016, 12, 31, 23, 59, 59, 1_500_000_000)), "2016-12-31T23:59:60.500000+00:00");
    }

    #[test]
    fn every_second_of_a_leap_day_and_microsecond_steps() {
        let start = at(2024, 2, 29, 0, 0, 0, 0);
        for step in (0..86_400).step_by(7) {
            let dt = start + chrono::Duration::seconds(step) + chrono::Duration::microseconds(step * 13 % 1_000_000);
            let micros = dt.timestamp_subsec_micros();
            let format = if micros == 0 { SecondsFormat::Secs } else { SecondsFormat::Micros };
            assert_eq!(isoformat(&dt), dt.to_rfc3339_opts(format, false));
        }
    }
}
