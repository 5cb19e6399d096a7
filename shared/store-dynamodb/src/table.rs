//! What every table of this crate shares: a string attribute, and creating an on-demand
//! table keyed by one string attribute, or by a string hash key and a string range key (for
//! emulators and tests; CloudFormation declares the tables on AWS).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use mozdef_alerts::BackendError;

use crate::error::call_error;

/// A string attribute.
pub(crate) fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// Creates `table` (on-demand billing, hash key `key`, a string) if it does not exist, with
/// the table's TTL on `ttl_attribute` when given.
pub(crate) async fn ensure_table(
    client: &Client,
    table: &str,
    key: &str,
    ttl_attribute: Option<&str>,
) -> Result<(), BackendError> {
    ensure_keyed_table(client, table, key, None, ttl_attribute).await
}

/// Creates `table` (on-demand billing, hash key `hash` and, when given, range key `range`,
/// both strings) if it does not exist, with the table's TTL on `ttl_attribute` when given.
pub(crate) async fn ensure_keyed_table(
    client: &Client,
    table: &str,
    hash: &str,
    range: Option<&str>,
    ttl_attribute: Option<&str>,
) -> Result<(), BackendError> {
    if client.describe_table().table_name(table).send().await.is_ok() {
        return Ok(());
    }
    let invalid = |e: aws_sdk_dynamodb::error::BuildError| BackendError::Failed(e.to_string());
    let mut request = client.create_table().table_name(table).billing_mode(BillingMode::PayPerRequest);
    for (attribute, key_type) in std::iter::once((hash, KeyType::Hash)).chain(range.map(|r| (r, KeyType::Range))) {
        request = request
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attribute)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(invalid)?,
            )
            .key_schema(
                KeySchemaElement::builder().attribute_name(attribute).key_type(key_type).build().map_err(invalid)?,
            );
    }
    request.send().await.map_err(call_error("create table"))?;
    if let Some(attribute) = ttl_attribute {
        let ttl =
            TimeToLiveSpecification::builder().attribute_name(attribute).enabled(true).build().map_err(invalid)?;
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(call_error("enable TTL"))?;
    }
    Ok(())
}
