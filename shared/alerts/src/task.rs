//! [`AlertTask`]: what an alert module declares (MozDef's `AlertTask` subclasses).

use mozdef_query::{Hit, QueryError, SearchQuery};
use serde_json::Value;

use crate::alert::Alert;
use crate::context::AlertContext;

/// The indices alerts search unless they say otherwise: `events` and `events-previous`.
pub const DEFAULT_INDICES: [&str; 2] = ["events", "events-previous"];

/// How many events one alert search fetches (MozDef: 1000; aggregation is client-side over
/// these, so a threshold above it can never fire — inventory §10).
pub const SEARCH_SIZE: usize = 1000;

/// How matching events become alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `searchEventsSimple` + `walkEvents`: [`AlertTask::on_event`] for each event.
    Events,
    /// `searchEventsAggregated(field, samples)` + `walkAggregations(threshold)`: events
    /// grouped by the value at `field`, [`AlertTask::on_aggregation`] for each group of at
    /// least `threshold` events.
    Aggregated {
        /// The dotted field to group by.
        field: String,
        /// How many sample events a group keeps (`events`); all are in `all_events`.
        samples: usize,
        /// The least number of events a group needs.
        threshold: u64,
    },
    /// A deadman check: [`AlertTask::on_no_event`] when nothing matched.
    Deadman,
}

/// One group of `searchEventsAggregated`: `{value, count, events, allevents}`.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregationGroup {
    /// The shared value.
    pub value: Value,
    /// How many events carry it.
    pub count: u64,
    /// The first `samples` of them, newest first.
    pub events: Vec<Hit>,
    /// All of them, newest first (all are tagged when the alert is raised).
    pub all_events: Vec<Hit>,
}

impl AggregationGroup {
    /// The value as text (strings as they are, other values as JSON).
    pub fn value_text(&self) -> String {
        match &self.value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// An alert module.
pub trait AlertTask: Send + Sync {
    /// The alert's name: MozDef's class name (`AlertBruteforceSsh`), or
    /// `AlertGenericLoader:<rule>` for generic rules. It is the dedup key and `classname`.
    fn name(&self) -> &str;

    /// The search, without the dedup clause the framework adds.
    fn query(&self, ctx: &AlertContext) -> Result<SearchQuery, QueryError>;

    /// How matches become alerts.
    fn mode(&self) -> Mode;

    /// The indices searched.
    fn indices(&self) -> Vec<String> {
        DEFAULT_INDICES.iter().map(|s| (*s).to_owned()).collect()
    }

    /// `onEvent`: the alert for one matching event, if any.
    fn on_event(&self, _event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        None
    }

    /// `onAggregation`: the alert for one group at or above the threshold, if any.
    fn on_aggregation(&self, _group: &AggregationGroup, _ctx: &AlertContext) -> Option<Alert> {
        None
    }

    /// `onNoEvent`: the deadman alert.
    fn on_no_event(&self, _ctx: &AlertContext) -> Option<Alert> {
        None
    }
}
