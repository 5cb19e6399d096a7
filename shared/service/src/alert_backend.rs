//! The alert framework's [`AlertBackend`] on any [`EventStore`]: alerts run the same on the
//! embedded store and on OpenSearch.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_alerts::{AlertBackend, BackendError, EventRef};
use mozdef_model::Document;
use mozdef_query::{SearchQuery, SearchResults};
use mozdef_store::indices::alerts_index;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome, SearchRequest, StoreError};

/// Searches events, saves alerts in `alerts-YYYYMM` and tags events, on one store.
#[derive(Debug, Clone)]
pub struct StoreAlertBackend {
    store: Arc<dyn EventStore>,
}

impl StoreAlertBackend {
    /// The backend on `store`.
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        StoreAlertBackend { store }
    }
}

/// A store error as the alert domain sees it: retryable or not, as the store said.
pub fn backend_error(error: StoreError) -> BackendError {
    if error.is_retryable() {
        BackendError::Unavailable(error.to_string())
    } else {
        BackendError::Failed(error.to_string())
    }
}

#[async_trait]
impl AlertBackend for StoreAlertBackend {
    async fn search(
        &self,
        indices: &[String],
        query: &SearchQuery,
        size: usize,
        now: DateTime<Utc>,
    ) -> Result<SearchResults, BackendError> {
        self.store.search(SearchRequest { indices, query, size, now }).await.map_err(backend_error)
    }

    async fn save_alert(&self, id: &str, alert: &Document, now: DateTime<Utc>) -> Result<EventRef, BackendError> {
        let index = alerts_index(now);
        let request = IndexRequest { index: index.clone(), id: id.to_owned(), source: alert.clone() };
        put_alert(self.store.as_ref(), request).await.map_err(backend_error)?;
        Ok(EventRef { index, id: id.to_owned() })
    }

    async fn tag_events(&self, events: &[EventRef], alert_name: &str, alert: &EventRef) -> Result<(), BackendError> {
        let outcomes = self.store.tag_alert(events, alert_name, alert).await.map_err(backend_error)?;
        for (event, outcome) in events.iter().zip(outcomes) {
            match outcome {
                ItemOutcome::Indexed => {}
                // The event is gone (pruned, or replaced under another id): nothing to tag.
                ItemOutcome::Reject(reason) => {
                    tracing::warn!(alert = alert_name, event = %event.id, reason, "event not tagged")
                }
                // The alert is stored under a deterministic id: the next run raises the same
                // document again instead of a duplicate, and tags then.
                ItemOutcome::Retry(reason) => {
                    return Err(BackendError::Unavailable(format!("tagging {}: {reason}", event.id)));
                }
            }
        }
        self.store.refresh().await.map_err(backend_error)
    }
}

/// Stores one alert document (created or replaced) and makes it visible.
pub(crate) async fn put_alert(store: &dyn EventStore, request: IndexRequest) -> Result<(), StoreError> {
    let id = request.id.clone();
    match store.index(std::slice::from_ref(&request)).await?.as_slice() {
        [ItemOutcome::Indexed] => {}
        [ItemOutcome::Retry(reason)] => return Err(StoreError::Unavailable(format!("alert {id}: {reason}"))),
        [ItemOutcome::Reject(reason)] => return Err(StoreError::Backend(format!("alert {id}: {reason}"))),
        other => return Err(StoreError::Backend(format!("{} outcomes for one alert", other.len()))),
    }
    store.refresh().await
}
