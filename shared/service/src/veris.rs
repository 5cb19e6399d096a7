//! The VERIS enumeration incidents are tagged with, and MozDef's `/veris` pivot rows.
//!
//! The enumeration is MozDef's `meteor/private/veris.dotformat.txt`, shipped verbatim in
//! `data/` (its source and licence are in `data/README.md`): one `section.field.Value` path a
//! line, such as `action.hacking.variety.Brute force`.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde_json::{Map, Value};

/// The enumeration file, as MozDef shipped it.
const DOTFORMAT: &str = include_str!("../data/veris.dotformat.txt");

/// The tags, in the file's order.
static TAGS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| DOTFORMAT.lines().map(str::trim_end).filter(|line| !line.is_empty()).collect());

/// The tags, for membership.
static TAG_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| TAGS.iter().copied().collect());

/// Every VERIS tag (844 dotted paths), in the file's order.
pub fn tags() -> &'static [&'static str] {
    &TAGS
}

/// Whether `tag` is a VERIS tag (exact, case-sensitive: `action.hacking.variety.Brute force`).
pub fn is_tag(tag: &str) -> bool {
    TAG_SET.contains(tag)
}

/// MozDef's `/veris` rows: one `{dateOpened, tags, phase}` per tag of each incident (Mongo's
/// `$unwind` of `tags`), so `tags` holds a single tag; an incident without tags gives no row.
/// A missing `dateOpened` or `phase` is left out of the row, as Mongo's `$project` did. Tags
/// are not checked against the enumeration (MozDef matched every string).
pub fn pivot(incidents: impl Iterator<Item = (Option<String>, Vec<String>, Option<String>)>) -> Vec<Value> {
    let mut rows = Vec::new();
    for (date_opened, tags, phase) in incidents {
        for tag in tags {
            let mut row = Map::new();
            if let Some(date) = &date_opened {
                row.insert("dateOpened".to_owned(), Value::String(date.clone()));
            }
            row.insert("tags".to_owned(), Value::String(tag));
            if let Some(phase) = &phase {
                row.insert("phase".to_owned(), Value::String(phase.clone()));
            }
            rows.push(Value::Object(row));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn count_and_no_duplicates() {
        assert_eq!(tags().len(), 844);
        assert_eq!(TAG_SET.len(), tags().len());
        assert!(tags().iter().all(|t| !t.is_empty() && t.trim() == *t && t.contains('.')));
    }

    #[test]
    fn known_paths() {
        for tag in [
            "action.hacking.variety.Brute force",
            "action.malware.variety.Ransomware",
            "action.social.variety.Phishing",
            "actor.external.variety.Organized crime",
            "asset.variety.S - Web application",
            "attribute.confidentiality.data.variety.Credentials",
            "impact.overall_rating.Catastrophic",
            "value-chain.non-distribution services.variety.VPN",
            "victim.revenue.iso_currency_code.USD",
            "workeffort.unit.Years",
        ] {
            assert!(is_tag(tag), "{tag}");
        }
        assert_eq!(tags().first(), Some(&"action.environmental.variety.Deterioration"));
        assert_eq!(tags().last(), Some(&"workeffort.unit.Years"));
    }

    #[test]
    fn unknown_paths() {
        for tag in [
            "",
            "action",
            "action.hacking.variety.brute force",
            "action.Hacking.variety.Brute force",
            "action.hacking.variety.Brute force ",
        ] {
            assert!(!is_tag(tag), "{tag:?}");
        }
    }

    #[test]
    fn pivot_unwinds_tags() {
        let incidents = vec![
            (
                Some("2024-05-01T10:00:00+00:00".to_owned()),
                vec!["action.hacking.variety.Brute force".to_owned(), "actor.motive.Financial".to_owned()],
                Some("Containment".to_owned()),
            ),
            (Some("2024-05-02T10:00:00+00:00".to_owned()), vec![], Some("Identification".to_owned())),
            (None, vec!["confidence.High".to_owned()], None),
        ];
        assert_eq!(
            pivot(incidents.into_iter()),
            vec![
                json!({"dateOpened": "2024-05-01T10:00:00+00:00", "tags": "action.hacking.variety.Brute force", "phase": "Containment"}),
                json!({"dateOpened": "2024-05-01T10:00:00+00:00", "tags": "actor.motive.Financial", "phase": "Containment"}),
                json!({"tags": "confidence.High"}),
            ]
        );
    }

    #[test]
    fn pivot_of_nothing_is_empty() {
        assert!(pivot(std::iter::empty()).is_empty());
    }
}
