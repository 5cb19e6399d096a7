//! Each user's preferences (MozDef's `/preferences`): theme, page size, time zone; one record
//! per user, keyed by email, read and written only by its user.

use serde_json::{Map, Value, json};

use super::fields::{object, only_known, opt_choice, opt_text};
use super::{Collection, RENDERED_KEYS, Records};
use crate::ServiceError;
use mozdef_store::Record;

/// MozDef's themes.
pub const THEMES: [&str; 4] = ["Classic", "Dark", "Light", "Dark Side Nav"];
/// The default page size (MozDef's alerts table).
pub const DEFAULT_PAGE_SIZE: u64 = 25;

/// The defaults of a user without a preferences record.
pub fn defaults() -> Map<String, Value> {
    let mut doc = Map::new();
    doc.insert("theme".into(), json!("Dark"));
    doc.insert("pageSize".into(), json!(DEFAULT_PAGE_SIZE));
    doc.insert("timezone".into(), json!("UTC"));
    doc
}

/// A time zone as the UI names it: `UTC`, or an IANA name (`Europe/Paris`).
fn is_zone(text: &str) -> bool {
    text == "UTC"
        || (text.len() <= 64
            && text.contains('/')
            && text.split('/').all(|part| {
                !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
            }))
}

fn check(body: &Value) -> Result<Map<String, Value>, ServiceError> {
    let object = object(body, "body")?;
    let mut known = vec!["theme", "pageSize", "timezone"];
    known.extend(RENDERED_KEYS);
    only_known(object, &known, "")?;
    let mut doc = defaults();
    if let Some(theme) = opt_choice(object, "theme", "", &THEMES)? {
        doc.insert("theme".into(), json!(theme));
    }
    match object.get("pageSize") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let size = v.as_u64().filter(|n| (1..=super::MAX_PAGE as u64).contains(n)).ok_or_else(|| {
                ServiceError::invalid("pageSize", format!("must be between 1 and {}", super::MAX_PAGE))
            })?;
            doc.insert("pageSize".into(), json!(size));
        }
    }
    if let Some(zone) = opt_text(object, "timezone", "", 64)? {
        if !is_zone(&zone) {
            return Err(ServiceError::invalid("timezone", format!("{zone:?} is not UTC or an IANA time zone name")));
        }
        doc.insert("timezone".into(), json!(zone));
    }
    Ok(doc)
}

impl Records {
    /// `user`'s preferences: their record, or the defaults (version 0: not saved yet).
    pub async fn preferences(&self, user: &str) -> Result<Value, ServiceError> {
        match self.store().get(Collection::Preferences.name(), user).await? {
            Some(record) => Ok(super::render(&record)),
            None => {
                let mut doc = defaults();
                doc.insert("id".into(), json!(user));
                doc.insert("version".into(), json!(0));
                Ok(Value::Object(doc))
            }
        }
    }

    /// Saves `user`'s preferences at the body's `version` (0 for the first save).
    pub async fn save_preferences(&self, user: &str, body: &Value) -> Result<Record, ServiceError> {
        let version = match body.get("version") {
            Some(v) => v.as_u64().ok_or_else(|| ServiceError::invalid("version", "must be a whole number"))?,
            None => {
                return Err(ServiceError::invalid("version", "is required: send the version you read (0 at first)"));
            }
        };
        let doc = check(body)?;
        if version == 0 {
            self.create(Collection::Preferences, user, user, &doc, user).await
        } else {
            self.replace(Collection::Preferences, user, version, user, &doc, user).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert!(check(&json!({"theme": "Light", "pageSize": 50, "timezone": "Europe/Paris"})).is_ok());
        let e = check(&json!({"pageSize": 0})).expect_err("zero");
        assert!(e.to_string().starts_with("pageSize:"), "{e}");
        let e = check(&json!({"timezone": "../etc"})).expect_err("not a zone");
        assert!(e.to_string().starts_with("timezone:"), "{e}");
        let e = check(&json!({"theme": "Pink"})).expect_err("not a theme");
        assert!(e.to_string().starts_with("theme:"), "{e}");
    }
}
