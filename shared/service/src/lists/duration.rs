//! How long a block or a watch lasts: MozDef's duration names.

use chrono::Duration;

/// The duration names MozDef's forms offer, shortest first; anything else means one hour.
pub const DURATION_NAMES: [&str; 6] = ["12hr", "1d", "2d", "3d", "1w", "30d"];

/// How long an entry lasts: `12hr`, `1d`, `2d`, `3d`, `1w` (7 days) or `30d`; any other text,
/// or none, is one hour (MozDef's default). The names are matched exactly, as MozDef did.
pub fn parse_duration(text: &str) -> Duration {
    match text {
        "12hr" => Duration::hours(12),
        "1d" => Duration::days(1),
        "2d" => Duration::days(2),
        "3d" => Duration::days(3),
        "1w" => Duration::days(7),
        "30d" => Duration::days(30),
        _ => Duration::hours(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names() {
        assert_eq!(parse_duration("12hr"), Duration::hours(12));
        assert_eq!(parse_duration("1d"), Duration::hours(24));
        assert_eq!(parse_duration("2d"), Duration::days(2));
        assert_eq!(parse_duration("3d"), Duration::days(3));
        assert_eq!(parse_duration("1w"), Duration::days(7));
        assert_eq!(parse_duration("30d"), Duration::days(30));
    }

    #[test]
    fn anything_else_is_one_hour() {
        for text in ["", "1h", "1hr", "12h", "1D", " 1d", "7d", "forever", "-1d"] {
            assert_eq!(parse_duration(text), Duration::hours(1), "{text:?}");
        }
    }

    #[test]
    fn every_offered_name_is_known() {
        for name in DURATION_NAMES {
            assert_ne!(parse_duration(name), Duration::hours(1), "{name}");
        }
    }
}
