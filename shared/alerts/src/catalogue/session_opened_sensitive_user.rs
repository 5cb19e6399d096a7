//! `session_opened_sensitive_user.py` → `SessionOpenedUser`: an sshd session opened for one
//! of the sensitive users (`critical_users.json`) outside the windows when it is expected.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use mozdef_model::{Severity, isoformat};
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

/// One expected window of `scan_expected`, in hours, minutes and seconds of the day (UTC).
/// MozDef shipped the numbers as strings (`"05"`); numbers are accepted too.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExpectedWindow {
    /// Start hour.
    pub start_hour: Value,
    /// Start minute.
    pub start_minute: Value,
    /// Start second.
    pub start_second: Value,
    /// End hour.
    pub end_hour: Value,
    /// End minute.
    pub end_minute: Value,
    /// End second.
    pub end_second: Value,
}

/// `critical_users.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The sensitive users, by label; the values are matched as phrases in the summary.
    pub users: BTreeMap<String, String>,
    /// Windows of the day (UTC) when their sessions are expected and not reported.
    pub scan_expected: BTreeMap<String, ExpectedWindow>,
}

impl Default for Config {
    fn default() -> Self {
        let users = BTreeMap::from([("username1".into(), "user1".into()), ("username2".into(), "user2".into())]);
        let period = ExpectedWindow {
            start_hour: json!("03"),
            start_minute: json!("05"),
            start_second: json!("00"),
            end_hour: json!("04"),
            end_minute: json!("10"),
            end_second: json!("00"),
        };
        Config { users, scan_expected: BTreeMap::from([("period1".into(), period)]) }
    }
}

/// The alert.
#[derive(Debug, Clone)]
pub struct SessionOpenedUser {
    /// The user names, at least one.
    users: Vec<String>,
    /// The expected windows, as times of day.
    expected: Vec<(NaiveTime, NaiveTime)>,
}

/// The catalogue entry.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("session_opened_sensitive_user")?;
    let config_error = |message: String| AlertError::Config { alert: "session_opened_sensitive_user".into(), message };
    let users: Vec<String> = config.users.into_values().filter(|u| !u.trim().is_empty()).collect();
    if users.is_empty() {
        return Err(config_error("users: at least one user is needed".into()));
    }
    let mut expected = Vec::new();
    for (name, window) in &config.scan_expected {
        let start = time_of_day(&window.start_hour, &window.start_minute, &window.start_second)
            .ok_or_else(|| config_error(format!("scan_expected.{name}: bad start time")))?;
        let end = time_of_day(&window.end_hour, &window.end_minute, &window.end_second)
            .ok_or_else(|| config_error(format!("scan_expected.{name}: bad end time")))?;
        expected.push((start, end));
    }
    Ok(CatalogueEntry::single("session_opened_sensitive_user", SessionOpenedUser { users, expected }))
}

/// A time of day from hour, minute and second given as numbers or numeric strings.
fn time_of_day(hour: &Value, minute: &Value, second: &Value) -> Option<NaiveTime> {
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse::<u32>().ok(),
        _ => None,
    };
    NaiveTime::from_hms_opt(number(hour)?, number(minute)?, number(second)?)
}

/// `time` on the (UTC) day of `now`, as the date string of a range bound.
fn on_day_of(now: DateTime<Utc>, time: NaiveTime) -> String {
    isoformat(&now.date_naive().and_time(time).and_utc())
}

impl AlertTask for SessionOpenedUser {
    fn name(&self) -> &str {
        "SessionOpenedUser"
    }

    fn query(&self, ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(10)));
        query.add_must(Match::term("category", "syslog"));
        query.add_must(Match::term("details.program", "sshd"));
        query.add_must(Match::query_string("summary:\"session opened\"")?);
        // MozDef took "today" from the host clock (local time, microseconds kept); here it is
        // the day of the run's clock, in UTC, to the second.
        for (start, end) in &self.expected {
            query.add_must_not(Match::range(
                "utctimestamp",
                Some(json!(on_day_of(ctx.now, *start))),
                Some(json!(on_day_of(ctx.now, *end))),
            ));
        }
        let users = self.users.iter().map(|user| Match::phrase("summary", user.as_str())).collect();
        query.add_must(Match::boolean(Vec::new(), Vec::new(), users));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.program".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        let hosts: BTreeSet<&str> =
            group.events.iter().filter_map(|event| event.source.get("hostname").and_then(Value::as_str)).collect();
        let summary = format!(
            "Session opened by a sensitive user outside of the expected window - sample hosts: {} [total {} hosts]",
            hosts.into_iter().collect::<Vec<_>>().join(" "),
            group.count
        );
        Some(Alert::new(summary, "session", &["pam", "syslog"], group.events.clone()).severity(Severity::Warning))
    }
}
