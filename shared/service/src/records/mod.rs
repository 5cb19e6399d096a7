//! The records incident handlers work on — MozDef's Mongo collections — over any
//! [`RecordStore`]: what each collection holds and checks ([`Collection`]), listing with
//! filters, text search and keyset pages that never read a whole collection for one page
//! ([`Records::list`]), versioned updates, history, the change feed and presence. The REST API
//! (`mozdef-api`) is a thin layer over this; the rules live here.
//!
//! * [`casefile`]: incidents and investigations (MozDef's editors, `/incident`, `/veris`);
//! * [`triage`]: the alerts' triage copies, ack, status, escalation, `/alertstatus`,
//!   duplicate chains (`/alerttriagechain`);
//! * [`facets`]: the alerts' counts by category, severity and status and over time, for the
//!   triage table's filters (the alerts page's charts);
//! * [`watch`]: the IP and FQDN blocklists and the watchlist (`/blockip`, `/blockfqdn`,
//!   `/watchitem`, `/getwatchlist`, the firewall feeds);
//! * [`preferences`]: each user's theme, page size and time zone.

pub mod casefile;
pub mod facets;
pub mod fields;
pub mod preferences;
pub mod triage;
pub mod watch;

use std::ops::ControlFlow;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use mozdef_model::Clock;
use mozdef_store::{Author, Change, EventStore, NewRecord, Presence, Record, RecordStore, Scan, StoreError};
use serde_json::{Map, Value, json};

use crate::ServiceError;
use crate::lists::{FqdnWhitelist, NetworkWhitelist};

/// What the blocklists refuse to hold: MozDef's network and FQDN whitelists.
#[derive(Debug, Clone, Default)]
pub struct Whitelists {
    /// Networks `/blockip` refuses.
    pub networks: NetworkWhitelist,
    /// Names `/blockfqdn` refuses.
    pub fqdns: FqdnWhitelist,
}

/// The most records one page holds.
pub const MAX_PAGE: usize = 500;
/// The most records one list request reads to fill a page (filters and searches that match
/// little answer a partial page with a cursor to go on from).
pub const MAX_SCAN: usize = 20_000;
/// How long a presence entry lasts unless renewed.
pub const PRESENCE_SECONDS: i64 = 30;
/// The author of changes the system makes (write-through copies of alerts, expiries).
pub const SYSTEM: &str = "mozdef";

/// One of MozDef's collections, by its Mongo name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Collection {
    /// The alerts' triage copies (Mongo `alerts`), keyed by the alert's id.
    Alerts,
    /// Incidents.
    Incidents,
    /// Investigations.
    Investigations,
    /// Blocked IP addresses and networks.
    IpBlocklist,
    /// Blocked domain names.
    FqdnBlocklist,
    /// Watched terms (the `get_watchlist` alert's input).
    Watchlist,
    /// Duplicate chains of the triage bot.
    DuplicateChains,
    /// Per-user preferences, keyed by email.
    Preferences,
}

impl Collection {
    /// Every collection.
    pub const ALL: [Collection; 8] = [
        Collection::Alerts,
        Collection::Incidents,
        Collection::Investigations,
        Collection::IpBlocklist,
        Collection::FqdnBlocklist,
        Collection::Watchlist,
        Collection::DuplicateChains,
        Collection::Preferences,
    ];

    /// MozDef's collection name.
    pub fn name(self) -> &'static str {
        match self {
            Collection::Alerts => "alerts",
            Collection::Incidents => "incidents",
            Collection::Investigations => "investigations",
            Collection::IpBlocklist => "ipblocklist",
            Collection::FqdnBlocklist => "fqdnblocklist",
            Collection::Watchlist => "watchlist",
            Collection::DuplicateChains => "duplicatechains",
            Collection::Preferences => "preferences",
        }
    }

    /// The collection named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Collection::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The fields a text search looks in (case-insensitive substring).
    pub fn text_fields(self) -> &'static [&'static str] {
        match self {
            Collection::Alerts => &["summary", "category", "severity"],
            Collection::Incidents | Collection::Investigations => &["summary", "description", "creator"],
            Collection::IpBlocklist => &["address", "comment", "creator", "reference"],
            Collection::FqdnBlocklist => &["fqdn", "comment", "creator", "reference"],
            Collection::Watchlist => &["watchcontent", "comment", "creator", "reference"],
            Collection::DuplicateChains => &["alert", "user"],
            Collection::Preferences => &[],
        }
    }

    /// The fields a list can be filtered on (equality; for a list field, membership).
    pub fn filter_fields(self) -> &'static [&'static str] {
        match self {
            Collection::Alerts => &["category", "severity", "status", "acknowledgedby", "identityConfidence"],
            Collection::Incidents | Collection::Investigations => &["phase", "creator", "tags"],
            Collection::IpBlocklist | Collection::FqdnBlocklist | Collection::Watchlist => &["creator", "reference"],
            Collection::DuplicateChains => &["alert", "user"],
            Collection::Preferences => &[],
        }
    }
}

/// What the API renders of a record: its document's fields with `id`, `version`, `created`,
/// `createdBy`, `modified`, `modifiedBy` beside them (documents never hold those keys).
pub fn render(record: &Record) -> Value {
    let mut out = record.data.as_object().cloned().unwrap_or_default();
    out.insert("id".into(), json!(record.id));
    out.insert("version".into(), json!(record.version));
    out.insert("created".into(), json!(fields::timestamp(&record.created)));
    out.insert("createdBy".into(), json!(record.created_by));
    out.insert("modified".into(), json!(fields::timestamp(&record.modified)));
    out.insert("modifiedBy".into(), json!(record.modified_by));
    Value::Object(out)
}

/// What the API renders of a change (the feed, a record's history).
pub fn render_change(change: &Change) -> Value {
    json!({
        "seq": change.seq,
        "collection": change.collection,
        "id": change.id,
        "version": change.version,
        "kind": change.kind.as_str(),
        "by": change.by,
        "at": fields::timestamp(&change.at),
        "record": change.data,
    })
}

/// The keys [`render`] adds: refused in documents sent by clients.
pub const RENDERED_KEYS: [&str; 6] = ["id", "version", "created", "createdBy", "modified", "modifiedBy"];

/// One list request.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// At most this many records (1..=[`MAX_PAGE`]).
    pub limit: usize,
    /// Where the previous page ended ([`Page::next`]).
    pub cursor: Option<String>,
    /// A case-insensitive text to find in the collection's text fields.
    pub text: Option<String>,
    /// `(field, value)` equalities, each on one of the collection's filter fields.
    pub filters: Vec<(String, String)>,
    /// Only records whose sort key (their time) is at least this.
    pub since: Option<DateTime<Utc>>,
    /// Only records whose sort key is at most this.
    pub until: Option<DateTime<Utc>>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The records, newest first, rendered.
    pub records: Vec<Value>,
    /// The cursor of the next page; `None` at the end.
    pub next: Option<String>,
    /// How many records were read to fill this page.
    pub scanned: usize,
}

impl Page {
    /// `{"records": [...], "next": cursor|null, "scanned": n}`.
    pub fn to_value(&self) -> Value {
        json!({"records": self.records, "next": self.next, "scanned": self.scanned})
    }
}

fn encode_cursor(sort: &str, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(json!([sort, id]).to_string())
}

fn decode_cursor(cursor: &str) -> Result<(String, String), ServiceError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<(String, String)>(&bytes).ok())
        .ok_or_else(|| ServiceError::invalid("cursor", "is not a cursor this API handed out"))
}

/// Whether `value` (a document field) equals `wanted`, or contains it when it is a list.
fn field_matches(value: Option<&Value>, wanted: &str) -> bool {
    match value {
        Some(Value::String(s)) => s == wanted,
        Some(Value::Array(items)) => items.iter().any(|item| field_matches(Some(item), wanted)),
        Some(Value::Null) | None => wanted.is_empty(),
        Some(other) => serde_json::from_str::<Value>(wanted).is_ok_and(|w| w == *other),
    }
}

/// Whether any of `fields` of `data` contains `needle` (lowercase), case-insensitively.
fn text_matches(data: &Value, fields: &[&str], needle: &str) -> bool {
    fields.iter().any(|field| match data.get(*field) {
        Some(Value::String(s)) => s.to_lowercase().contains(needle),
        Some(Value::Array(items)) => {
            items.iter().any(|i| i.as_str().is_some_and(|s| s.to_lowercase().contains(needle)))
        }
        _ => false,
    })
}

/// What a list (or the facets) keeps of a collection, checked: equality filters on the
/// collection's filter fields, a text (lowercase) to find in its text fields, and a window on
/// the sort key (as sort keys).
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    collection: Collection,
    filters: Vec<(String, String)>,
    needle: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

impl Selection {
    /// Checks the filters (each on one of the collection's filter fields, else invalid naming
    /// it) and the text (`q`, at most [`fields::MAX_SHORT`] characters; blank: none).
    pub(crate) fn new(
        collection: Collection,
        filters: &[(String, String)],
        text: Option<&str>,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Result<Self, ServiceError> {
        for (field, _) in filters {
            if !collection.filter_fields().contains(&field.as_str()) {
                return Err(ServiceError::invalid(
                    field,
                    format!("is not a filter of {} (filters: {:?})", collection.name(), collection.filter_fields()),
                ));
            }
        }
        let needle = text.map(str::trim).filter(|t| !t.is_empty()).map(str::to_lowercase);
        if needle.as_ref().is_some_and(|n| n.chars().count() > fields::MAX_SHORT) {
            return Err(ServiceError::invalid("q", format!("is longer than {} characters", fields::MAX_SHORT)));
        }
        Ok(Selection {
            collection,
            filters: filters.to_vec(),
            needle,
            since: since.map(|t| fields::timestamp(&t)),
            until: until.map(|t| fields::timestamp(&t)),
        })
    }

    /// Whether it keeps only some of the window's records (a filter or a text).
    fn selective(&self) -> bool {
        self.needle.is_some() || !self.filters.is_empty()
    }

    /// Whether `record` (read inside the window) passes the filters and the text.
    fn keeps(&self, record: &Record) -> bool {
        self.filters.iter().all(|(f, v)| field_matches(record.data.get(f), v))
            && self.needle.as_deref().is_none_or(|n| text_matches(&record.data, self.collection.text_fields(), n))
    }

    /// One read of the window, after `after`, of at most `limit` records.
    fn scan<'a>(&'a self, after: Option<&'a (String, String)>, limit: usize) -> Scan<'a> {
        Scan {
            collection: self.collection.name(),
            sort_from: self.since.as_deref(),
            sort_to: self.until.as_deref(),
            after: after.map(|(s, i)| (s.as_str(), i.as_str())),
            limit,
        }
    }
}

/// Why [`Records::scan_selected`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanEnd {
    /// The window has no more records.
    Exhausted,
    /// The visitor had enough.
    Stopped,
    /// The most records to read were read (more may follow).
    Bounded,
}

/// What [`Records::scan_selected`] read.
#[derive(Debug, Clone)]
pub(crate) struct Scanned {
    /// How many records were read (kept or not).
    pub(crate) scanned: usize,
    /// The `(sort, id)` of the last record read (where to go on from).
    pub(crate) after: Option<(String, String)>,
    /// Why it stopped.
    pub(crate) end: ScanEnd,
}

/// MozDef's records over a [`RecordStore`], with the event store (to find an alert that has
/// no triage copy yet) and the clock.
#[derive(Clone)]
pub struct Records {
    store: Arc<dyn RecordStore>,
    events: Arc<dyn EventStore>,
    clock: Arc<dyn Clock>,
    whitelists: Arc<Whitelists>,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Records {
    /// Records in `store`; alerts looked up in `events`; blocks checked against `whitelists`.
    pub fn new(
        store: Arc<dyn RecordStore>,
        events: Arc<dyn EventStore>,
        clock: Arc<dyn Clock>,
        whitelists: Whitelists,
    ) -> Self {
        Records { store, events, clock, whitelists: Arc::new(whitelists) }
    }

    /// The record store.
    pub fn store(&self) -> &Arc<dyn RecordStore> {
        &self.store
    }

    /// Now, by the clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn author<'a>(&self, by: &'a str) -> Author<'a> {
        Author { by, at: self.clock.now() }
    }

    /// One record, rendered; 404 (`NotFound`) when there is none.
    pub async fn get(&self, collection: Collection, id: &str) -> Result<Record, ServiceError> {
        self.store.get(collection.name(), id).await?.ok_or_else(|| {
            ServiceError::Records(StoreError::NotFound(format!("no {} record {id:?}", collection.name())))
        })
    }

    /// One page of `collection`, newest first: records read from the cursor on in bounded
    /// chunks, kept when they pass the filters and the text search, until the page is full,
    /// the collection ends, or [`MAX_SCAN`] records were read (then the page may be short and
    /// `next` goes on from the last record read).
    pub async fn list(&self, collection: Collection, request: &ListRequest) -> Result<Page, ServiceError> {
        if !(1..=MAX_PAGE).contains(&request.limit) {
            return Err(ServiceError::invalid("limit", format!("must be between 1 and {MAX_PAGE}")));
        }
        let selection =
            Selection::new(collection, &request.filters, request.text.as_deref(), request.since, request.until)?;
        let after = request.cursor.as_deref().map(decode_cursor).transpose()?;
        // A filter reads more than it keeps: chunks start at four pages' worth and double up to
        // 1,000 rows, so a common filter reads little and a rare one few round trips.
        let chunk = if selection.selective() { (request.limit * 4).clamp(100, 1000) } else { request.limit };
        let mut records = Vec::new();
        let read = self
            .scan_selected(&selection, after, chunk, MAX_SCAN, |record| {
                records.push(render(record));
                // Full: the next page starts after this record (perhaps mid-chunk).
                if records.len() == request.limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
            })
            .await?;
        let next = match read.end {
            ScanEnd::Exhausted => None,
            ScanEnd::Stopped | ScanEnd::Bounded => read.after.map(|(s, i)| encode_cursor(&s, &i)),
        };
        Ok(Page { records, next, scanned: read.scanned })
    }

    /// Reads `selection`'s window newest first, after `after`, in chunks of `chunk` records
    /// doubling up to 1,000 (never more than one chunk in memory), handing each record the
    /// selection keeps to `visit`, until `visit` breaks (mid-chunk: `after` is that record),
    /// the window ends, or `max` records were read.
    pub(crate) async fn scan_selected(
        &self,
        selection: &Selection,
        mut after: Option<(String, String)>,
        mut chunk: usize,
        max: usize,
        mut visit: impl FnMut(&Record) -> ControlFlow<()>,
    ) -> Result<Scanned, ServiceError> {
        let mut scanned = 0;
        loop {
            let scan = selection.scan(after.as_ref(), chunk.min(max - scanned));
            let batch = self.store.scan(scan).await?;
            let exhausted = batch.len() < scan.limit;
            for record in &batch {
                scanned += 1;
                if selection.keeps(record) && visit(record).is_break() {
                    let after = Some((record.sort.clone(), record.id.clone()));
                    return Ok(Scanned { scanned, after, end: ScanEnd::Stopped });
                }
            }
            if let Some(last) = batch.last() {
                after = Some((last.sort.clone(), last.id.clone()));
            }
            if exhausted {
                return Ok(Scanned { scanned, after, end: ScanEnd::Exhausted });
            }
            if scanned >= max {
                return Ok(Scanned { scanned, after, end: ScanEnd::Bounded });
            }
            chunk = (chunk * 2).min(1000);
        }
    }

    /// Whether `selection`'s window holds a record after `after` (read or not, kept or not).
    pub(crate) async fn more_after(
        &self,
        selection: &Selection,
        after: Option<&(String, String)>,
    ) -> Result<bool, ServiceError> {
        Ok(!self.store.scan(selection.scan(after, 1)).await?.is_empty())
    }

    /// Reads a whole collection, newest first, in chunks of 1,000 handed to `visit`, stopping
    /// after `max` records (for the aggregates: the VERIS pivot, the feeds, the watchlist).
    pub(crate) async fn scan_all(
        &self,
        collection: Collection,
        max: usize,
        mut visit: impl FnMut(Vec<Record>),
    ) -> Result<(), ServiceError> {
        let (mut after, mut read) = (None::<(String, String)>, 0);
        while read < max {
            let scan = Scan {
                collection: collection.name(),
                sort_from: None,
                sort_to: None,
                after: after.as_ref().map(|(s, i)| (s.as_str(), i.as_str())),
                limit: 1000.min(max - read),
            };
            let batch = self.store.scan(scan).await?;
            let done = batch.len() < scan.limit;
            read += batch.len();
            after = batch.last().map(|r| (r.sort.clone(), r.id.clone()));
            visit(batch);
            if done {
                break;
            }
        }
        Ok(())
    }

    /// Creates a record, with `by` as its author.
    pub async fn create(
        &self,
        collection: Collection,
        id: &str,
        sort: &str,
        data: &Map<String, Value>,
        by: &str,
    ) -> Result<Record, ServiceError> {
        let data = Value::Object(data.clone());
        let new = NewRecord { collection: collection.name(), id, sort, data: &data };
        Ok(self.store.create(new, self.author(by)).await?)
    }

    /// Replaces a record's document at `version`.
    pub async fn replace(
        &self,
        collection: Collection,
        id: &str,
        version: u64,
        sort: &str,
        data: &Map<String, Value>,
        by: &str,
    ) -> Result<Record, ServiceError> {
        let data = Value::Object(data.clone());
        Ok(self.store.update(collection.name(), id, version, sort, &data, self.author(by)).await?)
    }

    /// Applies `change` to the current document and writes it, reading again and re-applying
    /// when someone else wrote in between (for the changes that merge by construction: an
    /// ack, a link, an appended identifier). `change` answers the new document and sort key,
    /// or `None` to leave the record as it is.
    pub async fn modify(
        &self,
        collection: Collection,
        id: &str,
        by: &str,
        mut change: impl FnMut(&Record) -> Result<Option<(String, Map<String, Value>)>, ServiceError>,
    ) -> Result<Record, ServiceError> {
        for _ in 0..8 {
            let current = self.get(collection, id).await?;
            let Some((sort, data)) = change(&current)? else { return Ok(current) };
            match self.replace(collection, id, current.version, &sort, &data, by).await {
                Err(ServiceError::Records(StoreError::Conflict(_))) => continue,
                other => return other,
            }
        }
        Err(ServiceError::Records(StoreError::Unavailable(format!(
            "{} record {id:?} kept changing under this update; try again",
            collection.name()
        ))))
    }

    /// Deletes a record at `version`.
    pub async fn delete(
        &self,
        collection: Collection,
        id: &str,
        version: u64,
        by: &str,
    ) -> Result<Record, ServiceError> {
        Ok(self.store.delete(collection.name(), id, version, self.author(by)).await?)
    }

    /// A record's changes, oldest first (its newest `limit`).
    pub async fn history(&self, collection: Collection, id: &str, limit: usize) -> Result<Vec<Value>, ServiceError> {
        let changes = self.store.history(collection.name(), id, limit).await?;
        if changes.is_empty() {
            return Err(ServiceError::Records(StoreError::NotFound(format!(
                "no {} record {id:?}, now or before",
                collection.name()
            ))));
        }
        Ok(changes.iter().map(render_change).collect())
    }

    /// The changes after `cursor` that `viewer` may see (another user's preferences are
    /// theirs alone), at most `limit`, and the cursor to ask from next.
    pub async fn changes(&self, cursor: u64, limit: usize, viewer: &str) -> Result<(Vec<Value>, u64), ServiceError> {
        let changes = self.store.changes(cursor, limit).await?;
        let next = changes.last().map_or(cursor, |c| c.seq);
        let visible = changes
            .iter()
            .filter(|c| c.collection != Collection::Preferences.name() || c.id == viewer)
            .filter(|c| c.collection != crate::collectors::CURSORS)
            .map(render_change)
            .collect();
        Ok((visible, next))
    }

    /// The feed's newest sequence number.
    pub async fn head(&self) -> Result<u64, ServiceError> {
        Ok(self.store.head().await?)
    }

    /// Records that `user` is viewing or editing a record (for [`PRESENCE_SECONDS`]) and
    /// answers who is there now.
    pub async fn touch_presence(
        &self,
        collection: Collection,
        id: &str,
        user: &str,
        activity: &str,
    ) -> Result<Vec<Value>, ServiceError> {
        if !matches!(activity, "viewing" | "editing") {
            return Err(ServiceError::invalid("activity", "must be \"viewing\" or \"editing\""));
        }
        let now = self.clock.now();
        let presence = Presence {
            collection: collection.name().to_owned(),
            id: id.to_owned(),
            user: user.to_owned(),
            activity: activity.to_owned(),
            expires: now + Duration::seconds(PRESENCE_SECONDS),
        };
        self.store.touch_presence(&presence).await?;
        self.presence(collection, id).await
    }

    /// Who is viewing or editing a record now.
    pub async fn presence(&self, collection: Collection, id: &str) -> Result<Vec<Value>, ServiceError> {
        let entries = self.store.presence(collection.name(), id, self.clock.now()).await?;
        Ok(entries
            .iter()
            .map(|p| json!({"user": p.user, "activity": p.activity, "expires": fields::timestamp(&p.expires)}))
            .collect())
    }
}

/// A random 24-hex-digit id (the shape of MozDef's Meteor ids).
pub fn new_id() -> Result<String, ServiceError> {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; 12];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| ServiceError::Records(StoreError::Unavailable("no randomness for a record id".into())))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A stable id for a natural key (a watched term, a chain's alert and user): the first 24
/// hex digits of its SHA-256.
pub fn key_id(parts: &[&str]) -> String {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        context.update(part.as_bytes());
        context.update(&[0]);
    }
    context.finish().as_ref()[..12].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let cursor = encode_cursor("2026-12-07T09:00:00.000000Z", "a#b");
        assert_eq!(decode_cursor(&cursor).expect("decodes"), ("2026-12-07T09:00:00.000000Z".into(), "a#b".into()));
        assert!(decode_cursor("not a cursor").is_err());
    }

    #[test]
    fn filters_match_values_and_list_members() {
        let data = json!({"phase": "Containment", "tags": ["a", "b"], "n": 3});
        assert!(field_matches(data.get("phase"), "Containment"));
        assert!(!field_matches(data.get("phase"), "containment"));
        assert!(field_matches(data.get("tags"), "b"));
        assert!(field_matches(data.get("n"), "3"));
        assert!(field_matches(data.get("missing"), ""));
        assert!(text_matches(&json!({"summary": "Phishing WAVE"}), &["summary"], "wave"));
    }

    #[test]
    fn ids() {
        let id = new_id().expect("id");
        assert_eq!(id.len(), 24);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(key_id(&["a", "b"]), key_id(&["a", "b"]));
        assert_ne!(key_id(&["ab", ""]), key_id(&["a", "b"]));
    }
}
