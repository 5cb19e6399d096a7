//! Shipper tokens in a DynamoDB table whose partition key is `hash` (string: the SHA-256 of
//! the secret, lowercase hex), so the check of a presented token is one consistent `GetItem`.
//! Each item also holds `name`, `created` and, once revoked, `revoked_at` (RFC 3339 strings).
//! No sort key, no index, no TTL: revoking scans for the name, which is rare and the table
//! small (one item per token ever issued).

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use mozdef_alerts::BackendError;
use mozdef_model::isoformat;
use mozdef_store::{ShipperToken, ShipperTokenStore, StoreError};

use crate::error::{call_error, is_condition_failure};
use crate::table::text;

type Item = HashMap<String, AttributeValue>;

/// The shipper token table.
#[derive(Debug, Clone)]
pub struct DynamoShipperTokens {
    client: Client,
    table: String,
}

/// A port error as a storage error, keeping whether a retry may help.
fn store_error(error: BackendError) -> StoreError {
    match error {
        BackendError::Unavailable(m) => StoreError::Unavailable(m),
        BackendError::Failed(m) => StoreError::Backend(m),
    }
}

fn corrupt(why: String) -> StoreError {
    StoreError::Backend(format!("shipper token table {why}"))
}

fn time(item: &Item, attribute: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let Some(value) = item.get(attribute) else { return Ok(None) };
    let text = value.as_s().map_err(|_| corrupt(format!("{attribute} is not a string")))?;
    let at = DateTime::parse_from_rfc3339(text).map_err(|e| corrupt(format!("{attribute} {text:?}: {e}")))?;
    Ok(Some(at.with_timezone(&Utc)))
}

fn decode(item: &Item) -> Result<ShipperToken, StoreError> {
    let string = |attribute: &str| {
        item.get(attribute)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .ok_or_else(|| corrupt(format!("item without {attribute}")))
    };
    let created = time(item, "created")?.ok_or_else(|| corrupt("item without created".into()))?;
    Ok(ShipperToken { name: string("name")?, hash: string("hash")?, created, revoked_at: time(item, "revoked_at")? })
}

impl DynamoShipperTokens {
    /// The tokens in `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoShipperTokens { client, table: table.into() }
    }

    /// Creates the table (on-demand billing, partition key `hash`) if it does not exist: for
    /// emulators and tests; CloudFormation creates it on AWS.
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        crate::table::ensure_table(&self.client, &self.table, "hash", None).await.map_err(store_error)
    }

    /// Every item matching `filter` (a scan, all pages, strongly consistent).
    async fn scan(&self, filter: Option<(&str, Vec<(&str, AttributeValue)>)>) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut request =
                self.client.scan().table_name(&self.table).consistent_read(true).set_exclusive_start_key(start.take());
            if let Some((expression, values)) = &filter {
                request = request.filter_expression(*expression).expression_attribute_names("#name", "name");
                for (placeholder, value) in values {
                    request = request.expression_attribute_values(*placeholder, value.clone());
                }
            }
            let page = request.send().await.map_err(call_error("scan shipper tokens")).map_err(store_error)?;
            items.extend(page.items().iter().cloned());
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(items),
            }
        }
    }
}

#[async_trait]
impl ShipperTokenStore for DynamoShipperTokens {
    async fn insert(&self, token: &ShipperToken) -> Result<(), StoreError> {
        let mut request = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("hash", text(&token.hash))
            .item("name", text(&token.name))
            .item("created", text(isoformat(&token.created)))
            .condition_expression("attribute_not_exists(#hash)")
            .expression_attribute_names("#hash", "hash");
        if let Some(at) = &token.revoked_at {
            request = request.item("revoked_at", text(isoformat(at)));
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => {
                Err(StoreError::Backend(format!("a shipper token with hash {} already exists", token.hash)))
            }
            Err(e) => Err(store_error(call_error("put shipper token")(e))),
        }
    }

    async fn find(&self, hash: &str) -> Result<Option<ShipperToken>, StoreError> {
        let found = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("hash", text(hash))
            .consistent_read(true)
            .send()
            .await
            .map_err(call_error("get shipper token"))
            .map_err(store_error)?;
        found.item().map(decode).transpose()
    }

    async fn list(&self) -> Result<Vec<ShipperToken>, StoreError> {
        let mut tokens = self.scan(None).await?.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        tokens.sort_by(|a, b| (&a.name, a.created).cmp(&(&b.name, b.created)));
        Ok(tokens)
    }

    async fn revoke(&self, name: &str, at: DateTime<Utc>) -> Result<usize, StoreError> {
        let filter = ("#name = :name AND attribute_not_exists(revoked_at)", vec![(":name", text(name))]);
        let mut revoked = 0;
        for item in self.scan(Some(filter)).await? {
            let token = decode(&item)?;
            let sent = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("hash", text(token.hash))
                .update_expression("SET revoked_at = :at")
                .condition_expression("attribute_exists(#hash) AND attribute_not_exists(revoked_at)")
                .expression_attribute_names("#hash", "hash")
                .expression_attribute_values(":at", text(isoformat(&at)))
                .send()
                .await;
            match sent {
                Ok(_) => revoked += 1,
                // Revoked by someone else since the scan: theirs stands.
                Err(e) if is_condition_failure(&e) => {}
                Err(e) => return Err(store_error(call_error("revoke shipper token")(e))),
            }
        }
        Ok(revoked)
    }
}
