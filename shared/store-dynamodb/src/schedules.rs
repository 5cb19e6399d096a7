//! Alert schedules in a DynamoDB table keyed by `name` (string). Each item holds the schedule
//! document (`doc`, JSON) and, as their own attributes so they change atomically, `enabled`,
//! `last_run_at` and `total_run_count`.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use mozdef_alerts::AlertSchedule;
use mozdef_alerts::{BackendError, ScheduleStore};

use crate::error::{call_error, is_condition_failure};
use crate::table::text;

type Item = HashMap<String, AttributeValue>;

/// The schedule table.
#[derive(Debug, Clone)]
pub struct DynamoSchedules {
    client: Client,
    table: String,
}

fn last_run(at: Option<DateTime<Utc>>) -> AttributeValue {
    at.map_or(AttributeValue::Null(true), |t| text(mozdef_model::isoformat(&t)))
}

impl DynamoSchedules {
    /// The schedules in `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoSchedules { client, table: table.into() }
    }

    /// Creates the table (on-demand billing, key `name`) if it does not exist: for `mozdef
    /// dev` against an emulator and for tests; CloudFormation creates it on AWS.
    pub async fn ensure_table(&self) -> Result<(), BackendError> {
        crate::table::ensure_table(&self.client, &self.table, "name", None).await
    }

    fn item(schedule: &AlertSchedule) -> Result<Item, BackendError> {
        let doc = serde_json::to_string(schedule).map_err(|e| BackendError::Failed(e.to_string()))?;
        Ok(HashMap::from([
            ("name".to_owned(), text(schedule.name.clone())),
            ("doc".to_owned(), text(doc)),
            ("enabled".to_owned(), AttributeValue::Bool(schedule.enabled)),
            ("last_run_at".to_owned(), last_run(schedule.last_run_at)),
            ("total_run_count".to_owned(), AttributeValue::N(schedule.total_run_count.to_string())),
        ]))
    }

    fn decode(item: &Item) -> Result<AlertSchedule, BackendError> {
        let corrupt = |why: String| BackendError::Failed(format!("schedule table {why}"));
        let doc = item.get("doc").and_then(|v| v.as_s().ok()).ok_or_else(|| corrupt("item without doc".into()))?;
        let mut schedule: AlertSchedule = serde_json::from_str(doc).map_err(|e| corrupt(format!("doc: {e}")))?;
        if let Some(enabled) = item.get("enabled").and_then(|v| v.as_bool().ok()) {
            schedule.enabled = *enabled;
        }
        schedule.last_run_at = match item.get("last_run_at") {
            Some(AttributeValue::S(t)) => Some(
                DateTime::parse_from_rfc3339(t)
                    .map_err(|e| corrupt(format!("last_run_at {t:?}: {e}")))?
                    .with_timezone(&Utc),
            ),
            _ => None,
        };
        if let Some(count) = item.get("total_run_count").and_then(|v| v.as_n().ok()) {
            schedule.total_run_count = count.parse().map_err(|e| corrupt(format!("total_run_count {count:?}: {e}")))?;
        }
        Ok(schedule)
    }

    /// An update of an existing item; `false` when there is no such item.
    async fn update_existing(
        &self,
        name: &str,
        expression: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<bool, BackendError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("name", text(name))
            .update_expression(expression)
            .condition_expression("attribute_exists(#name)")
            .expression_attribute_names("#name", "name");
        for (placeholder, value) in values {
            request = request.expression_attribute_values(placeholder, value);
        }
        match request.send().await {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(call_error("update schedule")(e)),
        }
    }
}

#[async_trait]
impl ScheduleStore for DynamoSchedules {
    async fn list(&self) -> Result<Vec<AlertSchedule>, BackendError> {
        let mut schedules = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(call_error("scan schedules"))?;
            for item in page.items() {
                schedules.push(Self::decode(item)?);
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        schedules.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(schedules)
    }

    /// Puts every schedule, then deletes the others (not one transaction: a failure half way
    /// leaves extra schedules, which the next replace removes).
    async fn replace_all(&self, schedules: &[AlertSchedule]) -> Result<(), BackendError> {
        let existing = self.list().await?;
        for schedule in schedules {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(Self::item(schedule)?))
                .send()
                .await
                .map_err(call_error("put schedule"))?;
        }
        for old in existing.iter().filter(|o| !schedules.iter().any(|s| s.name == o.name)) {
            self.client
                .delete_item()
                .table_name(&self.table)
                .key("name", text(old.name.clone()))
                .send()
                .await
                .map_err(call_error("delete schedule"))?;
        }
        Ok(())
    }

    async fn sync_runs(&self, runs: &[(String, Option<DateTime<Utc>>, u64)]) -> Result<usize, BackendError> {
        let mut updated = 0;
        for (name, at, count) in runs {
            let values = vec![(":at", last_run(*at)), (":count", AttributeValue::N(count.to_string()))];
            if self.update_existing(name, "SET last_run_at = :at, total_run_count = :count", values).await? {
                updated += 1;
            }
        }
        Ok(updated)
    }

    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<bool, BackendError> {
        self.update_existing(name, "SET enabled = :enabled", vec![(":enabled", AttributeValue::Bool(enabled))]).await
    }

    async fn record_run(&self, name: &str, at: DateTime<Utc>) -> Result<(), BackendError> {
        let values = vec![(":at", last_run(Some(at))), (":one", AttributeValue::N("1".into()))];
        self.update_existing(name, "SET last_run_at = :at ADD total_run_count :one", values).await.map(|_| ())
    }
}
