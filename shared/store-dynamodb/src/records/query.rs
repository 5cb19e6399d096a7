//! One page of a `Query` on one partition of the record table, strongly consistent, with
//! the range key bounded as [`Range`] says.

use mozdef_store::StoreError;

use super::DynamoRecords;
use super::errors::sdk_error;
use super::items::{Item, text};

/// Which range keys of a partition a query reads.
#[derive(Debug)]
pub(super) enum Range {
    /// All of them.
    All,
    /// Those strictly above this key.
    Above(String),
    /// Those at or above this key.
    AtLeast(String),
    /// Those at or below this key.
    AtMost(String),
    /// Those between the two keys, both included.
    Between(String, String),
}

impl Range {
    /// The key condition and the values of its range-key bounds.
    fn condition(&self) -> (&'static str, Vec<(&'static str, &str)>) {
        match self {
            Range::All => ("#pk = :pk", Vec::new()),
            Range::Above(key) => ("#pk = :pk AND #sk > :lo", vec![(":lo", key)]),
            Range::AtLeast(key) => ("#pk = :pk AND #sk >= :lo", vec![(":lo", key)]),
            Range::AtMost(key) => ("#pk = :pk AND #sk <= :hi", vec![(":hi", key)]),
            Range::Between(low, high) => ("#pk = :pk AND #sk BETWEEN :lo AND :hi", vec![(":lo", low), (":hi", high)]),
        }
    }
}

/// One page of a query.
#[derive(Debug)]
pub(super) struct Page {
    /// The items, in the query's order.
    pub items: Vec<Item>,
    /// Where the next page starts, when there may be one.
    pub next: Option<Item>,
}

/// The most items one query page asks for.
pub(super) const MAX_PAGE: usize = 1000;

impl DynamoRecords {
    /// One page of partition `pk` in `range`, ascending when `forward`, at most `limit` items
    /// (and at least one asked for), from `start`.
    pub(super) async fn query(
        &self,
        what: &str,
        pk: String,
        range: &Range,
        forward: bool,
        limit: usize,
        start: Option<Item>,
    ) -> Result<Page, StoreError> {
        let page_size = i32::try_from(limit.clamp(1, MAX_PAGE)).unwrap_or(1);
        let (condition, bounds) = range.condition();
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .scan_index_forward(forward)
            .limit(page_size)
            .set_exclusive_start_key(start)
            .key_condition_expression(condition)
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", text(pk));
        for (placeholder, key) in bounds {
            request =
                request.expression_attribute_names("#sk", "sk").expression_attribute_values(placeholder, text(key));
        }
        let out = request.send().await.map_err(|e| sdk_error(&self.table, what, e))?;
        Ok(Page { items: out.items().to_vec(), next: out.last_evaluated_key().filter(|k| !k.is_empty()).cloned() })
    }
}
