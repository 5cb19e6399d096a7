//! MozDef's `complianceitems` mq plugin (registration `complianceitems`; priority 20): stores
//! compliance-check results as one upserted document per check and target.
//!
//! The compliance item is the event's `details`. It must have `target`, `policy`, `check`,
//! `compliance`, `link`, `utctimestamp`; `policy.level`, `name`, `url`; `check.description`,
//! `location`, `name`, `test` (and `ref`, see below); `check.test.type`, `value`. An invalid
//! item is dropped (MozDef logged it and returned `None`). A valid one replaces the event by
//! the cleaned item: those fields only, plus `tags` when the item has them, plus `type`
//! `last_known_state`; it goes to the `complianceitems` index with the id = hex MD5 of
//! `"complianceitems" + check.ref + check.test.value + target`.
//!
//! Deviations from MozDef, whose code was Python 2 and failed on Python 3 for every item
//! (inventory §10: dormant bugs); the intent is implemented:
//! * the id is the MD5 of the UTF-8 bytes (MozDef hashed a text string: `TypeError`); values
//!   that are not strings enter it as Python's `str()` writes them (MozDef: `TypeError` on
//!   concatenation);
//! * `check.ref`, which the id needs, is validated like the other keys (MozDef read it without
//!   checking: `KeyError`);
//! * `type: last_known_state` is put on the stored item (MozDef set it on the event it then
//!   discarded, so the "type subcategory for filtering" never reached the index);
//! * an event without `details`, or whose `details`, `policy`, `check` or `check.test` is not
//!   an object, is an invalid item (dropped) instead of a `KeyError`/`TypeError`.

use mozdef_model::Document;
use serde_json::{Map, Value, json};

use super::md5_hex;
use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::py_str;

/// MozDef's `complianceitems`.
#[derive(Debug, Default)]
pub struct Complianceitems;

impl Plugin for Complianceitems {
    fn name(&self) -> &'static str {
        "complianceitems"
    }

    fn registration(&self) -> &[&str] {
        &["complianceitems"]
    }

    fn priority(&self) -> u32 {
        20
    }

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        let Some(item) = event.get("details").and_then(Value::as_object).and_then(Item::validate) else {
            let shown = Value::Object(event.clone());
            tracing::error!(event = %shown, "invalid format for complianceitem");
            return Ok(Verdict::Drop);
        };
        let mut id = String::from("complianceitems");
        id.push_str(&py_str(item.check_ref));
        id.push_str(&py_str(item.test_value));
        id.push_str(&py_str(item.target));
        let cleaned = item.cleanup();
        metadata.id = Some(md5_hex(id.as_bytes()));
        metadata.index = "complianceitems".to_owned();
        *event = cleaned;
        Ok(Verdict::Keep)
    }
}

/// A validated compliance item: the objects the cleanup reads from.
struct Item<'a> {
    item: &'a Map<String, Value>,
    policy: &'a Map<String, Value>,
    check: &'a Map<String, Value>,
    test: &'a Map<String, Value>,
    check_ref: &'a Value,
    test_value: &'a Value,
    target: &'a Value,
}

impl<'a> Item<'a> {
    /// MozDef's `validate` (with `check.ref`).
    fn validate(item: &'a Map<String, Value>) -> Option<Self> {
        let has = |map: &Map<String, Value>, keys: &[&str]| keys.iter().all(|k| map.contains_key(*k));
        if !has(item, &["target", "policy", "check", "compliance", "link", "utctimestamp"]) {
            return None;
        }
        let policy = item.get("policy")?.as_object()?;
        let check = item.get("check")?.as_object()?;
        if !has(policy, &["level", "name", "url"]) || !has(check, &["description", "location", "name", "test", "ref"]) {
            return None;
        }
        let test = check.get("test")?.as_object()?;
        if !has(test, &["type", "value"]) {
            return None;
        }
        Some(Item {
            item,
            policy,
            check,
            test,
            check_ref: check.get("ref")?,
            test_value: test.get("value")?,
            target: item.get("target")?,
        })
    }

    /// MozDef's `cleanup_item`, with `type`.
    fn cleanup(&self) -> Document {
        let pick = |map: &Map<String, Value>, key: &str| map.get(key).cloned().unwrap_or(Value::Null);
        let mut ci = Document::new();
        ci.insert("target".to_owned(), self.target.clone());
        ci.insert(
            "policy".to_owned(),
            json!({
                "level": pick(self.policy, "level"),
                "name": pick(self.policy, "name"),
                "url": pick(self.policy, "url"),
            }),
        );
        ci.insert(
            "check".to_owned(),
            json!({
                "description": pick(self.check, "description"),
                "location": pick(self.check, "location"),
                "name": pick(self.check, "name"),
                "test": {"type": pick(self.test, "type"), "value": self.test_value.clone()},
                "ref": self.check_ref.clone(),
            }),
        );
        for key in ["compliance", "link", "utctimestamp", "tags"] {
            if let Some(v) = self.item.get(key) {
                ci.insert(key.to_owned(), v.clone());
            }
        }
        ci.insert("type".to_owned(), json!("last_known_state"));
        ci
    }
}
