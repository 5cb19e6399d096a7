//! The IP and FQDN blocklists and the watchlist, as records (MozDef's REST plugins
//! `ipblocklist`, `fqdnblocklist` and `watchlist` behind `/blockip`, `/blockfqdn` and
//! `/watchitem`; its crons `createIPBlockList` and `createFQDNBlockList`; `/getwatchlist`).
//!
//! Each entry: `{address | fqdn | watchcontent, dateAdded, dateExpiring (null: never),
//! comment, creator, reference}`, keyed by its value so that blocking an address again only
//! renews its expiry and comment (MozDef's upsert). The checks (MozDef's refusals of
//! loopback, private, reserved and whitelisted networks; the FQDN rule) live in
//! [`crate::lists`].

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::fields::{self, MAX_SHORT, opt_text};
use super::{Collection, Records, SYSTEM, key_id};
use crate::ServiceError;
use crate::lists;
use mozdef_store::Record;

/// The most entries a feed or the watchlist reads.
pub const MAX_ENTRIES: usize = 100_000;
/// Expired watchlist entries are deleted this long after they expired (MozDef: 1 hour).
const WATCH_GRACE_HOURS: i64 = 1;

/// Which list an entry goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchKind {
    /// `/blockip`.
    Ip,
    /// `/blockfqdn`.
    Fqdn,
    /// `/watchitem`.
    Watch,
}

impl WatchKind {
    fn collection(self) -> Collection {
        match self {
            WatchKind::Ip => Collection::IpBlocklist,
            WatchKind::Fqdn => Collection::FqdnBlocklist,
            WatchKind::Watch => Collection::Watchlist,
        }
    }

    /// The body's marker key (MozDef's plugins acted only when it was truthy).
    fn marker(self) -> &'static str {
        match self {
            WatchKind::Ip => "IPBlockList",
            WatchKind::Fqdn => "FQDNBlockList",
            WatchKind::Watch => "WatchList",
        }
    }

    /// The body's value key, also the entry's.
    fn value_key(self) -> (&'static str, &'static str) {
        match self {
            WatchKind::Ip => ("ipaddress", "address"),
            WatchKind::Fqdn => ("fqdn", "fqdn"),
            WatchKind::Watch => ("watchcontent", "watchcontent"),
        }
    }

    /// The name of MozDef's REST plugin doing this.
    pub fn plugin(self) -> &'static str {
        match self {
            WatchKind::Ip => "ipblocklist",
            WatchKind::Fqdn => "fqdnblocklist",
            WatchKind::Watch => "watchlist",
        }
    }
}

fn expired(entry: &Record, at: &str) -> bool {
    entry.data.get("dateExpiring").and_then(Value::as_str).is_some_and(|e| e <= at)
}

fn expiry(entry: &Record) -> Option<DateTime<Utc>> {
    entry.data.get("dateExpiring").and_then(Value::as_str).and_then(fields::parse_date)
}

impl Records {
    /// Adds an entry from MozDef's body (a list of single-key objects, or a plain object):
    /// the value checked, `duration` (MozDef's `12hr` ... `30d`, else one hour), `comment`,
    /// `referenceid`. An entry already there has its expiry and comment renewed.
    pub async fn add_watch_entry(&self, kind: WatchKind, body: &Value, by: &str) -> Result<Record, ServiceError> {
        let body = lists::mozdef_body(body)?;
        let marker = kind.marker();
        if let Some(flag) = body.get(marker) {
            let truthy = match flag {
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty() && !s.eq_ignore_ascii_case("false"),
                Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
                _ => false,
            };
            if !truthy {
                return Err(ServiceError::invalid(marker, "must be true for this request to act"));
            }
        }
        let (body_key, entry_key) = kind.value_key();
        let raw = fields::text(&body, body_key, "", MAX_SHORT)?;
        let value = match kind {
            WatchKind::Ip => lists::check_block_address(&raw, &self.whitelists.networks)?.to_string(),
            WatchKind::Fqdn => {
                let name = lists::check_fqdn(&raw)?;
                if self.whitelists.fqdns.contains(&name) {
                    return Err(ServiceError::invalid(
                        "fqdn",
                        format!("{name:?} is whitelisted: it may not be blocked"),
                    ));
                }
                name
            }
            WatchKind::Watch => lists::check_watch_content(&raw)?,
        };
        let duration = opt_text(&body, "duration", "", 32)?.unwrap_or_default();
        let now = self.now();
        let expires = fields::timestamp(&(now + lists::parse_duration(&duration)));
        let comment = opt_text(&body, "comment", "", fields::MAX_TEXT)?;
        let reference = opt_text(&body, "referenceid", "", MAX_SHORT)?;
        let id = key_id(&[&value]);
        let collection = kind.collection();
        if self.store().get(collection.name(), &id).await?.is_some() {
            return self
                .modify(collection, &id, by, |current| {
                    let mut data = current.data.as_object().cloned().unwrap_or_default();
                    data.insert("dateExpiring".into(), json!(expires));
                    if let Some(comment) = &comment {
                        data.insert("comment".into(), json!(comment));
                    }
                    Ok(Some((current.sort.clone(), data)))
                })
                .await;
        }
        let added = fields::timestamp(&now);
        let mut doc = Map::new();
        doc.insert(entry_key.into(), json!(value));
        doc.insert("dateAdded".into(), json!(added));
        doc.insert("dateExpiring".into(), json!(expires));
        doc.insert("comment".into(), json!(comment.unwrap_or_default()));
        doc.insert("creator".into(), json!(by));
        doc.insert("reference".into(), json!(reference.unwrap_or_default()));
        self.create(collection, &id, &added, &doc, by).await
    }

    /// Every entry of a list, newest first (at most [`MAX_ENTRIES`]).
    async fn all_entries(&self, collection: Collection) -> Result<Vec<Record>, ServiceError> {
        let mut entries = Vec::new();
        self.scan_all(collection, MAX_ENTRIES, |batch| entries.extend(batch)).await?;
        Ok(entries)
    }

    /// Deletes the entries of `collection` that expired before `before`; answers the rest.
    async fn prune(&self, collection: Collection, before: &str) -> Result<Vec<Record>, ServiceError> {
        let mut kept = Vec::new();
        for entry in self.all_entries(collection).await? {
            if expired(&entry, before) {
                match self.delete(collection, &entry.id, entry.version, SYSTEM).await {
                    Ok(_) | Err(ServiceError::Records(mozdef_store::StoreError::NotFound(_))) => {}
                    // Someone renewed it meanwhile: it stays, as renewed.
                    Err(ServiceError::Records(mozdef_store::StoreError::Conflict(_))) => {}
                    Err(e) => return Err(e),
                }
            } else {
                kept.push(entry);
            }
        }
        Ok(kept)
    }

    /// MozDef's `/getwatchlist`: deletes entries that expired over an hour ago and answers the
    /// active (or never expiring) terms, newest first.
    pub async fn watchlist_terms(&self) -> Result<Vec<String>, ServiceError> {
        let now = self.now();
        let grace = fields::timestamp(&(now - Duration::hours(WATCH_GRACE_HOURS)));
        let now = fields::timestamp(&now);
        let entries = self.prune(Collection::Watchlist, &grace).await?;
        Ok(entries
            .iter()
            .filter(|e| !expired(e, &now))
            .filter_map(|e| e.data.get("watchcontent").and_then(Value::as_str).map(str::to_owned))
            .collect())
    }

    /// The firewall feed (MozDef's `createIPBlockList` / `createFQDNBlockList`): expired
    /// entries deleted, the active ones one per line (addresses CIDR-merged), at most `limit`.
    pub async fn blocklist_feed(&self, kind: WatchKind, limit: usize) -> Result<String, ServiceError> {
        let now = self.now();
        let entries = self.prune(kind.collection(), &fields::timestamp(&now)).await?;
        Ok(match kind {
            WatchKind::Ip => {
                let nets = entries.iter().filter_map(|e| {
                    let address = e.data.get("address").and_then(Value::as_str)?;
                    Some((address.parse().ok()?, expiry(e)))
                });
                lists::ip_blocklist_feed(nets, now, limit)
            }
            WatchKind::Fqdn | WatchKind::Watch => {
                let names = entries.iter().filter_map(|e| {
                    let name = e.data.get("fqdn").and_then(Value::as_str)?;
                    Some((name.to_owned(), expiry(e)))
                });
                lists::fqdn_blocklist_feed(names, now, limit)
            }
        })
    }
}
