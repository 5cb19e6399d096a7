//! One CloudTrail record → one MozDef event: `esworker_cloudtrail`'s `keyMapping`.
//!
//! The event starts as `source=cloudtrail`, `details={}`, `category=cloudtrail`, the
//! worker's `processid` and `processname`, `tags=[queue]`, `severity=INFO`; then
//!
//! * `summary` = `"<sourceIPAddress> performed <eventName> in <eventSource>"` when the record
//!   has all three (values as Python's `str()`, `eventName` as sent);
//! * `eventName` gets its first character upper-cased; `details.eventVerb` is its leading
//!   capitalised word (regex `^([A-Z][^A-Z]*)`: `DescribeInstances` → `Describe`) and
//!   `details.eventReadOnly` whether that verb is `Describe`, `Get` or `List`;
//! * `receivedtimestamp`, `mozdefhostname`;
//! * every top-level key through the key mapping's CloudTrail profile: `sourceIPAddress` →
//!   `details.sourceipaddress`, `eventSource` → `hostname`, `eventTime` → `utctimestamp` and
//!   `timestamp`, `eventType` → `category` plus `type=cloudtrail`, and every other key →
//!   `details.<lowercased key>` (nested keys keep their case until the `lower_keys` plugin).
//!
//! Decision: an `eventName` that is not a string, is empty or has no leading capitalised
//! word gets no `eventVerb`/`eventReadOnly` (Python raised and lost the event).

use mozdef_model::{Document, isoformat};
use serde_json::Value;

use crate::NormalizeContext;
use crate::keymapping::{KeyMappingProfile, key_mapping_onto};
use crate::python::py_str;

/// The verbs of read-only API calls.
const READ_ONLY_VERBS: [&str; 3] = ["Describe", "Get", "List"];

/// The worker identity written on every event (`processid`, `processname`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Process {
    /// `processid`: MozDef wrote `str(os.getpid())`.
    pub(crate) id: String,
    /// `processname`: MozDef wrote `sys.argv[0]`.
    pub(crate) name: String,
}

/// The MozDef event of one CloudTrail record.
pub(crate) fn map_record(mut record: Document, queue: &str, process: &Process, ctx: &NormalizeContext) -> Document {
    let text = |key: &str| record.get(key).map(|v| py_str(v).into_owned());
    let summary = match (text("sourceIPAddress"), text("eventName"), text("eventSource")) {
        (Some(ip), Some(name), Some(source)) => Some(format!("{ip} performed {name} in {source}")),
        _ => None,
    };

    let mut details = Document::new();
    if let Some(Value::String(name)) = record.get_mut("eventName") {
        capitalize_first(name);
        if let Some(verb) = leading_verb(name) {
            details.insert("eventVerb".to_owned(), Value::String(verb.to_owned()));
            details.insert("eventReadOnly".to_owned(), Value::Bool(READ_ONLY_VERBS.contains(&verb)));
        }
    }

    let mut seed = Document::with_capacity(32);
    let mut put = |key: &str, value: Value| seed.insert(key.to_owned(), value);
    put("source", Value::String("cloudtrail".to_owned()));
    put("details", Value::Object(details));
    put("category", Value::String("cloudtrail".to_owned()));
    put("processid", Value::String(process.id.clone()));
    put("processname", Value::String(process.name.clone()));
    put("tags", Value::Array(vec![Value::String(queue.to_owned())]));
    put("severity", Value::String("INFO".to_owned()));
    if let Some(summary) = summary {
        put("summary", Value::String(summary));
    }
    put("receivedtimestamp", Value::String(isoformat(&ctx.received)));
    put("mozdefhostname", Value::String(ctx.mozdefhostname.clone()));
    key_mapping_onto(seed, record, KeyMappingProfile::CloudTrail, ctx)
}

/// `s[0].upper() + s[1:]`.
fn capitalize_first(name: &mut String) {
    let Some(first) = name.chars().next() else {
        return;
    };
    if !first.is_uppercase() {
        let upper: String = first.to_uppercase().collect();
        name.replace_range(..first.len_utf8(), &upper);
    }
}

/// Python's `re.findall(r'^([A-Z][^A-Z]*)', name)[0]`: an ASCII capital, then everything up
/// to the next ASCII capital.
fn leading_verb(name: &str) -> Option<&str> {
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let end = name[1..].find(|c: char| c.is_ascii_uppercase()).map_or(name.len(), |i| i + 1);
    Some(&name[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_are_the_leading_capitalised_word() {
        assert_eq!(leading_verb("DescribeInstances"), Some("Describe"));
        assert_eq!(leading_verb("ConsoleLogin"), Some("Console"));
        assert_eq!(leading_verb("Get"), Some("Get"));
        assert_eq!(leading_verb("ListBuckets2"), Some("List"));
        assert_eq!(leading_verb("X"), Some("X"));
        assert_eq!(leading_verb("Élan"), None);
        assert_eq!(leading_verb("123Go"), None);
        assert_eq!(leading_verb(""), None);
    }

    #[test]
    fn the_first_character_is_upper_cased() {
        for (input, expected) in [("describeX", "DescribeX"), ("Get", "Get"), ("", ""), ("ßx", "SSx"), ("éa", "Éa")]
        {
            let mut name = input.to_owned();
            capitalize_first(&mut name);
            assert_eq!(name, expected);
        }
    }
}
