//! MozDef's `customDocType` mq plugin (registration `customendpoint`; priority 2).
//!
//! For events posted to a custom loginput endpoint (`customendpoint` truthy), sets `type` to
//! the endpoint's name (`endpoint`, when it is a string), for sub-categorical filtering.
//! Other events are left unchanged. No deviation from MozDef.

use mozdef_model::Document;
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict};
use crate::python::py_truthy;

/// MozDef's `customDocType`.
#[derive(Debug, Default)]
pub struct CustomDocType;

impl Plugin for CustomDocType {
    fn name(&self) -> &'static str {
        "customDocType"
    }

    fn registration(&self) -> &[&str] {
        &["customendpoint"]
    }

    fn priority(&self) -> u32 {
        2
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if event.get("customendpoint").is_some_and(py_truthy)
            && let Some(Value::String(endpoint)) = event.get("endpoint")
        {
            let endpoint = endpoint.clone();
            event.insert("type".to_owned(), Value::String(endpoint));
        }
        Ok(Verdict::Keep)
    }
}
