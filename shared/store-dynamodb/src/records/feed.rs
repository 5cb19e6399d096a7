//! Reading the change feed. Writers take sequence numbers from a counter before their
//! transaction, so numbers can become visible out of order, and a writer that dies leaves a
//! hole. A reader hands out only the contiguous run of numbers after its cursor (void items
//! fill the numbers of failed writes). A hole stops the run until the item after it has
//! been there longer than the stall time; then the reader voids the hole's numbers itself
//! (a conditional put, so a late writer's transaction fails instead of slipping in behind
//! readers that moved on) and goes on.

use chrono::Utc;
use mozdef_store::{Change, StoreError};

use super::DynamoRecords;
use super::items::{FeedEntry, decode_feed};
use super::keys;
use super::query::Range;

/// How many feed items `head` looks back at most.
const HEAD_WINDOW: usize = 1000;
/// The page size of `head`'s look back.
const HEAD_PAGE: usize = 100;

/// Where a walk along the feed got to.
#[derive(Debug, Clone, Copy)]
struct Walked {
    /// The first sequence number not yet settled.
    next: u64,
    /// The newest change handed out (or passed), if any.
    last_change: Option<u64>,
    /// Whether the walk stopped before the end of its items (a hole, or the limit).
    stopped: bool,
}

impl DynamoRecords {
    /// Whether a feed item written at `written` (epoch milliseconds) has waited out the stall.
    fn stalled(&self, written: i64) -> bool {
        let stall = i64::try_from(self.stall.as_millis()).unwrap_or(i64::MAX);
        Utc::now().timestamp_millis().saturating_sub(written) > stall
    }

    /// Voids the numbers `from..to` of a hole; `false` when a writer filled one meanwhile.
    async fn void_hole(&self, from: u64, to: u64) -> Result<bool, StoreError> {
        tracing::warn!(table = %self.table, from, to, "feed hole outlasted the stall; voiding its sequence numbers");
        for seq in from..to {
            if !self.void(seq).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Walks `entries` (ascending) from sequence number `next`, handing out up to `limit`
    /// changes into `out`.
    async fn walk(
        &self,
        entries: Vec<FeedEntry>,
        mut next: u64,
        limit: usize,
        out: &mut Vec<Change>,
    ) -> Result<Walked, StoreError> {
        let mut last_change = None;
        for entry in entries {
            if entry.seq < next {
                continue;
            }
            if out.len() >= limit {
                return Ok(Walked { next, last_change, stopped: true });
            }
            if entry.seq > next && !(self.stalled(entry.written) && self.void_hole(next, entry.seq).await?) {
                return Ok(Walked { next, last_change, stopped: true });
            }
            next = entry.seq.saturating_add(1);
            if let Some(change) = entry.change {
                last_change = Some(change.seq);
                out.push(change);
            }
        }
        Ok(Walked { next, last_change, stopped: false })
    }

    /// The changes after sequence number `after`, oldest first, at most `limit`.
    pub(super) async fn feed_after(&self, after: u64, limit: usize) -> Result<Vec<Change>, StoreError> {
        let mut out = Vec::new();
        let Some(mut next) = after.checked_add(1) else { return Ok(out) };
        while out.len() < limit {
            let range = Range::Above(keys::seq_sk(next - 1));
            let page =
                self.query("read the feed", keys::FEED_PK.to_owned(), &range, true, limit - out.len(), None).await?;
            let entries = page.items.iter().map(decode_feed).collect::<Result<Vec<_>, _>>()?;
            let empty = entries.is_empty();
            let walked = self.walk(entries, next, limit, &mut out).await?;
            next = walked.next;
            if walked.stopped || empty || page.next.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// The newest change's sequence number in the settled run of the feed: a cursor after
    /// which `feed_after` misses nothing. Looks back from the newest item until items older
    /// than twice the stall time (or [`HEAD_WINDOW`] items), taking what lies below as settled.
    pub(super) async fn feed_head(&self) -> Result<u64, StoreError> {
        let stall = i64::try_from(self.stall.as_millis()).unwrap_or(i64::MAX);
        let settled_before = Utc::now().timestamp_millis().saturating_sub(stall.saturating_mul(2));
        let mut window = Vec::new();
        let mut start = None;
        let reached_start = loop {
            let page = self
                .query("read the feed head", keys::FEED_PK.to_owned(), &Range::All, false, HEAD_PAGE, start)
                .await?;
            let before = window.len();
            for item in &page.items {
                window.push(decode_feed(item)?);
            }
            let old = window[before..].iter().any(|e| e.written < settled_before);
            match page.next {
                None => break true,
                Some(_) if old || window.len() >= HEAD_WINDOW => break false,
                Some(next) => start = Some(next),
            }
        };
        window.reverse();
        let Some(lowest) = window.first().map(|e| e.seq) else { return Ok(0) };
        let first = if reached_start { 1 } else { lowest };
        let walked = self.walk(window, first, usize::MAX, &mut Vec::new()).await?;
        Ok(walked.last_change.unwrap_or(walked.next.saturating_sub(1)))
    }
}
