//! Records: the documents incident handlers work on — MozDef's Mongo collections (the alerts'
//! triage copy, incidents, investigations, the IP and FQDN blocklists, the watchlist,
//! duplicate chains, user preferences). A record is a JSON object in a named collection under
//! an id, with a numeric `version` that every change increments, a sort key (newest first),
//! and who created and last changed it and when.
//!
//! The store keeps three things the API needs to let several people work on one record:
//! * **optimistic concurrency**: an update or delete names the version it read; a stale one
//!   fails with [`StoreError::Conflict`] carrying the current record, so no update is lost;
//! * **history and a change feed**: every create, update and delete is a [`Change`] with a
//!   feed sequence number (strictly increasing, in the order the changes became visible);
//!   a record's changes can be read back, and any client can ask for the changes after the
//!   last sequence it saw;
//! * **presence**: who is viewing or editing a record, each entry expiring on its own.
//!
//! Listing reads the collection in sort order from a keyset cursor, a bounded number of rows
//! at a time ([`RecordStore::scan`]); filtering and searching happen above the store
//! (`mozdef-service`), so both backends answer alike. Implemented in SQLite for `mozdef dev`
//! and in DynamoDB on AWS; both pass [`check_record_store`] (feature `conformance`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::StoreError;

/// One record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The collection (`incidents`, `investigations`, `alerts`, `ipblocklist`, ...).
    pub collection: String,
    /// The record's id, unique in its collection.
    pub id: String,
    /// 1 when created, incremented by every update.
    pub version: u64,
    /// The sort key: records list in descending order of `(sort, id)`.
    pub sort: String,
    /// The document (a JSON object).
    pub data: Value,
    /// When the record was created.
    pub created: DateTime<Utc>,
    /// Who created it (an email, or `mozdef` for the system).
    pub created_by: String,
    /// When it was last changed.
    pub modified: DateTime<Utc>,
    /// Who last changed it.
    pub modified_by: String,
}

impl Record {
    /// The record a create writes: version 1, created and last changed by `author`.
    pub fn created(new: NewRecord<'_>, author: Author<'_>) -> Record {
        Record {
            collection: new.collection.to_owned(),
            id: new.id.to_owned(),
            version: 1,
            sort: new.sort.to_owned(),
            data: new.data.clone(),
            created: author.at,
            created_by: author.by.to_owned(),
            modified: author.at,
            modified_by: author.by.to_owned(),
        }
    }

    /// The record an update of this one writes: the next version, `sort` and `data`, last
    /// changed by `author`.
    pub fn updated(&self, sort: &str, data: &Value, author: Author<'_>) -> Record {
        Record {
            version: self.version + 1,
            sort: sort.to_owned(),
            data: data.clone(),
            modified: author.at,
            modified_by: author.by.to_owned(),
            ..self.clone()
        }
    }
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The record was created.
    Created,
    /// The record was updated.
    Updated,
    /// The record was deleted.
    Deleted,
}

impl ChangeKind {
    /// The lowercase name (`created`, `updated`, `deleted`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Deleted => "deleted",
        }
    }

    /// The kind a lowercase name stands for.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "created" => Some(ChangeKind::Created),
            "updated" => Some(ChangeKind::Updated),
            "deleted" => Some(ChangeKind::Deleted),
            _ => None,
        }
    }
}

/// One change of one record, as the history and the change feed give it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The feed's sequence number (strictly increasing across the store).
    pub seq: u64,
    /// The record's collection.
    pub collection: String,
    /// The record's id.
    pub id: String,
    /// The record's version after the change (for a deletion: the version deleted).
    pub version: u64,
    /// What happened.
    pub kind: ChangeKind,
    /// Who did it.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The document after the change (`None` after a deletion).
    pub data: Option<Value>,
}

/// Who makes a change, and when.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    /// An email, or `mozdef` for the system.
    pub by: &'a str,
    /// When.
    pub at: DateTime<Utc>,
}

/// A record to create.
#[derive(Debug, Clone, Copy)]
pub struct NewRecord<'a> {
    /// The collection.
    pub collection: &'a str,
    /// The id (the caller makes it: a random id, or a natural key such as a user's email).
    pub id: &'a str,
    /// The sort key.
    pub sort: &'a str,
    /// The document.
    pub data: &'a Value,
}

/// One page-sized read of a collection in descending `(sort, id)` order.
#[derive(Debug, Clone, Copy)]
pub struct Scan<'a> {
    /// The collection.
    pub collection: &'a str,
    /// Only records whose sort key is at least this.
    pub sort_from: Option<&'a str>,
    /// Only records whose sort key is at most this.
    pub sort_to: Option<&'a str>,
    /// Only records strictly after this `(sort, id)` in the descending order (the cursor of
    /// the previous scan: its last record's sort key and id).
    pub after: Option<(&'a str, &'a str)>,
    /// At most this many records.
    pub limit: usize,
}

/// Someone looking at or editing a record, until `expires`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The record's collection.
    pub collection: String,
    /// The record's id.
    pub id: String,
    /// Who (an email).
    pub user: String,
    /// What they are doing (`viewing`, `editing`).
    pub activity: String,
    /// When the entry lapses unless renewed.
    pub expires: DateTime<Utc>,
}

/// Where records live. Errors say whether a retry may help ([`StoreError::is_retryable`]);
/// [`StoreError::Conflict`] carries the current record, [`StoreError::NotFound`] names what
/// is missing.
#[async_trait]
pub trait RecordStore: Send + Sync + std::fmt::Debug {
    /// Creates a record (version 1). A record with the same collection and id already there
    /// is a [`StoreError::Conflict`] with that record, which stays as it was.
    async fn create(&self, record: NewRecord<'_>, author: Author<'_>) -> Result<Record, StoreError>;

    /// The record, read consistently (a change that returned is seen).
    async fn get(&self, collection: &str, id: &str) -> Result<Option<Record>, StoreError>;

    /// Replaces the document and sort key of the record at `version` (the version the caller
    /// read); the stored version becomes `version + 1`. A record at another version: a
    /// [`StoreError::Conflict`] with the current one; no record: [`StoreError::NotFound`].
    async fn update(
        &self,
        collection: &str,
        id: &str,
        version: u64,
        sort: &str,
        data: &Value,
        author: Author<'_>,
    ) -> Result<Record, StoreError>;

    /// Deletes the record at `version` and returns it as it was; the same errors as
    /// [`RecordStore::update`]. Its history stays readable.
    async fn delete(&self, collection: &str, id: &str, version: u64, author: Author<'_>) -> Result<Record, StoreError>;

    /// Up to `scan.limit` records in descending `(sort, id)` order.
    async fn scan(&self, scan: Scan<'_>) -> Result<Vec<Record>, StoreError>;

    /// The record's changes, oldest first, at most `limit` (its newest `limit` when there are
    /// more).
    async fn history(&self, collection: &str, id: &str, limit: usize) -> Result<Vec<Change>, StoreError>;

    /// The feed: changes with a sequence number above `after`, oldest first, at most `limit`.
    /// A change is in the feed once its create, update or delete returned.
    async fn changes(&self, after: u64, limit: usize) -> Result<Vec<Change>, StoreError>;

    /// The feed's newest sequence number (0 when there is none): a cursor for "from now on".
    async fn head(&self) -> Result<u64, StoreError>;

    /// Records (or renews) a presence entry: one per record, user and activity.
    async fn touch_presence(&self, presence: &Presence) -> Result<(), StoreError>;

    /// The presence entries of a record that have not expired at `now`, ordered by user and
    /// activity.
    async fn presence(&self, collection: &str, id: &str, now: DateTime<Utc>) -> Result<Vec<Presence>, StoreError>;
}

/// The check every [`RecordStore`] passes, on a fresh (empty) store.
///
/// # Panics
/// When the store does not behave as the trait says.
#[cfg(feature = "conformance")]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]
pub async fn check_record_store(store: &dyn RecordStore) {
    use chrono::TimeZone;
    use serde_json::json;

    let at = |minute: u32, micros: u32| {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, minute, 0).single().expect("valid time")
            + chrono::Duration::microseconds(i64::from(micros))
    };
    let alice = |minute| Author { by: "alice@example.com", at: at(minute, 250) };
    let bob = |minute| Author { by: "bob@example.com", at: at(minute, 0) };

    assert_eq!(store.head().await.unwrap(), 0, "a fresh store has an empty feed");
    assert_eq!(store.get("incidents", "a1").await.unwrap(), None);
    let empty = Scan { collection: "incidents", sort_from: None, sort_to: None, after: None, limit: 10 };
    assert_eq!(store.scan(empty).await.unwrap(), Vec::new());

    // Create: version 1, authors and times kept to the microsecond, nested data intact.
    let data = json!({"summary": "phishing", "phase": "Identification", "tags": ["a", "b"], "n": 1.5, "deep": {"x": [null, true]}});
    let new = NewRecord { collection: "incidents", id: "a1", sort: "2026-12-07T09:01:00", data: &data };
    let a1 = store.create(new, alice(1)).await.unwrap();
    assert_eq!(a1.version, 1);
    assert_eq!((a1.created, a1.modified), (at(1, 250), at(1, 250)));
    assert_eq!((a1.created_by.as_str(), a1.modified_by.as_str()), ("alice@example.com", "alice@example.com"));
    assert_eq!(a1.data, data);
    assert_eq!(store.get("incidents", "a1").await.unwrap(), Some(a1.clone()));
    assert_eq!(store.get("investigations", "a1").await.unwrap(), None, "collections are apart");

    // The same id again: a conflict carrying the stored record, which stays as it was.
    let other = json!({"summary": "other"});
    let clash = NewRecord { collection: "incidents", id: "a1", sort: "z", data: &other };
    match store.create(clash, bob(2)).await {
        Err(StoreError::Conflict(current)) => assert_eq!(*current, a1),
        other => panic!("a second create of one id must conflict, got {other:?}"),
    }
    // The same id in another collection is another record.
    let inv = NewRecord { collection: "investigations", id: "a1", sort: "2026-12-07T09:02:00", data: &other };
    store.create(inv, bob(2)).await.unwrap();

    // Update at the version read: version 2, modified by the updater, created unchanged.
    let edited = json!({"summary": "phishing wave", "phase": "Containment"});
    let a1v2 = store.update("incidents", "a1", 1, "2026-12-07T09:01:00", &edited, bob(3)).await.unwrap();
    assert_eq!(a1v2.version, 2);
    assert_eq!(a1v2.data, edited);
    assert_eq!((a1v2.created, a1v2.created_by.as_str()), (at(1, 250), "alice@example.com"));
    assert_eq!((a1v2.modified, a1v2.modified_by.as_str()), (at(3, 0), "bob@example.com"));
    assert_eq!(store.get("incidents", "a1").await.unwrap(), Some(a1v2.clone()));

    // A stale version: a conflict with the current record, nothing written.
    let lost = json!({"summary": "lost update"});
    match store.update("incidents", "a1", 1, "x", &lost, alice(4)).await {
        Err(StoreError::Conflict(current)) => assert_eq!(*current, a1v2),
        other => panic!("a stale update must conflict, got {other:?}"),
    }
    match store.delete("incidents", "a1", 1, alice(4)).await {
        Err(StoreError::Conflict(current)) => assert_eq!(*current, a1v2),
        other => panic!("a stale delete must conflict, got {other:?}"),
    }
    assert_eq!(store.get("incidents", "a1").await.unwrap(), Some(a1v2.clone()));
    // Missing records: not found, not retryable.
    for result in [
        store.update("incidents", "nope", 1, "x", &lost, alice(4)).await,
        store.delete("incidents", "nope", 1, alice(4)).await,
    ] {
        match result {
            Err(e @ StoreError::NotFound(_)) => assert!(!e.is_retryable()),
            other => panic!("a missing record must be NotFound, got {other:?}"),
        }
    }

    // Scans: descending (sort, id), bounded, keyset cursor, sort range.
    for (id, sort) in [("b", "2026-12-07T09:05:00"), ("c", "2026-12-07T09:05:00"), ("d", "2026-12-07T09:00:00")] {
        let data = json!({"summary": id});
        store.create(NewRecord { collection: "incidents", id, sort, data: &data }, alice(5)).await.unwrap();
    }
    let ids = |records: Vec<Record>| records.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let all = Scan { collection: "incidents", sort_from: None, sort_to: None, after: None, limit: 10 };
    assert_eq!(ids(store.scan(all).await.unwrap()), vec!["c", "b", "a1", "d"]);
    let first = store.scan(Scan { limit: 2, ..all }).await.unwrap();
    assert_eq!(ids(first.clone()), vec!["c", "b"]);
    let last = first.last().unwrap();
    let next = Scan { after: Some((&last.sort, &last.id)), limit: 2, ..all };
    assert_eq!(ids(store.scan(next).await.unwrap()), vec!["a1", "d"]);
    let after_c = Scan { after: Some(("2026-12-07T09:05:00", "c")), ..all };
    assert_eq!(ids(store.scan(after_c).await.unwrap()), vec!["b", "a1", "d"], "ties on sort broken by id");
    let window = Scan { sort_from: Some("2026-12-07T09:01:00"), sort_to: Some("2026-12-07T09:04:59"), ..all };
    assert_eq!(ids(store.scan(window).await.unwrap()), vec!["a1"]);
    let since = Scan { sort_from: Some("2026-12-07T09:01:00"), ..all };
    assert_eq!(ids(store.scan(since).await.unwrap()), vec!["c", "b", "a1"]);

    // Delete at the current version: gone, returned as it was, its history kept.
    let deleted = store.delete("incidents", "a1", 2, alice(6)).await.unwrap();
    assert_eq!(deleted, a1v2);
    assert_eq!(store.get("incidents", "a1").await.unwrap(), None);
    let history = store.history("incidents", "a1", 100).await.unwrap();
    let kinds: Vec<_> = history.iter().map(|c| (c.kind, c.version, c.by.as_str())).collect();
    assert_eq!(
        kinds,
        vec![
            (ChangeKind::Created, 1, "alice@example.com"),
            (ChangeKind::Updated, 2, "bob@example.com"),
            (ChangeKind::Deleted, 2, "alice@example.com"),
        ]
    );
    assert_eq!(history[0].data.as_ref(), Some(&data));
    assert_eq!(history[1].data.as_ref(), Some(&edited));
    assert_eq!(history[2].data, None);
    assert_eq!(history[2].at, at(6, 250));
    let newest = store.history("incidents", "a1", 2).await.unwrap();
    assert_eq!(newest.iter().map(|c| c.kind).collect::<Vec<_>>(), vec![ChangeKind::Updated, ChangeKind::Deleted]);
    // An id can be created again after a deletion; the history goes on.
    store.create(NewRecord { collection: "incidents", id: "a1", sort: "s", data: &other }, bob(7)).await.unwrap();
    assert_eq!(store.history("incidents", "a1", 100).await.unwrap().len(), 4);

    // The feed: every change once, in order, with strictly increasing sequence numbers.
    let feed = store.changes(0, 100).await.unwrap();
    let summary: Vec<_> = feed.iter().map(|c| (c.collection.as_str(), c.id.as_str(), c.kind)).collect();
    assert_eq!(
        summary,
        vec![
            ("incidents", "a1", ChangeKind::Created),
            ("investigations", "a1", ChangeKind::Created),
            ("incidents", "a1", ChangeKind::Updated),
            ("incidents", "b", ChangeKind::Created),
            ("incidents", "c", ChangeKind::Created),
            ("incidents", "d", ChangeKind::Created),
            ("incidents", "a1", ChangeKind::Deleted),
            ("incidents", "a1", ChangeKind::Created),
        ]
    );
    assert!(feed.windows(2).all(|w| w[0].seq < w[1].seq), "sequence numbers increase");
    assert_eq!(store.head().await.unwrap(), feed.last().unwrap().seq);
    let cursor = feed[2].seq;
    let rest = store.changes(cursor, 3).await.unwrap();
    assert_eq!(rest, feed[3..6].to_vec(), "changes after a cursor, bounded");
    assert_eq!(store.changes(store.head().await.unwrap(), 10).await.unwrap(), Vec::new());

    // Concurrent updates at one version: exactly one wins.
    let c = store.get("incidents", "c").await.unwrap().unwrap();
    let (one, two) = (json!({"summary": "one"}), json!({"summary": "two"}));
    let (r1, r2) = tokio_join(
        store.update("incidents", "c", c.version, &c.sort, &one, alice(8)),
        store.update("incidents", "c", c.version, &c.sort, &two, bob(8)),
    )
    .await;
    let won = usize::from(r1.is_ok()) + usize::from(r2.is_ok());
    assert_eq!(won, 1, "one of two updates at the same version wins: {r1:?} {r2:?}");
    assert_eq!(store.get("incidents", "c").await.unwrap().unwrap().version, c.version + 1);

    // Presence: renewed in place, expiring on its own, apart per record.
    let presence = |user: &str, activity: &str, minute| Presence {
        collection: "incidents".into(),
        id: "b".into(),
        user: user.into(),
        activity: activity.into(),
        expires: at(minute, 0),
    };
    store.touch_presence(&presence("bob@example.com", "editing", 10)).await.unwrap();
    store.touch_presence(&presence("alice@example.com", "viewing", 10)).await.unwrap();
    store.touch_presence(&presence("alice@example.com", "viewing", 12)).await.unwrap();
    assert_eq!(
        store.presence("incidents", "b", at(9, 0)).await.unwrap(),
        vec![presence("alice@example.com", "viewing", 12), presence("bob@example.com", "editing", 10)]
    );
    assert_eq!(
        store.presence("incidents", "b", at(11, 0)).await.unwrap(),
        vec![presence("alice@example.com", "viewing", 12)]
    );
    assert_eq!(store.presence("incidents", "c", at(9, 0)).await.unwrap(), Vec::new());
}

/// Runs two futures to completion concurrently (without a runtime dependency here).
#[cfg(feature = "conformance")]
async fn tokio_join<A: std::future::Future, B: std::future::Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let std::task::Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let std::task::Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    match (ra, rb) {
        (Some(a), Some(b)) => (a, b),
        _ => unreachable!("both futures completed"),
    }
}
