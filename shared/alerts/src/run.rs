//! Running one alert: search with the dedup clause, walk events or groups, save each alert
//! under a deterministic id and tag its events.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use mozdef_model::{Document, get_path};
use mozdef_query::{Hit, Match};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::alert::{Alert, EventRef};
use crate::backend::AlertBackend;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::plugin::{AlertPlugin, run_plugins};
use crate::task::{AggregationGroup, AlertTask, Mode, SEARCH_SIZE};

/// An alert that was raised and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RaisedAlert {
    /// Where it is stored.
    pub stored: EventRef,
    /// The document.
    pub document: Document,
}

/// Where alerts run: the store and the enabled alert plugins.
#[derive(Clone, Copy)]
pub struct AlertEnv<'a> {
    /// Searches events, saves alerts, tags events.
    pub backend: &'a dyn AlertBackend,
    /// The enabled alert plugins (MozDef's `ALERT_PLUGINS`), run before each save.
    pub plugins: &'a [Arc<dyn AlertPlugin>],
}

/// Runs `task` once at `ctx.now`: every alert it raises goes through the plugins, is saved
/// and its events tagged.
pub async fn run_alert(
    task: &dyn AlertTask,
    env: AlertEnv<'_>,
    ctx: &AlertContext,
) -> Result<Vec<RaisedAlert>, AlertError> {
    let backend = env.backend;
    let now = ctx.now;
    let name = task.name().to_owned();
    let query_error = |source| AlertError::Query { alert: name.clone(), source };
    let store_error = |source| AlertError::Store { alert: name.clone(), source };
    let mut query = task.query(ctx).map_err(query_error)?;
    let mode = task.mode();
    if mode != Mode::Deadman {
        query.add_must_not(Match::term("alert_names", name.clone()));
    }
    if let Mode::Aggregated { field, .. } = &mode {
        query.add_must(Match::exists(field.clone()));
    }
    let size = if mode == Mode::Deadman { 1 } else { SEARCH_SIZE };
    let hits = backend.search(&task.indices(), &query, size, now).await.map_err(store_error)?.hits;
    let mut raised = Vec::new();
    match &mode {
        Mode::Events => {
            for hit in &hits {
                if let Some(alert) = task.on_event(hit, ctx) {
                    raised.push(save_alert(task.name(), env, alert, std::slice::from_ref(hit), ctx).await?);
                }
            }
        }
        Mode::Aggregated { field, samples, threshold } => {
            for group in group_by(&hits, field, *samples) {
                if group.count < *threshold {
                    continue;
                }
                if let Some(alert) = task.on_aggregation(&group, ctx) {
                    raised.push(save_alert(task.name(), env, alert, &group.all_events, ctx).await?);
                }
            }
        }
        Mode::Deadman => {
            if hits.is_empty()
                && let Some(alert) = task.on_no_event(ctx)
            {
                raised.push(save_alert(task.name(), env, alert, &[], ctx).await?);
            }
        }
    }
    tracing::debug!(alert = %name, events = hits.len(), raised = raised.len(), "alert ran");
    Ok(raised)
}

/// MozDef's client-side grouping: by the value at `field`, largest group first (ties in
/// order of first appearance, as `Counter.most_common`), events newest first.
pub(crate) fn group_by(hits: &[Hit], field: &str, samples: usize) -> Vec<AggregationGroup> {
    let mut groups: Vec<AggregationGroup> = Vec::new();
    let mut positions: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for hit in hits {
        let source = Value::Object(hit.source.clone());
        let Some(value) = get_path(&source, field).filter(|v| !v.is_null()) else { continue };
        let key = value.to_string();
        let at = *positions.entry(key).or_insert_with(|| {
            groups.push(AggregationGroup {
                value: value.clone(),
                count: 0,
                events: Vec::new(),
                all_events: Vec::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[at];
        group.count += 1;
        if group.events.len() < samples {
            group.events.push(hit.clone());
        }
        group.all_events.push(hit.clone());
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    groups
}

/// Saves one alert of the alert named `name` as the framework does: the document
/// (`createAlertDict` + `tagBotNotify`), the plugins (not for an alert without events, as
/// MozDef's deadman path), a deterministic id, then `tagged` events tagged with the alert.
/// Stateful alerts ([`crate::StatefulAlert`]) call it for each alert they raise.
pub async fn save_alert(
    name: &str,
    env: AlertEnv<'_>,
    alert: Alert,
    tagged: &[Hit],
    ctx: &AlertContext,
) -> Result<RaisedAlert, AlertError> {
    let (backend, now) = (env.backend, ctx.now);
    let store_error = |source| AlertError::Store { alert: name.to_owned(), source };
    let document = alert.to_document(name, now);
    // Deadman alerts went straight to saving in MozDef (no plugins).
    let document = if tagged.is_empty() { document } else { run_plugins(env.plugins, document, backend, ctx).await };
    let id = alert_id(name, tagged, &alert.summary, now);
    let stored = backend.save_alert(&id, &document, now).await.map_err(store_error)?;
    let refs: Vec<EventRef> = tagged.iter().map(crate::alert::event_ref).collect();
    if !refs.is_empty() {
        backend.tag_events(&refs, name, &stored).await.map_err(store_error)?;
    }
    tracing::info!(alert = name, id = %stored.id, index = %stored.index, summary = %alert.summary, "alert raised");
    Ok(RaisedAlert { stored, document })
}

/// A deterministic alert id: the same alert over the same events is the same document, so
/// a run repeated after a failure between saving and tagging cannot store it twice. A
/// deadman alert has no events; its id is per minute and per summary (one task checking
/// several hosts raises one alert per silent host).
pub fn alert_id(name: &str, events: &[Hit], summary: &str, now: DateTime<Utc>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    if events.is_empty() {
        hasher.update(now.format("|deadman|%Y-%m-%dT%H:%M|").to_string().as_bytes());
        hasher.update(summary.as_bytes());
    }
    let mut ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    for id in ids {
        hasher.update(b"|");
        hasher.update(id.as_bytes());
    }
    hasher.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}
