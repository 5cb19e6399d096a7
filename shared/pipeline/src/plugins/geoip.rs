//! MozDef's `geoip` mq plugin (registration sourceipaddress, destinationipaddress; priority
//! 20): for `details.sourceipaddress` and `details.destinationipaddress` that are public
//! addresses, `details.<source|destination>ipgeolocation` = MozDef's `GeoIP.lookup_ip`
//! dictionary and `details.<…>ipgeopoint` = `"lat,lon"` when both coordinates are non-zero; a
//! value that is not an IP address (or CIDR block) is replaced by `0.0.0.0`, as MozDef did so
//! the `ip` mapping accepts the event. Loopback, private and reserved addresses are not looked
//! up. The plugin is only in the chain when a database is configured.

use std::net::IpAddr;
use std::sync::Arc;

use mozdef_model::Document;
use serde_json::Value;

use super::{Metadata, Plugin, PluginError, Verdict};
use crate::geoip::{GeoIp, is_public};

/// MozDef's `geoip`.
#[derive(Debug)]
pub struct Geoip {
    db: Arc<GeoIp>,
}

impl Geoip {
    /// The plugin over an opened database.
    pub fn new(db: Arc<GeoIp>) -> Self {
        Geoip { db }
    }

    /// Enriches one side: `keys` are its `…ipaddress`, `…ipgeopoint` and `…ipgeolocation`.
    fn enrich(&self, details: &mut Document, [ip_key, point_key, location_key]: [&str; 3]) {
        let Some(text) = details.get(ip_key) else { return };
        let Some(ip) = text.as_str().and_then(parse_ip) else {
            details.insert(ip_key.to_owned(), Value::String("0.0.0.0".to_owned()));
            return;
        };
        if !is_public(ip) {
            return;
        }
        let (point, location) = self.db.lookup(ip).into_geopoint_and_map();
        if let Some(point) = point {
            details.insert(point_key.to_owned(), Value::String(point));
        }
        details.insert(location_key.to_owned(), Value::Object(location));
    }
}

/// netaddr's `IPNetwork(text)[0]`: an address, or the first address of a CIDR block.
fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    let (addr, prefix) = text.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    match addr {
        IpAddr::V4(v4) if prefix <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            Some(IpAddr::V4((u32::from(v4) & mask).into()))
        }
        IpAddr::V6(v6) if prefix <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            Some(IpAddr::V6((u128::from(v6) & mask).into()))
        }
        _ => None,
    }
}

impl Plugin for Geoip {
    fn name(&self) -> &'static str {
        "geoip"
    }

    fn registration(&self) -> &[&str] {
        &["sourceipaddress", "destinationipaddress"]
    }

    fn priority(&self) -> u32 {
        20
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if let Some(Value::Object(details)) = event.get_mut("details") {
            self.enrich(details, ["sourceipaddress", "sourceipgeopoint", "sourceipgeolocation"]);
            self.enrich(details, ["destinationipaddress", "destinationipgeopoint", "destinationipgeolocation"]);
        }
        Ok(Verdict::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_ip;

    #[test]
    fn addresses_and_blocks() {
        assert_eq!(parse_ip("8.8.8.8"), "8.8.8.8".parse().ok());
        assert_eq!(parse_ip("8.8.8.8/24"), "8.8.8.0".parse().ok());
        assert_eq!(parse_ip("2001:db8::1/32"), "2001:db8::".parse().ok());
        assert_eq!(parse_ip("0.0.0.0/0"), "0.0.0.0".parse().ok());
        assert_eq!(parse_ip("8.8.8.8/33"), None);
        assert_eq!(parse_ip("not an ip"), None);
        assert_eq!(parse_ip(""), None);
    }
}
