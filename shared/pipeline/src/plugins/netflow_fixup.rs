//! MozDef's `netflowFixup` mq plugin (registration `netflow`; priority 5).
//!
//! Sets `type` to `netflow` on every event it is offered, for sub-categorical filtering.
//! No deviation from MozDef.

use mozdef_model::Document;
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `netflowFixup`.
#[derive(Debug, Default)]
pub struct NetflowFixup;

impl Plugin for NetflowFixup {
    fn name(&self) -> &'static str {
        "netflowFixup"
    }

    fn registration(&self) -> &[&str] {
        &["netflow"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        event.insert("type".to_owned(), Value::from("netflow"));
        Ok(Verdict::Keep)
    }
}
