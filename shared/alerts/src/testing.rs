//! Test support for the alert domain's ports (behind the `testing` feature): the checks
//! every [`ScheduleStore`](crate::ScheduleStore) and
//! [`LocalityStore`](crate::localities::LocalityStore) implementation must pass.

mod localities;
mod schedules;

pub use localities::check_locality_store;
pub use schedules::check_schedule_store;
