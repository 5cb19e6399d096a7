//! MozDef's alert framework (`alerts/lib/alerttask.py`, inventory §3.1) on the query model,
//! free of any storage backend.
//!
//! An [`AlertTask`] names its query, the indices it searches and its [`Mode`]: one alert per
//! matching event (`walkEvents`), one per group of events sharing a field value with at least
//! a threshold of members (`searchEventsAggregated` + `walkAggregations`, grouped
//! client-side), or one when nothing matched (deadman). [`run_alert`] runs a task against an
//! [`AlertBackend`] at an injected `now`: it adds MozDef's dedup clause (`must_not
//! alert_names = <name>`), builds each alert document as `createAlertDict` did
//! ([`alert::Alert::to_document`], with `tagBotNotify`), saves it in `alerts-YYYYMM` under a
//! deterministic id and tags the contributing events, so an event raises a given alert once.
//!
//! The domain's ports — [`AlertBackend`] (search, save, tag), [`ScheduleStore`],
//! [`localities::LocalityStore`] (GeoModel's state) and [`AlertSink`] (where stored alerts
//! go) — are defined here and implemented by the backends; their errors
//! ([`BackendError`]) say whether a retry can help.

pub mod actions;
pub mod alert;
mod backend;
pub mod catalogue;
pub mod config;
mod context;
mod error;
pub mod geomodel;
pub mod localities;
pub mod plugin;
pub mod plugins;
mod run;
pub mod schedule;
mod schedule_store;
mod setup;
mod sink;
mod stateful;
mod task;
#[cfg(feature = "testing")]
pub mod testing;

pub use alert::{Alert, EventRef};
pub use backend::AlertBackend;
pub use catalogue::{Catalogue, CatalogueEntry};
pub use config::ConfigSource;
pub use context::{AlertContext, NoReverseDns, ReverseDns, StaticReverseDns};
pub use error::{AlertError, BackendError};
pub use plugin::AlertPlugin;
pub use run::{AlertEnv, RaisedAlert, alert_id, run_alert, save_alert};
pub use schedule::{AlertSchedule, Schedule};
pub use schedule_store::ScheduleStore;
pub use setup::{AlertSetup, LoadedAlerts};
pub use sink::{AlertSink, NoSink};
pub use stateful::StatefulAlert;
pub use task::{AggregationGroup, AlertTask, DEFAULT_INDICES, Mode, SEARCH_SIZE};
