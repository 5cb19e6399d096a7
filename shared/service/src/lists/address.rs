//! Which addresses may be blocked or looked up: public ones only.
//!
//! MozDef's `ipblocklist` plugin refused an address whose netaddr `is_loopback()`,
//! `is_private()` or `is_reserved()` was true (and `0.0.0.0`), testing only the network's
//! first address. This tests the whole network against IANA's special-purpose registries
//! (a superset of netaddr's lists), so `0.0.0.0/0` or `8.0.0.0/6` (which contains `10/8`) is
//! refused too; every IPv6 network outside `2000::/3`, the only space IANA allocates for global
//! unicast, is refused as netaddr's IPv6 reserved list did.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::NetworkWhitelist;
use crate::ServiceError;

/// The field MozDef's forms carry the address in.
const FIELD: &str = "ipaddress";

/// A special-purpose block: no address in it is ever blocked or looked up.
struct SpecialBlock {
    /// The block.
    network: IpNet,
    /// What it is, for messages.
    kind: &'static str,
}

const fn v4(octets: [u8; 4], prefix: u8, kind: &'static str) -> SpecialBlock {
    let address = Ipv4Addr::new(octets[0], octets[1], octets[2], octets[3]);
    SpecialBlock { network: IpNet::V4(Ipv4Net::new_assert(address, prefix)), kind }
}

const fn v6(segments: [u16; 8], prefix: u8, kind: &'static str) -> SpecialBlock {
    let [a, b, c, d, e, f, g, h] = segments;
    let address = Ipv6Addr::new(a, b, c, d, e, f, g, h);
    SpecialBlock { network: IpNet::V6(Ipv6Net::new_assert(address, prefix)), kind }
}

/// The special-purpose blocks, a more specific one before one that contains it.
static SPECIAL_BLOCKS: [SpecialBlock; 30] = [
    v4([0, 0, 0, 0], 8, "reserved, \"this network\" (RFC 1122)"),
    v4([10, 0, 0, 0], 8, "private (RFC 1918)"),
    v4([100, 64, 0, 0], 10, "shared address space, carrier-grade NAT (RFC 6598)"),
    v4([127, 0, 0, 0], 8, "loopback (RFC 1122)"),
    v4([169, 254, 0, 0], 16, "link-local (RFC 3927)"),
    v4([172, 16, 0, 0], 12, "private (RFC 1918)"),
    v4([192, 0, 0, 0], 24, "reserved, IETF protocol assignments (RFC 6890)"),
    v4([192, 0, 2, 0], 24, "documentation, TEST-NET-1 (RFC 5737)"),
    v4([192, 88, 99, 0], 24, "reserved, 6to4 relay anycast (RFC 7526)"),
    v4([192, 168, 0, 0], 16, "private (RFC 1918)"),
    v4([198, 18, 0, 0], 15, "benchmarking (RFC 2544)"),
    v4([198, 51, 100, 0], 24, "documentation, TEST-NET-2 (RFC 5737)"),
    v4([203, 0, 113, 0], 24, "documentation, TEST-NET-3 (RFC 5737)"),
    v4([224, 0, 0, 0], 4, "multicast (RFC 5771)"),
    v4([255, 255, 255, 255], 32, "limited broadcast (RFC 919)"),
    v4([240, 0, 0, 0], 4, "reserved for future use (RFC 1112)"),
    v6([0, 0, 0, 0, 0, 0, 0, 0], 128, "the unspecified address (RFC 4291)"),
    v6([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback (RFC 4291)"),
    v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96, "IPv4-mapped (RFC 4291)"),
    v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96, "NAT64 well-known prefix (RFC 6052)"),
    v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "NAT64 local use (RFC 8215)"),
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only (RFC 6666)"),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, "reserved, IETF protocol assignments (RFC 2928)"),
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "documentation (RFC 3849)"),
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "documentation (RFC 9637)"),
    v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, "segment routing SIDs (RFC 9602)"),
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "private, unique local (RFC 4193)"),
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local (RFC 4291)"),
    v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "site-local, deprecated (RFC 3879)"),
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast (RFC 4291)"),
];

/// `2000::/3`, the IPv6 global unicast space: an IPv6 network must lie in it.
const GLOBAL_UNICAST: IpNet = IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3));

/// Why `net` is not public, or `None` if it is: `"is in 10.0.0.0/8, private (RFC 1918)"`
/// when a special-purpose block contains it, `"overlaps ..."` when it contains part of one,
/// `"is outside 2000::/3, ..."` for IPv6 outside the global unicast space.
pub fn non_public_reason(net: &IpNet) -> Option<String> {
    let net = net.trunc();
    for block in &SPECIAL_BLOCKS {
        if block.network.contains(&net) {
            return Some(format!("is in {}, {}", block.network, block.kind));
        }
        if net.contains(&block.network) {
            return Some(format!("overlaps {}, {}", block.network, block.kind));
        }
    }
    if matches!(net, IpNet::V6(_)) && !GLOBAL_UNICAST.contains(&net) {
        return Some(format!("is outside {GLOBAL_UNICAST}, the only IPv6 space allocated for global unicast"));
    }
    None
}

/// Parses an address or network as MozDef's forms send it: IPv4 or IPv6, with an optional
/// `/prefix`, surrounding whitespace and quotes ignored (MozDef stripped `'` and `"`). A bare
/// address is a `/32` or `/128`; the host bits of `1.2.3.4/24` are kept, as MozDef stored
/// `str(netaddr.IPNetwork(...))`. `None` if it is neither.
pub fn parse_network(text: &str) -> Option<IpNet> {
    let text = text.trim().trim_matches('\'').trim_matches('"').trim();
    if text.contains('/') { text.parse::<IpNet>().ok() } else { text.parse::<IpAddr>().ok().map(IpNet::from) }
}

/// The address or network to block, from the `ipaddress` field: a public IPv4 or IPv6
/// address or network (see [`non_public_reason`]) that overlaps no network of `whitelist`.
/// The answer keeps the host bits as written (`1.2.3.4/24` stays so; the feed merges networks).
/// Each refusal is a [`ServiceError::Invalid`] naming `ipaddress`, the address and the reason.
///
/// MozDef refused a network only when a whitelisted one contained it; refusing any overlap
/// keeps a wide block from covering a whitelisted network.
pub fn check_block_address(text: &str, whitelist: &NetworkWhitelist) -> Result<IpNet, ServiceError> {
    let Some(net) = parse_network(text) else {
        return Err(ServiceError::invalid(FIELD, format!("{text:?} is not an IPv4 or IPv6 address or network")));
    };
    if let Some(reason) = non_public_reason(&net) {
        return Err(ServiceError::invalid(FIELD, format!("{net} {reason}")));
    }
    if let Some(whitelisted) = whitelist.contains(&net) {
        return Err(ServiceError::invalid(FIELD, format!("{net} overlaps the whitelisted network {whitelisted}")));
    }
    Ok(net)
}

/// Refuses a non-public address (see [`non_public_reason`]) with a [`ServiceError::Invalid`]
/// naming `ipaddress`, the address and the reason: the lookups send only public addresses out.
pub fn check_public_address(ip: IpAddr) -> Result<(), ServiceError> {
    match non_public_reason(&IpNet::from(ip)) {
        Some(reason) => Err(ServiceError::invalid(FIELD, format!("{ip} {reason}"))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> String {
        match check_block_address(text, &NetworkWhitelist::default()) {
            Err(e) => e.to_string(),
            Ok(net) => panic!("{text} accepted as {net}"),
        }
    }

    #[test]
    fn public_addresses_and_networks_are_accepted() {
        let none = NetworkWhitelist::default();
        for (text, expected) in [
            ("1.2.3.4", "1.2.3.4/32"),
            ("8.8.8.8/32", "8.8.8.8/32"),
            ("1.2.3.4/24", "1.2.3.4/24"),
            (" '93.184.216.34' ", "93.184.216.34/32"),
            ("\"45.33.32.0/24\"", "45.33.32.0/24"),
            ("2606:4700:4700::1111", "2606:4700:4700::1111/128"),
            ("2a00:1450::/32", "2a00:1450::/32"),
            ("2002:c000:0204::1", "2002:c000:204::1/128"),
        ] {
            let net = check_block_address(text, &none).unwrap();
            assert_eq!(net.to_string(), expected, "{text}");
        }
    }

    #[test]
    fn not_an_address() {
        for text in [
            "",
            "1",
            "0",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.256",
            "1.2.3.4/33",
            "example.com",
            "::g",
            "fe80::1%eth0",
            "01.2.3.4",
        ] {
            let text_refused = refusal(text);
            assert!(text_refused.starts_with("ipaddress: "), "{text_refused}");
            assert!(text_refused.ends_with("is not an IPv4 or IPv6 address or network"), "{text_refused}");
        }
    }

    #[test]
    fn loopback() {
        assert_eq!(refusal("127.0.0.1"), "ipaddress: 127.0.0.1/32 is in 127.0.0.0/8, loopback (RFC 1122)");
        assert_eq!(refusal("::1"), "ipaddress: ::1/128 is in ::1/128, loopback (RFC 4291)");
    }

    #[test]
    fn private() {
        assert_eq!(refusal("10.1.2.3"), "ipaddress: 10.1.2.3/32 is in 10.0.0.0/8, private (RFC 1918)");
        assert!(refusal("172.16.5.4").contains("172.16.0.0/12, private (RFC 1918)"));
        assert!(refusal("172.31.255.255").contains("private (RFC 1918)"));
        assert!(refusal("192.168.1.0/24").contains("192.168.0.0/16, private (RFC 1918)"));
        assert!(refusal("fd12:3456::1").contains("fc00::/7, private, unique local (RFC 4193)"));
        assert!(refusal("100.64.1.1").contains("shared address space"));
    }

    #[test]
    fn link_local() {
        assert!(refusal("169.254.169.254").contains("169.254.0.0/16, link-local"));
        assert!(refusal("fe80::1").contains("fe80::/10, link-local"));
        assert!(refusal("fec0::1").contains("site-local"));
    }

    #[test]
    fn reserved_and_special() {
        for (text, reason) in [
            ("0.0.0.0", "0.0.0.0/8, reserved, \"this network\""),
            ("0.1.2.3", "0.0.0.0/8"),
            ("192.0.0.8", "192.0.0.0/24, reserved, IETF protocol assignments"),
            ("192.0.2.1", "192.0.2.0/24, documentation, TEST-NET-1"),
            ("192.88.99.1", "6to4 relay anycast"),
            ("198.18.0.1", "198.18.0.0/15, benchmarking"),
            ("198.19.255.255", "benchmarking"),
            ("198.51.100.7", "TEST-NET-2"),
            ("203.0.113.9", "TEST-NET-3"),
            ("224.0.0.1", "224.0.0.0/4, multicast"),
            ("239.255.255.250", "multicast"),
            ("240.0.0.1", "240.0.0.0/4, reserved for future use"),
            ("255.255.255.255", "255.255.255.255/32, limited broadcast"),
            ("::", "::/128, the unspecified address"),
            ("::ffff:1.2.3.4", "::ffff:0.0.0.0/96, IPv4-mapped"),
            ("64:ff9b::808:808", "NAT64 well-known prefix"),
            ("100::1", "discard-only"),
            ("2001::1", "2001::/23, reserved, IETF protocol assignments"),
            ("2001:db8::1", "2001:db8::/32, documentation"),
            ("3fff::1", "3fff::/20, documentation"),
            ("ff02::1", "ff00::/8, multicast"),
            ("5f00::1", "segment routing"),
        ] {
            let text_refused = refusal(text);
            assert!(text_refused.contains(reason), "{text}: {text_refused}");
            assert!(text_refused.starts_with("ipaddress: "), "{text_refused}");
        }
    }

    #[test]
    fn ipv6_outside_global_unicast() {
        for text in ["4000::1", "1000::1", "8000::/2", "e000::1"] {
            assert!(refusal(text).contains("is outside 2000::/3"), "{text}");
        }
    }

    #[test]
    fn networks_overlapping_a_special_block() {
        assert_eq!(
            refusal("0.0.0.0/0"),
            "ipaddress: 0.0.0.0/0 overlaps 0.0.0.0/8, reserved, \"this network\" (RFC 1122)"
        );
        assert!(refusal("8.0.0.0/6").contains("overlaps 10.0.0.0/8, private"));
        assert!(refusal("8000::/1").contains("overlaps fc00::/7"));
        assert!(refusal("192.0.0.0/8").contains("overlaps 192.0.0.0/24"));
        assert!(refusal("::/0").contains("overlaps ::/128"));
        assert!(refusal("2000::/3").contains("overlaps 2001::/23"));
    }

    #[test]
    fn host_bits_do_not_hide_a_special_block() {
        // 10.255.0.1/7 is the network 10.0.0.0/7, which contains 10/8.
        assert!(refusal("10.255.0.1/7").contains("overlaps 10.0.0.0/8"));
        assert!(refusal("11.0.0.1/7").contains("overlaps 10.0.0.0/8"));
    }

    #[test]
    fn whitelisted_networks_are_refused() {
        let whitelist = NetworkWhitelist::new(["1.2.3.0/24", "2606:4700::/32"]).unwrap();
        let refused = |text: &str| check_block_address(text, &whitelist).unwrap_err().to_string();
        assert_eq!(refused("1.2.3.4"), "ipaddress: 1.2.3.4/32 overlaps the whitelisted network 1.2.3.0/24");
        assert!(refused("1.2.0.0/16").contains("whitelisted network 1.2.3.0/24"));
        assert!(refused("2606:4700:4700::1111").contains("whitelisted network 2606:4700::/32"));
        assert!(check_block_address("1.2.4.1", &whitelist).is_ok());
    }

    #[test]
    fn public_address_check() {
        assert!(check_public_address("8.8.8.8".parse().unwrap()).is_ok());
        assert!(check_public_address("2606:4700:4700::1111".parse().unwrap()).is_ok());
        let e = check_public_address("192.168.0.1".parse().unwrap()).unwrap_err();
        assert_eq!(e.to_string(), "ipaddress: 192.168.0.1 is in 192.168.0.0/16, private (RFC 1918)");
        assert!(check_public_address("::1".parse().unwrap()).is_err());
    }
}
