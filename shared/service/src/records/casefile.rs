//! Incidents and investigations (MozDef's incident and investigation editors): every field
//! of the Meteor records, checked; creation (with MozDef's `POST /incident` body too),
//! versioned edits, deletion by the creator only, "make incident" from an investigation, and
//! the `/veris` pivot.

use serde_json::{Map, Value, json};

use super::fields::{
    self, MAX_SHORT, MAX_TEXT, join, list, object, only_known, opt_bool, opt_choice, opt_date, opt_text, put,
    string_list, text,
};
use super::{Collection, RENDERED_KEYS, Records, new_id};
use crate::ServiceError;
use mozdef_store::Record;

/// MozDef's incident phases.
pub const PHASES: [&str; 6] = ["Identification", "Containment", "Eradication", "Recovery", "Lessons Learned", "Closed"];
/// The dates of an incident or investigation.
pub const DATES: [&str; 6] =
    ["dateOpened", "dateClosed", "dateReported", "dateVerified", "dateMitigated", "dateContained"];
/// A theory's statuses.
pub const THEORY_STATUSES: [&str; 3] = ["unverified", "verified", "disproven"];
/// A mitigation's statuses.
pub const MITIGATION_STATUSES: [&str; 4] = ["planned", "in progress", "complete", "abandoned"];

/// The fields a client writes (the rest — creator, links — the server keeps).
const COMMON: [&str; 16] = [
    "summary",
    "description",
    "phase",
    "dateOpened",
    "dateClosed",
    "dateReported",
    "dateVerified",
    "dateMitigated",
    "dateContained",
    "tags",
    "references",
    "theories",
    "timestamps",
    "mitigations",
    "lessons",
    "notes",
];
/// The investigation-only fields.
const INVESTIGATION: [&str; 3] = ["indicators", "evidence", "timeline"];
/// Fields the server keeps: links and the creator.
const KEPT: [&str; 5] = ["creator", "creatorVerified", "alerts", "incident", "investigation"];

/// Checks one list of entry objects: each an object with only `spec`'s fields, each field a
/// string (`Some(choices)`: one of them) or, for `temporary`, a boolean.
fn entries(
    body: &Map<String, Value>,
    field: &str,
    spec: &[(&str, Option<&[&str]>)],
    required: &str,
) -> Result<Vec<Value>, ServiceError> {
    let mut out = Vec::new();
    for (i, item) in list(body, field, "")?.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let entry = object(item, &path)?;
        let names: Vec<&str> = spec.iter().map(|(n, _)| *n).collect();
        only_known(entry, &names, &path)?;
        let mut checked = Map::new();
        for (name, choices) in spec {
            let value = match (*name, choices) {
                ("temporary", _) => opt_bool(entry, name, &path)?.map(Value::from),
                (n, _) if n.starts_with("date") || n == "timestamp" => opt_date(entry, n, &path)?.map(Value::from),
                (n, Some(choices)) => opt_choice(entry, n, &path, choices)?.map(Value::from),
                (n, None) => opt_text(entry, n, &path, MAX_TEXT)?.map(Value::from),
            };
            put(&mut checked, name, value);
        }
        if checked.get(required).and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(ServiceError::invalid(join(&path, required), "is required"));
        }
        out.push(Value::Object(checked));
    }
    Ok(out)
}

/// The checked document of an incident (`investigation: false`) or an investigation from a
/// client's body; the fields the server keeps are refused here and carried over by callers.
pub fn check(body: &Value, investigation: bool) -> Result<Map<String, Value>, ServiceError> {
    let body = object(body, "body")?;
    let mut known: Vec<&str> = COMMON.to_vec();
    known.extend(RENDERED_KEYS);
    known.extend(KEPT);
    if investigation {
        known.extend(INVESTIGATION);
    }
    only_known(body, &known, "")?;
    let mut doc = Map::new();
    doc.insert("summary".into(), json!(text(body, "summary", "", MAX_SHORT)?));
    put(&mut doc, "description", opt_text(body, "description", "", MAX_TEXT)?);
    let phase = opt_choice(body, "phase", "", &PHASES)?.unwrap_or_else(|| PHASES[0].to_owned());
    doc.insert("phase".into(), json!(phase));
    for date in DATES {
        put(&mut doc, date, opt_date(body, date, "")?);
    }
    let tags = string_list(body, "tags", "", MAX_SHORT)?;
    if let Some((i, bad)) = tags.iter().enumerate().find(|(_, t)| !crate::veris::is_tag(t)) {
        return Err(ServiceError::invalid(format!("tags[{i}]"), format!("{bad:?} is not a VERIS enumeration path")));
    }
    doc.insert("tags".into(), json!(tags));
    doc.insert("references".into(), json!(string_list(body, "references", "", MAX_TEXT)?));
    let theory: &[(&str, Option<&[&str]>)] =
        &[("summary", None), ("status", Some(&THEORY_STATUSES)), ("evidence", None)];
    doc.insert("theories".into(), Value::Array(entries(body, "theories", theory, "summary")?));
    let timestamp: &[(&str, Option<&[&str]>)] = &[("timestamp", None), ("description", None)];
    doc.insert("timestamps".into(), Value::Array(entries(body, "timestamps", timestamp, "timestamp")?));
    let mitigation: &[(&str, Option<&[&str]>)] =
        &[("summary", None), ("temporary", None), ("status", Some(&MITIGATION_STATUSES))];
    doc.insert("mitigations".into(), Value::Array(entries(body, "mitigations", mitigation, "summary")?));
    let note: &[(&str, Option<&[&str]>)] = &[("summary", None), ("date", None), ("by", None)];
    doc.insert("lessons".into(), Value::Array(entries(body, "lessons", note, "summary")?));
    doc.insert("notes".into(), Value::Array(entries(body, "notes", note, "summary")?));
    if investigation {
        let indicator: &[(&str, Option<&[&str]>)] = &[("type", None), ("value", None), ("description", None)];
        doc.insert("indicators".into(), Value::Array(entries(body, "indicators", indicator, "value")?));
        let evidence: &[(&str, Option<&[&str]>)] = &[("summary", None), ("location", None), ("date", None)];
        doc.insert("evidence".into(), Value::Array(entries(body, "evidence", evidence, "summary")?));
        let timeline = match body.get("timeline") {
            None | Some(Value::Null) => Map::new(),
            Some(value) => {
                let timeline = object(value, "timeline")?;
                only_known(timeline, &["dateBegin", "dateEnd"], "timeline")?;
                let mut checked = Map::new();
                put(&mut checked, "dateBegin", opt_date(timeline, "dateBegin", "timeline")?);
                put(&mut checked, "dateEnd", opt_date(timeline, "dateEnd", "timeline")?);
                checked
            }
        };
        doc.insert("timeline".into(), Value::Object(timeline));
    }
    Ok(doc)
}

/// The sort key of a case file: its opening date, else when it was created.
fn sort_key(doc: &Map<String, Value>, created: &str) -> String {
    doc.get("dateOpened").and_then(Value::as_str).unwrap_or(created).to_owned()
}

fn collection(investigation: bool) -> Collection {
    if investigation { Collection::Investigations } else { Collection::Incidents }
}

impl Records {
    /// Creates an incident or investigation from a client's body, created by `by`.
    pub async fn create_casefile(&self, body: &Value, investigation: bool, by: &str) -> Result<Record, ServiceError> {
        let mut doc = check(body, investigation)?;
        let now = fields::timestamp(&self.now());
        doc.entry("dateOpened").or_insert_with(|| json!(now));
        doc.insert("creator".into(), json!(by));
        doc.insert("creatorVerified".into(), json!(true));
        doc.insert("alerts".into(), json!([]));
        let sort = sort_key(&doc, &now);
        self.create(collection(investigation), &new_id()?, &sort, &doc, by).await
    }

    /// MozDef's `POST /incident`: `{summary, phase, creator (an email), description?, dates
    /// ("YYYY-mm-dd hh:mm am/pm" or RFC 3339), tags?, references?}`; the creator is the body's
    /// (unverified, as MozDef kept it), the author of the change the caller.
    pub async fn create_mozdef_incident(&self, body: &Value, by: &str) -> Result<Record, ServiceError> {
        let object = object(body, "body")?;
        let creator = text(object, "creator", "", MAX_SHORT)?;
        if !is_email(&creator) {
            return Err(ServiceError::invalid("creator", format!("{creator:?} is not an email address")));
        }
        if object.get("phase").is_none() {
            return Err(ServiceError::invalid("phase", "is required"));
        }
        let mut rest = object.clone();
        rest.remove("creator");
        let mut doc = check(&Value::Object(rest), false)?;
        let now = fields::timestamp(&self.now());
        doc.entry("dateOpened").or_insert_with(|| json!(now));
        doc.insert("creator".into(), json!(creator));
        doc.insert("creatorVerified".into(), json!(false));
        doc.insert("alerts".into(), json!([]));
        let sort = sort_key(&doc, &now);
        self.create(Collection::Incidents, &new_id()?, &sort, &doc, by).await
    }

    /// Replaces an incident's or investigation's fields at `version` (from the body), keeping
    /// what the server keeps (creator, links).
    pub async fn update_casefile(
        &self,
        id: &str,
        body: &Value,
        investigation: bool,
        by: &str,
    ) -> Result<Record, ServiceError> {
        let version = body_version(body)?;
        let mut doc = check(body, investigation)?;
        let collection = collection(investigation);
        let current = self.get(collection, id).await?;
        for kept in KEPT {
            if let Some(value) = current.data.get(kept) {
                doc.insert(kept.into(), value.clone());
            }
        }
        let created = fields::timestamp(&current.created);
        let sort = sort_key(&doc, &created);
        self.replace(collection, id, version, &sort, &doc, by).await
    }

    /// Deletes an incident or investigation at `version`: only its creator may.
    pub async fn delete_casefile(
        &self,
        id: &str,
        version: u64,
        investigation: bool,
        by: &str,
    ) -> Result<Record, ServiceError> {
        let collection = collection(investigation);
        let current = self.get(collection, id).await?;
        let creator = current.data.get("creator").and_then(Value::as_str).unwrap_or(&current.created_by);
        if creator != by {
            return Err(ServiceError::NotAllowed(format!(
                "only the creator ({creator}) may delete {} {id:?}",
                collection.name()
            )));
        }
        self.delete(collection, id, version, by).await
    }

    /// "Make incident": copies an investigation into a new incident (its common fields and
    /// alerts), links the two both ways, and answers the incident.
    pub async fn make_incident(&self, investigation_id: &str, by: &str) -> Result<Record, ServiceError> {
        let investigation = self.get(Collection::Investigations, investigation_id).await?;
        if let Some(existing) = investigation.data.get("incident").and_then(Value::as_str) {
            return self.get(Collection::Incidents, existing).await;
        }
        let mut doc = Map::new();
        for field in COMMON.iter().chain(["alerts"].iter()) {
            if let Some(value) = investigation.data.get(*field) {
                doc.insert((*field).into(), value.clone());
            }
        }
        doc.insert("creator".into(), json!(by));
        doc.insert("creatorVerified".into(), json!(true));
        doc.insert("investigation".into(), json!(investigation_id));
        let now = fields::timestamp(&self.now());
        let sort = sort_key(&doc, &now);
        let incident = self.create(Collection::Incidents, &new_id()?, &sort, &doc, by).await?;
        self.modify(Collection::Investigations, investigation_id, by, |current| {
            let mut data = current.data.as_object().cloned().unwrap_or_default();
            data.insert("incident".into(), json!(incident.id));
            Ok(Some((current.sort.clone(), data)))
        })
        .await?;
        Ok(incident)
    }

    /// MozDef's `/veris`: one `{dateOpened, tags, phase}` row per tag of every incident that
    /// has tags (read in chunks; the pivot needs them all).
    pub async fn veris_pivot(&self) -> Result<Vec<Value>, ServiceError> {
        let mut rows = Vec::new();
        self.scan_all(Collection::Incidents, usize::MAX, |batch| {
            let incidents = batch.iter().map(|r| {
                let field = |f: &str| r.data.get(f).and_then(Value::as_str).map(str::to_owned);
                let tags = r
                    .data
                    .get("tags")
                    .and_then(Value::as_array)
                    .map_or_else(Vec::new, |t| t.iter().filter_map(Value::as_str).map(str::to_owned).collect());
                (field("dateOpened"), tags, field("phase"))
            });
            rows.extend(crate::veris::pivot(incidents));
        })
        .await?;
        Ok(rows)
    }
}

/// The `version` a client's update or delete body names (the version it read).
pub fn body_version(body: &Value) -> Result<u64, ServiceError> {
    match body.get("version") {
        Some(v) => v.as_u64().filter(|v| *v >= 1).ok_or_else(|| {
            ServiceError::invalid("version", "must be the record's version as read (a whole number, 1 or more)")
        }),
        None => Err(ServiceError::invalid("version", "is required: send the version you read")),
    }
}

/// MozDef's creator check: something@something.tld.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_checked_and_named() {
        let body =
            json!({"summary": " Phish ", "phase": "Containment", "theories": [{"summary": "t", "status": "maybe"}]});
        let e = check(&body, false).expect_err("a bad theory status");
        assert!(e.to_string().starts_with("theories[0].status: \"maybe\" is not one of"), "{e}");
        let e = check(&json!({"summary": "s", "indicators": []}), false).expect_err("investigations only");
        assert_eq!(e.to_string(), "indicators: is not a known field");
        let e = check(&json!({"summary": "s", "phase": "Done"}), false).expect_err("a phase");
        assert!(e.to_string().starts_with("phase:"), "{e}");
        let e = check(&json!({"phase": "Closed"}), false).expect_err("no summary");
        assert_eq!(e.to_string(), "summary: is required");
        let e = check(&json!({"summary": "s", "mitigations": [{"temporary": true}]}), false).expect_err("no summary");
        assert_eq!(e.to_string(), "mitigations[0].summary: is required");
        let doc = check(&json!({"summary": " Phish ", "timeline": {"dateBegin": "2026-12-01 10:00 am"}}), true)
            .expect("an investigation");
        assert_eq!(doc["summary"], "Phish");
        assert_eq!(doc["phase"], "Identification");
        assert_eq!(doc["timeline"]["dateBegin"], "2026-12-01T10:00:00.000000Z");
    }

    #[test]
    fn emails() {
        assert!(is_email("jane@example.com"));
        assert!(!is_email("jane@example"));
        assert!(!is_email("@example.com"));
        assert!(!is_email("jane example@example.com"));
    }
}
