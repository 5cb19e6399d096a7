//! Where alert schedules live (MozDef's Mongo `alertschedules`), a port of the alert domain:
//! SQLite in `mozdef dev`, DynamoDB on AWS. Every implementation passes
//! [`check_schedule_store`](crate::testing::check_schedule_store).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::BackendError;
use crate::schedule::AlertSchedule;

/// The schedule collection.
#[async_trait]
pub trait ScheduleStore: Send + Sync + std::fmt::Debug {
    /// Every schedule, by name.
    async fn list(&self) -> Result<Vec<AlertSchedule>, BackendError>;

    /// `/updatealertschedules`: replaces the whole collection.
    async fn replace_all(&self, schedules: &[AlertSchedule]) -> Result<(), BackendError>;

    /// `/syncalertschedules`: sets `last_run_at` and `total_run_count` of the schedules that
    /// exist (others are ignored); returns how many were updated.
    async fn sync_runs(&self, runs: &[(String, Option<DateTime<Utc>>, u64)]) -> Result<usize, BackendError>;

    /// Enables or disables one schedule; `false` when there is no such schedule.
    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<bool, BackendError>;

    /// Records one run at `at`: `last_run_at = at`, `total_run_count + 1`, atomically.
    async fn record_run(&self, name: &str, at: DateTime<Utc>) -> Result<(), BackendError>;
}
