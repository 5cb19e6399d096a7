//! [`OpenSearchStore`]: the [`EventStore`] on an OpenSearch cluster.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_query::{AggregationBucket, AggregationResult, Hit, Meta, SearchResults};
use mozdef_store::indices::{expand, is_valid_index_name};
use mozdef_store::{
    Dashboard, EventRef, EventStore, IndexRequest, ItemOutcome, SearchRequest, StoreError, StoreHealth,
};
use opensearch::http::Method;
use serde_json::{Map, Value, json};

use crate::client::Client;
use crate::config::OpenSearchConfig;
use crate::translate::{aggregation_name, search_body};
use crate::{OpenSearchError, bulk, kibana, nodes};

/// MozDef's event and alert store on OpenSearch.
#[derive(Debug, Clone)]
pub struct OpenSearchStore {
    client: Client,
    config: Arc<OpenSearchConfig>,
}

/// The query parameters of every multi-index read: missing daily indices are no error.
const LENIENT: [(&str, &str); 3] =
    [("ignore_unavailable", "true"), ("allow_no_indices", "true"), ("expand_wildcards", "open")];

impl OpenSearchStore {
    /// A store on the cluster `config` names (validated here; no request is made).
    pub fn open(config: OpenSearchConfig) -> Result<Self, OpenSearchError> {
        let client = Client::connect(&config)?;
        Ok(OpenSearchStore { client, config: Arc::new(config) })
    }

    /// Like [`open`](Self::open), then waits up to `wait` for the cluster to answer with
    /// yellow or green health.
    pub async fn connect(config: OpenSearchConfig, wait: std::time::Duration) -> Result<Self, OpenSearchError> {
        let store = Self::open(config)?;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match store.cluster_health().await {
                Ok(h) if h["status"] == "green" || h["status"] == "yellow" => return Ok(store),
                Ok(h) if tokio::time::Instant::now() >= deadline => {
                    return Err(OpenSearchError::Unreachable(format!("cluster health is {}", h["status"])));
                }
                Err(e) if tokio::time::Instant::now() >= deadline => return Err(e),
                _ => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
            }
        }
    }

    /// The settings the store was opened with.
    pub fn config(&self) -> &OpenSearchConfig {
        &self.config
    }

    /// The client (lifecycle functions take it).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `GET _cluster/health`, as OpenSearch answers it.
    pub async fn cluster_health(&self) -> Result<Value, OpenSearchError> {
        self.client.json(Method::Get, "/_cluster/health", &[], None).await
    }

    /// The cluster names of the indices `names` stand for at `now`, comma-joined.
    fn targets(&self, names: &[String], now: DateTime<Utc>) -> Result<String, OpenSearchError> {
        let mut out: Vec<String> = Vec::new();
        for name in names {
            let expanded = expand(name, now).ok_or_else(|| OpenSearchError::IndexName(name.clone()))?;
            out.extend(expanded.iter().map(|n| self.client.physical(n)));
        }
        out.sort();
        out.dedup();
        Ok(out.join(","))
    }

    fn hit(&self, raw: &Value) -> Result<Hit, OpenSearchError> {
        let bad = |message: &str| OpenSearchError::Response { what: "_search".into(), message: message.into() };
        let id = raw["_id"].as_str().ok_or_else(|| bad("a hit without _id"))?;
        let index = raw["_index"].as_str().ok_or_else(|| bad("a hit without _index"))?;
        let source = match &raw["_source"] {
            Value::Object(map) => map.clone(),
            _ => return Err(bad("a hit without an object _source")),
        };
        Ok(Hit { id: id.to_owned(), index: self.client.logical(index).unwrap_or(index).to_owned(), score: 1.0, source })
    }

    /// Whether the store is an OpenSearch Serverless collection, which has neither nodes to
    /// report nor Dashboards' saved-objects index.
    fn serverless(&self) -> bool {
        #[cfg(feature = "aws-auth")]
        let serverless =
            matches!(&self.config.auth, crate::Auth::SigV4 { service: crate::SigningService::Serverless, .. });
        #[cfg(not(feature = "aws-auth"))]
        let serverless = false;
        serverless
    }

    async fn search_raw(&self, targets: &str, body: Value) -> Result<Value, OpenSearchError> {
        if targets.is_empty() {
            return Ok(json!({"hits": {"hits": [], "total": {"value": 0}}, "timed_out": false}));
        }
        self.client.json(Method::Post, &format!("/{targets}/_search"), &LENIENT, Some(body)).await
    }
}

#[async_trait]
impl EventStore for OpenSearchStore {
    async fn index(&self, docs: &[IndexRequest]) -> Result<Vec<ItemOutcome>, StoreError> {
        Ok(bulk::index_all(&self.client, docs, self.config.bulk, self.config.retry).await)
    }

    async fn refresh(&self) -> Result<(), StoreError> {
        let path = format!("/{}*/_refresh", self.client.prefix());
        self.client.json(Method::Post, &path, &LENIENT, None).await?;
        Ok(())
    }

    async fn search(&self, request: SearchRequest<'_>) -> Result<SearchResults, StoreError> {
        let body = search_body(request.query, request.size, request.now)?;
        let targets = self.targets(request.indices, request.now)?;
        let answer = self.search_raw(&targets, body).await?;
        let hits = answer["hits"]["hits"]
            .as_array()
            .map(|hits| hits.iter().map(|h| self.hit(h)).collect::<Result<Vec<_>, _>>())
            .transpose()?
            .unwrap_or_default();
        let aggregations = if request.query.aggregations.is_empty() {
            None
        } else {
            let mut out = Map::new();
            for (n, aggregation) in request.query.aggregations.iter().enumerate() {
                let buckets = answer["aggregations"][aggregation_name(n)]["buckets"].as_array().cloned();
                let terms = buckets.unwrap_or_default().iter().map(bucket).collect();
                let result = serde_json::to_value(AggregationResult { terms })
                    .map_err(|e| StoreError::Backend(e.to_string()))?;
                out.insert(aggregation.field.clone(), result);
            }
            Some(out)
        };
        Ok(SearchResults {
            hits,
            meta: Meta { timed_out: answer["timed_out"].as_bool().unwrap_or(false) },
            total: answer["hits"]["total"]["value"].as_u64(),
            aggregations,
        })
    }

    async fn get(&self, indices: &[String], id: &str, now: DateTime<Utc>) -> Result<Option<Hit>, StoreError> {
        let targets = self.targets(indices, now)?;
        let body = json!({"query": {"ids": {"values": [id]}}, "size": 1});
        let answer = self.search_raw(&targets, body).await?;
        match answer["hits"]["hits"].get(0) {
            Some(raw) => Ok(Some(self.hit(raw)?)),
            None => Ok(None),
        }
    }

    async fn list_indices(&self) -> Result<Vec<String>, StoreError> {
        Ok(list(&self.client).await?.into_iter().map(|i| i.name).collect())
    }

    async fn tag_alert(
        &self,
        events: &[EventRef],
        alert_name: &str,
        alert: &EventRef,
    ) -> Result<Vec<ItemOutcome>, StoreError> {
        Ok(bulk::tag_alert_all(&self.client, events, alert_name, alert, self.config.bulk, self.config.retry).await)
    }

    async fn health(&self) -> Result<StoreHealth, StoreError> {
        let details = self.cluster_health().await?;
        let indices = list(&self.client).await?;
        Ok(StoreHealth {
            backend: "opensearch",
            status: details["status"].as_str().unwrap_or("red").to_owned(),
            documents: indices.iter().map(|i| i.documents).sum(),
            indices: indices.len(),
            details,
        })
    }

    async fn dashboards(&self) -> Result<Vec<Dashboard>, StoreError> {
        if self.serverless() {
            return Ok(Vec::new());
        }
        Ok(kibana::list_dashboards(&self.client).await?)
    }

    async fn node_stats(&self) -> Result<Vec<Value>, StoreError> {
        if self.serverless() {
            return Ok(Vec::new());
        }
        Ok(nodes::node_stats(&self.client).await?)
    }
}

fn bucket(raw: &Value) -> AggregationBucket {
    let key = match (&raw["key_as_string"], &raw["key"]) {
        (Value::String(s), _) | (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    };
    AggregationBucket { key, count: raw["doc_count"].as_u64().unwrap_or(0) }
}

/// One MozDef index of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexInfo {
    /// The MozDef name (without the prefix).
    pub name: String,
    /// Whether it is open.
    pub open: bool,
    /// Documents (0 for a closed index).
    pub documents: u64,
}

/// The MozDef indices under the client's prefix (open and closed), sorted by name.
pub async fn list(client: &Client) -> Result<Vec<IndexInfo>, OpenSearchError> {
    let path = format!("/_cat/indices/{}*", client.prefix());
    let query = [("format", "json"), ("h", "index,status,docs.count"), ("expand_wildcards", "open,closed")];
    let answer = client.json(Method::Get, &path, &query, None).await?;
    let mut out: Vec<IndexInfo> = answer
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|row| {
                    let name = client.logical(row["index"].as_str()?)?;
                    is_valid_index_name(name).then(|| IndexInfo {
                        name: name.to_owned(),
                        open: row["status"] != "close",
                        documents: row["docs.count"].as_str().and_then(|c| c.parse().ok()).unwrap_or(0),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
