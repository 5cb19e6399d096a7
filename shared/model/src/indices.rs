//! MozDef's index names: `events-YYYYMMDD` daily indices with the aliases `events` (today),
//! `events-previous` (yesterday) and `events-weekly` (7 days ago through today), and
//! `alerts-YYYYMM` monthly indices with `alerts` (this month) and `alerts-previous`; and the
//! `quarantine` index of records the pipeline or the store refused.
//!
//! The rules every store resolves names with (the backends, and the alert domain's in-memory
//! backend for tests); `mozdef_store::indices` is this module.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// The index that keeps the records the pipeline or the store refused, with the reason.
pub const QUARANTINE_INDEX: &str = "quarantine";

/// The daily events index that holds documents received at `at`.
pub fn events_index(at: DateTime<Utc>) -> String {
    format!("events-{}", at.format("%Y%m%d"))
}

/// The monthly alerts index for alerts raised at `at`.
pub fn alerts_index(at: DateTime<Utc>) -> String {
    format!("alerts-{}", at.format("%Y%m"))
}

/// The date of a daily events index name, if `name` is one.
pub fn events_index_date(name: &str) -> Option<NaiveDate> {
    let digits = name.strip_prefix("events-")?;
    if digits.len() != 8 {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// The first day of the month of a monthly alerts index name (`alerts-YYYYMM`), if `name`
/// is one.
pub fn alerts_index_date(name: &str) -> Option<NaiveDate> {
    let digits = name.strip_prefix("alerts-")?;
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(&format!("{digits}01"), "%Y%m%d").ok()
}

/// The daily events indices whose days overlap `[from, to]`, oldest first.
pub fn events_indices_between(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let mut day = from.date_naive();
    let last = to.date_naive();
    let mut out = Vec::new();
    while day <= last {
        out.push(format!("events-{}", day.format("%Y%m%d")));
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

/// The index names or `prefix-*` patterns a name stands for at `now`, whether they exist
/// or not: logical names become their daily/monthly indices, patterns and concrete names
/// stay as they are. `None` when `name` is neither a valid index name nor a valid
/// `prefix*` pattern.
pub fn expand(name: &str, now: DateTime<Utc>) -> Option<Vec<String>> {
    Some(match name {
        "events" => vec![events_index(now)],
        "events-previous" => vec![events_index(now - Duration::days(1))],
        "events-weekly" => events_indices_between(now - Duration::days(7), now),
        "alerts" => vec![alerts_index(now)],
        "alerts-previous" => vec![alerts_index(previous_month(now))],
        pattern if pattern.ends_with('*') => {
            let prefix = &pattern[..pattern.len() - 1];
            if !prefix.is_empty() && !is_valid_index_name(prefix) {
                return None;
            }
            vec![pattern.to_owned()]
        }
        concrete if is_valid_index_name(concrete) => vec![concrete.to_owned()],
        _ => return None,
    })
}

/// Which concrete indices a name stands for at `now`, given the indices that `existing`
/// lists. Logical names resolve to their daily/monthly indices; `prefix-*` patterns to every
/// existing index with that prefix; a concrete name to itself. Names that resolve to an
/// index that does not exist yield nothing for it (searches skip missing indices).
pub fn resolve(name: &str, now: DateTime<Utc>, existing: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for wanted in expand(name, now).unwrap_or_default() {
        match wanted.strip_suffix('*') {
            Some(prefix) => out.extend(existing.iter().filter(|i| i.starts_with(prefix)).cloned()),
            None if existing.contains(&wanted) => out.push(wanted),
            None => {}
        }
    }
    out
}

/// Resolves several names, without duplicates, in the order of `existing`.
pub fn resolve_all(names: &[String], now: DateTime<Utc>, existing: &[String]) -> Vec<String> {
    let mut wanted: Vec<String> = names.iter().flat_map(|n| resolve(n, now, existing)).collect();
    wanted.sort();
    wanted.dedup();
    wanted
}

fn previous_month(now: DateTime<Utc>) -> DateTime<Utc> {
    let first = now.with_day(1).unwrap_or(now);
    first - Duration::days(1)
}

/// Whether `name` is a valid index name (lower-case letters, digits, `-`, `_`, `.`; not
/// starting with `-`, `_` or `.`; at most 255 bytes) — the rule OpenSearch applies.
pub fn is_valid_index_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with(['-', '_', '.'])
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn names_and_aliases() {
        let now = at(2026, 3, 1);
        assert_eq!(events_index(now), "events-20260301");
        assert_eq!(alerts_index(now), "alerts-202603");
        let existing: Vec<String> = [
            "events-20260222",
            "events-20260227",
            "events-20260228",
            "events-20260301",
            "alerts-202602",
            "alerts-202603",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(resolve("events", now, &existing), ["events-20260301"]);
        assert_eq!(resolve("events-previous", now, &existing), ["events-20260228"]);
        assert_eq!(
            resolve("events-weekly", now, &existing),
            ["events-20260222", "events-20260227", "events-20260228", "events-20260301"]
        );
        assert_eq!(resolve("alerts-previous", now, &existing), ["alerts-202602"]);
        assert_eq!(resolve("events-*", now, &existing).len(), 4);
        assert!(resolve("events-20200101", now, &existing).is_empty());
        assert_eq!(expand("events-weekly", now).map(|v| v.len()), Some(8));
        assert_eq!(expand("events-*", now), Some(vec!["events-*".to_owned()]));
        assert_eq!(expand("Events", now), None);
        assert_eq!(expand("a,b", now), None, "no way to smuggle a second index into a URL");
        assert_eq!(expand("_all*", now), None);
        assert_eq!(events_index_date("events-20260301"), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(events_index_date("events-2026030"), None);
        assert!(is_valid_index_name("events-20260301"));
        assert!(!is_valid_index_name("Events"));
        assert!(!is_valid_index_name("_x"));
    }

    #[test]
    fn monthly_alert_index_names_parse() {
        assert_eq!(alerts_index_date("alerts-202603"), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(alerts_index_date(&alerts_index(at(2026, 12, 31))), NaiveDate::from_ymd_opt(2026, 12, 1));
        for bad in [
            "alerts-202613",
            "alerts-202600",
            "alerts-20260",
            "alerts-2026031",
            "alerts-+20263",
            "alerts",
            "events-202603",
        ] {
            assert_eq!(alerts_index_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn window_spans_days() {
        let from = Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).single().unwrap_or_default();
        let to = Utc.with_ymd_and_hms(2027, 1, 1, 1, 0, 0).single().unwrap_or_default();
        assert_eq!(events_indices_between(from, to), ["events-20261231", "events-20270101"]);
    }
}
