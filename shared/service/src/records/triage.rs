//! Alert triage: the alerts' copies in the record store (MozDef's Mongo `alerts`, written
//! through when an alert is stored — `syncAlertsToMongo` without the minute's delay — or
//! imported from the event store on first use), ack and unack, status, identity confidence
//! and response, escalation to an investigation or an incident (linked both ways), MozDef's
//! `/alertstatus`, and the triage bot's duplicate chains (`/alerttriagechain`).
//!
//! A triage copy holds the alert's `utctimestamp`, `severity`, `category`, `summary`, `tags`
//! and `esmetadata {id, index}`, and the triage fields `status`, `acknowledged`,
//! `acknowledgedby`, `identityConfidence`, `response`, `triagedby` and `escalated
//! {collection, id}`.

use mozdef_model::{Document, EventRef};
use mozdef_store::{Record, StoreError};
use serde_json::{Map, Value, json};

use super::fields::{self, MAX_SHORT, MAX_TEXT, object, only_known, opt_bool, opt_choice, opt_text, put, string_list};
use super::{Collection, RENDERED_KEYS, Records, SYSTEM, key_id};
use crate::ServiceError;

/// MozDef's alert statuses (`/alertstatus`).
pub const STATUSES: [&str; 4] = ["manual", "inProgress", "acknowledged", "escalated"];
/// MozDef's identity confidence levels.
pub const CONFIDENCES: [&str; 5] = ["highest", "high", "moderate", "low", "lowest"];
/// The user MozDef's `/alertstatus` acknowledges as.
pub const TRIAGE_BOT: &str = "triagebot";

/// The triage copy of a stored alert.
pub fn alert_copy(stored: &EventRef, alert: &Document, now: &str) -> Map<String, Value> {
    let mut copy = Map::new();
    for field in ["utctimestamp", "severity", "category", "summary", "tags"] {
        if let Some(value) = alert.get(field) {
            copy.insert(field.into(), value.clone());
        }
    }
    let time = alert.get("utctimestamp").and_then(Value::as_str).and_then(fields::parse_date);
    copy.insert("utctimestamp".into(), json!(time.map_or_else(|| now.to_owned(), |t| fields::timestamp(&t))));
    copy.insert("esmetadata".into(), json!({"id": stored.id, "index": stored.index}));
    copy.insert("status".into(), Value::Null);
    copy.insert("acknowledged".into(), Value::Null);
    copy.insert("acknowledgedby".into(), Value::Null);
    copy
}

fn alert_sort(copy: &Map<String, Value>) -> String {
    copy.get("utctimestamp").and_then(Value::as_str).unwrap_or_default().to_owned()
}

impl Records {
    /// Writes the triage copy of an alert just stored (nothing when it is there already).
    pub async fn record_alert(&self, stored: &EventRef, alert: &Document) -> Result<(), ServiceError> {
        let copy = alert_copy(stored, alert, &fields::timestamp(&self.now()));
        match self.create(Collection::Alerts, &stored.id, &alert_sort(&copy), &copy, SYSTEM).await {
            Ok(_) | Err(ServiceError::Records(StoreError::Conflict(_))) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// An alert's triage copy, imported from the event store when it has none yet.
    pub async fn alert(&self, id: &str) -> Result<Record, ServiceError> {
        if let Some(record) = self.store().get(Collection::Alerts.name(), id).await? {
            return Ok(record);
        }
        let indices = vec!["alerts-*".to_owned()];
        let hit = self
            .events
            .get(&indices, id, self.now())
            .await?
            .ok_or_else(|| ServiceError::Records(StoreError::NotFound(format!("no alert with id {id:?}"))))?;
        self.record_alert(&EventRef { index: hit.index, id: hit.id }, &hit.source).await?;
        self.get(Collection::Alerts, id).await
    }

    /// A triage edit of an alert at `version` (from the body): `status`, `identityConfidence`,
    /// `response`, `acknowledged` (true acks as the caller, false unacks).
    pub async fn triage_alert(&self, id: &str, body: &Value, by: &str) -> Result<Record, ServiceError> {
        let version = super::casefile::body_version(body)?;
        let object = object(body, "body")?;
        let mut known = vec!["status", "identityConfidence", "response", "acknowledged"];
        known.extend(RENDERED_KEYS);
        // The copy's own fields, as a client read them: accepted and left as they are.
        known.extend(["utctimestamp", "severity", "category", "summary", "tags", "esmetadata"]);
        known.extend(["acknowledgedby", "triagedby", "escalated", "details"]);
        only_known(object, &known, "")?;
        let status = opt_choice(object, "status", "", &STATUSES)?;
        let confidence = opt_choice(object, "identityConfidence", "", &CONFIDENCES)?;
        let response = opt_text(object, "response", "", MAX_TEXT)?;
        let ack = opt_bool(object, "acknowledged", "")?;
        let current = self.alert(id).await?;
        let mut data = current.data.as_object().cloned().unwrap_or_default();
        put(&mut data, "status", status);
        put(&mut data, "identityConfidence", confidence);
        put(&mut data, "response", response);
        match ack {
            Some(true) => acknowledge(&mut data, by, &fields::timestamp(&self.now())),
            Some(false) => unacknowledge(&mut data),
            None => {}
        }
        data.insert("triagedby".into(), json!(by));
        self.replace(Collection::Alerts, id, version, &current.sort, &data, by).await
    }

    /// Acks (or unacks) an alert as `by`, whatever its version: an ack merges by
    /// construction (MozDef's ack button and double-click).
    pub async fn acknowledge_alert(&self, id: &str, ack: bool, by: &str) -> Result<Record, ServiceError> {
        self.alert(id).await?;
        let now = fields::timestamp(&self.now());
        self.modify(Collection::Alerts, id, by, |current| {
            let mut data = current.data.as_object().cloned().unwrap_or_default();
            let acked = data.get("acknowledged").is_some_and(|v| !v.is_null());
            if acked == ack {
                return Ok(None);
            }
            if ack {
                acknowledge(&mut data, by, &now)
            } else {
                unacknowledge(&mut data)
            }
            Ok(Some((current.sort.clone(), data)))
        })
        .await
    }

    /// MozDef's `POST /alertstatus`: `{alert, status, user: {email, slack}, identityConfidence,
    /// response}`; acknowledged sets `acknowledged` now and `acknowledgedby` to the triage bot.
    pub async fn alert_status(&self, body: &Value, by: &str) -> Result<Record, ServiceError> {
        let object = object(body, "body")?;
        let alert = fields::text(object, "alert", "", MAX_SHORT)?;
        let status = opt_choice(object, "status", "", &STATUSES)?
            .ok_or_else(|| ServiceError::invalid("status", "is required"))?;
        let user = match object.get("user") {
            Some(Value::Object(user)) => user,
            Some(_) => return Err(ServiceError::invalid("user", "must be an object {email, slack}")),
            None => return Err(ServiceError::invalid("user", "is required")),
        };
        let email = fields::text(user, "email", "user", MAX_SHORT)?;
        let slack = opt_text(user, "slack", "user", MAX_SHORT)?;
        let confidence = opt_choice(object, "identityConfidence", "", &CONFIDENCES)?
            .ok_or_else(|| ServiceError::invalid("identityConfidence", "is required"))?;
        let response = fields::text(object, "response", "", MAX_TEXT)?;
        self.alert(&alert).await?;
        let now = fields::timestamp(&self.now());
        self.modify(Collection::Alerts, &alert, by, |current| {
            let mut data = current.data.as_object().cloned().unwrap_or_default();
            data.insert("status".into(), json!(status));
            data.insert("identityConfidence".into(), json!(confidence));
            data.insert("response".into(), json!(response));
            data.insert("triagedby".into(), json!(email));
            data.insert("details".into(), json!({"triage": {"user": {"email": email, "slack": slack}, "response": response}, "identityConfidence": confidence}));
            if status == "acknowledged" {
                acknowledge(&mut data, TRIAGE_BOT, &now);
            }
            Ok(Some((current.sort.clone(), data)))
        })
        .await
    }

    /// Escalates an alert to a new investigation or incident: the record opens with the
    /// alert's summary and time and references the alert; the alert is acknowledged, marked
    /// escalated and linked to it. An alert escalated before answers the record it went to.
    pub async fn escalate_alert(&self, id: &str, investigation: bool, by: &str) -> Result<Record, ServiceError> {
        let alert = self.alert(id).await?;
        if let Some(link) = alert.data.get("escalated").and_then(Value::as_object) {
            let target = link.get("collection").and_then(Value::as_str).and_then(Collection::parse);
            if let (Some(collection), Some(target_id)) = (target, link.get("id").and_then(Value::as_str))
                && let Some(record) = self.store().get(collection.name(), target_id).await?
            {
                return Ok(record);
            }
        }
        let summary = alert.data.get("summary").and_then(Value::as_str).unwrap_or("escalated alert");
        let mut body = json!({"summary": summary, "references": [format!("/alert/{id}")]});
        if let Some(time) = alert.data.get("utctimestamp") {
            body["dateOpened"] = time.clone();
        }
        let created = self.create_casefile(&body, investigation, by).await?;
        let collection = if investigation { Collection::Investigations } else { Collection::Incidents };
        let linked = self
            .modify(collection, &created.id, by, |current| {
                let mut data = current.data.as_object().cloned().unwrap_or_default();
                data.insert("alerts".into(), json!([id]));
                Ok(Some((current.sort.clone(), data)))
            })
            .await?;
        let now = fields::timestamp(&self.now());
        self.modify(Collection::Alerts, id, by, |current| {
            let mut data = current.data.as_object().cloned().unwrap_or_default();
            data.insert("status".into(), json!("escalated"));
            if data.get("acknowledged").is_none_or(Value::is_null) {
                acknowledge(&mut data, by, &now);
            }
            data.insert("escalated".into(), json!({"collection": collection.name(), "id": created.id}));
            Ok(Some((current.sort.clone(), data)))
        })
        .await?;
        Ok(linked)
    }

    /// A duplicate chain of `alert` (a label) for `user`.
    pub async fn triage_chain(&self, alert: &str, user: &str) -> Result<Option<Record>, ServiceError> {
        Ok(self.store().get(Collection::DuplicateChains.name(), &key_id(&[alert, user])).await?)
    }

    /// Creates a duplicate chain (MozDef's `POST /alerttriagechain`); one per alert and user.
    pub async fn create_triage_chain(&self, body: &Value, by: &str) -> Result<Record, ServiceError> {
        let (alert, user, identifiers) = chain_body(body, true)?;
        let now = fields::timestamp(&self.now());
        let mut doc = Map::new();
        doc.insert("alert".into(), json!(alert));
        doc.insert("user".into(), json!(user));
        doc.insert("identifiers".into(), json!(identifiers));
        // The chain's own times; the record's `created`/`modified` are rendered beside them.
        doc.insert("chainCreated".into(), json!(now));
        doc.insert("chainModified".into(), json!(now));
        self.create(Collection::DuplicateChains, &key_id(&[&alert, &user]), &now, &doc, by).await
    }

    /// Appends identifiers to a chain (MozDef's `PUT /alerttriagechain`).
    pub async fn extend_triage_chain(&self, body: &Value, by: &str) -> Result<Record, ServiceError> {
        let (alert, user, identifiers) = chain_body(body, true)?;
        let now = fields::timestamp(&self.now());
        self.modify(Collection::DuplicateChains, &key_id(&[&alert, &user]), by, |current| {
            let mut data = current.data.as_object().cloned().unwrap_or_default();
            let mut all: Vec<Value> = data.get("identifiers").and_then(Value::as_array).cloned().unwrap_or_default();
            all.extend(identifiers.iter().map(|i| json!(i)));
            data.insert("identifiers".into(), Value::Array(all));
            data.insert("chainModified".into(), json!(now));
            Ok(Some((now.clone(), data)))
        })
        .await
    }

    /// Deletes a chain (MozDef's `DELETE /alerttriagechain`).
    pub async fn delete_triage_chain(&self, body: &Value, by: &str) -> Result<Record, ServiceError> {
        let (alert, user, _) = chain_body(body, false)?;
        let id = key_id(&[&alert, &user]);
        let current = self.get(Collection::DuplicateChains, &id).await?;
        self.delete(Collection::DuplicateChains, &id, current.version, by).await
    }
}

/// `{alert, user, identifiers[]}` (identifiers required when `with_identifiers`).
fn chain_body(body: &Value, with_identifiers: bool) -> Result<(String, String, Vec<String>), ServiceError> {
    let object = object(body, "body")?;
    only_known(object, &["alert", "user", "identifiers"], "")?;
    let alert = fields::text(object, "alert", "", MAX_SHORT)?;
    let user = fields::text(object, "user", "", MAX_SHORT)?;
    if !super::casefile::is_email(&user) {
        return Err(ServiceError::invalid("user", format!("{user:?} is not an email address")));
    }
    let identifiers = string_list(object, "identifiers", "", MAX_SHORT)?;
    if with_identifiers && object.get("identifiers").is_none() {
        return Err(ServiceError::invalid("identifiers", "is required"));
    }
    Ok((alert, user, identifiers))
}

fn acknowledge(data: &mut Map<String, Value>, by: &str, now: &str) {
    data.insert("acknowledged".into(), json!(now));
    data.insert("acknowledgedby".into(), json!(by));
    if data.get("status").is_none_or(Value::is_null) {
        data.insert("status".into(), json!("acknowledged"));
    }
}

fn unacknowledge(data: &mut Map<String, Value>) {
    data.insert("acknowledged".into(), Value::Null);
    data.insert("acknowledgedby".into(), Value::Null);
    if data.get("status").and_then(Value::as_str) == Some("acknowledged") {
        data.insert("status".into(), Value::Null);
    }
}
