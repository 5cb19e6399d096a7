//! MozDef's `large_strings` mq plugin (registration `githubeventsqs`; priority 20).
//!
//! Truncates long strings of GitHub webhook events: `details.message`, `details.cmdline`,
//! `details.pr_body` and `summary`, when longer than 3000 characters (Unicode code points, as
//! Python counts them), are cut to their first 3000 characters followed by `" ..."`. Values
//! that are not strings are left alone.
//!
//! Deviation from MozDef: a `details` that is not an object (MozDef crashed on a string one)
//! is left alone; `summary` is still truncated.

use mozdef_model::Document;
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict};

/// The longest string kept whole, in characters.
const MAX_STRING_LENGTH: usize = 3000;

/// MozDef's `large_strings`.
#[derive(Debug, Default)]
pub struct LargeStrings;

impl Plugin for LargeStrings {
    fn name(&self) -> &'static str {
        "large_strings"
    }

    fn registration(&self) -> &[&str] {
        &["githubeventsqs"]
    }

    fn priority(&self) -> u32 {
        20
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if let Some(Value::Object(details)) = event.get_mut("details") {
            for key in ["message", "cmdline", "pr_body"] {
                if let Some(value) = details.get_mut(key) {
                    truncate(value);
                }
            }
        }
        if let Some(summary) = event.get_mut("summary") {
            truncate(summary);
        }
        Ok(Verdict::Keep)
    }
}

/// Cuts a string longer than [`MAX_STRING_LENGTH`] characters and marks the cut with `" ..."`.
fn truncate(value: &mut Value) {
    // A string of at most MAX_STRING_LENGTH bytes has at most as many characters.
    if let Value::String(s) = value
        && s.len() > MAX_STRING_LENGTH
        && let Some((cut, _)) = s.char_indices().nth(MAX_STRING_LENGTH)
    {
        s.truncate(cut);
        s.push_str(" ...");
    }
}
