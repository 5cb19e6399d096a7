//! Alert schedules: MozDef's `alertschedules` documents (celery `PeriodicTask.to_dict`),
//! when an alert is due, and how the configured schedules merge with the stored ones.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, DurationRound, Timelike, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::AlertError;

/// One schedule document, as MozDef's REST `/alertschedules` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertSchedule {
    /// The schedule key: the catalogue entry (`bruteforce_ssh.AlertBruteforceSsh`).
    pub name: String,
    /// The task run (MozDef: the same dotted name).
    pub task: String,
    /// Whether the scheduler runs it.
    pub enabled: bool,
    /// A stable id.
    #[serde(rename = "_id")]
    pub id: String,
    /// `interval` or `crontab`, with its parameters.
    #[serde(flatten)]
    pub schedule: Schedule,
    /// The schedule as text (`1 minutes`, `*/5 * * * *`).
    pub schedule_str: String,
    /// When it last ran (written as MozDef's `isoformat()`, `+00:00`).
    #[serde(default, with = "isoformat_option")]
    pub last_run_at: Option<DateTime<Utc>>,
    /// How many times it ran.
    pub total_run_count: u64,
    /// Celery's run-now flag, kept for MozDef clients.
    #[serde(default)]
    pub run_immediately: bool,
    /// Celery fields MozDef clients send (args, kwargs, expires, queue...), kept as they are.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `schedule_type` + `celery_schedule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "schedule_type", content = "celery_schedule", rename_all = "lowercase")]
pub enum Schedule {
    /// Every `every` `period` (`seconds`, `minutes`, `hours`, `days`).
    Interval {
        /// How many periods.
        every: u64,
        /// The unit, plural as Python's timedelta keywords.
        period: String,
    },
    /// Celery's crontab: fields with `*`, `*/n`, `a-b`, `a-b/n` and comma lists.
    Crontab {
        /// Minutes 0-59.
        minute: String,
        /// Hours 0-23.
        hour: String,
        /// 0-6, Sunday = 0 (and 7), or `mon`..`sun`.
        day_of_week: String,
        /// 1-31.
        day_of_month: String,
        /// 1-12.
        month_of_year: String,
    },
}

impl Schedule {
    /// Every `minutes` minutes.
    pub fn every_minutes(minutes: u64) -> Self {
        Schedule::Interval { every: minutes, period: "minutes".into() }
    }

    /// A crontab from its five fields as written (`*/5 * * * *`: minute hour day-of-month
    /// month day-of-week, the usual order).
    pub fn crontab(text: &str) -> Result<Self, AlertError> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [minute, hour, day_of_month, month_of_year, day_of_week] = fields.as_slice() else {
            return Err(schedule_error(format!("crontab {text:?} does not have five fields")));
        };
        let schedule = Schedule::Crontab {
            minute: (*minute).into(),
            hour: (*hour).into(),
            day_of_week: (*day_of_week).into(),
            day_of_month: (*day_of_month).into(),
            month_of_year: (*month_of_year).into(),
        };
        schedule.validate()?;
        Ok(schedule)
    }

    /// MozDef's `schedule_str`.
    pub fn to_str(&self) -> String {
        match self {
            Schedule::Interval { every, period } => format!("{every} {period}"),
            Schedule::Crontab { minute, hour, day_of_week, day_of_month, month_of_year } => {
                format!("{minute} {hour} {day_of_week} {day_of_month} {month_of_year}")
            }
        }
    }

    /// Checks every field, naming the bad one.
    pub fn validate(&self) -> Result<(), AlertError> {
        match self {
            Schedule::Interval { .. } => self.interval().map(|_| ()),
            Schedule::Crontab { minute, hour, day_of_week, day_of_month, month_of_year } => {
                field_set("minute", minute, 0, 59)?;
                field_set("hour", hour, 0, 23)?;
                field_set("day_of_week", day_of_week, 0, 7)?;
                field_set("day_of_month", day_of_month, 1, 31)?;
                field_set("month_of_year", month_of_year, 1, 12)?;
                Ok(())
            }
        }
    }

    fn interval(&self) -> Result<Duration, AlertError> {
        let Schedule::Interval { every, period } = self else {
            return Err(schedule_error("not an interval".into()));
        };
        let every = i64::try_from(*every).map_err(|_| schedule_error(format!("interval {every} is too long")))?;
        let unit = match period.as_str() {
            "seconds" => Duration::seconds(1),
            "minutes" => Duration::minutes(1),
            "hours" => Duration::hours(1),
            "days" => Duration::days(1),
            "weeks" => Duration::weeks(1),
            other => return Err(schedule_error(format!("unknown interval period {other:?}"))),
        };
        if every <= 0 || every > 10_000_000 {
            return Err(schedule_error(format!("interval every {every} is out of range")));
        }
        Ok(unit * i32::try_from(every).map_err(|_| schedule_error("interval too long".into()))?)
    }

    /// Whether a run is due at `now` after a last run at `last` (never run: due).
    /// An interval is due once it has elapsed; a crontab when one of its minutes lies in
    /// `(last, now]` (runs missed while stopped collapse into one).
    pub fn is_due(&self, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<bool, AlertError> {
        let Some(last) = last else { return Ok(true) };
        match self {
            Schedule::Interval { .. } => Ok(now - last >= self.interval()?),
            Schedule::Crontab { minute, hour, day_of_week, day_of_month, month_of_year } => {
                let minutes = field_set("minute", minute, 0, 59)?;
                let hours = field_set("hour", hour, 0, 23)?;
                let weekdays = field_set("day_of_week", day_of_week, 0, 7)?;
                let days = field_set("day_of_month", day_of_month, 1, 31)?;
                let months = field_set("month_of_year", month_of_year, 1, 12)?;
                let floor = |t: DateTime<Utc>| t.duration_trunc(Duration::minutes(1)).unwrap_or(t);
                // Look back at most 8 days of minutes: enough for any weekly pattern.
                let mut at = floor(now);
                let stop = floor(last).max(at - Duration::days(8));
                while at > stop {
                    let weekday = at.weekday().num_days_from_sunday();
                    if months[at.month() as usize]
                        && days[at.day() as usize]
                        && (weekdays[weekday as usize] || (weekday == 0 && weekdays[7]))
                        && hours[at.hour() as usize]
                        && minutes[at.minute() as usize]
                    {
                        return Ok(true);
                    }
                    at -= Duration::minutes(1);
                }
                Ok(false)
            }
        }
    }
}

/// `Option<DateTime>` as MozDef's `isoformat()` text, read back with any RFC 3339 offset.
pub mod isoformat_option {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `isoformat()` text or null.
    pub fn serialize<S: Serializer>(value: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => s.serialize_str(&mozdef_model::isoformat(t)),
            None => s.serialize_none(),
        }
    }

    /// Reads RFC 3339 text or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| {
            DateTime::parse_from_rfc3339(&t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| serde::de::Error::custom(format!("last_run_at {t:?}: {e}")))
        })
        .transpose()
    }
}

fn schedule_error(message: String) -> AlertError {
    AlertError::Config { alert: "schedule".into(), message }
}

/// The values a crontab field allows, as a table indexed by value.
fn field_set(name: &str, text: &str, low: u32, high: u32) -> Result<Vec<bool>, AlertError> {
    let bad = |why: &str| schedule_error(format!("crontab {name} {text:?}: {why}"));
    let mut set = vec![false; high as usize + 1];
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().map_err(|_| bad("bad step"))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(bad("step 0"));
        }
        let value = |v: &str| -> Result<u32, AlertError> {
            let v = v.trim();
            let named =
                ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].iter().position(|d| v.eq_ignore_ascii_case(d));
            match named {
                Some(n) if name == "day_of_week" => Ok(n as u32),
                _ => v.parse::<u32>().map_err(|_| bad(&format!("{v:?} is not a number"))),
            }
        };
        let (from, to) = match range.trim() {
            "*" => (low, high),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                None if step > 1 => (value(r)?, high),
                None => (value(r)?, value(r)?),
            },
        };
        if from < low || to > high || from > to {
            return Err(bad(&format!("outside {low}-{high}")));
        }
        for v in (from..=to).step_by(step as usize) {
            set[v as usize] = true;
        }
    }
    Ok(set)
}

impl AlertSchedule {
    /// A new, enabled schedule for catalogue entry `name`.
    pub fn new(name: &str, schedule: Schedule) -> Self {
        AlertSchedule {
            name: name.to_owned(),
            task: name.to_owned(),
            enabled: true,
            id: name.to_owned(),
            schedule_str: schedule.to_str(),
            schedule,
            last_run_at: None,
            total_run_count: 0,
            run_immediately: false,
            extra: BTreeMap::new(),
        }
    }
}

/// MozDef's start-up merge (`lib/tasks.py`): every configured alert keeps the stored
/// `enabled`, `last_run_at` and `total_run_count`, takes the configured schedule; new alerts
/// start as configured (enabled, unless they need site settings first); stored alerts no
/// longer configured are dropped.
pub fn merge_configured(stored: &[AlertSchedule], configured: Vec<AlertSchedule>) -> Vec<AlertSchedule> {
    configured
        .into_iter()
        .map(|mut schedule| {
            if let Some(old) = stored.iter().find(|s| s.name == schedule.name) {
                schedule.enabled = old.enabled;
                schedule.last_run_at = old.last_run_at;
                schedule.total_run_count = old.total_run_count;
                schedule.id = old.id.clone();
            }
            schedule
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, m, 0).unwrap()
    }

    #[test]
    fn intervals() {
        let every = Schedule::every_minutes(5);
        assert!(every.is_due(None, at(10, 0)).unwrap(), "never run: due");
        assert!(!every.is_due(Some(at(10, 0)), at(10, 4)).unwrap());
        assert!(every.is_due(Some(at(10, 0)), at(10, 5)).unwrap());
        let bad = Schedule::Interval { every: 1, period: "fortnights".into() };
        assert!(bad.validate().unwrap_err().to_string().contains("fortnights"));
    }

    #[test]
    fn crontabs() {
        let every_five = Schedule::crontab("*/5 * * * *").unwrap();
        assert!(every_five.is_due(Some(at(10, 1)), at(10, 5)).unwrap());
        assert!(!every_five.is_due(Some(at(10, 5)), at(10, 9)).unwrap());
        assert!(every_five.is_due(Some(at(10, 5)), at(10, 10)).unwrap());
        // 2026-11-25 is a Wednesday.
        let weekdays_at_nine = Schedule::crontab("0 9 * * mon-fri").unwrap();
        assert!(weekdays_at_nine.is_due(Some(at(8, 0)), at(9, 0)).unwrap());
        assert!(!weekdays_at_nine.is_due(Some(at(9, 0)), at(23, 59)).unwrap());
        let sundays = Schedule::crontab("0 0 * * 7").unwrap();
        assert!(!sundays.is_due(Some(at(0, 0)), at(23, 0)).unwrap());
        assert!(sundays.is_due(Some(at(0, 0) - Duration::days(4)), at(0, 0)).unwrap());
        assert_eq!(every_five.to_str(), "*/5 * * * *");
        for bad in ["* * * *", "61 * * * *", "*/0 * * * *", "a * * * *", "5-1 * * * *"] {
            assert!(Schedule::crontab(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn documents_have_mozdefs_shape() {
        let mut s = AlertSchedule::new("bruteforce_ssh.AlertBruteforceSsh", Schedule::crontab("*/1 * * * *").unwrap());
        s.last_run_at = Some(at(10, 0));
        let doc = serde_json::to_value(&s).unwrap();
        assert_eq!(doc["schedule_type"], "crontab");
        assert_eq!(doc["celery_schedule"]["minute"], "*/1");
        assert_eq!(doc["schedule_str"], "*/1 * * * *");
        assert_eq!(doc["last_run_at"], "2026-11-25T10:00:00+00:00");
        assert_eq!(doc["_id"], "bruteforce_ssh.AlertBruteforceSsh");
        let back: AlertSchedule = serde_json::from_value(doc).unwrap();
        assert_eq!(back, s);
        let interval = serde_json::json!({"name": "a", "task": "a", "enabled": false, "_id": "x",
            "schedule_type": "interval", "celery_schedule": {"every": 1, "period": "minutes"},
            "schedule_str": "1 minutes", "last_run_at": null, "total_run_count": 3, "args": [], "queue": null});
        let parsed: AlertSchedule = serde_json::from_value(interval).unwrap();
        assert_eq!(parsed.schedule, Schedule::every_minutes(1));
        assert_eq!(parsed.extra["args"], serde_json::json!([]));
    }

    #[test]
    fn merge_keeps_run_state_and_drops_unconfigured() {
        let mut old = AlertSchedule::new("a", Schedule::every_minutes(1));
        old.enabled = false;
        old.total_run_count = 7;
        let gone = AlertSchedule::new("gone", Schedule::every_minutes(1));
        let merged = merge_configured(
            &[old, gone],
            vec![
                AlertSchedule::new("a", Schedule::every_minutes(5)),
                AlertSchedule::new("new", Schedule::every_minutes(1)),
            ],
        );
        assert_eq!(merged.len(), 2);
        assert!(!merged[0].enabled);
        assert_eq!(merged[0].total_run_count, 7);
        assert_eq!(merged[0].schedule, Schedule::every_minutes(5));
        assert!(merged[1].enabled);
    }
}
