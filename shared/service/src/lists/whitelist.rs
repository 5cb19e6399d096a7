//! The networks never to block: MozDef's `whitelist_networks` (a comma-separated setting) and
//! `network_whitelist_file` (one network a line).

use std::path::Path;

use ipnet::IpNet;

use super::{list_file, parse_network};
use crate::ServiceError;

/// The setting that lists whitelisted networks.
const NETWORKS_SETTING: &str = "whitelist_networks";
/// The setting that names the whitelist file.
const FILE_SETTING: &str = "network_whitelist_file";

/// The networks `/blockip` refuses to block (see [`check_block_address`](super::check_block_address)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkWhitelist {
    networks: Vec<IpNet>,
}

impl NetworkWhitelist {
    /// A whitelist of `networks` (MozDef's `whitelist_networks`, split on commas by the caller):
    /// each an IPv4 or IPv6 address or network, quotes and surrounding whitespace ignored, empty
    /// entries skipped (MozDef's empty default `''` split into one empty entry). A malformed
    /// entry is an error naming `whitelist_networks` and the entry.
    pub fn new<S: AsRef<str>>(networks: impl IntoIterator<Item = S>) -> Result<Self, ServiceError> {
        let mut parsed = Vec::new();
        for entry in networks {
            let entry = entry.as_ref();
            if entry.trim().is_empty() {
                continue;
            }
            let net = parse_network(entry).ok_or_else(|| {
                ServiceError::config(NETWORKS_SETTING, format!("{entry:?} is not an IPv4 or IPv6 address or network"))
            })?;
            parsed.push(net);
        }
        Ok(NetworkWhitelist { networks: parsed })
    }

    /// A whitelist of `networks` (see [`new`](Self::new)) and of the networks in `file`, if any
    /// (MozDef's `network_whitelist_file`): one network a line, `#` comments and blank lines
    /// skipped. A file that cannot be read, or a line that is not a network, is an error naming
    /// the file and the line. (MozDef skipped bad lines silently.)
    pub fn load<S: AsRef<str>>(
        networks: impl IntoIterator<Item = S>,
        file: Option<&Path>,
    ) -> Result<Self, ServiceError> {
        let mut whitelist = Self::new(networks)?;
        if let Some(path) = file {
            for (line, entry) in list_file::read_entries(FILE_SETTING, path)? {
                let net = parse_network(&entry).ok_or_else(|| {
                    ServiceError::config(
                        list_file::line_setting(FILE_SETTING, path, line),
                        format!("{entry:?} is not an IPv4 or IPv6 address or network"),
                    )
                })?;
                whitelist.networks.push(net);
            }
        }
        Ok(whitelist)
    }

    /// The first whitelisted network that overlaps `net` (contains it, or lies inside it), if
    /// any: blocking `net` would block part of it.
    pub fn contains(&self, net: &IpNet) -> Option<&IpNet> {
        let net = net.trunc();
        self.networks.iter().find(|w| {
            let w = w.trunc();
            w.contains(&net) || net.contains(&w)
        })
    }

    /// The whitelisted networks, as written.
    pub fn networks(&self) -> &[IpNet] {
        &self.networks
    }

    /// Whether nothing is whitelisted.
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn net(text: &str) -> IpNet {
        parse_network(text).unwrap()
    }

    #[test]
    fn contains_overlapping_networks() {
        let whitelist = NetworkWhitelist::new(["1.2.3.4/32", "5.6.0.0/16", "2606:4700::/32"]).unwrap();
        assert_eq!(whitelist.contains(&net("1.2.3.4")), Some(&net("1.2.3.4/32")));
        assert_eq!(whitelist.contains(&net("1.2.3.0/24")), Some(&net("1.2.3.4/32")));
        assert_eq!(whitelist.contains(&net("5.6.7.8")), Some(&net("5.6.0.0/16")));
        assert_eq!(whitelist.contains(&net("5.0.0.0/8")), Some(&net("5.6.0.0/16")));
        assert_eq!(whitelist.contains(&net("2606:4700:4700::1111")), Some(&net("2606:4700::/32")));
        assert_eq!(whitelist.contains(&net("1.2.3.5")), None);
        assert_eq!(whitelist.contains(&net("5.7.0.0/16")), None);
        assert_eq!(whitelist.contains(&net("2606:4701::1")), None);
    }

    #[test]
    fn host_bits_are_ignored_when_comparing() {
        let whitelist = NetworkWhitelist::new(["5.6.7.8/16"]).unwrap();
        assert_eq!(whitelist.contains(&net("5.6.200.1")), Some(&net("5.6.7.8/16")));
    }

    #[test]
    fn empty_entries_are_skipped() {
        // MozDef's default `whitelist_networks` is '', which splits into [''].
        assert!(NetworkWhitelist::new([""]).unwrap().is_empty());
        let whitelist = NetworkWhitelist::new("1.2.3.4/32, 5.6.7.8/32,".split(',')).unwrap();
        assert_eq!(whitelist.networks(), &[net("1.2.3.4/32"), net("5.6.7.8/32")]);
    }

    #[test]
    fn bad_entry_names_the_setting() {
        let e = NetworkWhitelist::new(["1.2.3.4/32", "nope"]).unwrap_err();
        assert_eq!(e.to_string(), "whitelist_networks: \"nope\" is not an IPv4 or IPv6 address or network");
    }

    #[test]
    fn loads_the_file() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "# office\n10.0.0.0/8\n\n'63.245.208.0/20'\n2620:101:8000::/37").unwrap();
        let whitelist = NetworkWhitelist::load(["1.2.3.4/32"], Some(file.path())).unwrap();
        assert_eq!(
            whitelist.networks(),
            &[net("1.2.3.4/32"), net("10.0.0.0/8"), net("63.245.208.0/20"), net("2620:101:8000::/37")]
        );
        assert!(whitelist.contains(&net("63.245.209.1")).is_some());
    }

    #[test]
    fn bad_line_names_the_file_and_line() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "1.2.3.0/24\n# fine\nnot-a-network\n").unwrap();
        let e = NetworkWhitelist::load(Vec::<String>::new(), Some(file.path())).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "network_whitelist_file {} line 3: \"not-a-network\" is not an IPv4 or IPv6 address or network",
                file.path().display()
            )
        );
    }

    #[test]
    fn unreadable_file_is_an_error() {
        let e = NetworkWhitelist::load([""], Some(Path::new("/nonexistent/networks.txt"))).unwrap_err();
        assert!(e.to_string().starts_with("network_whitelist_file: cannot read /nonexistent/networks.txt"), "{e}");
    }
}
