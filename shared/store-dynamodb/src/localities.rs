//! GeoModel's state in one DynamoDB table keyed by `id` (string): `user:<name>` items hold a
//! user's locality document (`doc`, JSON) with a `version` for conditional writes and an
//! `expires_at` (epoch seconds) for the table's TTL, so users not seen for a while vanish;
//! `execution:<name>` items hold the time an analysis last ran up to.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use mozdef_alerts::BackendError;
use mozdef_alerts::localities::{LocalityStore, Versioned};
use mozdef_model::{Document, isoformat};

use crate::error::{call_error, is_condition_failure};
use crate::table::text;

/// The locality table.
#[derive(Debug, Clone)]
pub struct DynamoLocalities {
    client: Client,
    table: String,
    ttl: Duration,
}

fn corrupt(why: String) -> BackendError {
    BackendError::Failed(format!("locality table {why}"))
}

impl DynamoLocalities {
    /// The state in `table`; a user's item expires `ttl` after its last write (GeoModel's
    /// `valid_duration_days` is the natural value).
    pub fn new(client: Client, table: impl Into<String>, ttl: Duration) -> Self {
        DynamoLocalities { client, table: table.into(), ttl }
    }

    /// Creates the table (key `id`, on-demand, TTL on `expires_at`) if it does not exist;
    /// CloudFormation creates it on AWS.
    pub async fn ensure_table(&self) -> Result<(), BackendError> {
        crate::table::ensure_table(&self.client, &self.table, "id", Some("expires_at")).await
    }

    async fn item(&self, id: String) -> Result<Option<HashMap<String, AttributeValue>>, BackendError> {
        let found = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", text(id))
            .consistent_read(true)
            .send()
            .await
            .map_err(call_error("get item"))?;
        Ok(found.item().cloned())
    }
}

impl DynamoLocalities {}

#[async_trait]
impl LocalityStore for DynamoLocalities {
    async fn get(&self, username: &str) -> Result<Option<Versioned>, BackendError> {
        let Some(item) = self.item(format!("user:{username}")).await? else { return Ok(None) };
        let doc = item.get("doc").and_then(|v| v.as_s().ok()).ok_or_else(|| corrupt("item without doc".into()))?;
        let document: Document = serde_json::from_str(doc).map_err(|e| corrupt(format!("doc: {e}")))?;
        let version = item
            .get("version")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| corrupt("item without version".into()))?;
        Ok(Some(Versioned { document, version }))
    }

    async fn put(&self, username: &str, document: &Document, expected: Option<u64>) -> Result<bool, BackendError> {
        let doc = serde_json::to_string(document).map_err(|e| BackendError::Failed(e.to_string()))?;
        let next = expected.map_or(1, |v| v + 1);
        let expires_at = Utc::now().timestamp().saturating_add(i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX));
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("id", text(format!("user:{username}")))
            .item("doc", text(doc))
            .item("version", AttributeValue::N(next.to_string()))
            .item("expires_at", AttributeValue::N(expires_at.to_string()));
        let request = match expected {
            None => request.condition_expression("attribute_not_exists(id)"),
            Some(version) => request
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", AttributeValue::N(version.to_string())),
        };
        match request.send().await {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(call_error("put locality state")(e)),
        }
    }

    async fn execution_time(&self, name: &str) -> Result<Option<DateTime<Utc>>, BackendError> {
        let Some(item) = self.item(format!("execution:{name}")).await? else { return Ok(None) };
        let at = item.get("at").and_then(|v| v.as_s().ok()).ok_or_else(|| corrupt("execution without at".into()))?;
        let at = DateTime::parse_from_rfc3339(at).map_err(|e| corrupt(format!("execution time {at:?}: {e}")))?;
        Ok(Some(at.with_timezone(&Utc)))
    }

    async fn set_execution_time(&self, name: &str, at: DateTime<Utc>) -> Result<(), BackendError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("id", text(format!("execution:{name}")))
            .item("at", text(isoformat(&at)))
            .send()
            .await
            .map_err(call_error("put execution time"))?;
        Ok(())
    }
}
