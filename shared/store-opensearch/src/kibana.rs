//! The dashboards OpenSearch Dashboards keeps as saved objects in its `.kibana` index
//! (MozDef's `/kibanadashboards`): documents `dashboard:<id>` with `type: dashboard` and the
//! title under `dashboard.title`. The index belongs to Dashboards, not to MozDef, so it never
//! carries the store's index prefix; where Dashboards has made `.kibana` an alias (of
//! `.kibana_1`, …) the search goes through the alias.

use mozdef_store::Dashboard;
use opensearch::http::Method;
use serde_json::{Value, json};

use crate::{Client, OpenSearchError};

/// The index (or alias) of Dashboards' saved objects: the global tenant's.
pub const SAVED_OBJECTS_INDEX: &str = ".kibana";

/// At most this many dashboards are listed (MozDef's search size).
pub const MAX_DASHBOARDS: usize = 1000;

/// The prefix of a dashboard's saved-object document id.
const ID_PREFIX: &str = "dashboard:";

/// The dashboards in [`SAVED_OBJECTS_INDEX`], sorted by name (then id); none when the index
/// does not exist (Dashboards never ran against this cluster).
pub async fn list_dashboards(client: &Client) -> Result<Vec<Dashboard>, OpenSearchError> {
    let body = json!({
        "size": MAX_DASHBOARDS,
        "query": {"term": {"type": "dashboard"}},
        "_source": ["dashboard.title"],
    });
    let path = format!("/{SAVED_OBJECTS_INDEX}/_search");
    let answer = match client.json(Method::Post, &path, &[], Some(body)).await {
        Ok(answer) => answer,
        Err(OpenSearchError::Status { status: 404, reason, .. }) if reason.starts_with("index_not_found_exception") => {
            tracing::debug!(index = SAVED_OBJECTS_INDEX, "no saved-objects index: no dashboards");
            return Ok(Vec::new());
        }
        Err(e) => return Err(e),
    };
    dashboards_of(&answer)
}

/// The dashboards of a `_search` answer on the saved-objects index, sorted by name (then id).
/// Hits without a title are left out (and logged); an answer without `hits.hits` is an error.
pub fn dashboards_of(answer: &Value) -> Result<Vec<Dashboard>, OpenSearchError> {
    let what = format!("POST /{SAVED_OBJECTS_INDEX}/_search");
    let hits = answer["hits"]["hits"]
        .as_array()
        .ok_or_else(|| OpenSearchError::Response { what, message: "no hits.hits array".into() })?;
    let mut out: Vec<Dashboard> = hits
        .iter()
        .filter_map(|hit| {
            let raw_id = hit["_id"].as_str().unwrap_or_default();
            match hit["_source"]["dashboard"]["title"].as_str() {
                Some(title) if !raw_id.is_empty() => Some(Dashboard {
                    name: title.to_owned(),
                    id: raw_id.strip_prefix(ID_PREFIX).unwrap_or(raw_id).to_owned(),
                }),
                _ => {
                    tracing::warn!(
                        id = raw_id,
                        index = SAVED_OBJECTS_INDEX,
                        "a dashboard saved object without an id or title is left out"
                    );
                    None
                }
            }
        })
        .collect();
    if let Some(total) = answer["hits"]["total"]["value"].as_u64()
        && total > MAX_DASHBOARDS as u64
    {
        tracing::warn!(total, listed = MAX_DASHBOARDS, "more dashboards than are listed");
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dashboards_are_titled_unprefixed_and_sorted() {
        let answer = json!({"hits": {"total": {"value": 4}, "hits": [
            {"_id": "dashboard:z1", "_source": {"dashboard": {"title": "SSH"}}},
            {"_id": "dashboard:a2", "_source": {"dashboard": {"title": "Alerts"}}},
            {"_id": "legacy-id", "_source": {"dashboard": {"title": "Old"}}},
            {"_id": "dashboard:untitled", "_source": {"dashboard": {}}},
        ]}});
        let got = dashboards_of(&answer).unwrap();
        let pairs: Vec<(&str, &str)> = got.iter().map(|d| (d.name.as_str(), d.id.as_str())).collect();
        assert_eq!(pairs, vec![("Alerts", "a2"), ("Old", "legacy-id"), ("SSH", "z1")]);
    }

    #[test]
    fn an_answer_without_hits_is_named() {
        let err = dashboards_of(&json!({"error": "x"})).unwrap_err();
        assert!(err.to_string().contains("no hits.hits array"), "{err}");
    }
}
