//! MozDef's index crons on OpenSearch (inventory §5): `rotateIndexes` ([`rotate`]),
//! `closeIndices` ([`close_old`]) and `pruneIndexes` ([`prune`]), and all three in one
//! [`run_maintenance`] for the maintenance Lambda and the `mozdef` CLI.
//!
//! Every function takes the time it runs at (`now`) instead of reading the clock, computes
//! the desired state of the cluster from what is there, and changes only what differs: a
//! second run at the same `now` changes nothing and returns no [`Change`]. Two runs at the
//! same time (a retried Lambda) are tolerated: an index the other run created, closed or
//! deleted first is no error.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeDelta, Utc};
use mozdef_store::indices::{alerts_index, alerts_index_date, events_index, events_index_date, events_indices_between};
use opensearch::http::Method;
use serde::Serialize;
use serde_json::{Value, json};

use super::{LifecycleConfig, install_templates, settings};
use crate::client::{Answer, Body, Client};
use crate::{IndexInfo, OpenSearchError};

/// The alias of today's daily events index.
pub const EVENTS_ALIAS: &str = "events";
/// The alias of yesterday's daily events index.
pub const EVENTS_PREVIOUS_ALIAS: &str = "events-previous";
/// The alias of the daily events indices from 7 days ago through today.
pub const EVENTS_WEEKLY_ALIAS: &str = "events-weekly";
/// The alias of this month's alerts index.
pub const ALERTS_ALIAS: &str = "alerts";
/// The alias of last month's alerts index.
pub const ALERTS_PREVIOUS_ALIAS: &str = "alerts-previous";

/// The aliases [`rotate`] manages (MozDef names).
pub const MANAGED_ALIASES: [&str; 5] =
    [EVENTS_ALIAS, EVENTS_PREVIOUS_ALIAS, EVENTS_WEEKLY_ALIAS, ALERTS_ALIAS, ALERTS_PREVIOUS_ALIAS];

/// How many days back `events-weekly` reaches (MozDef: 7 days ago through today).
const WEEKLY_DAYS: i64 = 7;

/// How often the alias update is computed again when the cluster changed under it (another
/// run moved an alias or deleted an index between the read and the update).
const ALIAS_ATTEMPTS: usize = 3;

/// One change a lifecycle function made to the cluster. Index and alias names are MozDef's
/// (without the configured prefix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The mapping and quarantine templates were installed or replaced.
    TemplateInstalled,
    /// An index was created.
    IndexCreated(String),
    /// An alias now points at other indices.
    AliasMoved {
        /// The alias (`events`, `events-previous`, `events-weekly`, `alerts`, `alerts-previous`).
        alias: String,
        /// The indices it was added to, sorted.
        added: Vec<String>,
        /// The indices it was removed from, sorted.
        removed: Vec<String>,
    },
    /// An index was closed.
    IndexClosed(String),
    /// An index was deleted.
    IndexDeleted(String),
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::TemplateInstalled => f.write_str("installed the index templates"),
            Change::IndexCreated(index) => write!(f, "created {index}"),
            Change::AliasMoved { alias, added, removed } => {
                write!(f, "moved {alias}:")?;
                for index in added {
                    write!(f, " +{index}")?;
                }
                for index in removed {
                    write!(f, " -{index}")?;
                }
                Ok(())
            }
            Change::IndexClosed(index) => write!(f, "closed {index}"),
            Change::IndexDeleted(index) => write!(f, "deleted {index}"),
        }
    }
}

/// MozDef's rotateIndexes: installs the templates, creates today's `events-YYYYMMDD` and this
/// month's `alerts-YYYYMM` when they are missing (with the settings of
/// [`settings`]; the template adds the mapping), and points the aliases, in
/// one atomic `POST _aliases`:
///
/// * `events` at today's index and `alerts` at this month's;
/// * `events-previous` at yesterday's index and `alerts-previous` at last month's, when it
///   exists and is open;
/// * `events-weekly` at every existing open daily index from 7 days ago through today.
///
/// Each alias points at exactly these indices afterwards: it is removed from any other index,
/// and `events-previous` / `alerts-previous` point at nothing when the previous index is
/// missing (MozDef left them on an older index; here they agree with how the stores resolve
/// the names). Closed indices are left out, as MozDef's index listing left them out: an alias
/// with a closed index makes every search on it fail.
pub async fn rotate(
    client: &Client,
    config: &LifecycleConfig,
    now: DateTime<Utc>,
) -> Result<Vec<Change>, OpenSearchError> {
    let mut changes = Vec::new();
    if install_templates(client, config).await? {
        changes.push(Change::TemplateInstalled);
    }
    let mut indices = crate::list(client).await?;
    for name in [events_index(now), alerts_index(now)] {
        if indices.iter().any(|i| i.name == name) {
            continue;
        }
        if create_index(client, config, &name).await? {
            changes.push(Change::IndexCreated(name.clone()));
        }
        indices.push(IndexInfo { name, open: true, documents: 0 });
    }
    changes.extend(sync_aliases(client, &indices, now).await?);
    Ok(changes)
}

/// MozDef's closeIndices: closes every open daily events index that is
/// `events_close_after_days` days old or older (on day D with 15 days, the indices of D-15
/// and before). `None` or 0: close nothing. Today's index is never closed.
pub async fn close_old(
    client: &Client,
    config: &LifecycleConfig,
    now: DateTime<Utc>,
) -> Result<Vec<Change>, OpenSearchError> {
    let Some(cutoff) = day_cutoff(config.events_close_after_days, now) else { return Ok(Vec::new()) };
    let mut changes = Vec::new();
    for index in crate::list(client).await? {
        let expired = events_index_date(&index.name).is_some_and(|date| date <= cutoff);
        if !index.open || !expired {
            continue;
        }
        let path = format!("/{}/_close", client.physical(&index.name));
        let answer = client.send(Method::Post, &path, &[], None).await?;
        if answer.status == 404 {
            tracing::info!(index = %index.name, "index to close is gone already");
            continue;
        }
        check(&answer, Method::Post, &path)?;
        tracing::info!(index = %index.name, documents = index.documents, "index closed");
        changes.push(Change::IndexClosed(index.name));
    }
    Ok(changes)
}

/// MozDef's pruneIndexes: deletes every daily events index that is `events_prune_after_days`
/// days old or older, and every monthly alerts index that is `alerts_prune_after_months`
/// months old or older (on 2026-03-xx with 3 months: `alerts-202512` and before). `None` or
/// 0: keep (MozDef's 0). Today's and this month's index are never deleted.
///
/// Unlike MozDef, which deleted exactly the one index dated N days (or 31×N days) ago, this
/// deletes every index past the retention: a missed or failed run must not leave an index
/// behind forever.
pub async fn prune(
    client: &Client,
    config: &LifecycleConfig,
    now: DateTime<Utc>,
) -> Result<Vec<Change>, OpenSearchError> {
    let events_cutoff = day_cutoff(config.events_prune_after_days, now);
    let alerts_cutoff = month_cutoff(config.alerts_prune_after_months, now);
    if events_cutoff.is_none() && alerts_cutoff.is_none() {
        return Ok(Vec::new());
    }
    let mut changes = Vec::new();
    for index in crate::list(client).await? {
        let expired = match (events_index_date(&index.name), alerts_index_date(&index.name)) {
            (Some(day), _) => events_cutoff.is_some_and(|cutoff| day <= cutoff),
            (_, Some(month)) => alerts_cutoff.is_some_and(|cutoff| month <= cutoff),
            _ => false,
        };
        if !expired {
            continue;
        }
        let path = format!("/{}", client.physical(&index.name));
        let answer = client.send(Method::Delete, &path, &[], None).await?;
        if answer.status == 404 {
            tracing::info!(index = %index.name, "index to delete is gone already");
            continue;
        }
        check(&answer, Method::Delete, &path)?;
        tracing::info!(index = %index.name, documents = index.documents, open = index.open, "index deleted");
        changes.push(Change::IndexDeleted(index.name));
    }
    Ok(changes)
}

/// The daily maintenance: [`rotate`], then [`close_old`], then [`prune`], with their changes
/// in that order. Rotation comes first, so that a failure to close or prune never leaves the
/// day without its index; when indices were closed, the aliases are brought up to date again
/// (a closed index leaves `events-weekly`), so that one run leaves nothing for the next.
pub async fn run_maintenance(
    client: &Client,
    config: &LifecycleConfig,
    now: DateTime<Utc>,
) -> Result<Vec<Change>, OpenSearchError> {
    let mut changes = rotate(client, config, now).await?;
    let closed = close_old(client, config, now).await?;
    let resync = !closed.is_empty();
    changes.extend(closed);
    changes.extend(prune(client, config, now).await?);
    if resync {
        let indices = crate::list(client).await?;
        changes.extend(sync_aliases(client, &indices, now).await?);
    }
    Ok(changes)
}

/// Creates `name` (a MozDef name). `false` when it exists already (another run created it
/// first).
async fn create_index(client: &Client, config: &LifecycleConfig, name: &str) -> Result<bool, OpenSearchError> {
    let path = format!("/{}", client.physical(name));
    let body = json!({"settings": {"index": settings(config)}});
    let answer = client.send(Method::Put, &path, &[], Some(Body::Json(body))).await?;
    if answer.status == 400 && error_type(&answer.body).as_deref() == Some("resource_already_exists_exception") {
        tracing::info!(index = name, "index exists already (created concurrently)");
        return Ok(false);
    }
    check(&answer, Method::Put, &path)?;
    tracing::info!(index = name, "index created");
    Ok(true)
}

/// Points the managed aliases at the indices they should point at, given the `indices`
/// there are, in one `POST _aliases`; nothing is sent when they are right already.
async fn sync_aliases(
    client: &Client,
    indices: &[IndexInfo],
    now: DateTime<Utc>,
) -> Result<Vec<Change>, OpenSearchError> {
    let desired = desired_aliases(client, indices, now);
    let mut attempt = 1;
    loop {
        let current = current_aliases(client).await?;
        let moves = differences(&desired, &current);
        if moves.is_empty() {
            return Ok(Vec::new());
        }
        let mut actions = Vec::new();
        for m in &moves {
            for index in &m.removed {
                actions.push(json!({"remove": {"index": index, "alias": m.alias}}));
            }
            for index in &m.added {
                actions.push(json!({"add": {"index": index, "alias": m.alias}}));
            }
        }
        match client.json(Method::Post, "/_aliases", &[], Some(json!({"actions": actions}))).await {
            Ok(_) => return Ok(moves.into_iter().map(|m| m.report(client)).collect()),
            // An alias or index went away between the read and the update (another run, a
            // prune): read again and update what is still different.
            Err(OpenSearchError::Status { status: 404, reason, .. }) if attempt < ALIAS_ATTEMPTS => {
                tracing::warn!(attempt, %reason, "aliases changed during the update; trying again");
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One alias's difference, in cluster names.
#[derive(Debug)]
struct AliasMove {
    alias: String,
    added: Vec<String>,
    removed: Vec<String>,
}

impl AliasMove {
    /// Logs the move and reports it with MozDef names.
    fn report(self, client: &Client) -> Change {
        let logical = |names: Vec<String>| -> Vec<String> {
            names.into_iter().map(|n| client.logical(&n).map(str::to_owned).unwrap_or(n)).collect()
        };
        let alias = client.logical(&self.alias).map(str::to_owned).unwrap_or(self.alias);
        let (added, removed) = (logical(self.added), logical(self.removed));
        tracing::info!(alias = %alias, added = ?added, removed = ?removed, "alias moved");
        Change::AliasMoved { alias, added, removed }
    }
}

type AliasMap = BTreeMap<String, BTreeSet<String>>;

/// Where each managed alias should point (cluster names).
fn desired_aliases(client: &Client, indices: &[IndexInfo], now: DateTime<Utc>) -> AliasMap {
    let open: BTreeSet<&str> = indices.iter().filter(|i| i.open).map(|i| i.name.as_str()).collect();
    let if_open = |name: String| -> Vec<String> { if open.contains(name.as_str()) { vec![name] } else { Vec::new() } };
    let yesterday = now.checked_sub_signed(TimeDelta::days(1));
    let week_ago = now.checked_sub_signed(TimeDelta::days(WEEKLY_DAYS)).unwrap_or(now);
    let last_month = now.with_day(1).and_then(|first| first.checked_sub_signed(TimeDelta::days(1)));
    let mut desired = AliasMap::new();
    let mut set = |alias: &str, names: Vec<String>| {
        desired.insert(client.physical(alias), names.iter().map(|n| client.physical(n)).collect());
    };
    set(EVENTS_ALIAS, vec![events_index(now)]);
    set(EVENTS_PREVIOUS_ALIAS, yesterday.map(|day| if_open(events_index(day))).unwrap_or_default());
    set(EVENTS_WEEKLY_ALIAS, events_indices_between(week_ago, now).into_iter().flat_map(if_open).collect());
    set(ALERTS_ALIAS, vec![alerts_index(now)]);
    set(ALERTS_PREVIOUS_ALIAS, last_month.map(|month| if_open(alerts_index(month))).unwrap_or_default());
    desired
}

/// Where the managed aliases point now (cluster names), read from every index of the prefix,
/// open or closed.
async fn current_aliases(client: &Client) -> Result<AliasMap, OpenSearchError> {
    let path = format!("/{}*/_alias", client.prefix());
    let answer = client.json(Method::Get, &path, &[("expand_wildcards", "open,closed")], None).await?;
    let managed: BTreeSet<String> = MANAGED_ALIASES.iter().map(|a| client.physical(a)).collect();
    let mut current = AliasMap::new();
    let Value::Object(by_index) = answer else {
        return Err(OpenSearchError::Response { what: format!("GET {path}"), message: "not an object".into() });
    };
    for (index, entry) in by_index {
        let Some(aliases) = entry["aliases"].as_object() else { continue };
        for alias in aliases.keys().filter(|a| managed.contains(*a)) {
            current.entry(alias.clone()).or_default().insert(index.clone());
        }
    }
    Ok(current)
}

/// The moves that turn `current` into `desired`, in alias order.
fn differences(desired: &AliasMap, current: &AliasMap) -> Vec<AliasMove> {
    let empty = BTreeSet::new();
    desired
        .iter()
        .filter_map(|(alias, want)| {
            let have = current.get(alias).unwrap_or(&empty);
            let added: Vec<String> = want.difference(have).cloned().collect();
            let removed: Vec<String> = have.difference(want).cloned().collect();
            (!added.is_empty() || !removed.is_empty()).then(|| AliasMove { alias: alias.clone(), added, removed })
        })
        .collect()
}

/// The newest day whose daily index is `days` days old or older at `now`; `None` when
/// nothing expires (`None` or 0 days).
fn day_cutoff(days: Option<u32>, now: DateTime<Utc>) -> Option<NaiveDate> {
    let days = days.filter(|d| *d > 0)?;
    now.date_naive().checked_sub_days(Days::new(u64::from(days)))
}

/// The first day of the newest month whose monthly index is `months` months old or older at
/// `now`; `None` when nothing expires (`None` or 0 months).
fn month_cutoff(months: Option<u32>, now: DateTime<Utc>) -> Option<NaiveDate> {
    let months = months.filter(|m| *m > 0)?;
    now.date_naive().with_day(1)?.checked_sub_months(Months::new(months))
}

/// The answer as an error unless its status is 2xx.
fn check(answer: &Answer, method: Method, path: &str) -> Result<(), OpenSearchError> {
    if (200..300).contains(&answer.status) {
        return Ok(());
    }
    Err(OpenSearchError::Status {
        status: answer.status,
        what: format!("{} {path}", crate::client::method_name(method)),
        reason: crate::client::error_reason(&answer.body),
    })
}

/// OpenSearch's `error.type` of an error answer.
fn error_type(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value["error"]["type"].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 30, 0).single().unwrap_or_default()
    }

    #[test]
    fn cutoffs_count_whole_days_and_months() {
        let now = at(2026, 3, 15);
        assert_eq!(day_cutoff(Some(30), now), NaiveDate::from_ymd_opt(2026, 2, 13));
        assert_eq!(day_cutoff(Some(0), now), None);
        assert_eq!(day_cutoff(None, now), None);
        assert_eq!(month_cutoff(Some(3), now), NaiveDate::from_ymd_opt(2025, 12, 1));
        assert_eq!(month_cutoff(Some(1), at(2026, 3, 31)), NaiveDate::from_ymd_opt(2026, 2, 1));
        assert_eq!(month_cutoff(Some(0), now), None);
    }

    #[test]
    fn changes_read_well() {
        let moved = Change::AliasMoved {
            alias: "events".into(),
            added: vec!["events-20260302".into()],
            removed: vec!["events-20260301".into()],
        };
        assert_eq!(moved.to_string(), "moved events: +events-20260302 -events-20260301");
        assert_eq!(Change::IndexDeleted("alerts-202512".into()).to_string(), "deleted alerts-202512");
        assert_eq!(
            serde_json::to_value(Change::IndexCreated("events-20260302".into())).ok(),
            Some(json!({"index_created": "events-20260302"}))
        );
    }
}
