//! What every table of this crate shares: a string attribute, and creating an on-demand
//! table keyed by one string attribute (for emulators and tests; CloudFormation declares
//! the tables on AWS).

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
    if client.describe_table().table_name(table).send().await.is_ok() {
        return Ok(());
    }
    let invalid = |e: aws_sdk_dynamodb::error::BuildError| BackendError::Failed(e.to_string());
    client
        .create_table()
        .table_name(table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(key)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(invalid)?,
        )
        .key_schema(KeySchemaElement::builder().attribute_name(key).key_type(KeyType::Hash).build().map_err(invalid)?)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .map_err(call_error("create table"))?;
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
