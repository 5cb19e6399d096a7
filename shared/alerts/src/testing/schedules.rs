//! The behaviour every [`ScheduleStore`] must have.

use chrono::{TimeZone, Utc};

use crate::schedule::{AlertSchedule, Schedule};
use crate::schedule_store::ScheduleStore;

/// The behaviour every [`ScheduleStore`] must have (call it from the implementation's tests
/// with an empty store); panics on the first difference.
pub async fn check_schedule_store(store: &dyn ScheduleStore) {
    let at = |m: u32| Utc.with_ymd_and_hms(2026, 11, 25, 10, m, 0).single().unwrap_or_default();
    assert!(store.list().await.map(|l| l.is_empty()).unwrap_or(false), "starts empty");
    let a = AlertSchedule::new("a.A", Schedule::every_minutes(1));
    let mut b = AlertSchedule::new("b.B", Schedule::Interval { every: 5, period: "minutes".into() });
    b.extra.insert("args".into(), serde_json::json!([]));
    store.replace_all(&[a.clone(), b.clone()]).await.unwrap_or_else(|e| panic!("replace_all: {e}"));
    let listed = store.list().await.unwrap_or_default();
    assert_eq!(listed, vec![a.clone(), b.clone()], "stored as given, by name");

    store.record_run("a.A", at(1)).await.unwrap_or_else(|e| panic!("record_run: {e}"));
    store.record_run("a.A", at(2)).await.unwrap_or_else(|e| panic!("record_run: {e}"));
    let runs = vec![("b.B".to_owned(), Some(at(3)), 9), ("missing.M".to_owned(), Some(at(3)), 1)];
    assert_eq!(store.sync_runs(&runs).await.ok(), Some(1), "only existing schedules are synced");
    assert_eq!(store.set_enabled("b.B", false).await.ok(), Some(true));
    assert_eq!(store.set_enabled("missing.M", false).await.ok(), Some(false));
    let listed = store.list().await.unwrap_or_default();
    assert_eq!(listed.len(), 2);
    assert_eq!((listed[0].last_run_at, listed[0].total_run_count), (Some(at(2)), 2));
    assert_eq!((listed[1].last_run_at, listed[1].total_run_count, listed[1].enabled), (Some(at(3)), 9, false));
    assert_eq!(listed[1].extra.get("args"), Some(&serde_json::json!([])), "unknown celery fields kept");

    store.replace_all(&[b.clone()]).await.unwrap_or_else(|e| panic!("replace_all: {e}"));
    assert_eq!(store.list().await.unwrap_or_default(), vec![b], "replacing drops the others");
}
