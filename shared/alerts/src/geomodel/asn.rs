//! GeoModel's `asn_movement` factor (MozDef's `alerts/geomodel/factors.py`): the autonomous
//! systems of the hop addresses, from a MaxMind ASN database; a move between two
//! organisations changes the alert's severity and is listed as `asn_hops`.

use std::net::IpAddr;
use std::path::Path;

use maxminddb::Reader;
use serde_json::{Value, json};

use super::hops::Hop;

/// A MaxMind ASN database (`GeoLite2-ASN.mmdb`), read into memory.
pub struct AsnDatabase {
    reader: Reader<Vec<u8>>,
}

impl std::fmt::Debug for AsnDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsnDatabase").field("database_type", &self.reader.metadata().database_type).finish()
    }
}

/// The record key naming the organisation owning an autonomous system.
pub const ORGANIZATION: &str = "autonomous_system_organization";

impl AsnDatabase {
    /// Opens the database at `path`.
    pub fn open(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let reader =
            Reader::from_source(bytes).map_err(|e| format!("{}: not a MaxMind database: {e}", path.display()))?;
        Ok(AsnDatabase { reader })
    }

    /// The record of `ip` (text), as MaxMind's `db.get(ip)` returns it
    /// (`{autonomous_system_number, autonomous_system_organization}`), if there is one.
    pub fn lookup(&self, ip: &str) -> Option<Value> {
        let address: IpAddr = ip.parse().ok()?;
        match self.reader.lookup(address.to_canonical()).and_then(|found| found.decode::<Value>()) {
            Ok(record) => record,
            Err(error) => {
                tracing::warn!(%ip, %error, "ASN lookup failed");
                None
            }
        }
    }

    /// MozDef's factor: the hop addresses in order (each origin, then the last destination,
    /// duplicates dropped), their records, and the consecutive pairs whose organisations
    /// differ, as `[[a, b], ...]`. An address the database lacks is `null` and never counts
    /// as a move (MozDef crashed on it).
    pub fn asn_hops(&self, hops: &[Hop]) -> Vec<Value> {
        let mut ips: Vec<&str> = Vec::new();
        let path = hops.iter().map(|h| h.origin.ip.as_str()).chain(hops.last().map(|h| h.destination.ip.as_str()));
        for ip in path {
            if !ips.contains(&ip) {
                ips.push(ip);
            }
        }
        let records: Vec<Option<Value>> = ips.iter().map(|ip| self.lookup(ip)).collect();
        let organization = |record: &Option<Value>| record.as_ref().and_then(|r| r.get(ORGANIZATION)).cloned();
        records
            .windows(2)
            .filter_map(|pair| match pair {
                [a, b] => match (organization(a), organization(b)) {
                    (Some(x), Some(y)) if x != y => Some(json!([a, b])),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }
}
