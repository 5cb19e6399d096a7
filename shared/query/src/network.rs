//! [`IpNetwork`]: CIDR blocks, compared the way Elasticsearch's `ip` type does — every
//! address as 128 bits, IPv4 as IPv4-mapped IPv6 (`::ffff:a.b.c.d`).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::{IpNetwork, QueryError};

/// An address as Elasticsearch's `ip` type orders it: IPv4 mapped into IPv6.
pub(crate) fn ip_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

impl IpNetwork {
    /// A network from an address and a prefix length (at most 32 for IPv4, 128 for IPv6).
    pub fn new(addr: IpAddr, prefix: u8) -> Result<Self, QueryError> {
        let network = IpNetwork { addr, prefix };
        if prefix > network.max_prefix() {
            return Err(QueryError::Network(format!("{addr}/{prefix}")));
        }
        Ok(network)
    }

    /// Parses `addr/prefix` (IPv4 or IPv6); a bare address is a single-address network.
    pub fn parse(cidr: &str) -> Result<Self, QueryError> {
        let error = || QueryError::Network(cidr.to_owned());
        let (addr, prefix) = match cidr.split_once('/') {
            Some((addr, prefix)) => {
                let prefix = if prefix.bytes().all(|b| b.is_ascii_digit()) {
                    prefix.parse::<u8>().map_err(|_| error())?
                } else {
                    return Err(error());
                };
                (addr, Some(prefix))
            }
            None => (cidr, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| error())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        IpNetwork::new(addr, prefix.unwrap_or(max)).map_err(|_| error())
    }

    /// The longest prefix of the address family: 32 or 128.
    pub fn max_prefix(&self) -> u8 {
        if self.addr.is_ipv4() { 32 } else { 128 }
    }

    /// The first and last addresses as 128-bit IPv4-mapped values (an out-of-range prefix
    /// counts as the full length).
    pub(crate) fn bit_range(&self) -> (u128, u128) {
        let extra = if self.addr.is_ipv4() { 96 } else { 0 };
        let prefix = u32::from(self.prefix.min(self.max_prefix())) + extra;
        let host_mask = u128::MAX.checked_shr(prefix).unwrap_or(0);
        let bits = ip_bits(self.addr);
        (bits & !host_mask, bits | host_mask)
    }

    /// Whether `ip` lies in the network. IPv4 and IPv6 share one 128-bit space: an IPv4
    /// address is inside an IPv6 network only if the network covers its IPv4-mapped form.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (first, last) = self.bit_range();
        (first..=last).contains(&ip_bits(ip))
    }

    /// The first address of the network.
    pub fn first(&self) -> IpAddr {
        from_bits(self.bit_range().0, self.addr.is_ipv4())
    }

    /// The last address of the network.
    pub fn last(&self) -> IpAddr {
        from_bits(self.bit_range().1, self.addr.is_ipv4())
    }
}

fn from_bits(bits: u128, v4: bool) -> IpAddr {
    let v6 = std::net::Ipv6Addr::from(bits);
    match v6.to_ipv4_mapped() {
        Some(v4addr) if v4 => IpAddr::V4(v4addr),
        _ => IpAddr::V6(v6),
    }
}

impl FromStr for IpNetwork {
    type Err = QueryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IpNetwork::parse(s)
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNetwork {
        IpNetwork::parse(s).unwrap_or(IpNetwork { addr: IpAddr::from([255, 255, 255, 255]), prefix: 32 })
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn parses_cidrs() {
        assert_eq!(net("10.0.0.0/8").prefix, 8);
        assert_eq!(net("10.1.2.3").prefix, 32);
        assert_eq!(net("2001:db8::/32").prefix, 32);
        assert_eq!(net("::1").prefix, 128);
        for bad in
            ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.0.0/8", "::/129", "", "/8", "10.0.0.0/+8", "10.0.0.0/8/8"]
        {
            assert_eq!(IpNetwork::parse(bad), Err(QueryError::Network(bad.to_owned())), "{bad}");
        }
        assert!(IpNetwork::new(ip("10.0.0.0"), 33).is_err());
        assert_eq!(net("10.1.2.3/8").to_string(), "10.1.2.3/8");
        assert_eq!("192.168.0.0/16".parse::<IpNetwork>().map(|n| n.prefix), Ok(16));
    }

    #[test]
    fn ipv4_containment() {
        let n = net("10.1.2.3/8");
        assert!(n.contains(ip("10.0.0.0")));
        assert!(n.contains(ip("10.255.255.255")));
        assert!(!n.contains(ip("11.0.0.0")));
        assert!(!n.contains(ip("9.255.255.255")));
        assert!(n.contains(ip("::ffff:10.9.9.9")));
        assert!(!n.contains(ip("::a09:909")));
        assert_eq!(n.first(), ip("10.0.0.0"));
        assert_eq!(n.last(), ip("10.255.255.255"));
        let all = net("0.0.0.0/0");
        assert!(all.contains(ip("255.255.255.255")));
        assert!(!all.contains(ip("2001:db8::1")));
        assert!(net("1.2.3.4/32").contains(ip("1.2.3.4")));
        assert!(!net("1.2.3.4/32").contains(ip("1.2.3.5")));
    }

    #[test]
    fn ipv6_containment() {
        let n = net("2001:db8::/32");
        assert!(n.contains(ip("2001:db8::1")));
        assert!(n.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(!n.contains(ip("2001:db9::")));
        assert!(!n.contains(ip("10.0.0.1")));
        assert!(net("::/0").contains(ip("10.0.0.1")));
        assert!(net("::ffff:0:0/96").contains(ip("10.0.0.1")));
        assert!(!net("fe80::/10").contains(ip("10.0.0.1")));
        assert_eq!(n.last(), ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
    }

    #[test]
    fn out_of_range_prefix_is_clamped() {
        let n = IpNetwork { addr: ip("10.0.0.1"), prefix: 200 };
        assert!(n.contains(ip("10.0.0.1")));
        assert!(!n.contains(ip("10.0.0.2")));
    }
}
