//! MozDef's `mozilla_location` mq plugin (registration `network`, `netflow`; priority 5).
//!
//! Derives the site of a host named `<host>.<zone>.<site>.mozilla.<tld>` (exactly five labels,
//! the fourth `mozilla`, compared lower-cased): sets `details.site` to the site label (lower
//! case) and `details.sitetype` to its type in
//! [`PluginConfig::mozilla_location_sitetypes`](super::PluginConfig) (MozDef's
//! `mozilla_location.conf`: `datacenter` or `office`), or `unknown` for a site not listed
//! (every site, with the neutral default, an empty list). The host is `details.hostname` when
//! `details` has that key, otherwise the top-level `hostname`. Other events are left unchanged.
//!
//! Deviations from MozDef:
//! * MozDef read its site lists as `''.split(',')` when unset, i.e. a list holding the empty
//!   string, so a host with an empty site label (`a.b..mozilla.com`) was a `datacenter`; here
//!   an empty site is only a datacenter or an office when configured so;
//! * where MozDef crashed and lost the event, the event is kept unchanged: a host name that is
//!   not a string, or a `details` that is not an object. A missing `details` (MozDef: a
//!   `KeyError` when the top-level `hostname` matched) is created.

use std::collections::HashMap;

use mozdef_model::Document;
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict, set_detail};

/// MozDef's `mozilla_location`.
#[derive(Debug, Default)]
pub struct MozillaLocation {
    /// Site code (lower case) → site type.
    sitetypes: HashMap<String, String>,
}

impl MozillaLocation {
    /// The plugin with the site types of the known site codes (MozDef's `dc_code_list` →
    /// `datacenter`, `offices_code_list` → `office`).
    pub fn new(sitetypes: HashMap<String, String>) -> Self {
        MozillaLocation { sitetypes }
    }
}

impl Plugin for MozillaLocation {
    fn name(&self) -> &'static str {
        "mozilla_location"
    }

    fn registration(&self) -> &[&str] {
        &["network", "netflow"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        let hostname = match event.get("details") {
            Some(Value::Object(details)) if details.contains_key("hostname") => details.get("hostname"),
            Some(Value::Object(_)) | None => event.get("hostname"),
            Some(_) => return Ok(Verdict::Keep),
        };
        let Some(site) = hostname.and_then(Value::as_str).and_then(site_of) else { return Ok(Verdict::Keep) };
        let sitetype = self.sitetypes.get(&site).map_or("unknown", String::as_str).to_owned();
        set_detail(event, "site", Value::String(site));
        set_detail(event, "sitetype", Value::String(sitetype));
        Ok(Verdict::Keep)
    }
}

/// The site label of `<host>.<zone>.<site>.mozilla.<tld>`, lower-cased.
fn site_of(hostname: &str) -> Option<String> {
    // Lower-casing neither adds nor removes dots: count them before allocating.
    if hostname.bytes().filter(|&b| b == b'.').count() != 4 {
        return None;
    }
    let lower = hostname.to_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    match labels.as_slice() {
        [_, _, site, "mozilla", _] => Some((*site).to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn plugin() -> MozillaLocation {
        // MozDef's example mozilla_location.conf.
        let mut sitetypes = HashMap::new();
        for dc in ["abc1", "abc2", "abc3"] {
            sitetypes.insert(dc.to_owned(), "datacenter".to_owned());
        }
        for office in ["chicago1", "ny1", "sfo1"] {
            sitetypes.insert(office.to_owned(), "office".to_owned());
        }
        MozillaLocation::new(sitetypes)
    }

    fn run(plugin: &MozillaLocation, event: Value) -> Value {
        let mut event = event.as_object().cloned().unwrap();
        let verdict = plugin.on_message(&mut event, &mut Metadata::default()).unwrap();
        assert_eq!(verdict, Verdict::Keep);
        Value::Object(event)
    }

    #[test]
    fn configured_sites_get_their_type() {
        let plugin = plugin();
        let out = run(&plugin, json!({"category": "netflow", "details": {"hostname": "fw1.private.ABC2.mozilla.com"}}));
        assert_eq!(
            out["details"],
            json!({"hostname": "fw1.private.ABC2.mozilla.com", "site": "abc2", "sitetype": "datacenter"})
        );
        let out = run(&plugin, json!({"hostname": "sw1.corp.sfo1.mozilla.net", "details": {}}));
        assert_eq!(out["details"], json!({"site": "sfo1", "sitetype": "office"}));
        let out = run(&plugin, json!({"hostname": "sw1.corp.mdc9.mozilla.net", "details": {}}));
        assert_eq!(out["details"], json!({"site": "mdc9", "sitetype": "unknown"}));
    }

    #[test]
    fn empty_site_is_unknown_unless_configured() {
        let out = run(&plugin(), json!({"hostname": "a.b..mozilla.com", "details": {}}));
        assert_eq!(out["details"], json!({"site": "", "sitetype": "unknown"}));
        let plugin = MozillaLocation::new(HashMap::from([(String::new(), "datacenter".to_owned())]));
        let out = run(&plugin, json!({"hostname": "a.b..mozilla.com", "details": {}}));
        assert_eq!(out["details"], json!({"site": "", "sitetype": "datacenter"}));
    }

    #[test]
    fn site_of_needs_five_labels_and_mozilla() {
        assert_eq!(site_of("h.z.s.mozilla.com").as_deref(), Some("s"));
        assert_eq!(site_of("H.Z.S.MOZILLA.COM").as_deref(), Some("s"));
        assert_eq!(site_of("z.s.mozilla.com"), None);
        assert_eq!(site_of("x.h.z.s.mozilla.com"), None);
        assert_eq!(site_of("h.z.s.example.com"), None);
        assert_eq!(site_of(""), None);
    }
}
