//! The block list feeds MozDef's crons wrote for firewalls and resolvers to fetch
//! (`createIPBlockList`, `createFQDNBlockList`): one entry a line.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use ipnet::IpNet;

/// Whether an entry expiring at `expires` is still in force at `now` (no expiry: always; an
/// entry expiring exactly now still is, as MozDef's `$gte` had it).
fn active(expires: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    expires.is_none_or(|at| at >= now)
}

/// MozDef's IP block list feed: of `entries` (network, expiry), in the order to prefer (MozDef:
/// newest first), the first `limit` still in force at `now` are CIDR-merged (host bits
/// dropped, adjacent networks joined, contained ones absorbed: netaddr's `cidr_merge`) and
/// written one network a line in CIDR form (`1.2.3.4/32`), IPv4 before IPv6, each sorted, each
/// line ending in `\n`. So the feed has at most `limit` lines.
pub fn ip_blocklist_feed(
    entries: impl IntoIterator<Item = (IpNet, Option<DateTime<Utc>>)>,
    now: DateTime<Utc>,
    limit: usize,
) -> String {
    let kept: Vec<IpNet> =
        entries.into_iter().filter(|(_, expires)| active(*expires, now)).map(|(net, _)| net).take(limit).collect();
    let mut merged = IpNet::aggregate(&kept);
    merged.sort();
    merged.iter().map(|net| format!("{net}\n")).collect()
}

/// MozDef's FQDN block list feed: of `entries` (name, expiry), in the order to prefer, the
/// first `limit` still in force at `now`, lowercased, deduplicated and written one name a
/// line, sorted, each line ending in `\n`.
///
/// MozDef's `createFQDNBlockList` selected records by an `address` field, which FQDN records
/// do not have (they carry `fqdn`), so its feed was always empty; this takes the names
/// themselves. (Its whitelist test compared whole records with names and never matched; the
/// whitelist belongs where entries are added, see [`FqdnWhitelist`](super::FqdnWhitelist).)
pub fn fqdn_blocklist_feed(
    entries: impl IntoIterator<Item = (String, Option<DateTime<Utc>>)>,
    now: DateTime<Utc>,
    limit: usize,
) -> String {
    let names: BTreeSet<String> = entries
        .into_iter()
        .filter(|(_, expires)| active(*expires, now))
        .map(|(name, _)| name.trim().to_ascii_lowercase())
        .take(limit)
        .collect();
    names.iter().map(|name| format!("{name}\n")).collect()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()
    }

    fn net(text: &str) -> IpNet {
        super::super::parse_network(text).unwrap()
    }

    fn forever(texts: &[&str]) -> Vec<(IpNet, Option<DateTime<Utc>>)> {
        texts.iter().map(|t| (net(t), None)).collect()
    }

    #[test]
    fn adjacent_hosts_merge() {
        let feed = ip_blocklist_feed(forever(&["1.2.3.4", "1.2.3.5"]), now(), 1000);
        assert_eq!(feed, "1.2.3.4/31\n");
        let feed = ip_blocklist_feed(forever(&["1.2.3.4", "1.2.3.5", "1.2.3.6", "1.2.3.7"]), now(), 1000);
        assert_eq!(feed, "1.2.3.4/30\n");
    }

    #[test]
    fn hosts_that_are_not_siblings_stay_apart() {
        let feed = ip_blocklist_feed(forever(&["1.2.3.5", "1.2.3.6"]), now(), 1000);
        assert_eq!(feed, "1.2.3.5/32\n1.2.3.6/32\n");
    }

    #[test]
    fn contained_networks_are_absorbed_and_host_bits_dropped() {
        let feed = ip_blocklist_feed(forever(&["45.33.32.9", "45.33.32.77/24", "45.33.32.128/25"]), now(), 1000);
        assert_eq!(feed, "45.33.32.0/24\n");
    }

    #[test]
    fn ipv6_merges_and_sorts_after_ipv4() {
        let feed = ip_blocklist_feed(
            forever(&["2606:4700::1", "8.8.8.8", "2606:4700::", "2a00:1450::/33", "2a00:1450:8000::/33", "1.1.1.1"]),
            now(),
            1000,
        );
        assert_eq!(feed, "1.1.1.1/32\n8.8.8.8/32\n2606:4700::/127\n2a00:1450::/32\n");
    }

    #[test]
    fn single_addresses_are_written_in_cidr_form() {
        assert_eq!(ip_blocklist_feed(forever(&["9.9.9.9"]), now(), 10), "9.9.9.9/32\n");
        assert_eq!(ip_blocklist_feed(forever(&["2606:4700:4700::1111"]), now(), 10), "2606:4700:4700::1111/128\n");
    }

    #[test]
    fn expired_entries_are_dropped() {
        let entries = vec![
            (net("1.1.1.1"), Some(now() - Duration::seconds(1))),
            (net("2.2.2.2"), Some(now())),
            (net("3.3.3.3"), Some(now() + Duration::days(1))),
            (net("4.4.4.4"), None),
        ];
        assert_eq!(ip_blocklist_feed(entries, now(), 1000), "2.2.2.2/32\n3.3.3.3/32\n4.4.4.4/32\n");
    }

    #[test]
    fn limit_keeps_the_first_active_entries() {
        let entries = vec![
            (net("9.9.9.9"), Some(now() - Duration::hours(1))),
            (net("8.8.8.8"), None),
            (net("7.7.7.7"), None),
            (net("6.6.6.6"), None),
        ];
        assert_eq!(ip_blocklist_feed(entries.clone(), now(), 2), "7.7.7.7/32\n8.8.8.8/32\n");
        assert_eq!(ip_blocklist_feed(entries, now(), 0), "");
        let many: Vec<_> = (0..50u8).map(|i| (net(&format!("5.5.{i}.1")), None)).collect();
        assert_eq!(ip_blocklist_feed(many, now(), 20).lines().count(), 20);
    }

    #[test]
    fn empty_feed_is_empty() {
        assert_eq!(ip_blocklist_feed(Vec::new(), now(), 1000), "");
        assert_eq!(fqdn_blocklist_feed(Vec::new(), now(), 1000), "");
    }

    #[test]
    fn fqdn_feed_dedups_sorts_and_drops_expired() {
        let entries = vec![
            ("evil.example.com".to_owned(), None),
            ("Bad.Example.net".to_owned(), Some(now() + Duration::hours(1))),
            ("evil.example.com".to_owned(), Some(now() + Duration::days(3))),
            ("old.example.org".to_owned(), Some(now() - Duration::hours(2))),
            ("bad.example.net".to_owned(), None),
        ];
        assert_eq!(fqdn_blocklist_feed(entries, now(), 1000), "bad.example.net\nevil.example.com\n");
    }

    #[test]
    fn fqdn_feed_applies_the_limit() {
        let entries = vec![
            ("d.example.com".to_owned(), Some(now() - Duration::hours(1))),
            ("c.example.com".to_owned(), None),
            ("b.example.com".to_owned(), None),
            ("a.example.com".to_owned(), None),
        ];
        assert_eq!(fqdn_blocklist_feed(entries, now(), 2), "b.example.com\nc.example.com\n");
    }
}
