//! `GET /api/health`: MozDef's health page in one answer (its crons `healthAndStatus`,
//! `sqs_queue_status`, `healthToMongo` and `eventStats`, computed when asked instead of every
//! minute): the store's health and node figures, events per second received and indexed over
//! the last minute, the event queues' depth, the quarantine's size, and the category counts of
//! the last 15 minutes.

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use chrono::Duration;
use mozdef_query::{Aggregation, SearchQuery};
use mozdef_store::SearchRequest;
use mozdef_store::indices::{QUARANTINE_INDEX, events_indices_between};
use serde_json::{Value, json};

use crate::auth::Role;
use crate::routes::Routes;
use crate::{ApiError, ApiState};

/// MozDef's `eventStats` window.
const CATEGORY_MINUTES: i64 = 15;

/// The health route, to be nested under `/api`.
pub(crate) fn routes() -> Routes {
    Routes::new().add(Method::GET, "/health", Role::Viewer, get(health))
}

/// Counts events of the last `minutes` in `indices` (and their top categories when
/// `categories`).
async fn count(
    state: &ApiState,
    indices: Vec<String>,
    minutes: i64,
    categories: bool,
) -> Result<(u64, Value), ApiError> {
    let mut query = SearchQuery::new(Some(Duration::minutes(minutes)));
    if categories {
        query.aggregations.push(Aggregation { field: "category".into(), size: 20 });
    }
    let request = SearchRequest { indices: &indices, query: &query, size: 0, now: state.clock.now() };
    let results = state.store.search(request).await?;
    // MozDef's `details.counts`: `[{<category>: n}, ...]`.
    let counts: Vec<Value> = results
        .aggregations
        .as_ref()
        .and_then(|a| a.get("category"))
        .and_then(|c| c.get("terms"))
        .and_then(Value::as_array)
        .map(|terms| terms.iter().filter_map(|t| Some(json!({t.get("key")?.as_str()?: t.get("count")?}))).collect())
        .unwrap_or_default();
    Ok((results.total.unwrap_or(0), json!(counts)))
}

async fn health(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let now = state.clock.now();
    let store = state.store.health().await?;
    let nodes = state.store.node_stats().await.unwrap_or_else(|error| {
        tracing::warn!(%error, "node statistics unavailable");
        Vec::new()
    });
    let recent = events_indices_between(now - Duration::minutes(CATEGORY_MINUTES), now);
    let (last_minute, _) = count(&state, recent.clone(), 1, false).await?;
    let (_, categories) = count(&state, recent, CATEGORY_MINUTES, true).await?;
    let (quarantined, _) = count(&state, vec![QUARANTINE_INDEX.to_owned()], 24 * 60, false).await?;
    let queues = match &state.queues {
        Some(queues) => match queues.depth().await {
            Ok(depth) => json!(depth),
            Err(error) => json!({"error": error.to_string()}),
        },
        None => json!([]),
    };
    let received = state.ingest_stats.as_ref().map(|s| s.snapshot());
    Ok(Json(json!({
        "time": mozdef_service::records::fields::timestamp(&now),
        "store": {
            "backend": store.backend,
            "status": store.status,
            "indices": store.indices,
            "documents": store.documents,
            "cluster": store.details,
        },
        "nodes": nodes,
        "events": {
            "indexedPerSecond": last_minute as f64 / 60.0,
            "sinceStart": received,
        },
        "queues": queues,
        "quarantine": {"lastDay": quarantined},
        "categories": {"minutes": CATEGORY_MINUTES, "counts": categories},
    })))
}
