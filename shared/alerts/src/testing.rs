//! Test support for the alert domain (behind the `testing` feature): the checks every
//! [`ScheduleStore`](crate::ScheduleStore) and
//! [`LocalityStore`](crate::localities::LocalityStore) implementation must pass, and
//! in-memory implementations of the ports — [`MemoryBackend`] (an
//! [`AlertBackend`](crate::AlertBackend) on the query crate's evaluator) and
//! [`MemoryLocalities`] — so the domain's own tests need no store.

mod localities;
mod memory;
mod memory_localities;
mod schedules;

pub use localities::check_locality_store;
pub use memory::MemoryBackend;
pub use memory_localities::MemoryLocalities;
pub use schedules::check_schedule_store;
